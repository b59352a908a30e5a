# Fluent Python ex. 9-8: make_averager keeps `series` in a cell; averager reads it from its env record.
def make_averager():
    series = []

    def averager(new_value):
        series.append(new_value)
        total = sum(series)
        return total / len(series)

    return averager


avg = make_averager()
print(avg(10), avg(11))
