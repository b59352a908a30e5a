# TypeError: missing a required positional argument.
def greet(greeting, name):
    return greeting + ', ' + name


print(greet('hi', 'ann'))
greet('hello')
