# list and dict comprehensions are nested scopes, as in CPython 3.11: late binding, cells of the comprehension, key before value
xs = [1, 2, 3, 4]
print([x * x for x in xs])
print([x for x in xs if x % 2 if x > 1])
print([(x, y) for x in range(3) for y in range(x)])
print({k: v for k, v in zip("abc", xs)})
fs = [lambda: i for i in range(3)]
print([f() for f in fs])
gs = [lambda i=i: i for i in range(3)]
print([g() for g in gs])
def outer(n):
    scale = 10
    return [[j * scale for j in range(i)] for i in range(n)]
print(outer(4))
def counter_list():
    count = 0
    def bump(k):
        nonlocal count
        count += k
        return count
    return [bump(k) for k in range(5)], count
print(counter_list())
x = "outer x"
print([x for x in "ab"], x)
def late():
    fns = {name: (lambda: name) for name in ["a", "b"]}
    return {k: f() for k, f in fns.items()}
print(late())
def order():
    log = []
    def k(v):
        log.append(("k", v))
        return v
    def v(v):
        log.append(("v", v))
        return v
    d = {k(i): v(i) for i in range(2)}
    return d, log
print(order())
print([y for y in [1, 2]][::-1], len([0 for _ in range(1000)]))
m = [[1, 2], [3, 4]]
print([v for row in m for v in row])
print([a + b for a, b in m])
try:
    [1 / (x - 2) for x in xs]
except ZeroDivisionError as e:
    print("caught", e)
try:
    [q for q in 5]
except TypeError as e:
    print(e)
def free_after():
    r = [lambda: z for _ in range(2)]
    z = 5
    return [f() for f in r]
print(free_after())
big = [[i] * 3 for i in range(20000)]
print(len(big), big[-1])
print([f.__qualname__ for f in [lambda: 0 for _ in range(1)]])
def undefined():
    return [w for _ in range(1)]
try:
    undefined()
except NameError as e:
    print(e)
def unbound_free():
    r = [z for _ in range(1)]
    z = 1
    return r
try:
    unbound_free()
except NameError as e:
    print(type(e).__name__, e)
def nested_closure_counter():
    total = 0
    def add(v):
        nonlocal total
        total += v
        return total
    return [[add(i) for i in range(j)] for j in range(4)], total
print(nested_closure_counter())
print([[lambda: (i, j) for j in range(2)] for i in range(2)][1][0]())
print({i: [j for j in range(i)] for i in range(3)})
print([i for i in range(3)] + [i for i in range(2)])
