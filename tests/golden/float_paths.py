# A program that makes floats: `+` keeps its inline float path among the hot blocks (the
# IR property props::fast-paths::cold-float-paths contrasts it with fast_paths.py).
def step(total, x):
    return total + x


print(step(1.5, 2), step(1, 2) / 2)


def drift(n):
    s = 0.0
    for i in range(n):
        s = s + i * 0.5 - 1.0
    return s


print(drift(4))



# `m(i)` inlined returns `/`'s result through the merge of its paths; `s + m(i)` then tests
# neither operand (jit::floats: both are known floats), and the merges carry f64s.
def make_mean():
    count = 0
    total = 0

    def mean(x):
        nonlocal count, total
        count = count + 1
        total = total + x
        return total / count

    return mean


def smooth(n):
    m = make_mean()
    s = 0.0
    for i in range(n):
        s = s + m(i)
    return s


print(smooth(5))
