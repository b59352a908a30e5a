# Arbitrary-precision ints: powers, factorials, mixed arithmetic, parsing and comparisons.
print(2 ** 100)
print(2 ** 64 - 1, -(2 ** 63))


def factorial(n):
    r = 1
    for i in range(2, n + 1):
        r *= i
    return r


print(factorial(30))
f30 = factorial(30)
print(f30 // factorial(28), f30 % 1000007, -f30 // 7, -f30 % 7)
print(len(str(factorial(100))))
big = 10 ** 30
print(big + 1, big - 1, big * big)
print(big // 3, big % 3, big / 4)
print(int('123456789012345678901234567890') + 1)
print(2 ** 100 > 2 ** 99, 2 ** 100 == 2 ** 100, -(2 ** 70) < 5)
print(abs(-(3 ** 50)), str(7 ** 25), repr(-(2 ** 65)))
print(sum([2 ** 62, 2 ** 62, 2 ** 62]), max(2 ** 80, 3), min(-(2 ** 80), 3))
x = 9223372036854775807
x += 1
print(x, type(x).__name__)
y = -9223372036854775808
y -= 1
print(y)
print(4611686018427387904 * 2, 3037000500 * 3037000500)
print(float(2 ** 60), int(1e20), 2 ** -2)
