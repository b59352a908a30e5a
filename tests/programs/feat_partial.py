# functools-free partial application and currying built from closures.
def partial(func, *pargs, **pkw):
    def applied(*args, **kw):
        merged = dict(pkw)
        for k, v in kw.items():
            merged[k] = v
        return func(*pargs, *args, **merged)
    return applied


def volume(length, width, height, unit='cm'):
    return f'{length * width * height} {unit}3'


v10 = partial(volume, 10)
v10x2 = partial(volume, 10, 2)
print(v10(3, 4))
print(v10x2(5))
print(v10x2(5, unit='m'))
inches = partial(volume, unit='in')
print(inches(1, 2, 3))
print(partial(inches, 2, 2)(2, unit='ft'))


def curry3(f):
    def a(x):
        def b(y):
            def c(z):
                return f(x, y, z)
            return c
        return b
    return a


print(curry3(volume)(2)(3)(4))
add3 = curry3(lambda x, y, z: x + y + z)
print(add3('a')('b')('c'), add3(1)(2)(3))
