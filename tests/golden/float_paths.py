# A program that makes floats: `+` keeps its inline float path among the hot blocks (the
# IR property props::fast-paths::cold-float-paths contrasts it with fast_paths.py).
def step(total, x):
    return total + x


print(step(1.5, 2), step(1, 2) / 2)
