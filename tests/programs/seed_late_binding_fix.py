# Closure article: fix late binding with a default argument or an inner factory (0 1 2).
def create_functions():
    funcs = []
    for i in range(3):
        def make_func(x=i):  # Bind i immediately
            return x
        funcs.append(make_func)
    return funcs


f0, f1, f2 = create_functions()
print(f0(), f1(), f2())
print(f0(42))


def create_functions_factory():
    def factory(x):
        def func():
            return x
        return func
    funcs = []
    for i in range(3):
        funcs.append(factory(i))
    return funcs


g0, g1, g2 = create_functions_factory()
print(g0(), g1(), g2())

adders = []
for n in [10, 20, 30]:
    adders.append(lambda x, n=n: x + n)
print(adders[0](1), adders[1](1), adders[2](1))
