# Closures capturing parameters: positional, defaults, *args and **kwargs of the outer function.
def make(a, b=2, *rest, **opts):
    def show():
        return (a, b, rest, opts)
    return show


print(make(1)())
print(make(1, 3)())
print(make(1, 3, 4, 5)())
print(make(1, x=9, y=8)())


def bind_args(f, *args):
    def call():
        return f(*args)
    return call


print(bind_args(max, 3, 9, 4)())
print(bind_args(len, 'hello')())


def rebinding_param(n):
    def get():
        return n
    n = n * 2
    return get


print(rebinding_param(21)())
