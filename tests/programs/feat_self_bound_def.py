# A def whose closure alone reads its name (recursion, passing itself on): bound once, in loops, under if, decorated, rebound, captured by others.
def outer(n):
    def fib(k):
        if k < 2:
            return k
        return fib(k - 1) + fib(k - 2)
    return fib(n)

print(outer(15))

def me():
    def f():
        return f
    return f

g = me()
print(g() is g, g()() is g)

def deeper():
    def f(x):
        def inner():
            return f
        return inner
    return f

d = deeper()
print(d(1)() is d)

def early():
    try:
        print(f)
    except UnboundLocalError as e:
        print("UnboundLocalError:", e)
    def f():
        return f
    return f()

print(early().__name__)

def in_loop():
    out = []
    for i in range(3):
        def f():
            return f
        out.append(f)
    return [o() is out[-1] for o in out]

print(in_loop())

def in_if(flag):
    if flag:
        def f():
            return f
        return f() is f
    return None

print(in_if(True), in_if(False))

def decorated():
    def deco(fn):
        print("deco sees", fn.__name__)
        return lambda: ("wrapped", fn)
    @deco
    def f():
        return f
    return f

w = decorated()
print(w()[0], w()[1]() is w)

def sibling():
    def f():
        return g()
    def g():
        return "g"
    return f()

print(sibling())

def captured_by_other():
    h = lambda: f
    def f():
        return f
    return h() is f, f() is f

print(captured_by_other())

def rebound():
    def f():
        return f
    first = f
    f = 5
    return first()

print(rebound())

def nl():
    def f():
        nonlocal f
        f = 7
        return f
    r = f()
    return r, f

print(nl())

def gen_capture():
    def f(n):
        return [f for _ in range(n)]
    return f

gc_f = gen_capture()
print(all(x is gc_f for x in gc_f(3)))

def A(k, x1, x2, x3, x4, x5):
    def B():
        nonlocal k
        k = k - 1
        return A(k, B, x1, x2, x3, x4)
    if k <= 0:
        return x4() + x5()
    return B()

print(A(9, lambda: 1, lambda: -1, lambda: -1, lambda: 1, lambda: 0))

def many():
    fs = []
    for i in range(100000):
        def mk(i):
            def f():
                return (f, i)
            return f
        fs.append(mk(i))
        if len(fs) > 10:
            fs.pop(0)
    return [x()[1] for x in fs], all(x()[0] is x for x in fs)

print(many())
