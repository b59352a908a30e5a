# assert: passing assertions do nothing; failing ones raise AssertionError (with message).
assert True
assert 1 + 1 == 2, 'math is broken'
print('passed')
try:
    assert 1 > 2
except AssertionError as e:
    print('caught bare', type(e).__name__, repr(str(e)))
try:
    assert [] , 'empty list is falsy'
except AssertionError as e:
    print('caught', e)


def check(v):
    assert isinstance(v, int), f'expected int, got {type(v).__name__}'
    return v * 2


print(check(4))
try:
    check('s')
except AssertionError as e:
    print('check failed:', e)
