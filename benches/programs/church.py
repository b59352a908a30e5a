# church: Church numerals (succ, plus, times, power) built from lambdas and read back as ints.
zero = lambda f: lambda x: x
succ = lambda n: lambda f: lambda x: f(n(f)(x))
plus = lambda m: lambda n: lambda f: lambda x: m(f)(n(f)(x))
times = lambda m: lambda n: lambda f: m(n(f))
power = lambda m: lambda n: n(m)

def to_int(n):
    return n(lambda k: k + 1)(0)

def church(i):
    n = zero
    for _ in range(i):
        n = succ(n)
    return n

def main():
    nums = []
    for i in range(10):
        nums.append(church(i))
    total = 0
    for r in range(12000):
        a = nums[r % 10]
        b = nums[(r * 3) % 10]
        c = nums[(r // 10) % 4]
        total = total + to_int(plus(times(a)(b))(power(b)(c)))
    print(total)

main()
