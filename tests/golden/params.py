# Positional defaults, *args, keyword-only parameters and **kwargs; a parameter captured as a cell.
def f(a, b=2, *args, c, d=4, **kw):
    def show():
        return (a, c)
    return show(), b, args, d, kw


print(f(1, c=3))
