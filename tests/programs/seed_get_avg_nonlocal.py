# Scope article (zh): nonlocal count, total fixes get_avg.
def get_avg():
    count = 0
    total = 0

    def avg(value):
        nonlocal count, total
        count += 1
        total += value
        return total / count

    return avg


avg = get_avg()
print(avg(10))
print(avg(11))
print(avg(15))
