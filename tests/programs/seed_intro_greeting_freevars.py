# Closure article: greet_fn's free variables, by name, from __code__.co_freevars.
def greeting_generator():
    free_var1 = "Hello"
    free_var2 = "there"

    def greet_fn():
        print(f"{free_var1} {free_var2}!")

    return greet_fn


greet = greeting_generator()
greet()
print("My free variables are:", greet.__code__.co_freevars)
print("Free variables:", greet.__code__.co_freevars)
for name, cell in zip(greet.__code__.co_freevars, greet.__closure__):
    print(name, "=", cell.cell_contents)
