# Fluent Python clockdeco: a clock decorator adapted to print call traces (no time module).
def clock(func):
    def clocked(*args):
        result = func(*args)
        name = func.__name__
        arg_str = ', '.join(map(repr, args))
        print(f'[clocked] {name}({arg_str}) -> {result!r}')
        return result
    return clocked


@clock
def snooze(seconds):
    return None


@clock
def factorial(n):
    return 1 if n < 2 else n * factorial(n - 1)


print('*' * 40, 'Calling snooze(.123)')
snooze(.123)
print('*' * 40, 'Calling factorial(6)')
print('6! =', factorial(6))
print(factorial.__name__)
