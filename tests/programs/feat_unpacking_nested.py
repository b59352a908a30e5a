# Nested unpacking targets in assignments and for loops.
(a, b), c = (1, 2), 3
print(a, b, c)
[x, [y, z]] = [10, [20, 30]]
print(x, y, z)
for i, (name, score) in enumerate([('ann', 90), ('bob', 85)]):
    print(i, name, score)
(p, *q), r = 'abc', 'd'
print(p, q, r)
