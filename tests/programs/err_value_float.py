# ValueError: float() of a non-numeric string.
print(float('1.5'))
print(float('one point five'))
