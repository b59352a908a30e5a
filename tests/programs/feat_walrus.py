# walrus (:=): in conditions and loops, in comprehensions (binds in the enclosing function or module), nonlocal counters, short-circuit branches, UnboundLocalError, defaults, f-strings, dict displays, generator expressions
def f(xs):
    if (n := len(xs)) > 2:
        print("long", n)
    total = 0
    i = 0
    while (i := i + 1) < 5:
        total += i
    print(total, i)
    return [y for x in xs if (y := x * 2) > 2], y

print(f([1, 2, 3]))

def counter():
    count = 0
    def inc():
        nonlocal count
        return (count := count + 1)
    return inc

c = counter()
print(c(), c(), c.__code__.co_freevars)

def last_match(xs):
    found = None
    any((found := x) > 10 for x in xs)
    return found
print(last_match([1, 5, 20, 3]), last_match([1]))

def comp_binds():
    [(last := i) for i in range(4)]
    g = (lambda: last)
    return last, g(), g.__code__.co_freevars, comp_binds.__code__.co_cellvars
print(comp_binds())

def nested():
    [[(z := a * b) for a in range(3)] for b in range(3)]
    return z
print(nested())

a = [(m := k) for k in "abc"]
print(m, a)

def glob():
    global gg
    [(gg := q) for q in range(3)]
glob()
print(gg)

def short(v):
    if v and (w := v * 3):
        return w
    return "none"
print(short(0), short(2))

def unbound(v):
    if v:
        (u := 1)
    return u
print(unbound(1))
try:
    unbound(0)
except UnboundLocalError as e:
    print("UnboundLocalError:", e)

def late():
    fs = [lambda: j for j in range(3) if (k := j)]
    return [f() for f in fs], k
print(late())

def param(x):
    [(x := x + 1) for _ in range(3)]
    return x
print(param(10))

def dflt():
    def g(a=(b := 5)):
        return a + b
    return g()
print(dflt())
print((y := 10), y)
print(f"{(q := 3)} {q}")
d = {(k2 := "key"): (v2 := k2 * 2)}
print(d, k2, v2)
def gen():
    g = ((t := x) for x in range(3))
    try:
        t
    except NameError as e:
        print(type(e).__name__, e)
    list(g)
    return t
print(gen())
