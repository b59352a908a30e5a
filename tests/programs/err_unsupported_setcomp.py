# Unsupported construct: cellar rejects a set comprehension before running anything.
print('never printed by cellar')
squares = {n * n for n in range(5)}
print(squares)
