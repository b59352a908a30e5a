# Scope article (zh): p(a) prints a then the undefined global b -> NameError.
def p(a):
    print(a)
    print(b)


p(1)
