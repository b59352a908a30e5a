# Scope article (zh): b = 3 later in p2 makes b local, so print(b) fails.
b = 2


def p2(a):
    print(a)
    print(b)
    b = 3


p2(1)
