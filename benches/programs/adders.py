# adders: per round, a fresh list of make_adder(k) closures folded over a value (creation-heavy).
def make_adder(k):
    return lambda x: x + k

def main():
    total = 0
    for r in range(6000):
        adders = []
        for k in range(200):
            adders.append(make_adder(k * r % 17))
        v = r
        for a in adders:
            v = a(v)
        total = (total + v) % 1000000007
    print(total)

main()
