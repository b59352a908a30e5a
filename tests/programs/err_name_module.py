# NameError for an undefined name at module level, after some output.
print('before')
x = 1
print(x + y)
