# A cell emptied through __closure__ is unbound for its owner too: UnboundLocalError, then rebinding works.
def f():
    x = 1
    g = lambda: x
    del g.__closure__[0].cell_contents
    try:
        print(x)
    except UnboundLocalError as e:
        print("UnboundLocalError:", e)
    g.__closure__[0].cell_contents = 2
    print(x, g())
    x = 3
    print(g.__closure__[0].cell_contents)


f()


def h(p):
    k = lambda: p
    k.__closure__[0].cell_contents = "changed"
    print(p)
    del k.__closure__[0].cell_contents
    try:
        return p
    except UnboundLocalError as e:
        return str(e)


print(h(0))
