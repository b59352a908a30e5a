# TypeError: unsupported operand types inside a nested call.
def total(items):
    t = 0
    for i in items:
        t = t + i
        print('running total', t)
    return t


total([1, 2, 'three', 4])
