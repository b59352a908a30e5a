# Reading cell_contents of an empty cell raises ValueError: Cell is empty.
def outer():
    def inner():
        return value

    print(inner.__code__.co_freevars)
    print(inner.__closure__[0].cell_contents)
    value = 1
    return inner


outer()
