# A global that shadows a builtin: reads fall back to the builtin while the module does not bind the name (before the first assignment and after del), and del of an unbound global raises NameError.
print(abs(-3), len("abc"))
reads_abs = lambda: abs(-5)
print(reads_abs())
abs = lambda v: -7
print(abs(-3), reads_abs())
del abs
print(abs(-3), reads_abs())
try:
    del abs
except NameError as e:
    print("NameError:", e)
print(abs(-4))

def rebind_len():
    global len
    len = lambda s: 99
    r = len("ab")
    del len
    return r, len("ab")

print(rebind_len())
try:
    del len
except NameError as e:
    print("NameError:", e)

def drop_min():
    global min
    del min

try:
    drop_min()
except NameError as e:
    print("NameError:", e)

try:
    max += 1
except TypeError as e:
    print("TypeError:", e)
print(max(2, 9))

counts = []
for i in range(3):
    sum = i * 10
    counts.append(sum)
    del sum
    counts.append(sum([i, 1]))
print(counts)
sorted = None
del sorted
print(sorted([3, 1, 2]))
del print
