# f-strings: expressions, conversions and format specs (.2f, >8, <8, ^8, 05d, commas, signs).
name = 'cellar'
pi = 3.14159265
n = 42
print(f'{name} {n} {pi}')
print(f'{pi:.2f}|{pi:8.3f}|{pi:<8.1f}|{-pi:.0f}')
print(f'[{name:>8}] [{name:<8}] [{name:^8}] [{name:*^10}]')
print(f'{n:05d} {n:+d} {-n:d} {n:>5} {n:<5}|')
print(f'{name!r} {n!r} {[1, "a"]!r} {name!s}')
print(f'{n * 2} {n // 5} {n % 5} {n / 8}')
print(f'{"quoted"} {len(name)} {name.upper()}')
print(f'{{literal}} {{{n}}}')
t = (1, 2)
d = {'k': 'v'}
print(f'{t} {d} {d["k"]} {None} {True}')
print(f'{3.0} {1e20} {-0.0}')


def fmt_row(label, value):
    return f'{label:<10}{value:>8.2f}'


print(fmt_row('alpha', 1.5))
print(fmt_row('beta', 1234.5678))
