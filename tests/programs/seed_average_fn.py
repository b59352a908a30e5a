# Fluent Python ex. 9-8/9-9: make_averager keeps the growing `series` list in a closure.
def make_averager():
    series = []

    def averager(new_value):
        series.append(new_value)
        total = sum(series)
        return total / len(series)

    return averager


avg = make_averager()
print(avg(10))
print(avg(11))
print(avg(12))
print(avg.__name__)
print(avg.__qualname__)
other = make_averager()
print(other(1))
print(avg(15))
