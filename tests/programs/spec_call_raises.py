# A closure that calls one of its captures asks for a body of its own at its 1000th call
# (cellar's specialisation, see jit::specialize); that call is made again by the runtime.
# Here the call made again raises, in a closure inlined into its caller's loop: the
# exception must reach the caller's handler, and the traceback must be CPython's.
def make(f):
    def g(x):
        return f(x)
    def run(n):
        t = 0
        for i in range(n):
            try:
                t = t + g(i)
            except ValueError as e:
                t = t - 1000000
                print("caught", e, "at", i)
        return t
    return run

def picky(x):
    if x == 999 or x == 1500:
        raise ValueError("bad %d" % x)
    return x

print(make(picky)(3000))
print(make(lambda x: x * 2)(2500))

def loud(x):
    if x == 999:
        raise KeyError(x)
    return x

make(loud)(1200)
