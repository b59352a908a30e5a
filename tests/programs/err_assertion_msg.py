# AssertionError with a message built by an f-string.
def check(v):
    assert v >= 0, f'negative value: {v}'
    return v


print(check(3))
check(-2)
