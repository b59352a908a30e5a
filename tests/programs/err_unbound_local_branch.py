# UnboundLocalError: the local is only assigned on a branch that was not taken.
def pick(flag):
    if flag:
        result = 'yes'
    return result


print(pick(True))
print(pick(False))
