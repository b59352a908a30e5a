# Closure article: outer(x) returns inner(y) = x + y; add_five remembers x = 5.
def outer(x):
    def inner(y):
        return x + y  # x is a free variable
    return inner


add_five = outer(5)
print(add_five(3))
add_ten = outer(10)
print(add_ten(3), add_five(100))
print(outer("ab")("cd"))
