# Fluent Python fibonacci with clock, then memoized by a hand-written caching decorator.
def clock(func):
    def clocked(*args):
        result = func(*args)
        print(f'[clocked] {func.__name__}({args[0]!r}) -> {result!r}')
        return result
    return clocked


@clock
def fibonacci(n):
    if n < 2:
        return n
    return fibonacci(n - 2) + fibonacci(n - 1)


print(fibonacci(6))


def cache(func):
    memo = {}

    def cached(n):
        if n not in memo:
            memo[n] = func(n)
        return memo[n]
    return cached


@cache
@clock
def fib2(n):
    if n < 2:
        return n
    return fib2(n - 2) + fib2(n - 1)


print(fib2(6))
