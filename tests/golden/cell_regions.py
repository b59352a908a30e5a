# Each variable's cells have an alias region of their own: `return a` after `b = y` reuses
# the value stored to `a`, but not after a call, which may change any cell.
def make_pair():
    a = 0
    b = 0
    def set_both(x, y):
        nonlocal a, b
        a = x
        b = y
        return a
    def set_and_call(x, f):
        nonlocal a
        a = x
        f()
        return a
    return set_both, set_and_call

s, c = make_pair()
print(s(1, 2), c(3, print))
