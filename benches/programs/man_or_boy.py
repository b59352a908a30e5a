# man_or_boy: Knuth's man-or-boy test for k = 0..8, repeated (nonlocal k shared by nested B closures).
def A(k, x1, x2, x3, x4, x5):
    def B():
        nonlocal k
        k = k - 1
        return A(k, B, x1, x2, x3, x4)
    if k <= 0:
        return x4() + x5()
    return B()

def main():
    one = lambda: 1
    minus_one = lambda: -1
    zero = lambda: 0
    results = []
    for k in range(9):
        results.append(A(k, one, minus_one, minus_one, one, zero))
    print(results)
    total = 0
    for rep in range(800):
        total = total + A(8, one, minus_one, minus_one, one, zero)
    print(total)

main()
