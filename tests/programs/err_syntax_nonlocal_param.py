# SyntaxError at compile time: a parameter declared nonlocal.
print('never printed')


def outer():
    x = 1

    def inner(x):
        nonlocal x
        return x
    return inner
