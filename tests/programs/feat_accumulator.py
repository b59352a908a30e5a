# Accumulators: nonlocal running totals of ints, floats and strings; history kept in a list.
def make_accumulator(total):
    history = []

    def add(x):
        nonlocal total
        total += x
        history.append(total)
        return total

    def get_history():
        return history

    return add, get_history


add, hist = make_accumulator(0)
for v in [1, 2, 3, 4, 5]:
    add(v)
print(add(10), hist())
fadd, fhist = make_accumulator(0.5)
print(fadd(0.25), fadd(1))
sadd, shist = make_accumulator("")
sadd("a")
sadd("bc")
print(sadd("!"), shist())
ladd, lhist = make_accumulator([])
ladd([1])
print(ladd([2, 3]))
