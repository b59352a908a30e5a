# Fluent Python "Decorators 101": deco replaces target with inner; repr shows the inner function.
def deco(func):
    def inner():
        print('running inner()')
    return inner


@deco
def target():
    print('running target()')


target()
print(target)
print(target.__name__, target.__qualname__)


def plain():
    return 'plain'


print(plain)
