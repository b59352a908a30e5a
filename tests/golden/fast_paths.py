# Fast paths the IR property checks look at (tests/golden.rs, props::fast-paths::*).
def make_counter(step):
    count = 0

    def inc():
        nonlocal count
        count = count + step
        return count

    return inc


def make_adder(n):
    def add(x):
        return x + n

    return add


def counting(limit):
    c = make_counter(2)
    total = 0
    for i in range(limit):
        total = total + c()
    return total


def counting_two(limit):
    c1 = make_counter(1)
    c2 = make_counter(3)
    total = 0
    for i in range(limit):
        total = total + c1() - c2() % 7
    return total


def indexing(xs, d):
    total = 0
    for i in range(len(xs)):
        total = total + xs[i] + d[i]
    return total


def assigned_then_read():
    x = 1
    y = x + 1
    return x + y


print(counting(10), counting_two(10), make_adder(1)(2), indexing([1, 2, 3], {0: 1, 1: 2, 2: 3}), assigned_then_read())


def iterating(xs):
    total = 0
    for x in xs:
        total = total + x
    return total


print(iterating([1, 2, 3]))


def appending(n):
    xs = []
    for i in range(n):
        xs.append(i)
    return xs


print(appending(5))


def sorting(xs):
    return sorted(xs, key=lambda x: -x)


print(sorting([2, 3, 1]))


def modding(n):
    s = 0
    for i in range(n):
        s = s + i % 7
    return s


print(modding(10))


def chained(n, k):
    t = 0
    for i in range(n):
        t = (t + k * i) % 1000003
    return t


print(chained(10, 7))


def make_log():
    entries = []

    def log(x):
        entries.append(x)
        return len(entries)

    return log


print(make_log()(1))


def bit_mixing(n):
    h = 0
    for i in range(n):
        h = (h ^ i) & 0xFFFF | 1
    return h


print(bit_mixing(100))


def modular(n):
    t = 0
    for i in range(n):
        t = (t + i % 100 - i // 7 + i % 64) % 1000003
    return t


print(modular(100))


def knight(k, x1, x2, x3, x4, x5):
    def back():
        nonlocal k
        k = k - 1
        return knight(k, back, x1, x2, x3, x4)

    if k <= 0:
        return x4() + x5()
    return back()


print(knight(4, lambda: 1, lambda: -1, lambda: -1, lambda: 1, lambda: 0))


def stepped(x):
    y = x * 3
    z = y + 5
    return z % 1000003 - 11


print(stepped(7))


def bounded(x):
    y = x % 1000
    z = y * 3
    return z + 7


print(bounded(-12345))
