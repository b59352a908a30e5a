# Fluent Python parameterized register(active=...) decorator (list instead of set).
registry = []


def register(active=True):
    def decorate(func):
        print('running register'
              f'(active={active})->decorate({func.__name__})')
        if active:
            if func not in registry:
                registry.append(func)
        else:
            if func in registry:
                registry.pop(registry.index(func))
        return func
    return decorate


@register(active=False)
def f1():
    print('running f1()')


@register()
def f2():
    print('running f2()')


def f3():
    print('running f3()')


print(len(registry), registry[0].__name__)
register()(f3)
print(len(registry))
register(active=False)(f2)
print(len(registry), registry[0].__name__)
f1()
f2()
f3()
