# __closure__ is read-only: AttributeError: readonly attribute.
def make(n):
    return lambda: n


f = make(1)
print(f.__closure__[0].cell_contents)
f.__closure__ = make(2).__closure__
