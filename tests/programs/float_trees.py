# Float arithmetic trees (two or more of + - * / with a float hint: a float literal, a `/`,
# or a local assigned a float literal) run on raw f64s in the JIT, and fall back to full
# Python semantics mid-tree: two ints keep int semantics, a zero divisor raises, other
# types go their own way. Every leaf is evaluated exactly once, in CPython's order.
log = []


def leaf(name, v):
    log.append(name)
    return v


def tree(a, b, c, d):
    return (leaf("a", a) + leaf("b", b)) * leaf("c", c) - leaf("d", d) / 2.0


cases = [
    (1.5, 2.5, 3.0, 4.0),
    (1, 2, 3, 4),              # ints: a + b and the product stay ints
    (1, 2.5, 3, 4),
    (2**60, 1.0, 2, 3),        # a big int meets a float
    (1.0, 2.0, 3.0, 2**1100),  # int too large to convert to float
    ("x", "y", 2, 1.0),        # str + str, str * int, then str - float fails
    (True, 0.5, 2, 0),         # a bool leaf
    (float("inf"), -float("inf"), 1.0, 0.0),
    (-0.0, 0.0, -1.0, -0.0),
]
for args in cases:
    log.clear()
    try:
        print(repr(tree(*args)), log)
    except (TypeError, OverflowError) as e:
        print(type(e).__name__ + ":", e, log)


def mean_of(xs):
    total = 0.0
    n = 0
    for x in xs:
        total = total + x * 1.0 - 0.0
        n = n + 1
    return total / n + 0.0 * n


print(mean_of([1, 2, 3, 4]), mean_of([0.1, 0.2, 0.3]))


def ratio(a, b, c):
    s = 0.0
    s = s + a / b - c / b
    return s


for args in [(1, 3, 1), (7, 2, 1), (1.5, 0.5, 0.25), (1, 0, 1), (0, 0.0, 1)]:
    try:
        print(ratio(*args))
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)


def walk(n):
    s = 0.0
    v = 1.0
    for i in range(n):
        s = s + v * 0.5 - i / 7
        v = v * 1.0001 + 0.25
    return s


print(walk(1000))
