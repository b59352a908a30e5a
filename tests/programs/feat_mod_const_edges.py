# % and // by constant divisors (the JIT's biased unsigned division and power-of-two masks) on small-int edges, negatives, bools and big ints, alone and inside arithmetic trees
def by_constants(x):
    return [
        (x % 2, x // 2),
        (x % 3, x // 3),
        (x % 4, x // 4),
        (x % 7, x // 7),
        (x % 8, x // 8),
        (x % 10, x // 10),
        (x % 12, x // 12),
        (x % 13, x // 13),
        (x % 60, x // 60),
        (x % 97, x // 97),
        (x % 100, x // 100),
        (x % 1024, x // 1024),
        (x % 32767, x // 32767),
        (x % 32768, x // 32768),
        (x % 32769, x // 32769),
        (x % 65537, x // 65537),
        (x % 999983, x // 999983),
        (x % 1000003, x // 1000003),
        (x % 1000000007, x // 1000000007),
        (x % 70368744177665, x // 70368744177665),
        (x % 140737488355327, x // 140737488355327),
    ]

def trees(x, y):
    return [
        (x * 3 + y) % 7 - (x - y) // 7,
        (x * 3 + y) % 100 - (x - y) // 100,
        (x * 3 + y) % 1000003 - (x - y) // 1000003,
        (x * 3 + y) % 64 - (x - y) // 64,
        (x * 3 + y) % 140737488355327 - (x - y) // 140737488355327,
    ]

vals = [0, 1, -1, 2, -2, 6, -6, 7, -7, 99, -99, 100, -100, 101, 12345678, -12345678,
        140737488355327, -140737488355328, 140737488355326, -140737488355327, 140737488355328, -140737488355329,
        True, False, 10**20, -10**20]
acc = 0
for rep in range(1200):
    for v in vals:
        for q, r in by_constants(v):
            acc = (acc * 31 + q * 7 + r) % 1000000007
        for t in trees(v, rep - 600):
            acc = (acc ^ t) % 1000000009
print(acc)
print(by_constants(-140737488355328))
print(by_constants(140737488355327))
print(trees(-140737488355328, 140737488355327), trees(3, -5))
print([i % 7 for i in range(-10, 10)], [i // 7 for i in range(-10, 10)], [-i % 8 for i in range(10)], [i // -8 for i in range(-3, 3)])
