# Nested try blocks, exceptions raised in except/finally handlers, and handler selection order.
def nested(kind):
    try:
        try:
            if kind == 1:
                raise ValueError('v')
            if kind == 2:
                raise KeyError('k')
            print('inner ok')
        except ValueError as e:
            print('inner handled', e)
            raise TypeError('converted')
        finally:
            print('inner finally', kind)
    except TypeError as e:
        print('outer TypeError', e)
    except LookupError as e:
        print('outer LookupError', type(e).__name__, e)
    else:
        print('outer else')
    finally:
        print('outer finally', kind)


nested(0)
nested(1)
nested(2)


def handler_order(x):
    try:
        return [1][x]
    except Exception:
        return 'Exception first'
    except IndexError:
        return 'never'


print(handler_order(5), handler_order(0))
for v in [0, 'a', None]:
    try:
        try:
            print(10 / v)
        except ZeroDivisionError:
            print('zero')
    except TypeError as e:
        print('type error:', e)
