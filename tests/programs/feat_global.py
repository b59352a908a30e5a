# global declarations: reading, rebinding and creating module globals from (nested) functions.
counter = 0


def bump():
    global counter
    counter += 1
    return counter


bump()
bump()
print(counter)


def create():
    global created
    created = 'made in create()'


create()
print(created)


def outer():
    x = 'local to outer'

    def inner():
        global x
        x = 'global x'
    inner()
    return x


print(outer())
print(x)


def reader():
    return counter * 100


counter = 7
print(reader())


def shadow():
    counter = 'local'
    return counter


print(shadow(), counter)


def global_in_loop(n):
    global counter
    for i in range(n):
        counter += i
    return counter


print(global_in_loop(4))
