# Return values: implicit None, bare return, multiple values as a tuple, early returns.
def nothing():
    pass


def bare():
    return


def many():
    return 1, 'two', [3]


def early(n):
    if n < 0:
        return 'negative'
    for i in range(n):
        if i * i > n:
            return i
    return 'small'


print(nothing(), bare(), many())
a, b, c = many()
print(a, b, c)
print(early(-1), early(20), early(1))
r = print('print returns')
print(r)
print([].append(1), {}.get('x'))
