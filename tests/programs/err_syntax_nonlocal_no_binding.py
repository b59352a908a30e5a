# SyntaxError at compile time: nonlocal names a variable no enclosing function binds.
print('never printed: the whole file is rejected before running')


def outer():
    def inner():
        nonlocal x
        x = 1
    return inner
