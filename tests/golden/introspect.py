# Closure introspection: __closure__, cell_contents (read and write) and __code__.co_freevars.
def make(n):
    return lambda: n


f = make(1)
cell = f.__closure__[0]
cell.cell_contents = 5
f.calls = 0
f.calls += 1
print(f(), f.__code__.co_freevars, f.calls)
