# Floats carried around loops (jit::unboxed_params keeps them unboxed beside the box) and
# float trees with an int operand known to be an int (a range counter, a literal).


def drift(n):
    s = 0.0
    for i in range(n):
        s = s + i * 0.5 - 1.0
    return s


def mixed(n):
    # `s` starts an int and becomes a float on the first iteration.
    s = 0
    for i in range(n):
        s = s + 0.25 * i
    return s


def flips(n):
    # `s` is a float, then an int, then a float again, inside one loop.
    s = 0.5
    out = []
    for i in range(n):
        if i % 3 == 0:
            s = i
        else:
            s = s * 2.0 + 1
        out.append(s)
    return out


def widens(n):
    # An int accumulator that outgrows a small int, next to a float one.
    big = 1
    f = 1.0
    for i in range(n):
        big = big * 1000
        f = f * 1000.0
    return big, f


def specials():
    s = 0.0
    xs = []
    for i in range(6):
        s = s + (float("inf") if i == 4 else 0.5) - 0.0
        xs.append(s)
    t = -0.0
    for i in range(3):
        t = t * 1.0
    return xs, t, str(t)


def nan_loop():
    s = float("nan")
    n = 0
    for i in range(4):
        s = s + i
        n = n + (s == s)
    return s, n


def two_floats(n):
    a = 1.0
    b = 0.0
    for i in range(n):
        a, b = b + 0.5, a * 2.0
    return a, b


def nested(n):
    total = 0.0
    for i in range(n):
        inner = 0.0
        for j in range(i):
            inner = inner + j / 2
        total = total + inner
    return total


def int_times_float_literal(n):
    s = 0.0
    k = 3
    for i in range(n):
        s = s + k * 1.5 + i * 2 / 4
    return s


def bad_operand(n):
    s = 0.0
    for i in range(n):
        if i == 3:
            s = s + "x"
        s = s + 1.5
    return s


def closure_average():
    count = 0
    total = 0.0

    def add(x):
        nonlocal count, total
        count = count + 1
        total = total + x
        return total / count

    avg = 0.0
    for i in range(1, 100):
        avg = avg + add(i * 0.5) - add(i)
    return avg, count, total


print(drift(10), drift(1000))
print(mixed(0), mixed(1), mixed(7))
print(flips(8))
print(widens(6))
print(specials())
print(nan_loop())
print(two_floats(5))
print(nested(12))
print(int_times_float_literal(9))
print(closure_average())
try:
    bad_operand(10)
except TypeError as e:
    print("TypeError:", e)
print(bad_operand(3))


def from_param(x, n):
    # The loop's float starts as a parameter: an entry-block parameter, which can take no
    # shadow of its own (a fuzzer-found crash: the entry block got a fourth parameter).
    s = x
    for i in range(n):
        s = s + 0.5
    return s


def from_param_try(x):
    t = x
    for j in range(3):
        try:
            t = t + 1 / (j - 1)
        except ZeroDivisionError:
            t = t + x
    return t


print(from_param(1.0, 4), from_param(2, 3), from_param(0.25, 0))
print(from_param_try(0.5), from_param_try(2))
