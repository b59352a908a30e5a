# Functions that call builtins, called thousands of times by builtins (map, sorted(key=), filter): each call runs at the same depth, so none raises RecursionError.
def comp(f):
    def h(x):
        return f(x)
    return h

h = comp(abs)
print(list(map(h, range(-1500, 1500)))[-3:])

def g(x):
    return len(str(x)) + abs(x) % 7

print(sum(map(g, range(3000))))
print(sorted(range(2500), key=g)[:5])
print(len(list(filter(lambda v: abs(v) % 3 == 0, range(4000)))))
print(max(range(3000), key=lambda v: g(v) * 10000 + v))

def deep(n):
    if n == 0:
        return 0
    return sum(map(deep, [n - 1])) + 1

print(deep(200))
