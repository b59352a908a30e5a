# 'except E as name' unbinds name however the clause is left: break, continue, return, or falling off its end.
def f():
    for i in range(2):
        try:
            raise ValueError('x')
        except ValueError as e:
            break
    try:
        print(e)
    except UnboundLocalError as u:
        print('unbound', u)

def g():
    try:
        raise KeyError('k')
    except KeyError as e:
        return 'returned'

f()
print(g())
for i in range(3):
    try:
        raise ValueError(i)
    except ValueError as e:
        if i == 1:
            continue
try:
    print(e)
except NameError as n:
    print('name error', n)
