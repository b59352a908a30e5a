# and/or short-circuit evaluation and chained comparisons evaluating each operand once.
def t(label, value):
    print('eval', label)
    return value


print(t('a', 0) and t('b', 1))
print(t('a', 1) and t('b', 2))
print(t('a', 0) or t('b', 0) or t('c', 'last'))
print(t('a', 'first') or t('b', 1))
print(t('x', 1) < t('y', 2) < t('z', 3))
print(t('x', 5) < t('y', 2) < t('z', 3))
print(t('c', True) if t('cond', 0) else t('d', False))
if t('p', []) or t('q', [1]):
    print('took branch')
if not (t('r', 1) and t('s', 0)):
    print('negated')
