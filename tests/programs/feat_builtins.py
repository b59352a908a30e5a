# Builtins: len range sum min max abs str int float bool repr list dict tuple type().__name__.
print(len([1, 2]), len('abc'), len((1,)), len({'a': 1}), len(range(5)), len(''))
print(sum([1, 2, 3]), sum(range(10)), sum([0.5, 0.25]), sum([], 7), sum((1, 2), 10))
print(min(3, 1, 2), max(3, 1, 2), min([5, 4]), max('hello'), min('b', 'a'), max([1.5, 2]))
print(abs(-3), abs(2.5), abs(-0.0), abs(0))
print(str(12), str(1.5), str(None), str(True), str([1, 'a']), str('s'))
print(int('42'), int(' -7 '), int(3.99), int(-3.99), int(True), int('0012'))
print(float('2.5'), float(3), float('-inf'), float(' 1e3 '))
print(bool(0), bool(1), bool(''), bool('0'), bool([]), bool([0]), bool(None), bool({}), bool(0.0))
print(repr('a'), repr(1), repr([1, 'b']), repr(None), repr(2.0))
print(list('abc'), list((1, 2)), list(range(3)), list({'k': 1, 'j': 2}), list())
print(dict(a=1), dict([(1, 2)]), dict({'x': 0}), dict())
print(tuple([1, 2]), tuple('ab'), tuple(), tuple(range(2)))
print(type(1).__name__, type('').__name__, type(1.0).__name__, type(None).__name__,
      type([]).__name__, type(()).__name__, type({}).__name__, type(True).__name__,
      type(lambda: 0).__name__, type(range(1)).__name__)
print(round(3.7), round(-3.5), round(3.14159, 2), round(1234, -2), type(round(2.5)).__name__)
print(isinstance(1, int), isinstance(True, int), isinstance(1.0, int), isinstance('s', str),
      isinstance([], (tuple, list)), isinstance({}, dict), isinstance(None, int))
