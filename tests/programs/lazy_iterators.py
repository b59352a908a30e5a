# map, filter, zip and enumerate are lazy: their callbacks run one item at a time, as consumers ask
def f(x):
    print("f", x)
    return x
print(all(map(f, [1, 0, 2])))
print(any(map(f, [0, 3, 4])))
it = iter([1, 2, 3, 4])
print(any(map(lambda x: x > 1, it)), list(it))
print(list(zip(map(f, [1, 2, 3]), [9])))
m = map(f, range(3))
print(next(m))
print("between")
print(list(m))
e = enumerate(map(f, "ab"), 10**20)
print(next(e), next(e))
fl = filter(lambda x: print("p", x) or x % 2, range(5))
print(next(fl), next(fl))
print(sum(map(f, [1, 2])))
try:
    sum(map(f, [1, "a", 2]))
except TypeError as ex:
    print(ex)
try:
    max(map(f, [1, "a", 2]))
except TypeError as ex:
    print(ex)
xs = []
xs.extend(map(lambda x: len(xs), range(3)))
print(xs)
ys = [7]
ys += map(lambda x: len(ys), range(3))
print(ys)
print([*map(lambda x: x * 2, range(3))])
a, b = map(f, (5, 6))
print(a, b)
h, *t = map(f, (5, 6, 7))
print(h, t)
print(3 in map(f, range(10)))
print(dict(zip(map(str, range(3)), map(f, range(3)))))
try:
    dict(map(f, [(1, 2), 3, (4, 5)]))
except TypeError as ex:
    print(ex)
print(list(zip([1, 2], [3, 4], strict=True)))
try:
    list(zip(map(f, [1, 2, 3]), [1], strict=True))
except ValueError as ex:
    print(ex)
try:
    list(zip([1], map(f, [1, 2]), [3, 4], strict=True))
except ValueError as ex:
    print(ex)
print(list(zip()), list(map(f, [])))
def rec(n):
    return sum(map(rec, range(n))) + 1
print(rec(6))
mm = map(lambda x: next(mm, "end") if x == 0 else x, [0, 1, 2])
print(list(mm))
en = enumerate(map(lambda x: next(en) if x == 0 else x, [0, 1, 2]))
print(list(en))
print(sorted(map(f, [3, 1, 2]), key=lambda v: -v))
print(min(map(f, [3, 1, 2]), key=lambda v: -v))
print(", ".join(map(str, filter(None, [0, 1, 2, 0, 3]))))
try:
    enumerate(1, 1.5)
except TypeError as ex:
    print(ex)
try:
    map(f, 5)
except TypeError as ex:
    print(ex)
for i, (p, q) in enumerate(zip(map(f, "xy"), filter(None, [0, 1, 2])), start=True):
    print(i, p, q)


# Collections while a consumer in Rust holds items taken from a lazy iterator.
def boxed(i):
    return [i] * 40
print(sum(map(len, map(boxed, range(3000)))))
big = list(map(boxed, range(2000)))
print(len(big), big[1999][39])
p, q = map(boxed, (1, 2))
print(p[0] + q[0])
print([1999] * 40 in map(boxed, range(2000)))
acc = []
acc += map(boxed, range(500))
print(len(acc), acc[-1][0])
d = dict(zip(map(str, range(800)), map(boxed, range(800))))
print(len(d), d["799"][0])
print(max(map(boxed, range(900)), key=lambda v: (v[0] * 7) % 900)[0])
print(sorted(filter(lambda v: v[0] % 97 == 0, map(boxed, range(1000))), key=lambda v: -v[0])[0][0])
