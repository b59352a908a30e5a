# fib_closure: recursion through cells: an inner fib, and mutually recursive inner is_even/is_odd.
def make_fib(offset):
    def fib(n):
        if n < 2:
            return n + offset
        return fib(n - 1) + fib(n - 2)
    return fib

def make_parity():
    def is_even(n):
        if n == 0:
            return True
        return is_odd(n - 1)
    def is_odd(n):
        if n == 0:
            return False
        return is_even(n - 1)
    return is_even, is_odd

def main():
    print(make_fib(0)(28), make_fib(1)(20))
    is_even, is_odd = make_parity()
    count = 0
    for i in range(3000):
        if is_even(i % 500):
            count = count + 1
    print(count)

main()
