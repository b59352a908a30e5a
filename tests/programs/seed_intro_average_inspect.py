# Fluent Python ex. 9-10/9-11: inspect make_averager's closure: co_varnames, co_freevars, __closure__, cell_contents.
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
print(avg.__code__.co_varnames)
print(avg.__code__.co_freevars)
print(avg.__closure__)
print(avg.__closure__[0].cell_contents)
print(make_averager.__code__.co_cellvars)
print(make_averager.__code__.co_varnames)
print(len(avg.__closure__) == len(avg.__code__.co_freevars))
