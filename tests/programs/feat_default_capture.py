# Default arguments are evaluated once at def time; mutable defaults are shared between calls.
x = 10


def f(a=x):
    return a


x = 20
print(f(), f(5), x)


def g(item, bucket=[]):
    bucket.append(item)
    return bucket


print(g(1))
print(g(2))
print(g(3, []))
print(g(4))


def g2(item, bucket=None):
    if bucket is None:
        bucket = []
    bucket.append(item)
    return bucket


print(g2(1), g2(2))


def make_fs():
    fs = []
    for i in range(3):
        def h(i=i, scale=i * 100):
            return i + scale
        fs.append(h)
    return fs


print('defaults:')
for h in make_fs():
    print(h(), end=' ')
print()
