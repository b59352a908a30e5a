# A specialised closure checks the deepest of its inlined levels once on entry; near the
# recursion limit it falls back to the shared body, which checks level by level and raises
# RecursionError where CPython does.
def compose(f, g):
    return lambda x: f(g(x))

h = lambda x: x + 1
for k in range(6):
    h = compose(h, lambda x, k=k: x * 2 + k)

total = 0
for i in range(3000):
    total = (total + h(i)) % 1000003
print(total)

def probe(n):
    if n == 0:
        return h(1)
    return probe(n - 1)

deepest = None
for n in range(900, 1000):
    try:
        probe(n)
        deepest = n
    except RecursionError as e:
        print("RecursionError at", n, e)
        break
print("deepest", deepest)

def dive(n):
    if n == 0:
        return h(2)
    return dive(n - 1)

dive(deepest + 1)
