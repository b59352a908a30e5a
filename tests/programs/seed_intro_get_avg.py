# Scope article (zh): avg.__code__.co_varnames, co_freevars, __closure__ and cell_contents after avg(10), avg(11).
def get_avg():
    values = []

    def avg(value):
        values.append(value)
        return sum(values) / len(values)

    return avg


avg = get_avg()
print(avg(10))
print(avg(11))
print(avg.__code__.co_varnames)
print(avg.__code__.co_freevars)
print(avg.__closure__)
print(avg.__closure__[0].cell_contents)
