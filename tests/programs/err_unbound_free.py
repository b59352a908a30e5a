# Free variable referenced by a closure before the enclosing function assigned it.
def outer():
    def inner():
        return x
    print('calling inner early')
    value = inner()
    x = 1
    return value


outer()
