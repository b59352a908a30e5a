# dict.keys()/values()/items() are live views: repr, len, in, iteration, builtins, type names, mutation errors.
d = {'a': 1, 'b': 2}
ks, vs, its = d.keys(), d.values(), d.items()
print(ks, vs, its)
print(len(ks), len(vs), len(its))
d['c'] = 3
print(ks, vs, its, len(ks), len(vs), len(its))
del d['a']
print(list(ks), list(vs), list(its), len(ks))
d['b'] = 20
print(vs, its)
d.clear()
print(ks, vs, its, len(ks), bool(ks), bool(vs), bool(its))
d.update({'x': 1, 'y': 2, 'z': 3})
print(ks, list(vs), its)

# membership
print('x' in ks, 'q' in ks, 2 in vs, 9 in vs, ('y', 2) in its, ('y', 3) in its, ('y',) in its, 'y' in its)
print('x' not in ks, 7 not in vs, ('z', 3) not in its)
try:
    print([] in ks)
except TypeError as e:
    print('TypeError:', e)
try:
    print(([], 1) in its)
except TypeError as e:
    print('TypeError:', e)
print([] in vs)

# type names and reprs
print(type(ks).__name__, type(vs).__name__, type(its).__name__)
print(type(ks), type(vs), type(its))
print(repr(ks), str(vs), f'{its}')
print(iter(ks), iter(vs), iter(its))
print(reversed(ks), reversed(vs), reversed(its), reversed(d))
print(list(reversed(ks)), list(reversed(vs)), list(reversed(its)))

# anything that takes an iterable
print(list(ks), tuple(vs), sorted(its, reverse=True), sorted(ks, key=lambda k: -d[k]))
print(sum(vs), min(vs), max(vs), min(ks), max(its), sum(vs, 10))
print(list(enumerate(ks)), list(zip(ks, vs)), list(map(lambda kv: kv[0] * kv[1], its)))
print(list(filter(lambda v: v > 1, vs)), any(map(lambda v: v > 2, vs)), all(vs), '-'.join(ks))
print(dict(its), dict(zip(vs, ks)), [*ks], (*vs,), {**d})
a, b, c = ks
print(a, b, c)
first, *rest = its
print(first, rest)
for k, v in d.items():
    print(k, v, end='; ')
print()
total = 0
for v in d.values():
    total += v
print(total)
out = []
out.extend(vs)
out += ks
print(out)
it = iter(its)
print(next(it), next(it), next(it), next(it, 'done'))
print(dict.fromkeys(ks, 0), list(map(str.upper, ks)), dict(map(lambda kv: (kv[1], kv[0]), its)))

# set-like comparisons of keys/items views
e = {'y': 2, 'x': 1, 'z': 3}
print(ks == e.keys(), its == e.items(), ks != e.keys(), ks == {'x': 1}.keys(), vs == vs, vs == e.values())
print({'x': 0}.keys() < ks, ks <= e.keys(), ks > {'q': 1}.keys(), ks == ['x', 'y', 'z'])
print(ks.isdisjoint(['q', 'r']), ks.isdisjoint('xq'), its.isdisjoint([('x', 1)]))

# views of a nested / self-referential dict
n = {}
n['self'] = n.values()
print(n)
m = {}
m['k'] = m.items()
print(m)

# errors
try:
    ks[0]
except TypeError as e:
    print('TypeError:', e)
try:
    hash(its)
except TypeError as e:
    print('TypeError:', e)
try:
    vs < vs
except TypeError as e:
    print('TypeError:', e)
try:
    for k in ks:
        d[k + k] = 0
except RuntimeError as e:
    print('RuntimeError:', e)
try:
    for v in d.values():
        d.pop('xx')
except RuntimeError as e:
    print('RuntimeError:', e)
try:
    for kv in d.items():
        d['new'] = kv
except RuntimeError as e:
    print('RuntimeError:', e)
del d['new']
print(d, len(ks))

# a view outlives its name for the dict
def make_view():
    local = {'p': 1}
    return local.keys()
kv = make_view()
print(kv, len(kv), list(kv))
views = []
for i in range(50):
    views.append(dict(zip(range(i), range(i))).items())
print(sum(map(len, views)), list(views[3]))
