# Int arithmetic trees (two or more of + - * % // nested) run on raw ints in the JIT and
# fall back to full Python semantics mid-tree: every leaf is evaluated exactly once, in
# CPython's order, whichever operation gives up (overflow, a non-int leaf, a zero divisor).
# (No floats anywhere in this program: that is when the JIT uses its raw-int trees.)
log = []


def leaf(name, v):
    log.append(name)
    return v


def tree(a, b, c, d):
    return (leaf("a", a) + leaf("b", b)) * leaf("c", c) - leaf("d", d) % 7


big = 2**46
cases = [
    (1, 2, 3, 4),
    (big, big, 1, 5),          # a + b leaves the small ints
    (big, 0, 4, 9),            # (a + b) * c overflows
    (-big, -big, 2, -3),
    (1, 2, 3, 2**80),          # d is a big int: d % 7 in the generic copy
    ("x", "y", 2, 0),          # str + str, str * int, then str - int fails
    ([1], [2], 2, 1),          # lists
    (True, 2, 3, 4),           # a bool leaf
]
for args in cases:
    log.clear()
    try:
        print(tree(*args), log)
    except TypeError as e:
        print("TypeError:", e, log)


def divs(a, b, c):
    return (a + b) // c + (a - b) % c


for args in [(7, 3, 2), (7, 3, -2), (-7, 3, 2), (-2**47, 0, -1), (2**47 - 1, 1, 3), (5, 5, 0)]:
    try:
        print(divs(*args))
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)


def loop(n):
    t = 0
    k = 3
    for i in range(n):
        t = (t + k * i) % 1000003
        t = t * 2**20 % (2**61 - 1) + i - 1
    return t


print(loop(1000))


def raises_late():
    # The bail at `+` (a big int) hands over to the generic copy, where `boom()` raises.
    return (leaf("p", 2**50) + leaf("q", 2**50)) * leaf("r", 2) % boom()


def boom():
    raise ValueError("late")


try:
    log.clear()
    raises_late()
except ValueError as e:
    print("ValueError:", e, log)

acc = 0
for i in range(50):
    acc = acc + (i * i - i) // 2 % 11
print(acc)
x = 5
print((x + 1) * (x - 1) - x % 3 // 2)
print((x + 1) * (x - 1) - undefined_name)
