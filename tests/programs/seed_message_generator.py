# Closure article: message_printer still sees `message` after message_generator returned.
def message_generator():
    message = "Hello, I'm a variable in message_generator()."

    def message_printer():
        print(message)

    return message_printer


my_function = message_generator()
my_function()
my_function()
