# A closure sees the variable's value at call time: rebinding after the def is visible.
def outer():
    x = 'first'

    def show():
        return x

    before = show()
    x = 'second'
    after = show()
    return before, after, show


b, a, show = outer()
print(b, a, show())


def defined_after():
    def get():
        return later
    later = 'assigned after def'
    return get()


print(defined_after())


def loop_capture():
    fs = []
    acc = 0
    for i in range(1, 4):
        acc += i
        fs.append(lambda: (i, acc))
    acc = 'final'
    return fs


for f in loop_capture():
    print(f())
