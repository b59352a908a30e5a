# Scope article (zh): get_avg keeps `values` in a closure (10.0, 10.5).
def get_avg():
    values = []

    def avg(value):
        values.append(value)
        return sum(values) / len(values)

    return avg


avg = get_avg()
print(avg(10))
print(avg(11))
print(avg(12))
