# Keyword-only parameters: after *args, after a bare *, with and without defaults.
def f(a, *args, key, flag=False):
    return (a, args, key, flag)


print(f(1, key='k'))
print(f(1, 2, 3, key='k', flag=True))


def g(*, x, y=2):
    return x * 10 + y


print(g(x=1), g(y=5, x=3))


def h(a, b=1, *, c, d=4, **rest):
    return [a, b, c, d, rest]


print(h(0, c=3))
print(h(0, 9, c=3, d=8, e=7))
print(h(c=1, a=2))


def outer(*, scale):
    def inner(v, *, offset=0):
        return v * scale + offset
    return inner


m = outer(scale=3)
print(m(2), m(2, offset=1))
