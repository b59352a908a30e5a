# A local assigned once, before any closure capturing it is made, and never rebound: the
# JIT copies its value into the closures' environment records instead of making a cell.
# Everything observable stays as in CPython.
def make():
    seen = {}
    log = []
    pos = 0

    def add(k):
        seen[k] = seen.get(k, 0) + 1
        log.append(k)
        return len(log)

    def show():
        return sorted(seen.items()), log, pos

    return add, show


add, show = make()
for k in [3, 1, 3, 2, 3]:
    add(k)
print(show())


def read_before_assignment():
    try:
        print(value)
    except UnboundLocalError as e:
        print("UnboundLocalError:", e)
    value = 10
    return lambda: value + 1


print(read_before_assignment()())


def through_middle():
    table = [1, 2, 3]

    def middle():
        def inner():
            return sum(table)
        return inner

    return middle()()


print(through_middle())


def conditional(flag):
    if flag:
        x = "set"
    f = lambda: x
    return f


print(conditional(True)())
try:
    conditional(False)()
except NameError as e:
    print(type(e).__name__ + ":", e)


def shared_object():
    box = []
    push = lambda v: box.append(v)
    peek = lambda: list(box)
    push(1)
    push(2)
    return peek()


print(shared_object())


def many(n):
    fs = []
    for i in range(n):
        base = i * 10
        fs.append(lambda: base)
    return fs[0](), fs[-1]()


print(many(4))
