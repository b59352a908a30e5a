# A cell seen through __closure__ is the closure's own cell: writes go both ways, and siblings share it.
def make():
    n = 0

    def get():
        return n

    def bump():
        nonlocal n
        n += 1
        return n

    return get, bump


get, bump = make()
cell = get.__closure__[0]
print(cell is bump.__closure__[0])
bump()
bump()
print(cell.cell_contents, get())
cell.cell_contents = 100
print(get(), bump(), cell.cell_contents)
cell.cell_contents += 5
print(get())
cell.cell_contents = "now a str"
print(get(), repr(cell)[:8], repr(cell).split(": ")[1].split(" at ")[0])
get.__closure__[0].cell_contents = [1, 2]
print(get(), bump.__closure__[0].cell_contents)


def outer():
    x = 1

    def middle():
        def inner():
            return x
        return inner

    def setx(v):
        nonlocal x
        x = v

    return middle, setx


middle, setx = outer()
inner = middle()
print(middle.__code__.co_freevars, inner.__code__.co_freevars)
print(middle.__closure__[0] is inner.__closure__[0] is setx.__closure__[0])
setx(42)
print(inner(), inner.__closure__[0].cell_contents)
middle.__closure__[0].cell_contents = -1
print(inner())


def loop_cells():
    fs = []
    for i in range(3):
        fs.append(lambda: i)
    return fs


fs = loop_cells()
print(fs[0](), fs[1](), fs[2]())
print(fs[0].__closure__[0] is fs[2].__closure__[0])
fs[1].__closure__[0].cell_contents = "shared"
print(fs[0](), fs[2]())
