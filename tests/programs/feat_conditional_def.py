# Functions defined conditionally and redefined; a name can be rebound to different functions.
def choose(kind):
    if kind == 'up':
        def f(s):
            return s.upper()
    elif kind == 'rev':
        def f(s):
            return s[::-1]
    else:
        f = lambda s: s
    return f


for k in ['up', 'rev', 'other']:
    print(k, choose(k)('Hello'), choose(k).__name__)


def g():
    return 1


first = g


def g():
    return 2


print(first(), g())
ops = {'add': lambda a, b: a + b, 'sub': lambda a, b: a - b}
ops['mul'] = lambda a, b: a * b
for name in ops:
    print(name, ops[name](6, 3))
i = 0
while i < 2:
    def per_iter(v=i):
        return v * 10
    print(per_iter())
    i += 1
