# ZeroDivisionError raised through two closure frames.
def make_divider(d):
    def divide(n):
        return n / d
    return divide


def apply(f, xs):
    out = []
    for x in xs:
        out.append(f(x))
        print('ok', x)
    return out


print(apply(make_divider(2), [1, 2]))
apply(make_divider(0), [1])
