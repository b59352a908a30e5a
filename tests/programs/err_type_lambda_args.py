# TypeError: a lambda called with too few arguments.
pair = lambda a, b: (a, b)
print(pair(1, 2))
pair(1)
