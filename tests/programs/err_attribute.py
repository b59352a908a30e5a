# AttributeError: calling a method that the type does not have.
xs = [3, 1, 2]
xs.sort()
print(xs)
xs.push(4)
