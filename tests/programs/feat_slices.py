# Subscripts and slices on lists, tuples and strings, including negative indexes and steps.
xs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
print(xs[2:5], xs[:3], xs[7:], xs[:], xs[-3:], xs[:-7])
print(xs[::2], xs[1::3], xs[::-1], xs[::-3], xs[8:2:-2], xs[-2:-8:-1])
print(xs[5:2], xs[100:], xs[-100:2], xs[2:100:4])
print(xs[-1], xs[-10], xs[0])
s = 'abcdefgh'
print(s[1:4], s[::-1], s[-3:], s[::3], s[5:1:-1], s[-1])
t = (10, 20, 30, 40)
print(t[1:], t[::-2], t[-2], t[1:3])
copy = xs[:]
copy[0] = 'changed'
print(xs[0], copy[0])
xs[3] = 33
xs[-1] = 99
print(xs)
m = [[1, 2], [3, 4]]
m[1][0] += 10
print(m)
d = {'k': [1, 2, 3]}
d['k'][-1] = 'last'
print(d)
print('hello world'[6:][::-1].upper())
