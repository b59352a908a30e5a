# Reading a free variable checks that its cell is bound, except where the JIT proves it is
# (assigned before any closure reaching it is made, never deleted); every way around that
# proof still raises CPython's NameError.
def try_call(f):
    try:
        return f()
    except NameError as e:
        return "NameError: " + str(e)


def made_before_assignment():
    def read():
        return x
    early = try_call(read)
    x = 1
    return early, read()


def deleted_later():
    x = 1
    def read():
        return x
    first = read()
    del x
    return first, try_call(read)


def deleted_by_inner():
    x = 1
    def read():
        return x
    def drop():
        nonlocal x
        del x
    drop()
    return try_call(read)


def except_name():
    try:
        raise ValueError("boom")
    except ValueError as e:
        def read():
            return e
        inside = str(read())
    return inside, try_call(read)


def conditional(flag):
    if flag:
        x = "set"
    def read():
        return x
    return try_call(read)


def through_middle():
    def middle():
        def inner():
            return x
        return inner
    f = middle()
    early = try_call(f)
    x = "late"
    return early, f()


def param_and_assigned(p):
    q = p * 2
    def read():
        return p + q
    return read()


def rebound_by_inner():
    n = 0
    def bump():
        nonlocal n
        n = n + 1
        return n
    def read():
        return n
    bump()
    bump()
    return read()


def lambda_in_assignment():
    x = lambda: x
    return x() is x


def default_before():
    def read(v=None):
        return v if v is not None else y
    early = try_call(read)
    y = "y"
    return early, read()


print(made_before_assignment())
print(deleted_later())
print(deleted_by_inner())
print(except_name())
print(conditional(True), conditional(False))
print(through_middle())
print(param_and_assigned(5))
print(rebound_by_inner())
print(lambda_in_assignment())
print(default_before())
