# streams: lazy iterators as closures (source, map, filter, take) chained and drained repeatedly.
def count_from(start, step):
    n = start - step
    def next_value():
        nonlocal n
        n = n + step
        return n
    return next_value

def mapped(f, src):
    return lambda: f(src())

def filtered(pred, src):
    def next_value():
        v = src()
        while not pred(v):
            v = src()
        return v
    return next_value

def take_sum(src, k):
    total = 0
    for _ in range(k):
        total = total + src()
    return total

def main():
    total = 0
    for r in range(300):
        s = count_from(r, 3)
        s = mapped(lambda x: x * x % 1009, s)
        s = filtered(lambda x: x % 2 == 1, s)
        s = mapped(lambda x: x + r, s)
        total = total + take_sum(s, 1000)
    print(total)

main()
