# Closure articles: make_counter with nonlocal count returns 1, 2, ...
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
other = make_counter()
print(other())
print(counter())
