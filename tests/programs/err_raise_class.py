# Raising an exception class (no arguments) gives a bare type name on the last line.
print('about to raise')
raise IndexError
