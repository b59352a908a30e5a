# Mutual recursion, both between module functions and between sibling inner functions.
def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


print(is_even(10), is_odd(10), is_even(7), is_odd(7))


def parity_table(limit):
    def even(n):
        return True if n == 0 else odd(n - 1)

    def odd(n):
        return False if n == 0 else even(n - 1)

    table = []
    for i in range(limit):
        table.append((i, even(i), odd(i)))
    return table


for row in parity_table(5):
    print(row)


def hofstadter(n):
    def f(k):
        return 1 if k == 0 else k - m(f(k - 1))

    def m(k):
        return 0 if k == 0 else k - f(m(k - 1))

    fs = []
    ms = []
    for i in range(n):
        fs.append(f(i))
        ms.append(m(i))
    return fs, ms


print(hofstadter(12))
