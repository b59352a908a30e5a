# KeyError: missing dict key looked up inside a closure.
def make_lookup(table):
    def lookup(k):
        return table[k]
    return lookup


lookup = make_lookup({'a': 1, 'b': 2})
print(lookup('a'))
print(lookup('missing'))
