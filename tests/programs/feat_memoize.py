# A memoizing decorator keeps its cache dict in a closure; fib(90) needs big-ish ints.
def memoize(func):
    cache = {}
    calls = [0]

    def wrapper(n):
        calls[0] += 1
        if n in cache:
            return cache[n]
        result = func(n)
        cache[n] = result
        return result

    def info():
        return len(cache), calls[0]

    return wrapper, info


def fib_impl(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


fib, fib_info = memoize(fib_impl)
print(fib(30))
print(fib_info())
print(fib(90))
print(fib(150))
print(fib_info())
