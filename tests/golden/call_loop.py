# A closure called in a loop: call_indirect through the closure's code pointer on the fast path.
def make_adder(n):
    def add(x):
        return x + n
    return add


def run(f, count):
    total = 0
    for i in range(count):
        total = f(total)
    return total


print(run(make_adder(3), 1000))
