# Fluent Python parameterized clock(fmt): decorator factory formatting with str.format.
DEFAULT_FMT = '[{name}] ({args}) -> {result}'


def clock(fmt=DEFAULT_FMT):
    def decorate(func):
        def clocked(*_args):
            _result = func(*_args)
            name = func.__name__
            args = ', '.join(map(repr, _args))
            result = repr(_result)
            print(fmt.format(name=name, args=args, result=result))
            return _result
        return clocked
    return decorate


@clock()
def snooze(seconds):
    return seconds * 2


for i in range(3):
    snooze(.123)


@clock('{name}: {result}')
def square(x):
    return x * x


square(4)


@clock('{name}({args}) dt={result}')
def join(a, b):
    return a + b


join('x', 'y')
