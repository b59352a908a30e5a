# Arithmetic operators incl. floor division and modulo with negatives, powers, unary ops.
print(7 + 3, 7 - 10, 6 * 7, 7 / 2, 7 // 2, 7 % 3, 2 ** 10)
print(-7 // 2, 7 // -2, -7 % 3, 7 % -3, -7 // -2, -7 % -3)
print(7.5 // 2, -7.5 // 2, 7 % 2.5, 2 ** -1, (-2) ** 3, -2 ** 2)
print(10 / 5, type(10 / 5).__name__, 1 + 2.0, True + True, 3 * False)
print(-(-5), -0, - -3, 4 if False else -4)
print(not True, not 0, not [], not 'x', not None)
print(1 < 2 < 3, 1 < 3 < 2, 3 > 2 >= 2 > 1, 1 == 1.0 != 2)
print(2 in [1, 2], 'b' not in 'abc', 3 in (1, 2), 'k' in {'k': 1})
a = [1]
b = a
c = [1]
print(a is b, a is c, a == c, a is not c, None is None)
print(0 or 'default', '' or [] or 0, 'x' and 'y', None and 1, 3 and 0)
print(1 if 0 else 2, 'yes' if [0] else 'no')
print(2 ** 3 ** 2, (2 ** 3) ** 2, 2 * 3 + 4, 2 * (3 + 4), 10 - 2 - 3, 100 / 10 / 5)
print(17 % 5 * 2, -3 ** 2, (-3) ** 2, 5 // 2 * 2 + 5 % 2)
print(1 == True, 0 == False, 'a' == 'a', (1, 2) == (1, 2), [1, 2] < [1, 3])
print((1, 'a') < (1, 'b'), 'Z' < 'a', 3 >= 3.0, -1 < -0.5)
print(round(7 / 3, 3), abs(-7 // 2), 2 ** 0, 0 ** 0, 5 % 1)
