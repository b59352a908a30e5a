# sorted() and list.sort() with key= and reverse=, stability, and sorting strings and tuples.
words = ['banana', 'Apple', 'cherry', 'date', 'fig', 'elderberry']
print(sorted(words))
print(sorted(words, key=len))
print(sorted(words, key=len, reverse=True))
print(sorted(words, key=lambda w: w.lower()))
print(sorted(words, reverse=True))
pairs = [(2, 'b'), (1, 'z'), (2, 'a'), (1, 'a')]
print(sorted(pairs))
print(sorted(pairs, key=lambda p: p[0]))
print(sorted(pairs, key=lambda p: p[1], reverse=True))
nums = [5, -3, 2, -8, 0, 7]
print(sorted(nums), sorted(nums, key=abs), nums)
nums.sort()
print(nums)
nums.sort(reverse=True)
print(nums)
nums.sort(key=lambda v: (v % 3, v))
print(nums)
print(sorted('hello'), sorted((3, 1, 2)), sorted({'b': 1, 'a': 2}))
print(sorted([1.5, 1, 0.5, True]))


def by_field(i):
    return lambda row: row[i]


rows = [('ann', 30), ('bob', 25), ('cy', 35)]
print(sorted(rows, key=by_field(1)))
print(sorted(rows, key=by_field(0), reverse=True))
