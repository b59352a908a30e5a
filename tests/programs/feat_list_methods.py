# list methods: append pop extend insert index reverse sort, and list operators.
xs = [3, 1, 2]
xs.append(4)
print(xs, xs.pop(), xs.pop(0), xs)
xs.extend([7, 8])
xs.extend('ab')
xs.extend((9,))
print(xs)
xs.insert(0, 'first')
xs.insert(2, 'second')
xs.insert(100, 'end')
xs.insert(-1, 'before end')
print(xs)
print(xs.index(7), xs.index('a'), xs.pop(-2), xs.pop(1))
ys = [5, 2, 9, 1]
ys.reverse()
print(ys)
ys.sort()
print(ys, ys.append(0), ys.sort(), ys.reverse())
print(ys)
print([1, 2] + [3], [0] * 3, [1, [2]] * 2, [] * 5)
print([1, 2] == [1, 2], [1, 2] != [2, 1], 2 in [1, 2], [1, 2, 3] > [1, 2])
zs = []
for i in range(5):
    zs.insert(0, i)
print(zs, len(zs))
stack = []
stack.append('a')
stack.append('b')
print(stack.pop(), stack.pop(), stack)
print([3, 1, 2].index(2), list([1, 2]) is not [1, 2])
