# Augmented assignment on names, subscripts, nonlocals and globals; list += extends in place.
x = 10
x += 5
x -= 3
x *= 2
print(x)
x /= 4
print(x)
x //= 2
print(x)
y = 17
y %= 5
y **= 3
print(y)
s = 'ab'
s += 'cd'
s *= 2
print(s)
lst = [1]
alias = lst
lst += [2, 3]
print(lst, alias, lst is alias)
t = (1,)
t2 = t
t += (2,)
print(t, t2)
d = {'n': 1, 'l': [0]}
d['n'] += 41
d['l'] += [1]
d['l'][0] -= 5
print(d)
grid = [[1, 2], [3, 4]]
grid[1][1] *= 10
print(grid)
total = 0


def add_global(v):
    global total
    total += v


add_global(5)
add_global(6)
print(total)


def outer():
    acc = []
    n = 1

    def inner():
        nonlocal acc, n
        acc += [n]
        n **= 2
        n += 1
    for _ in range(3):
        inner()
    return acc, n


print(outer())
