# Less common format specs: thousands separators, percent, hex/octal/binary, exponent, nested specs.
pi = 3.14159265
n = 42
print(f'{1234567:,} {1234567.891:,.2f} {-9876543:,}')
print(f'{0.5:.1%} {255:x} {255:X} {255:o} {255:b} {1e6:e} {12345.678:.3e}')
width = 7
print(f'{n:>{width}}|{pi:.{2}f}|{"s":{width}}|')
print(f'{n:#o} {n:08b} {-n:06d} {pi:+.3f} {pi: .1f}')
print(f'{1e16:.0f} {2.5:.0f} {3.5:.0f} {0.125:.2f} {1/3:.10f}')
print(f'{123.456:g} {1e-7:g} {1e20:g} {100000:g}')
print('{:,}|{:x}|{:.1%}'.format(10 ** 9, 48879, 0.25))
