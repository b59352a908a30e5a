# The `for i in range(...)` counter is used unboxed by the JIT's int paths (no tag test on
# `i`): arithmetic on it must still overflow into big ints and round like Python at the
# edges of the small-int range (+-2**47), and mix with floats and other types.
def near_top():
    out = []
    for i in range(2**47 - 3, 2**47):
        out.append((i % 7, i + 1, i * 3, i // 5, -i - 1, i - (-5), i % -4))
    return out


def near_bottom():
    out = []
    for i in range(-2**47, -2**47 + 3):
        out.append((i % 7, i - 1, i // -3, i * i, i + 0.5, i % 2**47))
    return out


def mixed(n):
    total = 0
    for i in range(n):
        total = total + i % 3 + i * 2 - i // 4
    for i in range(-n, 0):
        total = total + i % 3 - i + i // 4 * 1000 + i // 1 + i % 1
    return total


def as_key_and_index(n):
    d = {}
    xs = [0] * n
    for i in range(n):
        d[i * 2] = i
        xs[i] = i + 1
    for i in range(n):
        xs[i % n] = xs[i % n] + d[(i * 2) % (2 * n)]
    return xs


print(near_top())
print(near_bottom())
print(mixed(1000))
print(as_key_and_index(10))
try:
    for i in range(3):
        print(i + "x")
except TypeError as e:
    print("TypeError:", e)


# Bounds beyond the small-int range: a generic copy of the loop runs (the counter is a
# heap object), with `continue`, `break`, `else`, closures and allocation in the body.
def big_loop(lo, n):
    out = []
    for i in range(lo, lo + n):
        if i % 3 == 0:
            continue
        out.append(i)
        f = lambda: i * 2
        out.append(f())
        if len(out) > 8:
            break
    else:
        out.append("no break")
    return out


print(big_loop(2**62, 20))
print(big_loop(2**62, 3))
print(big_loop(-2**62, 4))


def literal_bounds():
    n = 140737488355328
    m = 140737488355327
    total = 0
    for i in range(m - 3, n + 3):
        total = total + i
        tmp = [i, str(i)]
    for j in range(m, m + 1):
        total = total + j
    return total, i, j, tmp


print(literal_bounds())


def bool_and_bad_bounds():
    out = []
    for i in range(True, 4):
        out.append(i)
    for i in range(-2, False):
        out.append(i)
    try:
        for i in range(1.5):
            pass
    except TypeError as e:
        out.append(str(e))
    return out


print(bool_and_bad_bounds())
