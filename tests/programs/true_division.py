# `/` on ints (the JIT divides two small ints inline), ints and floats, and big ints.
big = 2 ** 47
vals = [0, 1, -1, 2, 3, -7, 10, 100, 12345, big - 1, -big, 2 ** 53 + 1, 10 ** 30, -(10 ** 30)]
for a in vals:
    row = []
    for b in [1, -1, 3, -7, 10, big - 1, -big, 10 ** 30]:
        row.append(a / b)
    print(a, row)
print(0 / -5, -0.0 / 5, 7 / 2.0, 7.5 / 2, True / 2, 1 / True)
total = 0.0
for i in range(1, 200):
    total = total + i / 7 - (i * 3) / (i + 1)
print(total)
for z in [0, 0.0, False]:
    try:
        print(5 / z)
    except ZeroDivisionError as e:
        print("ZeroDivisionError:", e)
try:
    print(10 ** 400 / 3)
except OverflowError as e:
    print("OverflowError:", e)
