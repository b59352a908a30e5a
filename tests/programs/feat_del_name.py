# del name: deleting locals and globals, then rebinding them.
x = 1
print(x)
del x
x = 'rebound'
print(x)


def f():
    y = [1, 2]
    z = y
    del y
    y = 'new y'
    return y, z


print(f())


def g():
    n = 5
    try:
        del n
        print(n)
    except NameError as e:
        print('NameError:', e)
    n = 6
    return n


print(g())
g1 = 'global'
del g1
try:
    print(g1)
except NameError as e:
    print('NameError:', e)
