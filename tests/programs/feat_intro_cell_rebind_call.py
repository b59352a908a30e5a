# Rebinding a def's name through its cell: calls by that name, recursive ones included, see the new value.
def outer():
    def fact(k):
        return 1 if k <= 1 else k * fact(k - 1)

    fact.__closure__[0].cell_contents = lambda k: 42
    return fact(5)


print(outer())


def outer2():
    def fact(k):
        return 1 if k <= 1 else k * fact(k - 1)

    f = fact
    f.__closure__[0].cell_contents = lambda k: 42
    return f(5), fact(3)


print(outer2())


def outer3():
    def helper(x):
        return x + 1

    def user(x):
        return helper(x) * 2

    print(user(1))
    user.__closure__[0].cell_contents = lambda x: x - 100
    print(user(1), helper(1))
    setattr(user.__closure__[0], "cell_contents", lambda x: 7)
    return user(1)


print(outer3())
