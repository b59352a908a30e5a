# Closures article (make_counter): count is a free variable of counter; its cell holds 2 after two calls.
def make_counter():
    # Outer closure function
    count = 0

    def counter():
        # Nested function
        nonlocal count
        count += 1
        return count

    return counter


counter = make_counter()
print(counter())
print(counter())
print(counter.__code__.co_freevars)
print(counter.__closure__[0].cell_contents)
print(make_counter.__code__.co_cellvars)
print(counter.__code__.co_varnames)
