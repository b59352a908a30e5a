# nonlocal: inc rebinds `count`, a cell of make_counter, through its env record.
def make_counter():
    count = 0

    def inc():
        nonlocal count
        count += 1
        return count

    return inc


c = make_counter()
c()
print(c())
