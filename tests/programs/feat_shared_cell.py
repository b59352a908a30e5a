# Several closures share one cell: a getter/setter pair, and the enclosing function sees updates.
def make_box(value):
    def get():
        return value

    def set(new):
        nonlocal value
        value = new

    def swap_with(other_get, other_set):
        mine = value
        set(other_get())
        other_set(mine)

    return get, set, swap_with


get_a, set_a, swap_a = make_box('A')
get_b, set_b, swap_b = make_box('B')
print(get_a(), get_b())
set_a('A2')
print(get_a(), get_b())
swap_a(get_b, set_b)
print(get_a(), get_b())


def observer():
    state = 0

    def inc():
        nonlocal state
        state += 1

    inc()
    inc()
    seen = state
    inc()
    return seen, state


print(observer())
