# SyntaxError: := cannot appear in a comprehension's iterable, not even inside a lambda there
def f(xs):
    return [g() for g in [lambda: (n := len(xs))]]

print(f([1]))
