# Module globals read and rebound through `global`, next to a closure over a local.
total = 0


def add(n):
    global total
    total += n

    def report():
        return total + n

    return report


print(add(5)())
