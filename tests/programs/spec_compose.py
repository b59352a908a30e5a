# Closure specialisation: chains of closures over frozen captures, called often enough that
# the outer closure gets a body of its own with the chain inlined. Results must not change:
# after specialisation, when a captured cell changes, when an inner call raises, when the
# collector runs inside the specialised body, and when the chain is only reachable from the
# frame running it.
def compose(f, g):
    return lambda x: f(g(x))

def make_counter():
    n = 0
    def bump(x):
        nonlocal n
        n = n + 1
        return x + n
    return bump

def chain(fs):
    h = fs[0]
    for f in fs[1:]:
        h = compose(h, f)
    return h

def run(h, count):
    acc = 0
    for i in range(count):
        acc = (acc + h(i)) % 1000003
    return acc

fs = [lambda x: x + 1, lambda x: x * 3, lambda x: x % 1009, lambda x: x - 7]
h = chain(fs)
print(run(h, 3000))

# A counter (a cell) inside the chain: its value changes on every call.
bump = make_counter()
h2 = chain([bump, lambda x: x * 2, bump])
print(run(h2, 2500), bump(0))

# Allocation inside the chain (the collector may run in the specialised body).
h3 = chain([lambda x: len([x] * 3) + x, lambda x: sum([x, 1, 2]), lambda x: str(x)[-1:] and x])
print(run(h3, 2000))

# An exception deep in the chain after specialisation.
def risky(x):
    return 100 // (x % 500)

h4 = chain([lambda x: x + 1, risky, lambda x: x * 1])
total = 0
for i in range(1, 1600):
    try:
        total = total + h4(i)
    except ZeroDivisionError as e:
        print("caught at", i, e)
print(total)

# The chain reachable only from the running frame: the list holding it is cleared from
# inside, and every inner call allocates.
holder = []

def forget(x):
    if x == 1700:
        holder.clear()
    return len([[x], [x, x]]) + x

holder.append(chain([forget, lambda x: [x, x][1], lambda x: x + 2]))
calls = 0

def call_it(x):
    return holder[0](x) if holder else -1

acc = 0
for i in range(1000):
    acc = acc + call_it(i)
h5 = holder[0]
del h5
g = None
for i in range(1000, 2500):
    if holder:
        g = holder[0]
        acc = acc + g(i)
        g = None
print(acc, len(holder))

# Varying chains: each made, used 1200 times, dropped.
for k in range(5):
    hk = chain([lambda x, k=k: x + k, lambda x: x * 2])
    print(k, run(hk, 1200))

h(0)
h4(500)
