# Decorators with arguments: repeat(n), prefix(tag) and a validating decorator factory.
def repeat(times):
    def decorate(func):
        def wrapper(*args, **kwargs):
            results = []
            for _ in range(times):
                results.append(func(*args, **kwargs))
            return results
        return wrapper
    return decorate


@repeat(3)
def hello(name):
    return 'hi ' + name


print(hello('bob'))


def prefix(tag, sep=': '):
    def decorate(func):
        def wrapper(*args):
            return tag + sep + str(func(*args))
        return wrapper
    return decorate


@prefix('SUM')
def add(a, b):
    return a + b


@prefix('NEG', sep=' -> ')
def neg(x):
    return -x


print(add(2, 3))
print(neg(4))


def check_positive(name):
    def decorate(func):
        def wrapper(x):
            if x <= 0:
                raise ValueError(f'{name} must be positive, got {x}')
            return func(x)
        return wrapper
    return decorate


@check_positive('side')
def square_area(side):
    return side * side


print(square_area(5))
try:
    square_area(-1)
except ValueError as e:
    print('ValueError:', e)
print(square_area.__qualname__)
