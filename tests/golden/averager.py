# Fluent Python ex. 9-8: averager reads `series` from its env record (assigned once before averager is made, so frozen there: no cell).
def make_averager():
    series = []

    def averager(new_value):
        series.append(new_value)
        total = sum(series)
        return total / len(series)

    return averager


avg = make_averager()
print(avg(10), avg(11))
