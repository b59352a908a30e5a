# Closure article: `nonlocal x` lets inner rebind the outer variable.
def outer():
    x = 0

    def inner():
        nonlocal x
        x += 1
        return x

    return inner


f = outer()
print(f())
print(f())
print(f())
g = outer()
print(g(), f())
