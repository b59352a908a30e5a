# 1,000,000 recursive inner functions: each `fib` reaches itself through its own cell, a
# cycle (function -> env record -> cell -> function) that only a tracing collector frees.
def make_fib(base):
    def fib(n):
        if n < 2:
            return n + base
        return fib(n - 1) + fib(n - 2)
    return fib

def main():
    total = 0
    for i in range(1000000):
        f = make_fib(i % 3)
        total = total + f(3)
    print(total)

main()
