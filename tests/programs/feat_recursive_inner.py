# Recursive inner functions: the inner function refers to itself through the enclosing scope.
def compute(n):
    def fact(k):
        if k <= 1:
            return 1
        return k * fact(k - 1)

    def fib(k):
        if k < 2:
            return k
        return fib(k - 1) + fib(k - 2)

    return fact(n), fib(n)


print(compute(10))
print(compute(20))


def flatten(nested):
    out = []

    def walk(x):
        if isinstance(x, list) or isinstance(x, tuple):
            for item in x:
                walk(item)
        else:
            out.append(x)

    walk(nested)
    return out


print(flatten([1, [2, [3, (4, 5)], []], [[[6]]]]))


def count_down(n):
    calls = []

    def go(k):
        calls.append(k)
        if k > 0:
            go(k - 1)

    go(n)
    return calls


print(count_down(5))
