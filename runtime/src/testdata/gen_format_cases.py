import random, json, struct
random.seed(7)
lines = []
floats = [0.0, -0.0, 1.0, -1.5, 100.0, 1234.5678, 1e16, 1e15, 1.5, 0.0001, 1e-5, 12345678.9, 2.5, 1e100, 0.1, 0.125, 0.375, 2.675, 1/3, 2/3, 5e-324, 1.7976931348623157e308, 123456789.125, 0.5, 9.995, 99.5, 1e22, 1e-7]
for _ in range(60):
    floats.append(random.uniform(-1e6, 1e6))
    floats.append(random.random() * 10 ** random.randint(-30, 30))
fspecs = ['', '.3', '.1', '.2', '10.3', 'g', '.3g', 'e', '.2e', '%', '.1%', ',', ',.2f', '010.2f', '+', ' ', '=+10.2f', '^10', '*^10.1f', '#g', '.0f', '.0e', 'f', 'G', 'E', '.2f', '.5f', '.10g', '>12.4e', '<10', '.15g', '.17g', '_.3f', '08.3f', '.1f', '.4f']
for f in floats:
    lines.append(("r", repr(f).replace('\\','\\\\'), str(struct.unpack("<Q", struct.pack("<d", f))[0]), ''))
    for sp in fspecs:
        try:
            lines.append(("f", format(f, sp), str(struct.unpack("<Q", struct.pack("<d", f))[0]), sp))
        except Exception as e:
            pass
ints = [0, 1, -1, 42, -1234567, 2**47-1, -2**47, 2**63, -2**100, 255, 10**20]
ispecs = ['', 'd', '5', '<5', '^5', '=5', '+', '05', ',', '_', 'x', '#x', '#X', 'o', '#o', 'b', '#b', '_b', '_x', '010,', '07,', 'e', 'f', '.2f', 'g', '%', '+05', ' ', '08_x', '#010x', '>10,', 'X', '^+9']
for i in ints:
    for sp in ispecs:
        lines.append(("i", format(i, sp), str(i), sp))
for s in ['', 'ab', 'hello world', 'é😀x']:
    for sp in ['', '5', '<5', '>5', '^6', 'x<4', '.1', '10.3', '*^9', '05']:
        lines.append(("s", format(s, sp), s, sp))
# round
for f in floats[:60]:
    for nd in [0, 1, 2, 3, -1, -2]:
        lines.append(("round", repr(round(f, nd)), str(struct.unpack("<Q", struct.pack("<d", f))[0]), str(nd)))
with open('format_cases.txt', 'w') as fh:
    for l in lines:
        fh.write('\t'.join(l) + '\n')
print(len(lines))
