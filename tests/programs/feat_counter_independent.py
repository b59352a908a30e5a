# Counters built by the same factory keep independent state; step and start are captured params.
def make_counter(start=0, step=1):
    count = start

    def tick():
        nonlocal count
        count += step
        return count

    def peek():
        return count

    return tick, peek


a_tick, a_peek = make_counter()
b_tick, b_peek = make_counter(100, 10)
print(a_tick(), a_tick(), a_tick())
print(b_tick(), b_tick())
print(a_peek(), b_peek())
c_tick, c_peek = make_counter(step=-2)
for i in range(4):
    c_tick()
print(c_peek(), a_peek(), b_peek())
