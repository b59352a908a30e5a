# % and // on small ints, with constant and variable divisors of both signs, at the edges of
# the 48-bit small-int range and past it (the JIT's inline paths and its fallbacks).
big = 2 ** 47
edges = [0, 1, -1, 2, -2, 6, -6, 7, -7, 100, -100, big - 1, -big, -big + 1, big, -big - 1, 10 ** 20, -(10 ** 20)]
for a in edges:
    row = []
    for b in [1, -1, 3, -3, 7, -7, big - 1, -big, 10 ** 20]:
        row.append((a % b, a // b))
    print(a, row)
for a in edges:
    print(a % 7, a % -7, a % 1000000007, a // 7, a // -7, a // 1000000007, a % 1, a // 1)
total = 0
for i in range(-50, 50):
    total = total + i % 7 + i % -7 + i // 3 + i // -3 + (i * 7919) % 1000003
print(total)
for a in [-big, -big + 1, big - 1]:
    print(a // -1, a % -1)
for z in [0]:
    try:
        print(5 % z)
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)
    try:
        print(5 // z)
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)
print(7.5 % 2, -7.5 % 2, 7 % 2.5, 7 // 2.5, True % 2, 5 % True)
