# ycomb: the strict fixed-point combinator Z driving recursive sum, gcd and triangular numbers.
Z = lambda f: (lambda x: f(lambda *a: x(x)(*a)))(lambda x: f(lambda *a: x(x)(*a)))

def sum_gen(rec):
    return lambda n: 0 if n == 0 else n + rec(n - 1)

def gcd_gen(rec):
    return lambda a, b: a if b == 0 else rec(b, a % b)

def main():
    total = 0
    tri = Z(sum_gen)
    gcd = Z(gcd_gen)
    for i in range(5000):
        total = total + tri(i % 60) + gcd(i * 7919 + 13, 104729 + i)
    for i in range(600):
        total = total + Z(sum_gen)(i % 30)
    print(total)

main()
