# TypeError: a closure called with too many positional arguments.
def outer():
    def add(a, b):
        return a + b
    return add


add = outer()
print(add(1, 2))
add(1, 2, 3)
