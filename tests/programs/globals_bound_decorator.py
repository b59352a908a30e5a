# The first statement that runs a function is a decorator: it reads a global bound after
# the decorated def, which must raise NameError there and work afterwards.
def reads_later():
    return LATER


def deco(f):
    try:
        reads_later()
    except NameError as e:
        print("decorator:", e)
    return f


@deco
def g():
    return LATER + 1


LATER = 5
print(reads_later(), g())
