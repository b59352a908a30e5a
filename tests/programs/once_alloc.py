# Where the JIT allocates closures and cells inline. `main` runs once (called once from the
# module's top level), so what it makes outside its loops (the cell of `count`, the
# closures `bump` and `double`) comes from a runtime call; the lambdas it makes in a loop,
# and every closure `make_adder` makes, are allocated inline. The module body runs once
# too. The output is the same either way; props::once-alloc checks the IR.

def make_adder(n):
    def add(x):
        return x + n
    return add

def main():
    count = 0
    def bump():
        nonlocal count
        count += 1
        return count
    double = lambda x: x * 2
    adders = []
    for i in range(5):
        adders.append(lambda x, i=i: x + i)
    total = 0
    for f in adders:
        total += f(double(bump()))
    print(total, count)
    print(make_adder(3)(4), make_adder(5)(6))
    print([g(1) for g in map(make_adder, range(3))])

main()
