# Fluent Python improved clock: the trace includes keyword arguments.
def clock(func):
    def clocked(*args, **kwargs):
        result = func(*args, **kwargs)
        name = func.__name__
        arg_lst = []
        if args:
            arg_lst.append(', '.join(map(repr, args)))
        if kwargs:
            pairs = []
            for k, w in sorted(kwargs.items()):
                pairs.append(f'{k}={w!r}')
            arg_lst.append(', '.join(pairs))
        arg_str = ', '.join(arg_lst)
        print(f'[clocked] {name}({arg_str}) -> {result!r}')
        return result
    return clocked


@clock
def greet(name, greeting='Hello', punct='!'):
    return f'{greeting}, {name}{punct}'


greet('Ann')
greet('Bob', greeting='Hi')
greet('Cy', punct='?', greeting='Yo')
greet(name='Dee')
