# __defaults__, __qualname__ and __doc__ rebound at run time: defaults fill the last parameters, messages use the new qualname
def f(a):
    return a
f.__defaults__ = (7, 8)
print(f())
def g(a, b=2):
    return a, b
g.__defaults__ = (5, 6, 7)
print(g(), g(1), g(1, 9))
for i in range(3000):
    r = g()
print(r)
try:
    f(1, 2, 3)
except TypeError as e:
    print(e)
def h(x, y):
    return x + y
h.__qualname__ = "Renamed.h"
h.__name__ = "hh"
try:
    h(1)
except TypeError as e:
    print(e)
try:
    h(1, 2, 3)
except TypeError as e:
    print(e)
try:
    h(1, z=2)
except TypeError as e:
    print(e)
def fd():
    """Docs here.
       More."""
    return 1
def g():
    x = "not a doc"
    return x
def h():
    "single"
def deco(fn):
    def wrapper(*a):
        return fn(*a)
    wrapper.__doc__ = fn.__doc__
    return wrapper
@deco
def k(a):
    'kdoc'
    return a
print(repr(fd.__doc__), g.__doc__, h.__doc__, k.__doc__, (lambda: 1).__doc__, k(3))
fd.__doc__ = "new"
print(fd.__doc__)
del fd.__doc__
print(fd.__doc__)
