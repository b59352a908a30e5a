# str methods: join split upper lower strip replace startswith endswith format.
s = '  Hello, World  '
print(repr(s.strip()), repr(s.upper()), repr(s.lower()))
print(s.strip().split(', '))
print('a b  c\td\ne'.split())
print('a,b,,c'.split(','))
print('one two three'.split(' ', 1))
print('-'.join(['x', 'y', 'z']), ''.join(['a', 'b']), ', '.join([]))
print('-'.join('abc'))
print('banana'.replace('a', 'o'), 'banana'.replace('an', '', 1))
print('hello'.startswith('he'), 'hello'.startswith('lo'), 'hello'.endswith('lo'))
print('xxhixx'.strip('x'), '\n padded \t'.strip())
print('{} + {} = {}'.format(1, 2, 3))
print('{0}{1}{0}'.format('ab', 'cd'))
print('{name} is {age}'.format(name='Ann', age=7))
print('{:>6}|{:<6}|{:^6}|'.format('r', 'l', 'c'))
print('{:.3f} {:5d} {!r}'.format(3.14159, 42, 'q'))
print('MiXeD'.upper().lower())
words = 'the quick brown fox'.split()
caps = []
for w in words:
    caps.append(w.upper())
print(' '.join(caps))
print('abc' * 3, 'ab' + 'cd', 'b' in 'abc', 'abc' < 'abd', len('héllo'))
