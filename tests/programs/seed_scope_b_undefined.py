# Fluent Python "variable scope rules": f1 reads global b that is not defined -> NameError.
def f1(a):
    print(a)
    print(b)


f1(3)
