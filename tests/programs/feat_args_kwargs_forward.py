# *args/**kwargs forwarding through wrappers, and mixing *, ** with explicit arguments.
def target(a, b, c=3, *rest, d=4, **extra):
    return f'a={a} b={b} c={c} rest={rest} d={d} extra={extra}'


def forward(*args, **kwargs):
    print('args:', args, 'kwargs:', kwargs)
    return target(*args, **kwargs)


print(forward(1, 2))
print(forward(1, 2, 5, 6, 7))
print(forward(1, b=2, d=9))
print(forward(*[1, 2], **{'c': 30, 'z': 26}))
print(target(1, *(2, 3), *[4], d=0, **{'k': 'v'}))
print(target(*'xy'))


def layer(f):
    def w(*a, **k):
        return f(*a, **k)
    return w


print(layer(layer(target))(10, 20, 30, 40, e=50))
print(layer(max)(3, 1, 2))
