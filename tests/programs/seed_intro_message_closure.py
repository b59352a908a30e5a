# Closure article summary: message_printer is a closure; returns_a_closure's cell shows through __closure__.
def message_generator():
    message = "Hello, I'm a variable in message_generator()."

    def message_printer():  # <-- closure
        print(message)  # <-- `message` is from an outer, non-local scope

    return message_printer


my_function = message_generator()
my_function()  # --> Hello, I'm a variable in message_generator().


def returns_a_closure():
    message = "Hello, I'm a variable in returns_a_closure()."

    def i_am_a_closure():
        print(message)

    return i_am_a_closure


cl = returns_a_closure()

print(cl.__closure__)  # --> (<cell at 0x7f894f27ba90: str object at 0x7f894f1bb930>,)
print(my_function.__code__.co_freevars, cl.__code__.co_freevars)
