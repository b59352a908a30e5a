# String operations: concatenation, repetition, comparison, indexing, iteration, escapes.
s = 'Hello'
print(s + ', ' + 'World', s * 2, s[0], s[-1], len(s))
print('a' < 'b', 'abc' < 'abd', 'Z' < 'a', 'abc' == 'abc', 'ab' != 'abc', '' < 'a')
print('ell' in s, 'xyz' not in s, s.startswith('H'))
rev = ''
for ch in s:
    rev = ch + rev
print(rev)
print('tab:\t|', 'quote: \' " ', 'backslash: \\', 'unicode: \u00e9 \u4e2d')
print(repr('\x00\x7f'), len('\n'), 'multi' 'part' 'literal')
print("""triple
quoted""")
words = []
for w in 'a bb ccc'.split():
    words.append(w + str(len(w)))
print(words, '|'.join(words))
print(str(3) + 'x', '%' + 'd', '{}'.format('{}'))
