# Curried lambdas: each level captures the parameters of the levels above it.
add3 = lambda a: lambda b: lambda c: a + b + c
print(add3(1)(2)(3))
