# Attributes on many short-lived closures and exceptions survive collections while their owners live.
def make(i):
    def f():
        return f.value + i

    f.value = [i] * 3
    f.value = i * 10
    return f


keep = []
for i in range(3000):
    g = make(i)
    g.label = "g" + str(i)
    if i % 100 == 0:
        keep.append(g)
total = 0
for g in keep:
    total += g()
print(total, len(keep), keep[5].label, keep[-1].label, keep[7].__dict__)
errors = []
for i in range(2000):
    e = KeyError(i)
    e.note = [i, str(i)]
    if i % 500 == 0:
        errors.append(e)
print(len(errors), errors[2].note, errors[3].__dict__)
codes = []
for i in range(1000):
    codes.append(make(i).__code__)
print(codes[0] is codes[999], codes[3].co_freevars, codes[4].co_name)
