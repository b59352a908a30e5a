# lambda: closures, defaults, *args, immediately invoked, returning lambdas, __name__.
square = lambda x: x * x
print(square(7), square.__name__)
add = lambda a, b=10: a + b
print(add(1), add(1, 2))
collect = lambda *a, **k: (a, k)
print(collect(1, 2, z=3))
print((lambda: 'iife')())
adder = lambda n: lambda x: x + n
print(adder(5)(10))
compose = lambda f, g: lambda x: f(g(x))
inc_then_square = compose(square, lambda x: x + 1)
print(inc_then_square(3))


def make_ops():
    factor = 3
    return [lambda v: v + factor, lambda v: v * factor, lambda v: v ** factor]


for op in make_ops():
    print(op(2), end=' ')
print()
print(list(map(lambda s: s.upper(), ['a', 'b'])))
print(list(filter(lambda n: n % 2, range(10))))
cond = lambda n: 'even' if n % 2 == 0 else 'odd'
print(cond(3), cond(4))
kw = lambda *, k: k * 2
print(kw(k='ab'))
print(make_ops()[0].__qualname__)
