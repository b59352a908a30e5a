# Tuple/list unpacking in assignments and for loops, including a starred target and swaps.
a, b = 1, 2
print(a, b)
a, b = b, a
print(a, b)
[x, y, z] = 'xyz'
print(x, y, z)
first, *rest = [1, 2, 3, 4]
print(first, rest)
*init, last = (1, 2, 3)
print(init, last)
p, *mid, q = range(6)
print(p, mid, q)
h, *empty, t = [1, 2]
print(h, empty, t)
k, v = ('key', 'value')
print(k, v)
for i, ch in [(1, 'a'), (2, 'b')]:
    print(i, ch)
for first, *others in [[1, 2, 3], [4]]:
    print(first, others)
d = {'x': 1, 'y': 2}
for key, val in d.items():
    print(key, val)
qr = (17 // 5, 17 % 5)
m, n = qr
print(m, n, qr)
lst = [0, 0, 0]
lst[0], lst[2] = 'L', 'R'
print(lst)


def pair():
    return 'left', 'right'


l, r = pair()
print(l, r)
