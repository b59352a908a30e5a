# compose: pipelines built by composing small lambdas, rebuilt every round and called often.
def compose(f, g):
    def h(x):
        return g(f(x))
    return h

def pipeline(fs):
    p = fs[0]
    for i in range(1, len(fs)):
        p = compose(p, fs[i])
    return p

def main():
    steps = [lambda x: x + 3, lambda x: x * 7, lambda x: x % 10007, lambda x: x - 5,
             lambda x: x * x % 65521, lambda x: x + 1]
    total = 0
    for r in range(4000):
        p = pipeline(steps)
        for i in range(60):
            total = (total + p(i + r)) % 1000000007
    print(total)

main()
