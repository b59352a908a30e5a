# Stacked decorators apply bottom-up at definition time and run outside-in at call time.
def tag(name):
    print('making decorator', name)

    def decorate(func):
        print('decorating', func.__name__, 'with', name)

        def wrapper(*args):
            print('enter', name)
            result = '<' + name + '>' + func(*args) + '</' + name + '>'
            print('exit', name)
            return result
        return wrapper
    return decorate


@tag('b')
@tag('i')
@tag('u')
def text(s):
    print('body')
    return s


print(text('hello'))


def double(f):
    return lambda x: f(x) * 2


def inc(f):
    return lambda x: f(x) + 1


@double
@inc
def ident(x):
    return x


@inc
@double
def ident2(x):
    return x


print(ident(5), ident2(5))
print(ident.__name__)
