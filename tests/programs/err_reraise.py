# A bare `raise` in an except block re-raises the original exception.
def parse(s):
    try:
        return int(s)
    except ValueError:
        print('could not parse', repr(s))
        raise


print(parse('12'))
parse('twelve')
