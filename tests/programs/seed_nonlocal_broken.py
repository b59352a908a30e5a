# Closure article: `x += 1` in inner without nonlocal -> UnboundLocalError when called.
def outer():
    x = 0

    def inner():
        x += 1  # UnboundLocalError without nonlocal
    return inner


f = outer()
print("created", f.__qualname__)
f()
print("not reached")
