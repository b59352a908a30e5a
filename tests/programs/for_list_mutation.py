# `for` over lists and tuples (stepped inline by the JIT) follows CPython when the list
# changes during the loop, and when an exhausted iterator's list grows afterwards.
xs = [1, 2, 3]
for x in xs:
    if x < 6:
        xs.append(x + 3)
print(xs)

ys = [1, 2, 3, 4, 5, 6]
seen = []
for y in ys:
    seen.append(y)
    if y == 2:
        ys.pop(0)
print(seen, ys)

zs = [10, 20, 30]
it = iter(zs)
for z in it:
    print("z", z)
zs.append(40)
for z in it:
    print("after growth", z)
print(list(it), next(iter(zs)))

t = (3, 1, 2)
total = 0
for a in t:
    for b in t:
        total = total + a * b
print(total)

ws = [5, 6, 7]
for w in ws:
    if w == 6:
        break
else:
    print("no break")
print("broke at", w)
for w in []:
    print("never")
else:
    print("empty else")

it2 = iter([1, 2, 3, 4])
for v in it2:
    if v == 2:
        break
print("rest", list(it2))

grow = [0]
count = 0
for g in grow:
    count = count + 1
    if g < 1000:
        grow.append(g + 1)
print(count, len(grow))

shrink = list(range(10))
out = []
for s in shrink:
    out.append(s)
    shrink.clear()
print(out, shrink)

nested = [[1, 2], [3], []]
flat = []
for row in nested:
    for item in row:
        flat.append(item)
print(flat)
for c in "abc":
    print(c, end=" ")
print()
d = {"k": 1, "j": 2}
for key in d:
    print(key, d[key])
