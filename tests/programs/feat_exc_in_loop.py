# Exceptions inside loops: handling per item, breaking out, and counting failures.
values = ['1', 'x', '3', '', '5.0', '6']
good = []
bad = 0
for v in values:
    try:
        good.append(int(v))
    except ValueError as e:
        bad += 1
        print('bad', repr(v), '-', e)
print(good, bad)
data = {'a': 1, 'b': 2}
for key in ['a', 'z', 'b']:
    try:
        print(key, data[key])
    except KeyError as e:
        print('missing', e)
        break
i = 0
while True:
    try:
        x = [10, 20, 30][i]
    except IndexError:
        print('ran off the end at', i)
        break
    i += 1
    print('x =', x)
