# Code objects: co_name, co_qualname, argument counts, co_nlocals, co_varnames/cellvars/freevars, identity, repr.
def show(f):
    c = f.__code__
    print(c.co_name, c.co_qualname)
    print(" ", c.co_argcount, c.co_posonlyargcount, c.co_kwonlyargcount, c.co_nlocals)
    print(" ", c.co_varnames, c.co_cellvars, c.co_freevars)


def plain(a, b=2):
    total = a + b
    return total


def everything(a, b=1, *args, c, d=4, **kw):
    x = a

    def inner(y):
        return x + y + c

    for i in args:
        x += i
    return inner


def outer(p):
    q = p * 2

    def mid():
        def deep():
            return p + q
        return deep

    return mid


show(plain)
show(everything)
show(everything(1, c=3))
mid = outer(5)
show(outer)
show(mid)
show(mid())
show(lambda: 0)
show(lambda x, *ys, z=1: (x, ys, z))
adder = (lambda n: lambda m: n + m)(1)
show(adder)

print(everything(1, c=2).__code__ is everything(5, c=6).__code__)
print(plain.__code__ is plain.__code__, plain.__code__ == plain.__code__)
print(plain.__code__ is everything.__code__)
print(type(plain.__code__), type(plain.__code__).__name__)
r = repr(mid.__code__)
print(r.split(" at ")[0], r.split(", ")[-1])
print(plain.__code__.co_firstlineno, everything.__code__.co_firstlineno, mid.__code__.co_firstlineno)
print(plain.__code__.co_filename.endswith("feat_intro_code_attrs.py"))
print(str(plain.__code__) == repr(plain.__code__))
try:
    plain.__code__.co_name = "other"
except AttributeError as e:
    print("AttributeError:", e)
try:
    plain.__code__.spam = 1
except AttributeError as e:
    print("AttributeError:", e)
try:
    print(plain.__code__.co_spam)
except AttributeError as e:
    print("AttributeError:", e)
