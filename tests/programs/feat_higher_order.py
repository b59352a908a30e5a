# Higher-order functions: compose, pipelines, function lists, and functions as dict values.
def compose(*funcs):
    def composed(x):
        for f in reversed(funcs):
            x = f(x)
        return x
    return composed


inc = lambda x: x + 1
dbl = lambda x: x * 2
print(compose(inc, dbl)(5), compose(dbl, inc)(5), compose()(7))


def pipeline(value, *steps):
    for step in steps:
        value = step(value)
    return value


print(pipeline(' Hello World ', lambda s: s.strip(), lambda s: s.lower(), lambda s: s.split()))


def apply_n(f, n):
    def run(x):
        for _ in range(n):
            x = f(x)
        return x
    return run


print(apply_n(dbl, 10)(1), apply_n(lambda s: s + '!', 3)('hey'))


def counter_of(pred):
    def count(xs):
        n = 0
        for x in xs:
            if pred(x):
                n += 1
        return n
    return count


count_even = counter_of(lambda v: v % 2 == 0)
print(count_even(range(11)), count_even([1, 3]))
table = {'sum': sum, 'max': max, 'len': len, 'sorted': sorted}
for name in table:
    print(name, table[name]([3, 1, 2]))
