# SyntaxError: := in a comprehension cannot rebind the comprehension's iteration variable
def pairs(xs):
    return [(x, (y := x * 2)) for x, y in xs]

print(pairs([(1, 2)]))
