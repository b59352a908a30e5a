# SyntaxError: a later for clause of a generator expression cannot rebind a := target of an earlier condition
def f(a, b):
    return list(x for x in a if (y := x) for y in b)

print(f([1], [2]))
