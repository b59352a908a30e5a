# Dicts keyed by 0, 1, 2, ... (the dense fast path) behave like any dict.
d = {}
for i in range(6):
    d[i] = i * i
print(d, len(d))
print(d[3], d[True], d[False], d[2.0], d[-0.0], 5 in d, 6 in d, 1.5 in d, "a" in d)
print(d.get(4), d.get(7), d.get(2.5, "none"), d.get(None, "none"))
d[2] = "two"
d[True] = "one"
print(d)
print(list(d.keys()), list(d.values()))
e = dict(d)
print(e == d, e)
try:
    d[[1]]
except TypeError as ex:
    print("TypeError:", ex)
try:
    [1] in d
except TypeError as ex:
    print("TypeError:", ex)
try:
    d[[1]] = 3
except TypeError as ex:
    print("TypeError:", ex)
print(d)
try:
    d[6]
except KeyError as ex:
    print("KeyError:", ex)
try:
    d[1.5]
except KeyError as ex:
    print("KeyError:", ex)
# Leaving the dense layout: a gap, a negative key, a deletion, a non-int key.
g = {0: "a", 1: "b"}
g[5] = "f"
g[2] = "c"
print(g, g[5], g[2], g[1.0])
n = {0: 0}
n[-1] = "neg"
print(n, n[-1])
m = {}
for i in range(4):
    m[i] = i
del m[1]
print(m, 1 in m, m.get(1))
m[1] = "back"
print(m, list(m))
print(m.pop(0), m)
s = {0: 0, 1: 1}
s["k"] = "v"
s[2] = 2
print(s, s[2], s["k"])
t = {}
t[True] = "t"
print(t, t[1], t[1.0])
u = {}
u[0.0] = "zero float"
u[0] = "int zero"
print(u)
c = {0: 1, 1: 2}
c.clear()
c[0] = "again"
c[1] = "more"
print(c, c[1])
memo = {}
for i in range(2000):
    memo[i] = -1
total = 0
for i in range(2000):
    if memo[i] < 0:
        memo[i] = i * 3
    total = total + memo[i]
print(total, len(memo), memo[1999])


def build(n):
    d = {}
    for i in range(n):
        d[i] = i + 100
    return d


def overwrite(d, n):
    for i in range(n):
        d[i] = d[i] * 2
    return d


b = build(50)
print(len(b), b[0], b[49], 49 in b, 50 in b)
overwrite(b, 50)
print(b[10], b[49], len(b))
b["x"] = "after"
print(len(b), b["x"], b[0], b[49], b.get(25), 25.0 in b)
del b[3]
print(len(b), 3 in b, b.get(4), list(b)[:5])
b[3] = "re"
print(list(b)[-2:], b[3])
c = build(10)
c[20] = "gap"
c[10] = "ten"
print(c, len(c))
e = build(5)
e[True] = "true-overwrite"
print(e)
