# Small ints through merges and loop headers (jit::unboxed_params gives them a rotated
# shadow beside the box): chains of operations whose slow paths merge back, values that
# leave the small ints or change type at a merge, and the edges of the 48-bit range.


def chain(x):
    y = x * 3
    z = y + 5
    w = z % 1000003
    v = w - 11
    u = v * 5
    return u + 7


def compose(f, g):
    return lambda x: f(g(x))


def composed(n):
    fs = [lambda x: x - 2, lambda x: x * 3, lambda x: x + 5, lambda x: x % 1000003]
    h = fs[0]
    for f in fs[1:]:
        h = compose(h, f)
    acc = 1
    total = 0
    for i in range(n):
        acc = h(acc + i)
        total = (total + acc) % 1000000007
    return total


def counting(n, step):
    total = 0
    for i in range(n):
        total = total + step
        total = total - i % 7
    return total


def growing(n):
    # `x` leaves the small ints (2**47) partway, then comes back.
    x = 1
    out = []
    for i in range(n):
        y = x * 2
        x = y + 1
        if i % 10 == 9:
            out.append(x)
    for i in range(n):
        x = x // 2
    out.append(x)
    return out


def flipping(n):
    # The merge after `+` sees ints, floats and a bool.
    vals = [1, 2.5, True, -3, 0.0, 2**47 - 1, -(2**47)]
    t = 0
    for i in range(n):
        v = vals[i % len(vals)]
        s = v + 1
        t = s * 2 + t
    return t


def edges():
    out = []
    for x in [2**47 - 1, 2**47 - 2, -(2**47), -(2**47) + 1, 2**47, -(2**47) - 1, 0, -1]:
        y = x + 1
        z = y - 1
        w = z * 1
        v = w - 2
        out.append((y, z, w, v, v + 2 == x))
    return out


def negatives(n):
    s = -5
    for i in range(n):
        s = s * -1
        s = s - 3
        s = s % 17 - 20
    return s


def broken(n):
    t = 0
    vals = [1, 2, "3", 4]
    try:
        for i in range(n):
            u = t + i
            t = u + vals[i]
    except TypeError as e:
        print("TypeError:", e, t)
    return t


def make_counter(step):
    count = 0

    def inc():
        nonlocal count
        count = count + step
        return count

    return inc


def cells(n):
    c = make_counter(3)
    d = make_counter(2**46)
    total = 0
    for i in range(n):
        total = total + c() - d() % 7
    return total, c(), d()


print(chain(7), chain(-7), chain(2**45), chain(2**47 - 1))
print(composed(5000))
print(counting(1000, 3), counting(1000, 2**46))
print(growing(60))
print(flipping(50))
for row in edges():
    print(row)
print(negatives(1000))
print(broken(10))
print(cells(10))
