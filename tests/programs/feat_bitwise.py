# feat: bitwise & | ^ ~ << >> on small and big ints and bools, dict | and |=, in closures and loops
def make_mask(bits):
    m = (1 << bits) - 1
    def apply(x):
        return x & m
    return apply

low8 = make_mask(8)
print(low8(0x1234), low8(-1), low8(255), low8(256))
print(5 | 3, 5 ^ 3, 5 & 3, ~5, ~-1, ~0, -5 & 0xff, -5 | 2, -5 ^ 7)
print(1 << 10, 1 << 47, 1 << 48, 1 << 63, 1 << 64, 1 << 100, -1 << 70)
print(1024 >> 3, -1024 >> 3, -1 >> 100, 5 >> 0, (1 << 100) >> 90, (-(1 << 100)) >> 99)
big = (1 << 80) + 12345
print(big & 0xffff, big | 1, big ^ big, big & -big, ~big, -big & (1 << 81) - 1)
print(True & False, True | False, True ^ True, type(True & True).__name__, True & 3, ~True, ~False)
print((2**47 - 1) | (2**47), (-(2**47)) ^ 1, (-(2**47)) & -1, (2**47 - 1) ^ -1)
acc = 0
for i in range(1000):
    acc ^= (i * 2654435761) & 0xffffffff
    acc = (acc << 1 | acc >> 31) & 0xffffffff
print(acc)
d = {'a': 1} | {'b': 2, 'a': 3}
print(d)
e = d
e |= {'c': 4}
print(d is e, d)
x = 6
x &= 3; print(x)
x |= 8; print(x)
x ^= 15; print(x)
x <<= 3; print(x)
x >>= 1; print(x)
def hasher():
    h = 0
    def feed(s):
        nonlocal h
        for ch in s:
            h = ((h << 5) ^ (h >> 27) ^ ord(ch)) & 0xffffffff
        return h
    return feed
f = hasher()
print(f("hello"), f(" world"))
for bad in [lambda: 1 << -1, lambda: 1 >> -1, lambda: 1.5 & 1, lambda: ~1.5, lambda: 'a' | 1,
            lambda: [1] ^ [2], lambda: ~'s', lambda: {1: 2} | [1], lambda: None & None]:
    try:
        bad()
    except (TypeError, ValueError) as ex:
        print(type(ex).__name__, ex)
try:
    d2 = {}
    d2 |= [('k', 1)]
    print(d2)
    d2 |= 5
except TypeError as ex:
    print('TypeError', ex)
print(1 << 10000 >> 9990)
print(-7 >> 1, -7 // 2, 7 >> 1)
for f in [lambda: 1 << (1 << 62), lambda: 1 << 10**20, lambda: 0 << 10**20, lambda: 5 >> 10**20,
          lambda: -5 >> 10**20, lambda: (1 << 100) >> (1 << 70), lambda: True << True, lambda: False | 0,
          lambda: True ^ 2, lambda: 3 & True, lambda: 1 << 2.0, lambda: (1 << 200) & 1.0]:
    try:
        r = f()
        print(type(r).__name__, r)
    except Exception as e:
        print(type(e).__name__, e)
print(~(1 << 47), ~(-(1 << 47)), (1 << 47) - 1 & -(1 << 47), -(1 << 47) | (1 << 47) - 1)
print((1 << 46) << 1, (1 << 46) << 2, -(1 << 46) << 1, -(1 << 46) << 2)
