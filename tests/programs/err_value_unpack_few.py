# ValueError: not enough values to unpack.
x, y, z = 'xyz'
print(x, y, z)
x, y, z = 'xy'
