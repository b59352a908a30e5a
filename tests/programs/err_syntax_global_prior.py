# SyntaxError at compile time: a name used before its global declaration.
x = 1
print('never printed')


def f():
    print(x)
    global x
    x = 2
