# Fluent Python "variable scope rules": once global b = 6 exists, f1 reads it.
def f1(a):
    print(a)
    print(b)


b = 6
f1(3)
b = 7
f1(4)
