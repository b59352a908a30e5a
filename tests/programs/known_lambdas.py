# Calls whose callee the compiler knows: module-level `NAME = lambda`, a lambda called
# where it is written, and a call of a function that always returns one def's closure.
def too_soon():
    return sq(3)


try:
    too_soon()
except NameError as e:
    print("too soon:", e)

sq = lambda x: x * x
add = lambda m: lambda n: m + n
compose = lambda f: lambda g: lambda x: f(g(x))
fact = lambda n: 1 if n < 2 else n * fact(n - 1)
for i in range(3):
    shifted = lambda x, k=i: x + k
swap = lambda x: x


def rebind():
    global swap
    swap = lambda x: -x


def make_counter(step):
    count = 0

    def inc():
        nonlocal count
        count += step
        return count

    return inc


def main():
    print(sq(7), add(1)(2), compose(sq)(add(10))(2), fact(10))
    print(shifted(1, 5), shifted(1))
    print((lambda x, y: x * y)(3, 4), [sq(v) for v in range(4)])
    c = make_counter(3)
    print(c(), c(), make_counter(5)())
    print(swap(4))
    rebind()
    print(swap(4))
    try:
        add(1)(2, 3)
    except TypeError as e:
        print(e)
    try:
        (lambda: 0)(1)
    except TypeError as e:
        print(e)
    try:
        make_counter(1)(2)
    except TypeError as e:
        print(e)
    try:
        add(1)("x")
    except TypeError as e:
        print(e)
    total = 0
    for k in range(1000):
        total += add(k)(1) + compose(add(1))(sq)(k % 7)
    print(total)


main()
print(compose(fact)(sq)(3) == fact(9), add("a")("b"))


def all_known(k):
    # Every call here has a callee the compiler knows (checked on the IR by
    # `props::known-callees` in tests/golden.rs).
    return sq(k) + add(k)(1) + compose(add(1))(sq)(k) + (lambda x: x)(k) + fact(3) + make_counter(2)()


print(all_known(4), [all_known(j) for j in range(3)])
