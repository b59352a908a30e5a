# dict methods: get keys values items pop setdefault, plus item assignment and membership.
d = {'a': 1, 'b': 2}
print(d.get('a'), d.get('z'), d.get('z', 0), d['b'])
print(list(d.keys()), list(d.values()), list(d.items()))
print(d.pop('a'), d, d.pop('missing', 'dflt'))
print(d.setdefault('b', 99), d.setdefault('c', []), d)
d.setdefault('c', []).append(1)
d.setdefault('c', []).append(2)
print(d)
groups = {}
for word in ['apple', 'avocado', 'banana', 'blueberry', 'cherry']:
    groups.setdefault(word[0], []).append(word)
print(groups)
d['new'] = 'v'
d['b'] = 'replaced'
print(d, len(d), 'new' in d, 'zz' in d)
ks = d.keys()
d['late'] = 1
print(list(ks), len(ks))
inv = {}
for k, v in {'x': 1, 'y': 2, 'z': 1}.items():
    inv.setdefault(v, []).append(k)
print(inv)
nested = {'outer': {'inner': 1}}
nested['outer']['inner2'] = 2
print(nested, nested.get('outer').get('inner2'))
print({1: 'a'}.get(1.0), {(1, 2): 'tuple key'}[(1, 2)])
