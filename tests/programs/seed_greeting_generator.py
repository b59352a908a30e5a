# Closure article: greet_fn uses two free variables inside an f-string.
def greeting_generator():
    free_var1 = "Hello"
    free_var2 = "there"

    def greet_fn():
        print(f"{free_var1} {free_var2}!")

    return greet_fn


greet = greeting_generator()
greet()
print("My name is:", greet.__name__)
