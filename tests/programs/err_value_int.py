# ValueError: int() of a non-numeric string.
for s in ['10', '-3', 'x']:
    print(int(s) * 2)
