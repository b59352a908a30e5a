# Exceptions raised deep in the call stack are caught by outer frames; frames in between unwind.
def level3(x):
    print('level3', x)
    if x < 0:
        raise ValueError('negative: ' + str(x))
    return [1, 2, 3][x]


def level2(x):
    print('level2 enter')
    r = level3(x)
    print('level2 exit')
    return r


def level1(x):
    try:
        return level2(x)
    except ValueError as e:
        print('level1 caught ValueError:', e)
        return 'V'
    finally:
        print('level1 finally')


print(level1(1))
print(level1(-5))
try:
    level1(10)
except IndexError as e:
    print('module caught', type(e).__name__, e)


def catch_any(f, *args):
    try:
        return f(*args)
    except Exception as e:
        return 'caught ' + type(e).__name__


print(catch_any(level2, 7))
print(catch_any(lambda: {}['missing']))
print(catch_any(lambda a, b: a / b, 1, 0))
print(catch_any(int, 'nope'))
