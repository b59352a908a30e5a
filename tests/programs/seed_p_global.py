# Scope article (zh): with b = 2 defined at module level, p(1) prints 1 then 2.
def p(a):
    print(a)
    print(b)


b = 2
p(1)
