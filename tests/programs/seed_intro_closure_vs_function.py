# Closure article: __closure__ of a closure is a tuple of cells; of a plain inner function it is None.
def returns_a_closure():
    message = "Hello, I'm a variable in returns_a_closure()."

    def i_am_a_closure():
        print(message)

    return i_am_a_closure


def returns_a_function():
    def i_am_just_a_function():
        print("Hello, I'm just a message directly from i_am_just_a_function().")

    return i_am_just_a_function


cl = returns_a_closure()
fn = returns_a_function()

print(cl.__closure__)
print(fn.__closure__)
print(cl.__closure__[0].cell_contents)
print(type(cl.__closure__), type(cl.__closure__[0]))
