# Values the JIT proves are floats (jit::floats), and the values next to them that are not:
# each case goes through a merge or a loop where a wrong guess would change the output.


def mean(total, count):
    return total / count


def accumulate(items):
    s = 0.0
    for v in items:
        try:
            s = s + v
        except TypeError as e:
            print("skip:", e)
    return s


print(accumulate([1, 2.5, True, "x", 10**20, [1]]))


# `%` with a float on the right is not always a float: a string on the left formats.
def mod(a, b):
    return a % b


def formats(lefts):
    for left in lefts:
        r = mod(left, 1.5)
        print(repr(r), type(r).__name__, r * 2)


formats(["%.2f", 7.0, 10, -7.5])


# `/` is a float whenever it returns: ints, big ints, bools and floats.
for a, b in [(7, 2), (10**30, 7), (True, 4), (1.5, 0.5), (-9, 4.0)]:
    q = mean(a, b)
    print(q, q + 1, q * 2 - q)


# Its slow path raises instead of returning.
for a, b in [(1, 0), (1.0, 0.0), (10**400, 1), ("a", 2)]:
    try:
        print(mean(a, b))
    except (ZeroDivisionError, OverflowError, TypeError) as e:
        print(type(e).__name__, e)


# NaN and infinity go through the merges as floats.
inf = float("inf")
nan = inf - inf
for x in [nan, inf, -inf, 0.0, -0.0]:
    y = mean(x, 2) + 1.0
    print(y, y == y, -y)


# A loop variable that is a float on one pass and an int, a string or a list on others.
def mixed(values):
    acc = 0.0
    out = []
    for v in values:
        if isinstance(v, (int, float)) and isinstance(acc, (int, float)):
            acc = acc + v / 2
        else:
            acc = v
        out.append(acc)
    return out


print(mixed([1, 2, "s", 3.5, [0], 4]))


# Floor division and modulo with a float operand stay floats; with two ints they do not.
def floors(n):
    t = 0.5
    for i in range(n):
        t = t + i // 2.0 + i % 2.5
    return t, 7 // 2, -7 // 2.0, 7 % -2.5


print(floors(6))


# A float kept in a cell by a closure, read after the loop that updates it.
def make_running():
    avg = 0.0
    n = 0

    def add(x):
        nonlocal avg, n
        n = n + 1
        avg = avg + (x - avg) / n
        return avg

    return add


r = make_running()
for x in [3, 4.5, 10**18, -2]:
    last = r(x)
print(last, r(0) / 3)
