# while loops with break, continue, nested loops and counters (collatz, primes, gcd).
def collatz(n):
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


print(collatz(27), collatz(1), collatz(97))
primes = []
n = 2
while len(primes) < 15:
    d = 2
    is_prime = True
    while d * d <= n:
        if n % d == 0:
            is_prime = False
            break
        d += 1
    n += 1
    if not is_prime:
        continue
    primes.append(n - 1)
print(primes)


def gcd(a, b):
    while b:
        a, b = b, a % b
    return a


print(gcd(1071, 462), gcd(2 ** 40, 6 ** 20), gcd(17, 5))
i = 10
while i:
    i -= 3
    if i < 0:
        print('went negative', i)
        break
