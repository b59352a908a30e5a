# Cells of different variables never alias; cells of one variable may be shared by many
# closures. Stores to one variable's cell, interleaved with reads of another's, through
# closures that share some cells and not others, inlined or not.

def make_pair():
    a = 0
    b = 0
    def set_both(x, y):
        nonlocal a, b
        a = x
        b = y
        return a
    def bump_a():
        nonlocal a
        a = a + 1
        return a
    def read():
        return (a, b)
    return set_both, bump_a, read

s, inc, r = make_pair()
print(s(1, 2), r())
print(inc(), r())
print(s(10, 20), inc(), r())

def outer():
    n = 0
    m = 100
    def f():
        nonlocal n, m
        n = n + 1
        m = m - n
        return n * 1000 + m
    def g():
        nonlocal m
        m = m * 2
        return m
    total = 0
    for i in range(5):
        total = total + f() + g()
    return total, n, m

print(outer())

# The same variable's cell, reached from two closures made by one call: a store through one
# is seen by a read through the other, in the same loop iteration.
def shared():
    c = 0
    def w(v):
        nonlocal c
        c = v
    def rd():
        return c
    return w, rd

w1, r1 = shared()
w2, r2 = shared()
out = []
for i in range(4):
    w1(i)
    w2(i * 10)
    out.append((r1(), r2()))
    w1(r2())
    out.append(r1())
print(out)

# Floats and ints through two cells, with a store of one between reads of the other.
def mixed():
    x = 1
    y = 2.5
    def step():
        nonlocal x, y
        x = x + 1
        y = y * x
        x = x + y
        return x, y
    return step

st = mixed()
print(st(), st(), st())
