# TypeError: subscripting an int returned by a closure.
def make():
    n = 5

    def get():
        return n
    return get


g = make()
print(g())
print(g()[0])
