# for/else and while/else: else runs only when the loop was not left by break.
def search(xs, target):
    for x in xs:
        if x == target:
            print('found', target)
            break
    else:
        print('not found', target)


search([1, 2, 3], 2)
search([1, 2, 3], 5)
search([], 1)

n = 0
while n < 3:
    n += 1
else:
    print('while finished normally', n)

n = 0
while n < 10:
    n += 1
    if n == 4:
        break
else:
    print('unreachable')
print('broke at', n)

for i in range(3):
    for j in range(3):
        if j == i:
            break
    else:
        print('inner else', i)
    continue
else:
    print('outer else')
