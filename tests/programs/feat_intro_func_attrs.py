# Function attributes: __name__, __qualname__, __defaults__, __kwdefaults__, __module__, __dict__, user attributes.
def make(base):
    def add(x, y=10, *, scale=1, shift=0):
        return (base + x + y) * scale + shift

    return add


add = make(1)
print(add.__name__, add.__qualname__, add.__module__)
print(add.__defaults__, add.__kwdefaults__, add.__doc__)
print(add(1), add(1, 2, scale=3))
add.__defaults__ = (100,)
add.__kwdefaults__ = {"scale": 2, "shift": 0}
print(add(1), add.__defaults__, add.__kwdefaults__)
add.__defaults__ = None
add.__kwdefaults__ = None
print(add.__defaults__, add.__kwdefaults__)
try:
    add(1)
except TypeError as e:
    print("TypeError:", e)
add.__defaults__ = (5,)
add.__kwdefaults__ = {"scale": 1, "shift": 0}
print(add(1))
del add.__defaults__
print(add.__defaults__)

add.__name__ = "renamed"
add.__qualname__ = "Somewhere.renamed"
print(add.__name__, add.__qualname__)
print(repr(add).split(" at ")[0])
other = make(2)
print(other.__name__, other.__qualname__)

add.calls = 0
add.calls += 1
add.calls += 1
add.tag = "t"
print(add.calls, add.tag, add.__dict__)
del add.tag
print(add.__dict__, "tag" in add.__dict__)
add.__dict__ = {"fresh": True}
print(add.fresh, add.__dict__)
add.__module__ = "mymod"
add.__doc__ = "docs"
print(add.__module__, add.__doc__, add.__dict__)
print(other.__dict__, hasattr(other, "calls"), getattr(add, "fresh"))
setattr(other, "x", 3)
print(other.x, getattr(other, "x"))


def counted(f):
    def wrapper(*args):
        wrapper.count += 1
        return f(*args)

    wrapper.count = 0
    wrapper.__name__ = f.__name__
    wrapper.__qualname__ = f.__qualname__
    return wrapper


@counted
def square(n):
    return n * n


print(square(3), square(4), square.count, square.__name__, square.__qualname__)
print(repr(square).split(" at ")[0])
print(square.__closure__[0].cell_contents is not None, square.__code__.co_freevars)
