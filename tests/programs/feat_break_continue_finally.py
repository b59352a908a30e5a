# break and continue inside try/finally: the finally block still runs each time.
for i in range(5):
    try:
        if i == 1:
            continue
        if i == 3:
            break
        print('body', i)
    finally:
        print('finally', i)
print('after for')

n = 0
while True:
    n += 1
    try:
        try:
            if n % 2 == 0:
                continue
            if n > 5:
                break
            print('odd', n)
        finally:
            print('inner finally', n)
    finally:
        print('outer finally', n)
print('after while', n)


def find(xs, target):
    for i in range(len(xs)):
        try:
            if xs[i] == target:
                return i
        finally:
            print('checked', i)
    return -1


print(find(['a', 'b', 'c'], 'b'))
print(find(['a'], 'z'))
for i in range(3):
    try:
        if i == 1:
            raise ValueError(i)
    except ValueError:
        print('caught, continuing')
        continue
    finally:
        print('done', i)
    print('tail', i)
