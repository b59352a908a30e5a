# Closure-based iterators: a next() function over a list, a range-like stepper, a Fibonacci stream.
def make_iter(items):
    pos = 0

    def next_item(default=None):
        nonlocal pos
        if pos >= len(items):
            return default
        item = items[pos]
        pos += 1
        return item

    return next_item


nxt = make_iter(['a', 'b', 'c'])
print(nxt(), nxt(), nxt(), nxt(), nxt('done'))


def stepper(start, step):
    current = start - step

    def step_once():
        nonlocal current
        current += step
        return current

    return step_once


s = stepper(10, -3)
out = []
for _ in range(5):
    out.append(s())
print(out)


def fib_stream():
    a, b = 0, 1

    def nxt():
        nonlocal a, b
        value = a
        a, b = b, a + b
        return value

    return nxt


f = fib_stream()
vals = []
while True:
    v = f()
    if v > 1000:
        break
    vals.append(v)
print(vals)
for _ in range(80):
    f()
print(f())
