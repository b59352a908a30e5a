# for loops over range (with start/stop/step), list, tuple, str, dict and dict views.
for i in range(3):
    print(i, end=' ')
print()
for i in range(2, 11, 3):
    print(i, end=' ')
print()
for i in range(5, 0, -2):
    print(i, end=' ')
print()
for i in range(0):
    print('never')
for x in [1.5, 'a', None]:
    print(repr(x), end=' ')
print()
for x in (1, 2):
    print(x * 10, end=' ')
print()
for ch in 'hey':
    print(ch.upper(), end='')
print()
d = {'a': 1, 'b': 2, 'c': 3}
for k in d:
    print(k, end=' ')
print()
for k, v in d.items():
    print(f'{k}={v}', end=' ')
print()
for v in d.values():
    print(v * v, end=' ')
print()
for i, (k, v) in enumerate(d.items()):
    print(i, k, v)
r = range(1, 10, 2)
print(len(r), r[2], list(r), 7 in r, 8 in r, list(range(-3)))
total = 0
for i in range(101):
    total += i
print(total)
