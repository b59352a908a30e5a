# Dicts preserve insertion order; overwriting keeps position; pop then re-insert moves to the end.
d = {}
d['z'] = 1
d['a'] = 2
d['m'] = 3
print(d)
d['z'] = 10
print(d, list(d), list(d.keys()))
d.pop('z')
d['z'] = 11
print(d)
print(list(d.values()), list(d.items()))
d2 = dict(b=1, a=2)
d2['c'] = 3
print(d2)
d3 = dict([('x', 1), ('y', 2)])
print(d3)
d4 = {1: 'a', 1.0: 'b', True: 'c'}
print(d4)
counts = {}
for ch in 'mississippi':
    counts[ch] = counts.get(ch, 0) + 1
print(counts)
for k in counts:
    print(k, counts[k], end='; ')
print()
print(len(counts), 's' in counts, 'q' in counts, 'q' not in counts)
print(dict(d2), dict(d2) == d2, {'a': 1, 'b': 2} == {'b': 2, 'a': 1})
