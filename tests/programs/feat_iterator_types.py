# feat: map, filter, zip, enumerate and reversed are classes and every iterator has its own type, as in CPython
m = map(str, [1, 2])
print(type(m), type(m).__name__, isinstance(m, map), isinstance(m, filter), map, zip, enumerate)
print(type(filter(None, [])), type(zip()), type(enumerate('a')), type(reversed([1])), type(reversed((1,))), type(reversed('ab')))
print(type(iter([])), type(iter(())), type(iter('x')), type(iter({})), type(iter(range(3))), type(iter({}.values())), type(iter({}.items())))
print(type(reversed({1: 2})), type(reversed({1: 2}.values())), type(reversed({1: 2}.items())))
print(type(x for x in []), isinstance(map, type), callable(zip), map.__name__, repr(enumerate))
print(list(map(lambda a, b: a * b, [1, 2], [3, 4])), list(enumerate('ab', start=5)), list(zip('ab', 'cd', strict=True)))
print(type(type(m)), type(m) is map, type(zip([])) == zip)
try:
    map(len)
except TypeError as e:
    print(e)
try:
    enumerate()
except TypeError as e:
    print(e)
try:
    reversed(5)
except TypeError as e:
    print(e)
try:
    isinstance(1, (int, map)) and print(isinstance(m, (int, map)))
except TypeError as e:
    print(e)
