# SyntaxError at compile time: a name declared both nonlocal and global.
print('never printed')


def outer():
    x = 1

    def inner():
        global x
        nonlocal x
    return inner
