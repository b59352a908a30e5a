# The first statement that runs a function is a lambda's default value.
def reads_later():
    try:
        return LATER
    except NameError as e:
        return "default: " + str(e)


pick = lambda k=reads_later(): k
LATER = 7
print(pick(), reads_later())


def h(x=reads_later()):
    return x


print(h())
