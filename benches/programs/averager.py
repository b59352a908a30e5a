# averager: running mean and variance (Welford) kept in nonlocal float cells.
def make_stats():
    count = 0
    mean = 0.0
    m2 = 0.0
    def add(x):
        nonlocal count, mean, m2
        count = count + 1
        delta = x - mean
        mean = mean + delta / count
        m2 = m2 + delta * (x - mean)
        return mean
    def variance():
        return m2 / count
    return add, variance

def main():
    add_a, var_a = make_stats()
    add_b, var_b = make_stats()
    s = 0.0
    for i in range(1200000):
        s = s + add_a(i % 97) - add_b((i * 7) % 13)
    print(round(s, 6))
    print(round(var_a(), 6), round(var_b(), 6))

main()
