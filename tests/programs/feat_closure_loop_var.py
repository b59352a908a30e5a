# Closures over loop variables: for and while loops share one cell per function call.
def make_all():
    fs = []
    for i in range(4):
        fs.append(lambda: i * 10)
    j = 0
    gs = []
    while j < 3:
        def g():
            return j
        gs.append(g)
        j += 1
    return fs, gs


fs, gs = make_all()
for f in fs:
    print(f(), end=' ')
print()
for g in gs:
    print(g(), end=' ')
print()


def make_bound():
    hs = []
    for word in ['a', 'b', 'c']:
        def make(w):
            return lambda: w + w
        hs.append(make(word))
    return hs


for h in make_bound():
    print(h())

# a module-level loop variable is a global: closures see its current value
ks = []
for k in range(3):
    ks.append(lambda: k)
print(ks[0](), ks[2]())
k = 'changed'
print(ks[1]())
