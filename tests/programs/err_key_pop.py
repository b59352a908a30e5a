# KeyError: dict.pop of a missing key without a default (int key).
d = {1: 'one'}
print(d.pop(1))
print(d.pop(1))
