# feat: generator expressions: lazy steps, clause scoping, late binding, send/throw/close, PEP 479, StopIteration in map callbacks
def main():
    xs = [3, 1, 4, 1, 5, 9, 2, 6]
    print(sum(x * x for x in xs))
    print(max(x for x in xs if x % 2 == 0))
    print(any(x > 8 for x in xs), all(x > 0 for x in xs))
    print(list((x, y) for x in range(3) for y in range(x)))
    print(''.join(str(x) for x in xs if x > 2))
    print(dict((k, v) for k, v in zip('abc', range(3))))
    print(tuple(x for x in 'hey'), sorted(-x for x in xs))
    g = (x + 1 for x in xs)
    print(type(g).__name__, next(g), next(g), list(g), list(g))
    calls = []
    def f(x):
        calls.append(x)
        return x
    print(any(f(x) > 3 for x in xs), calls)
    fs = [lambda: x for x in range(3)]
    gs = list(lambda: x for x in range(3))
    print([h() for h in fs], [h() for h in gs])
    live = [h() for h in (lambda: x for x in range(3))]
    print(live)
    n = 10
    print(list(x + n for x in range(3)))
    def adders():
        return (lambda y: x + y for x in range(3))
    print([a(10) for a in adders()])
    print((lambda: 0).__qualname__, next(lambda: x for x in [1]).__qualname__)
    print(repr(g)[:43])
    try:
        (x for x in 5)
    except TypeError as e:
        print('TypeError', e)
    g2 = (1 / x for x in [1, 0, 2])
    print(next(g2))
    try:
        next(g2)
    except ZeroDivisionError as e:
        print('ZeroDivisionError', e)
    print(list(g2))
    def stop(x):
        raise StopIteration
    try:
        list(stop(x) for x in [1])
    except RuntimeError as e:
        print('RuntimeError', e)
    g3 = (x for x in range(5))
    print(next(g3), g3.send(None), g3.close(), list(g3))
    g4 = (x for x in range(5))
    try:
        g4.send(1)
    except TypeError as e:
        print('TypeError', e)
    try:
        g4.throw(KeyError('k'))
    except KeyError as e:
        print('KeyError', e)
    print(list(g4))
    selfref = []
    g5 = (next(selfref[0]) for x in range(3))
    selfref.append(g5)
    try:
        next(g5)
    except ValueError as e:
        print('ValueError', e)
    print(sum(x for x in range(10) if x % 2 if x % 3))
    print(list(x for x in range(4) for x in range(x)))
    print(list((a, b) for a, *b in ['xyz', 'pq']))
    total = 0
    for s in (x * 2 for x in range(5)):
        total += s
    print(total)
    print(list(sum(y for y in range(x)) for x in range(5)))
    print(next((x for x in xs if x > 100), 'none'))
    print(list(map(lambda x: next(iter([])) if x == 2 else x, [1, 2, 3])))
    print(next(map(lambda x: x, [7])))

main()
print([x for x in (y * 2 for y in range(4))])
