# walrus (:=) and code objects: co_varnames order, co_cellvars/co_freevars of comprehension targets, nonlocal rebinding through a comprehension, lazy genexpr writes
def f(a):
    b = (c := a + 1) * 2
    [(d := x) for x in range(a)]
    return b, c, d

print(f(3), f.__code__.co_varnames, f.__code__.co_cellvars)

def g():
    h = lambda: (e := 5) + e
    return h(), h.__code__.co_varnames, g.__code__.co_varnames

print(g())

def outer():
    x = 0
    def inner():
        nonlocal x
        [(x := x + i) for i in range(5)]
        return x
    return inner, outer.__code__.co_cellvars, inner.__code__.co_freevars

inner, cells, frees = outer()
print(inner(), inner(), cells, frees, [c.cell_contents for c in inner.__closure__])

def gen_walrus():
    n = 0
    gen = ((n := n + v) for v in [1, 2, 3])
    print(n)
    print(next(gen), n)
    print(list(gen), n)
    return gen_walrus.__code__.co_cellvars
print(gen_walrus())
