# Int ranges (jit::ranges): after `% c` a value is small, and the operations on it that
# cannot leave the small ints drop their overflow tests. Each function here sits at an
# edge: a range that just fits, one that just does not, and slow paths that give other types.

def just_fits(x):
    # x % (2**47 - 8) is at most 2**47 - 9; + 8 is 2**47 - 1, the largest small int.
    y = x % 140737488355320
    return y + 8


def just_overflows(x):
    # at most 2**47 - 9 + 9 = 2**47: a big int, so this add must keep its test.
    y = x % 140737488355320
    return y + 9


def scaled(x):
    y = x % 1000
    z = y * 3
    w = z - 2997
    return w * w


def negative_divisor(x):
    y = x % -7
    return y * 5 - 1


def floor_div(x):
    y = (x % 1000) // 7
    return y * 7 + 1


def float_left(x):
    # a float on the left makes the `%` a float, and the `+` a float addition
    y = x % 1000
    return y + 7


def string_left(x):
    # `%` on a string formats; `+` then joins strings
    y = x % 3
    return y + "!"


def loop_total(n):
    total = 0
    for i in range(n):
        total = (total + i * i) % 1000003
        total = total + 5
    return total


def inlined(f, x):
    return f(f(x) % 97 + 3) - 1


for v in [0, 1, -1, 12345, -12345, 2**47 - 1, -2**47, 2**47, 2**63 + 5, -2**70, True]:
    print(just_fits(v), just_overflows(v), scaled(v), negative_divisor(v), floor_div(v))
print(just_fits(2**47 - 9), just_overflows(2**47 - 9), type(just_overflows(2**47 - 9)).__name__)
print(float_left(2.5), float_left(-1234.75))
print(string_left("<%d>"))
print(loop_total(10), loop_total(2000))
print(inlined(lambda v: v * 2**20, 12345), inlined(lambda v: v + 1, -5))
try:
    string_left([1])
except TypeError as e:
    print("TypeError:", e)
