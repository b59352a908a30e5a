# __name__ and __qualname__ of module, nested, lambda and decorated functions.
def top():
    def middle():
        def bottom():
            pass
        return bottom
    return middle


print(top.__name__, top.__qualname__)
m = top()
print(m.__name__, m.__qualname__)
b = m()
print(b.__name__, b.__qualname__)
lam = lambda: 0
print(lam.__name__, lam.__qualname__)


def holder():
    return lambda: 1


print(holder().__qualname__)


def deco(f):
    def wrapper():
        return f()
    return wrapper


@deco
def decorated():
    pass


print(decorated.__name__, decorated.__qualname__)


def make_recursive():
    def rec(n):
        return rec.__qualname__ if n == 0 else rec(n - 1)
    return rec


print(make_recursive()(3))
print(print.__name__, len.__name__)
