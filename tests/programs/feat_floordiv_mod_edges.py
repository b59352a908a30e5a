# Floor division and modulo at the edges of the small-int range and with negative operands (inline fast path vs CPython).
vals = [-7, -6, -1, 0, 1, 6, 7, 140737488355327, -140737488355328]
divs = [-3, -1, 1, 3, 7, -140737488355328]
out = []
for a in vals:
    for b in divs:
        out.append((a // b, a % b))
print(out)
