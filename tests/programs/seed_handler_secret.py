# Closure article: callback handler and data-privacy closures.
def make_handler(message):
    def handler():
        print(message)
    return handler


greet = make_handler("Hello!")
greet()
bye = make_handler("Bye!")
bye()
greet()


def secret_box():
    secret = "hidden"

    def reveal():
        return secret

    return reveal


box = secret_box()
print(box())  # secret is inaccessible directly
