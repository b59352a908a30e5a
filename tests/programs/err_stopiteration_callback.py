# err: a StopIteration raised by a map/filter callback ends that iteration; next() passes the callback's own exception on, through zip, not through a generator
def stop(x):
    if x == 2:
        raise StopIteration('inner', x)
    return x
m = map(stop, [1, 2, 3])
print(next(m))
try:
    next(m)
except StopIteration as e:
    print('A', e.args)
print(next(m))
z = zip(map(stop, [2]), [1])
try:
    next(z)
except StopIteration as e:
    print('B', e.args)
f = filter(lambda x: stop(x) if x == 2 else True, [1, 2, 3])
print(list(f))
print(next(map(stop, [2]), 'dflt'))
g = (x for x in map(stop, [2]))
try:
    next(g)
except StopIteration as e:
    print('C', e.args)
def stop(x):
    raise StopIteration('s')
def alloc(x):
    return [x] * 100
try:
    print(next(zip(map(stop, [1]), map(alloc, range(3)), strict=True)))
except Exception as e:
    print(type(e).__name__, e)
try:
    print(next(zip(map(stop, [1]), map(alloc, []), strict=True)))
except StopIteration as e:
    print('StopIteration', e.args)
def stop(x):
    if x == 2:
        raise StopIteration('inner', x)
    return x
next(map(stop, [2]))
