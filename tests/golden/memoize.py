# Memoization: a dict shared with the wrapper (frozen into its env record: assigned once, never rebound), with keyword-only access to it.
def memoize(f):
    cache = {}

    def wrapper(n):
        if n not in cache:
            cache[n] = f(n)
        return cache[n]

    return wrapper


@memoize
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(30))
