# Closure article: inspecting add_five's closure: one cell holding x = 5.
def outer(x):
    def inner(y):
        return x + y  # x is a free variable
    return inner


add_five = outer(5)
print(add_five(3))  # Output: 8
print(add_five.__closure__)  # Output: (<cell at ...: int object at ...>,)
print(add_five.__closure__[0].cell_contents)  # Output: 5
print(outer.__code__.co_cellvars, outer.__code__.co_varnames)
print(add_five.__code__.co_freevars, add_five.__code__.co_varnames)
