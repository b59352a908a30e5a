# walrus (:=) with closures: counters and accumulators in cells, closures made in comprehensions that bind the enclosing function's variable, and a running total in a loop
def make_acc():
    total = 0
    def add(x):
        nonlocal total
        return (total := total + x)
    return add

acc = make_acc()
print([acc(i) for i in range(5)])
print(acc.__closure__[0].cell_contents)

def handlers():
    fs = [(lambda k=k: k * (last := k)) for k in range(4)]
    return [f() for f in fs]
print(handlers())

def late_binding():
    fs = [lambda: last for _ in range(3) if (last := _) >= 0]
    return [f() for f in fs]
print(late_binding())

def running(xs):
    s = 0
    out = [s := s + x for x in xs]
    return out, s
print(running([1, 2, 3, 4]))

def loop(n):
    i = 0
    hits = []
    while (i := i + 1) <= n:
        if (sq := i * i) % 2:
            hits.append(sq)
    return hits, i, sq
print(loop(7))

def shadow():
    x = "outer"
    def inner():
        return [(x := c) for c in "ab"], x
    r = inner()
    return r, x
print(shadow())

total = 0
def bump():
    global total
    [(total := total + v) for v in range(10)]
    return total
print(bump(), total)
