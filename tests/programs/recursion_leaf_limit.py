# The recursion limit counts a leaf function's frame too (cellar's leaf functions check
# the limit without keeping the depth counter).
def leaf(x):
    return x + 1


def rec(n):
    if n == 0:
        return leaf(0)
    return rec(n - 1)


def rec_plain(n):
    if n == 0:
        return 0
    return rec_plain(n - 1)


def leaf_lambda_at_bottom(n):
    if n == 0:
        return (lambda: 7)()
    return leaf_lambda_at_bottom(n - 1)


def deepest(f):
    n = 0
    while True:
        try:
            f(n)
        except RecursionError as e:
            return n, str(e)
        n = n + 1


print(deepest(rec))
print(deepest(rec_plain))
print(deepest(leaf_lambda_at_bottom))
rec(5000)
