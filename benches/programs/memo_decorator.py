# memo_decorator: a parameterised @memoized(limit) decorator with hit/miss counters, on Collatz lengths.
registry = []

def memoized(limit):
    def decorate(f):
        cache = {}
        hits = 0
        misses = 0
        def wrapper(n):
            nonlocal hits, misses
            if n in cache:
                hits = hits + 1
                return cache[n]
            misses = misses + 1
            v = f(n)
            if len(cache) < limit:
                cache[n] = v
            return v
        def stats():
            return hits, misses, len(cache)
        registry.append(stats)
        return wrapper
    return decorate

@memoized(50000)
def collatz(n):
    if n == 1:
        return 0
    if n % 2 == 0:
        return 1 + collatz(n // 2)
    return 1 + collatz(3 * n + 1)

def main():
    best = 0
    best_n = 0
    for n in range(1, 60000):
        c = collatz(n)
        if c > best:
            best = c
            best_n = n
    print(best_n, best)
    for stats in registry:
        print(stats())

main()
