# try/except/else/finally run in the right order, with and without an exception.
def attempt(x):
    print('start', x)
    try:
        print('try')
        r = 10 // x
        print('no error', r)
    except ZeroDivisionError as e:
        print('except', type(e).__name__, str(e))
        r = None
    else:
        print('else')
    finally:
        print('finally')
    print('after', r)
    return r


attempt(2)
attempt(0)


def ret_in_try():
    try:
        print('in try')
        return 'from try'
    finally:
        print('finally before return')


print(ret_in_try())


def ret_in_finally():
    try:
        return 'try value'
    finally:
        return 'finally value'


print(ret_in_finally())


def exc_in_finally_path():
    try:
        try:
            raise KeyError('k')
        finally:
            print('inner finally')
    except KeyError as e:
        print('outer caught', repr(e))
    finally:
        print('outer finally')


exc_in_finally_path()
