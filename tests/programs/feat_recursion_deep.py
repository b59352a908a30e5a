# Moderately deep recursion (depth 500) through plain functions and closures.
def depth(n):
    if n == 0:
        return 0
    return 1 + depth(n - 1)


print(depth(500))


def make_summer():
    def s(n):
        return 0 if n == 0 else n + s(n - 1)
    return s


print(make_summer()(400))


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


print(ackermann(2, 3), ackermann(3, 3))


def hanoi(n, src, dst, via, moves):
    if n > 0:
        hanoi(n - 1, src, via, dst, moves)
        moves.append(src + dst)
        hanoi(n - 1, via, dst, src, moves)
    return moves


m = hanoi(4, 'A', 'C', 'B', [])
print(len(m), ' '.join(m))
