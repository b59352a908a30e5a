# Tuples: packing, concatenation, repetition, comparison, membership, index, hashing as dict keys.
t = 1, 2, 3
print(t, type(t).__name__, len(t))
print(t + (4,), t * 2, (0,) * 3, () + ())
print((1, 2) < (1, 3), (1, 2) < (1, 2, 0), (2,) > (1, 9), t == (1, 2, 3))
print(2 in t, 5 not in t, t[1], t[-1], t[::-1])
d = {}
d[(0, 0)] = 'origin'
d[1, 2] = 'point'
print(d, d[0, 0])
single = ('only',)
print(single, len(single), ('not a tuple'))
nested = ((1, 2), (3, 4))
total = 0
for a, b in nested:
    total += a * b
print(total)
print(tuple(sorted((3, 1, 2))), max((1, 'b'), (1, 'a')), min([(2, 1), (1, 5)]))
