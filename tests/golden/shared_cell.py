# Two closures share one cell: a getter and a setter over the same variable.
def box(value):
    def get():
        return value

    def put(v):
        nonlocal value
        value = v

    return get, put


get, put = box(1)
put(2)
print(get())
