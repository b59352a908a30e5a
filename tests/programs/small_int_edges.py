# + and - of small ints at the edges of the 48-bit range the JIT computes inline (the
# boxed word rotated, added, checked for overflow, rotated back): results just inside
# stay small, results just outside become big ints, in cells and in plain locals.
def make(start, step, down):
    c = start

    def step_once():
        nonlocal c
        if down:
            c = c - step
        else:
            c = c + step
        return c

    return step_once


top = 2**47 - 1
bottom = -2**47
cases = [
    (top - 2, 1, False), (bottom + 2, 1, True), (top, top, True), (bottom, bottom, True),
    (bottom, top, False), (0, bottom, False), (0, bottom, True), (-1, top, False),
    (5, 5, True), (top, -1, False), (bottom, -1, True), (2**50, 1, False), (1, 2**60, True),
]
for start, step, down in cases:
    f = make(start, step, down)
    out = []
    for k in range(4):
        out.append(f())
    print(out)

for a in [top, top - 1, bottom, bottom + 1, 0, -1, 1, 2**47, -2**47 - 1]:
    for b in [1, -1, top, bottom, 0]:
        x = a
        x += b
        y = a
        y -= b
        print(a + b, a - b, b - a, x, y)
