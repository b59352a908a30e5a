# Which calls the JIT inlines into a function that runs once (main, called once from the
# module's top level): calls inside its loops, and calls of makers (functions that always
# return one def's closure) anywhere; not other calls outside loops, and never a call that
# enters a recursion from outside it. The output is the same either way; props::inline-policy
# checks the IR.

def make_scaler(k):
    def scale(x):
        return x * k
    return scale

def describe(label, value):
    return label + "=" + str(value)

def step(total, i):
    return total + i % 7

def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)

def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)

def main():
    triple = make_scaler(3)
    print(describe("start", triple(5)))
    total = 0
    for i in range(1000):
        total = step(total, i)
        total = total + triple(i) % 5
    print(describe("total", total))
    evens = 0
    for n in range(40):
        if is_even(n):
            evens = evens + 1
    print(describe("evens", evens))
    print(is_odd(7), is_even(7))
    try:
        is_even(-1)
    except RecursionError as e:
        print("RecursionError:", e)

if True:
    main()
