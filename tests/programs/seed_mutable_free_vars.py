# Closure article: each call of outer() makes a separate list, so f2 sees only [2].
def outer():
    lst = []

    def inner(x):
        lst.append(x)
        return lst

    return inner


f1 = outer()
f2 = outer()
f1(1)
print(f2(2))
print(f1(3))
print(f2(4))
