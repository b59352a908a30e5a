# counter: a bank of independent counters (nonlocal int state), bumped round-robin.
def make_counter(start, step):
    n = start
    def bump():
        nonlocal n
        n = n + step
        if n >= 1000003:
            n = n - 1000003
        return n
    return bump

def main():
    counters = []
    for k in range(8):
        counters.append(make_counter(k * 101, 2 * k + 1))
    total = 0
    for i in range(600000):
        for c in counters:
            total = total + c()
        total = total % 1000000007
    print(total)

main()
