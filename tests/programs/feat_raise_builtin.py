# raise built-in exceptions (class or instance), except tuples, str(e), type(e).__name__, re-raise.
def risky(kind):
    if kind == 'value':
        raise ValueError('bad value')
    if kind == 'type':
        raise TypeError('bad type')
    if kind == 'key':
        raise KeyError('some key')
    if kind == 'class':
        raise RuntimeError
    if kind == 'index':
        raise IndexError('idx 2')
    return 'fine'


for kind in ['value', 'type', 'key', 'class', 'index', 'none']:
    try:
        print(risky(kind))
    except (ValueError, TypeError) as e:
        print('VT:', type(e).__name__, str(e))
    except KeyError as e:
        print('K:', str(e), repr(e))
    except Exception as e:
        print('other:', type(e).__name__, repr(str(e)), e)


def reraiser():
    try:
        risky('value')
    except ValueError:
        print('logging and re-raising')
        raise


try:
    reraiser()
except ValueError as e:
    print('outer got', e)
try:
    raise NotImplementedError('later')
except RuntimeError as e:
    print('NotImplementedError is a RuntimeError:', type(e).__name__, e)
try:
    raise ZeroDivisionError('custom')
except ArithmeticError as e:
    print(type(e).__name__, e)
try:
    raise StopIteration
except Exception as e:
    print(type(e).__name__, repr(str(e)))
