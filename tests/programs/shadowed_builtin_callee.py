# Module-level functions named like builtins: calls that run before the module binds
# them reach the builtins (CPython falls back to builtins), calls after reach the
# functions. Neither kind of call may assume the name holds the function.
def uses_max():
    return max(3, 9)


def uses_abs():
    return abs(-5)


def uses_len():
    return len([1, 2, 3])


print(uses_max(), uses_abs(), uses_len(), max(1, 2), abs(-1))


def max(a, b):
    return "my max"


abs = lambda x: "my abs"


def len(x):
    return 42


print(uses_max(), uses_abs(), uses_len(), max(1, 2), abs(-1))
del len
print(uses_len(), len("abcd"))
