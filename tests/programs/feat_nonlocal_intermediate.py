# nonlocal through an intermediate function that never mentions the variable itself.
def outer():
    value = 1

    def middle():
        def inner():
            nonlocal value
            value *= 2
            return value
        return inner

    f = middle()
    print('before', value)
    f()
    f()
    print('after', value)
    value = 100
    print('inner sees', f())
    return value


print(outer())


def shadow():
    x = 'outer'

    def middle():
        x = 'middle'

        def inner():
            nonlocal x
            x = x + '+inner'
            return x
        inner()
        return x

    print(middle())
    return x


print(shadow())
