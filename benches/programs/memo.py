# memo: a memoizing wrapper (dict in a cell) on a two-argument recursion with tuple keys, rebuilt per round.
def memoize(f):
    cache = {}
    def wrapper(a, b):
        key = (a, b)
        if key in cache:
            return cache[key]
        v = f(a, b)
        cache[key] = v
        return v
    return wrapper

def make_paths():
    def paths(a, b):
        if a == 0 or b == 0:
            return 1
        return (paths(a - 1, b) + paths(a, b - 1)) % 1000000007
    paths = memoize(paths)
    return paths

def main():
    total = 0
    for r in range(120):
        paths = make_paths()
        total = (total + paths(40 + r % 20, 40)) % 1000000007
    print(total)

main()
