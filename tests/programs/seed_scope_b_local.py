# Fluent Python "variable scope rules": assigning b in f2 makes b local -> UnboundLocalError.
b = 6


def f2(a):
    print(a)
    print(b)
    b = 9


f2(3)
