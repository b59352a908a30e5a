# compose's shape (the benchmark): eight small lambdas composed into one chain. Specialising
# the outer closure inlines all of it: fourteen calls made known, some only after two fold
# sweeps, so a round limit that counts sweeps too low leaves indirect calls behind.
def compose(f, g):
    return lambda x: f(g(x))

fs = [lambda x: x - 2,
      lambda x: x * 3,
      lambda x: x + 5,
      lambda x: x % 1000003,
      lambda x: x - 11,
      lambda x: x * 5,
      lambda x: x + 7,
      lambda x: x % 999983]
h = fs[0]
for i in range(1, len(fs)):
    h = compose(h, fs[i])
acc = 1
total = 0
for i in range(3000):
    acc = h(acc + i)
    total = (total + acc) % 1000000007
print(total)
print(h(-50), h(2 ** 60), h(True))
try:
    h("x")
except TypeError as e:
    print("TypeError", e)
