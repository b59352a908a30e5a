# TypeError: an unexpected keyword argument.
def area(w, h):
    return w * h


print(area(w=2, h=3))
area(2, 3, depth=4)
