# TypeError: str + int concatenation.
label = 'count: '
print(label + str(3))
print(label + 3)
