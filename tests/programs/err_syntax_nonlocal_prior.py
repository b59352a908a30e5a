# SyntaxError at compile time: a name assigned before its nonlocal declaration.
print('never printed')


def outer():
    x = 1

    def inner():
        x = 2
        nonlocal x
    return inner
