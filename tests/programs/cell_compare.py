# cells compare by their contents (== and <, an empty cell first) and are unhashable, as in CPython
def mk(v):
    def g():
        return v
    return g.__closure__[0]
def mk_empty():
    def g():
        return v
    c = g.__closure__[0]
    v = 1
    del v
    return c
a, b, e = mk(1), mk(1), mk_empty()
print(a == b, a != b, a < mk(2), mk(3) <= b, a == 1, e == mk_empty(), e < a, a > e, e <= e)
print(a in [b], [a] == [b], (a, 1) < (mk(2), 0))
try:
    print(hash(a))
except TypeError as ex:
    print(ex)
try:
    print(a < 1)
except TypeError as ex:
    print(ex)
try:
    print(mk("x") < mk(1))
except TypeError as ex:
    print(ex)
print(sorted([mk(3), mk(1), mk(2)], key=lambda c: c)[0].cell_contents)
print(max(mk(3), mk(5)).cell_contents)
d = {}
try:
    d[a] = 1
except TypeError as ex:
    print(ex)
