# Fluent Python "variable scope rules": `global b` makes f3 read and rebind the global.
b = 6


def f3(a):
    global b
    print(a)
    print(b)
    b = 9


f3(3)
print(b)
f3(3)
b = 30
print(b)
f3(4)
print(b)
