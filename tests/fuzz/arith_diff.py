#!/usr/bin/env python3
"""Differential fuzzing of arithmetic against CPython: random nested expressions of
+ - * / // % over values at the edges (small ints near +-2**47, big ints, floats, bools,
strs, zero), inside functions and loops, run by `cellar run` (and `--interp` with -i) and by
python3; stdout and exit status must be equal.

It exercises the JIT's raw-int and raw-float expression trees (jit/lower/arith.rs) and their
bails to the generic code: each program is either float-free (int trees) or has floats
(float trees), since the JIT picks the tree kind per program. Every fourth program is
loops that carry a value through arithmetic and inlined helper calls instead (the merges
that jit/floats.rs proves floats through).

Usage: python3 tests/fuzz/arith_diff.py target/release/cellar [--seed N] [--programs N] [-i]
"""

import os
import random
import subprocess
import sys
import tempfile

INTS = ["0", "1", "-1", "2", "3", "7", "-7", "13", "2**47 - 1", "-2**47", "2**46", "-2**46 - 5",
        "2**47", "2**63", "-2**70", "True", "False", "1000003"]
FLOATS = ["0.5", "-2.25", "1e300", "-0.0", "3.0", "1e-310", "2.5e15"]
OTHERS = ['"ab"', "[1]", '"%.1f"']
OPS_INT = ["+", "-", "*", "//", "%"]
OPS_FLOAT = ["+", "-", "*", "/", "//", "%"]


def expr(rng, depth, leaves, ops):
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(leaves)
    op = rng.choice(ops)
    return f"({expr(rng, depth - 1, leaves, ops)} {op} {expr(rng, depth - 1, leaves, ops)})"


def program(rng, floats):
    consts = INTS + (FLOATS if floats else []) + OTHERS
    ops = OPS_FLOAT if floats else OPS_INT
    names = ["a", "b", "c", "i"]
    lines = ["def probe(e):", "    try:", "        return repr(e())", "    except Exception as x:",
             "        return type(x).__name__", ""]
    for k in range(12):
        params = ", ".join(names[:3])
        lines.append(f"def f{k}({params}):")
        lines.append("    out = []")
        lines.append("    for i in range(3):")
        body = expr(rng, 4, names + consts[:6], ops)
        lines.append(f"        out.append(probe(lambda: {body}))")
        lines.append(f"        t = {expr(rng, 3, names + ['1', '2', '7'], ops[:3])}")
        lines.append("        out.append(probe(lambda: t))")
        lines.append("    return out")
        for _ in range(4):
            args = ", ".join(rng.choice(consts) for _ in range(3))
            lines.append(f"print(f{k}({args}))")
        lines.append("")
    for _ in range(20):
        lines.append(f"print(probe(lambda: {expr(rng, 4, consts, ops)}))")
    return "\n".join(lines) + "\n"


# Small functions the accumulating loops call: inlined, their results reach the caller
# through the merges of their operation's paths (what jit/floats.rs reasons about).
HELPERS = ["def d0(x, y):", "    return x / y", "def d1(x, y):", "    return x % y",
           "def d2(x, y):", "    return x + y * 0.5", "def d3(x, y):", "    return x // y", ""]


def call_expr(rng, depth, leaves, ops):
    """`expr`, with calls of the helpers among the operands."""
    if depth == 0 or rng.random() < 0.25:
        return rng.choice(leaves)
    a, b = call_expr(rng, depth - 1, leaves, ops), call_expr(rng, depth - 1, leaves, ops)
    if rng.random() < 0.3:
        return f"d{rng.randrange(4)}({a}, {b})"
    return f"({a} {rng.choice(ops)} {b})"


def accumulators(rng, consts, ops):
    """Loops that carry a value `s` from one iteration to the next through arithmetic on
    it, the parameters and helper calls (a float accumulator, when the start is one)."""
    lines = list(HELPERS)
    leaves = ["s", "a", "b", "i", "s", "1", "2", "0.5"]
    for k in range(6):
        lines.append(f"def g{k}(a, b):")
        lines.append("    out = []")
        lines.append(f"    s = {rng.choice(consts)}")
        lines.append("    for i in range(4):")
        lines.append("        try:")
        lines.append(f"            s = {call_expr(rng, 3, leaves, ops)}")
        lines.append("        except Exception as x:")
        lines.append("            out.append(type(x).__name__)")
        lines.append("        out.append(repr(s))")
        lines.append("    return out")
        for _ in range(3):
            lines.append(f"print(g{k}({rng.choice(consts)}, {rng.choice(consts)}))")
        lines.append("")
    return lines


def run(cmd, path):
    r = subprocess.run(cmd + [path], capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout


def main():
    args = sys.argv[1:]
    binary = args[0]
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    count = int(args[args.index("--programs") + 1]) if "--programs" in args else 40
    engines = [[binary, "run"]] + ([[binary, "run", "--interp"]] if "-i" in args else [])
    rng = random.Random(seed)
    failed = 0
    with tempfile.TemporaryDirectory() as d:
        for n in range(count):
            if n % 4 == 3:
                text = "\n".join(accumulators(rng, INTS + FLOATS + OTHERS, OPS_FLOAT)) + "\n"
            else:
                text = program(rng, floats=(n % 2 == 1))
            path = os.path.join(d, f"p{n}.py")
            with open(path, "w") as f:
                f.write(text)
            want = run([sys.executable], path)
            for cmd in engines:
                got = run(cmd, path)
                if got != want:
                    failed += 1
                    keep = f"/tmp/arith_diff_{seed}_{n}.py"
                    with open(keep, "w") as f:
                        f.write(text)
                    wl, gl = want[1].splitlines(), got[1].splitlines()
                    first = next((i for i in range(min(len(wl), len(gl))) if wl[i] != gl[i]), None)
                    where = f"line {first + 1}: want {wl[first]!r}, got {gl[first]!r}" if first is not None \
                        else f"exit {want[0]} vs {got[0]}, {len(wl)} vs {len(gl)} lines"
                    print(f"MISMATCH {' '.join(cmd[1:])} {keep}: {where}")
    print(f"{count} programs, {failed} mismatches")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
