# TypeError: calling a value that is not a function.
handlers = {'a': lambda: 'called a', 'b': 'not a function'}
print(handlers['a']())
print(handlers['b']())
