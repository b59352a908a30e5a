# Closure article: a closure (uses outer `message`) vs a plain inner function (uses nothing).
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
cl()
fn()
print(cl.__qualname__)
print(fn.__qualname__)
