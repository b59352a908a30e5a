# UnboundLocalError: a later assignment makes the name local to the function.
count = 0


def bump():
    print('bumping')
    count = count + 1
    return count


print('start')
bump()
