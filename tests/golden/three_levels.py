# A free variable passing through an intermediate function that never uses it.
def outer():
    x = "outer x"

    def middle():
        def inner():
            return x
        return inner

    return middle


print(outer()()())
