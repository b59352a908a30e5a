# A builtin called from a loop goes through a slow-path wrapper that re-enters Python
# (sorted calls the key closure); the callback allocates enough to collect while the
# loop's frame holds ints, floats and lists in registers and stack slots.
def make_key(scale):
    def key(x):
        junk = []
        for j in range(20):
            junk.append([x, j] * 4)
        return (x * scale) % 7 + len(junk) * 0
    return key


def run(n):
    total = 0
    acc = [1.5, 2.5]
    f = 0.25
    k = make_key(3)
    for i in range(n):
        xs = [i, i + 1, i + 2, i + 5]
        ys = sorted(xs, key=k)
        total = total + ys[0] - ys[-1] + i % 3
        acc = [acc[1], acc[0] + f]
        f = f * 1.0001
    return total, acc, xs


print(run(400))
