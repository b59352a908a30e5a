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
