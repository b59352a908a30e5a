# Closures three levels deep: reading and rebinding variables of each enclosing level.
def level1(a):
    x = 'x1'

    def level2(b):
        y = 'y2'

        def level3(c):
            nonlocal y
            y = y + '!'
            return f'{a} {b} {c} {x} {y}'

        return level3

    return level2


l2 = level1('A')
l3 = l2('B')
print(l3('C'))
print(l3('D'))
l3b = l2('E')
print(l3b('F'))


def outer():
    n = 0

    def middle():
        def inner():
            nonlocal n
            n += 1
            return n
        return inner

    return middle, lambda: n


m, get = outer()
i1 = m()
i2 = m()
print(i1(), i2(), i1(), get())
