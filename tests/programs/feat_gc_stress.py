# Allocation stress: many closures, cells, lists, dicts and strings created and dropped.
def make_node(value, children):
    def get():
        return value, children
    return get


def build(depth):
    if depth == 0:
        return make_node(0, [])
    kids = []
    for i in range(3):
        kids.append(build(depth - 1))
    return make_node(depth, kids)


def total(node):
    value, kids = node()
    s = value
    for k in kids:
        s += total(k)
    return s


tree = build(4)
print(total(tree))
keep = []
for i in range(1200):
    counter = [i]

    def inc(c=counter):
        c[0] += 1
        return c[0]
    inc()
    if i % 500 == 0:
        keep.append(inc)
    d = {'i': i, 's': str(i) * 3, 'l': [i, i + 1]}
print(len(keep), keep[-1](), d['s'], d['l'])
parts = []
for i in range(200):
    parts.append(f'{i:03d}')
joined = ''.join(parts)
print(len(joined), joined[:12], joined[-6:])
big = 1
for i in range(1, 200):
    big *= i
print(len(str(big)))
chain = None
for i in range(1000):
    chain = (i, chain)
n = 0
while chain is not None:
    n += chain[0]
    chain = chain[1]
print(n)
