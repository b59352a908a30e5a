# Empty cells: ValueError: Cell is empty, the <cell ...: empty> repr, emptying a cell with del.
def f():
    def g():
        return late

    cell = g.__closure__[0]
    print(repr(cell).endswith(": empty>"))
    try:
        print(cell.cell_contents)
    except ValueError as e:
        print("ValueError:", e)
    try:
        g()
    except NameError as e:
        print("NameError:", e)
    late = "bound"
    print(cell.cell_contents, g())
    return g


g = f()
c = g.__closure__[0]
del c.cell_contents
print(repr(c).endswith(": empty>"))
try:
    g()
except NameError as e:
    print("NameError:", e)
try:
    c.cell_contents
except ValueError as e:
    print("ValueError:", e)
del c.cell_contents
c.cell_contents = 7
print(g())


def counter():
    n = 0

    def inc():
        nonlocal n
        n += 1
        return n

    return inc


inc = counter()
inc()
del inc.__closure__[0].cell_contents
try:
    inc()
except NameError as e:
    print("NameError:", e)
inc.__closure__[0].cell_contents = 10
print(inc())
