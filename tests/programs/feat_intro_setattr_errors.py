# Attribute assignment and deletion errors, worded as CPython 3.11 words them.
def f(a=1):
    return a


def g():
    x = 1
    return lambda: x


cases = [
    ("int attr", lambda: setattr(5, "y", 1)),
    ("str attr", lambda: setattr("s", "y", 1)),
    ("None attr", lambda: setattr(None, "y", 1)),
    ("list method", lambda: setattr([], "append", 1)),
    ("str method", lambda: setattr("s", "upper", 1)),
    ("dict attr", lambda: setattr({}, "y", 1)),
    ("int real", lambda: setattr(1, "real", 2)),
    ("float imag", lambda: setattr(1.5, "imag", 2)),
    ("range start", lambda: setattr(range(3), "start", 1)),
    ("type attr", lambda: setattr(int, "y", 1)),
    ("builtin attr", lambda: setattr(len, "y", 1)),
    ("cell attr", lambda: setattr(g().__closure__[0], "y", 1)),
    ("closure", lambda: setattr(f, "__closure__", None)),
    ("globals", lambda: setattr(f, "__globals__", {})),
    ("name type", lambda: setattr(f, "__name__", 3)),
    ("qualname type", lambda: setattr(f, "__qualname__", None)),
    ("defaults type", lambda: setattr(f, "__defaults__", [1])),
    ("kwdefaults type", lambda: setattr(f, "__kwdefaults__", (1,))),
    ("dict type", lambda: setattr(f, "__dict__", 5)),
    ("code type", lambda: setattr(f, "__code__", 5)),
    ("class", lambda: setattr(5, "__class__", str)),
]
for label, thunk in cases:
    try:
        thunk()
        print(label, "ok")
    except (AttributeError, TypeError) as e:
        print(label, type(e).__name__, e)

x = 5
try:
    x.y = 1
except AttributeError as e:
    print("x.y = 1:", e)
try:
    x.y += 1
except AttributeError as e:
    print("x.y += 1:", e)
try:
    del x.y
except AttributeError as e:
    print("del x.y:", e)
try:
    del f.nothing
except AttributeError as e:
    print("del f.nothing:", e)
try:
    del f.__closure__
except AttributeError as e:
    print("del f.__closure__:", e)
try:
    del f.__name__
except TypeError as e:
    print("del f.__name__:", e)
try:
    del f.__dict__
except TypeError as e:
    print("del f.__dict__:", e)
try:
    del (1).__class__
except TypeError as e:
    print("del (1).__class__:", e)
try:
    del int.real
except TypeError as e:
    print("del int.real:", e)
print(f(), f.__name__)
