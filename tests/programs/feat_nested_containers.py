# Printing nested containers: lists, tuples, dicts, strings inside them use repr.
data = [1, 'two', 3.0, None, True, [4, [5, 6]], (7,), (), {'k': [8, 9]}, {}]
print(data)
print(str(data) == repr(data))
print((1, (2, (3, (4,)))))
print({'a': {'b': {'c': ('d', "e'f")}}})
print([[], [[]], [[], []]])
t = (1, 'x', [2, 3])
t[2].append(4)
print(t, len(t))
d = {1: 'one', 'two': 2, (3, 4): [5], None: False, 2.5: -1}
print(d)
print(d[(3, 4)], d[None], d[2.5])
grid = []
for r in range(3):
    row = []
    for c in range(3):
        row.append(r * 3 + c)
    grid.append(row)
print(grid)
print(grid[1][2], grid[-1][-1])
grid[0][0] = 'X'
print(grid)
nested = {'list': [1, {'deep': (2, [3])}]}
print(nested['list'][1]['deep'][1][0])
print(['a\nb', 'c"d', "it's"])
