# Exceptions raised inside closures propagate to callers; closure state survives the error.
def make_safe_divider():
    errors = []
    count = 0

    def divide(a, b):
        nonlocal count
        count += 1
        try:
            return a / b
        except ZeroDivisionError as e:
            errors.append((a, str(e)))
            raise

    def stats():
        return count, errors

    return divide, stats


divide, stats = make_safe_divider()
print(divide(1, 4))
try:
    divide(5, 0)
except ZeroDivisionError as e:
    print('caller saw', type(e).__name__, e)
print(divide(9, 3))
print(stats())


def make_validator(limit):
    def check(v):
        if v > limit:
            raise ValueError(f'{v} exceeds {limit}')
        return v
    return check


def apply_all(f, values):
    ok = []
    for v in values:
        try:
            ok.append(f(v))
        except ValueError as e:
            print('skip:', e)
    return ok


print(apply_all(make_validator(5), [1, 7, 3, 10, 5]))
