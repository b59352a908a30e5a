# Values held while a call runs (operands, arguments, displays, targets) survive collections.
def make(n):
    return [n, str(n), (n, n + 1)]

def twice(f):
    def g(x):
        return f(f(x))
    return g

def tag(label):
    def deco(f):
        def wrapped(*args, **kw):
            return label + ":" + str(f(*args, **kw))
        return wrapped
    return deco

@tag("a")
@tag("b")
def add(x, y=make(1)[1], *, z=make(2)):
    return x + len(y) + len(z)

def keep(x):
    make(len(str(x)))
    return x

print(add(1), add(2, "abc"), add(3, z=[1]))
print(make(1) + make(2) + [make(3)])
print({} if False else {keep("k"): make(4), keep("j"): [make(5), make(6)]})
print(f"{make(7)}-{keep('x')!r:>5}-{make(8)[1]}")
print((make(9), keep(10), make(11))[2][2])
d = {}
lst = [0, 0, 0]
d[keep("key")] = make(12)
lst[keep(1)] = make(13)
print(d, lst)
a, (b, c) = make(14)[1], (make(15), keep(16))
print(a, b, c)
x = y = make(17)
print(x is y, x)
print(twice(lambda v: v + [len(make(v[0]))])([1]))
print(sorted([make(3), make(1), make(2)], key=lambda p: keep(p[0])))
print(list(map(lambda p: keep(p) * 2, [make(1), make(2)])))
print(max([make(5), make(9)], key=lambda p: make(p[0])[0]))
print([*make(18), *[keep(19)], make(20)])
print(len(make(21)[1]) + len(make(22)[1]) * len(make(333)[1]))
print(make(23)[2] < (make(24)[0], 0), make(25)[0] < keep(26) < make(27)[0])
print(keep(make(28)[1:]), make(29)[keep(0):keep(2)])

def fin():
    try:
        return make(30)
    finally:
        make(31)
        keep([1, 2, 3])
print(fin())

def err():
    try:
        raise ValueError(make(32))
    except ValueError as e:
        make(33)
        return e.args
print(err())

def loop():
    out = []
    for i in range(5):
        out.append(make(i)[2])
    for p in [make(1), make(2)]:
        out.append(keep(p)[1])
    while len(out) < 9:
        out += [make(len(out))[1]]
    return out
print(loop())

def counter():
    count = 0
    def inc(by=keep(1)):
        nonlocal count
        count = count + by + len(make(count)) - 3
        return count
    return inc
c = counter()
print(c(), c(), c(keep(5)))
total = 0
for i in range(300):
    total += len(make(i)[1]) + c()
print(total)
