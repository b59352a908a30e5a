# CPython 3.11's 4300-digit limit on int/str conversions (str, repr, f-strings, %, format, int())
big = 10 ** 4300
ok = big - 1
print(len(str(ok)), len(repr(-ok)), len(f"{ok}"), len("%d" % ok), len(format(ok, ",")))
for src in [lambda: str(big), lambda: repr(-big), lambda: f"{big}", lambda: f"{big!r}", lambda: "%d" % big,
            lambda: "%s" % big, lambda: format(big, ","), lambda: "{}".format(big), lambda: str([big]),
            lambda: int("1" * 4301), lambda: int("1" * 4301, 7), lambda: int("1_" * 4301 + "1"),
            lambda: int("1" * 4301 + "x"), lambda: int("1" * 4301, 0), lambda: ", ".join(map(str, [1, big]))]:
    try:
        r = src()
        print("ok", len(r))
    except ValueError as e:
        print(e)
print(int("1" * 4301, 16) > 0, int("0x" + "1" * 4301, 0) > 0, len(hex(big)), len(format(big, "x")))
def grow():
    x = 7
    for i in range(20):
        x = x * x
        print(i, x % 1000)
    return x
print("a", grow())
