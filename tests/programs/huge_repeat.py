# Repeating a sequence past what memory can hold raises MemoryError (OverflowError for a
# str longer than sys.maxsize), as in CPython, instead of aborting the process; the
# empty sequence repeats to any count. Materializing a huge range fails the same way.
def attempt(make):
    try:
        r = make()
        print("ok", len(r))
    except (MemoryError, OverflowError) as e:
        print(type(e).__name__, str(e))


attempt(lambda: "ab" * 2**46)
attempt(lambda: "ab" * 2**62)
attempt(lambda: 2**46 * "x")
attempt(lambda: [1] * 2**46)
attempt(lambda: [1] * 2**62)
attempt(lambda: (1,) * 2**62)
attempt(lambda: (1, 2) * 2**46)
attempt(lambda: "" * 2**62)
attempt(lambda: [] * 2**62)
attempt(lambda: "abc" * 3)
attempt(lambda: list(range(2**46)))
attempt(lambda: tuple(range(2**46)))
attempt(lambda: sorted(range(2**46)))
print(issubclass(MemoryError, Exception), MemoryError.__name__)
xs = [0] * 2**45
