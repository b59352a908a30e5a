# Free variable deleted in the enclosing scope with `del`, then read by the closure.
def outer():
    x = 'alive'

    def inner():
        return x
    print(inner())
    del x
    return inner


f = outer()
print('outer returned')
f()
