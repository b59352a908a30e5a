# Closure article: closures made in a loop all see the loop variable's final value (2 2 2).
def create_functions():
    funcs = []
    for i in range(3):
        def func():
            return i  # i is a free variable
        funcs.append(func)
    return funcs


f0, f1, f2 = create_functions()
print(f0(), f1(), f2())

adders = []
for n in [10, 20, 30]:
    adders.append(lambda x: x + n)
print(adders[0](1), adders[1](1), adders[2](1))
n = 100
print(adders[0](1))
