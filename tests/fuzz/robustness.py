#!/usr/bin/env python3
"""Throw bad input at `cellar run`: random bytes, every truncation of the corpus programs,
deep nesting, unsupported syntax. Any exit other than 0/1/2, a signal, a Rust panic
message or a time-out is reported as a failure.

    python3 tests/fuzz/robustness.py target/release/cellar [--seed N] [--random N]
"""
import glob
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def run(binary, text, timeout=20):
    with tempfile.NamedTemporaryFile("wb", suffix=".py", delete=False) as f:
        f.write(text if isinstance(text, bytes) else text.encode())
        path = f.name
    try:
        r = subprocess.run([binary, "run", path], capture_output=True, timeout=timeout)
        err = r.stderr.decode(errors="replace")
        bad = r.returncode not in (0, 1, 2) or "panicked" in err or "internal compiler error" in err
        return (f"exit {r.returncode}: {err.strip().splitlines()[-1:] if err else ''}") if bad else None
    except subprocess.TimeoutExpired:
        # Only a failure if CPython finishes the same program in time (it may loop forever).
        try:
            subprocess.run(["python3", path], capture_output=True, timeout=timeout)
            return "timeout (CPython finishes)"
        except subprocess.TimeoutExpired:
            return None
    finally:
        os.unlink(path)


def cases(seed, nrandom):
    rng = random.Random(seed)
    for i in range(nrandom):
        yield f"random-bytes-{i}", bytes(rng.randrange(256) for _ in range(rng.randrange(1, 400)))
    alphabet = "def lambda nonlocal global return ( ) [ ] { } : , = + - * / % x y 1 2.5 'a' \n    if else while for in".split(" ")
    for i in range(nrandom):
        yield f"random-tokens-{i}", " ".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 60)))
    for path in sorted(glob.glob(os.path.join(HERE, "..", "programs", "*.py")))[:40]:
        src = open(path).read()
        for cut in sorted(set(rng.randrange(len(src)) for _ in range(6))):
            yield f"truncated-{os.path.basename(path)}-{cut}", src[:cut]
    for depth in (50, 150, 250, 1000, 100000):
        yield f"nested-parens-{depth}", "x = " + "(" * depth + "1" + ")" * depth + "\nprint(x)\n"
        yield f"nested-lists-{depth}", "x = " + "[" * depth + "]" * depth + "\nprint(len(x))\n"
        yield f"nested-unary-{depth}", "x = " + "-" * depth + "1\nprint(x)\n"
        yield f"nested-binop-{depth}", "x = " + "+".join(["1"] * depth) + "\nprint(x)\n"
    for depth in (10, 50, 100, 200):
        src = ""
        for d in range(depth):
            src += "    " * d + f"def f{d}():\n"
        src += "    " * depth + "return 1\n"
        yield f"nested-defs-{depth}", src + "print('ok')\n"
        src = "".join("    " * d + "if True:\n" for d in range(depth)) + "    " * depth + "print('deep')\n"
        yield f"nested-ifs-{depth}", src
    yield "deep-recursion", "def f(n):\n    return f(n + 1)\nf(0)\n"
    yield "deep-closure-recursion", "def g():\n    def h(n):\n        return h(n + 1) + 1\n    return h(0)\ng()\n"
    for src in ["class A: pass\n", "import os\n", "x = [i for i in y]\n", "async def f(): pass\n",
                "with a: pass\n", "def f():\n    yield 1\n", "x = {1, 2}\n", "print(1 if (y := 2) else 3)\n",
                "x.y = 1\n", "match x:\n    case 1: pass\n", "x = b'abc'\n", "x = 1j\n", "x = a @ b\n"]:
        yield "unsupported-" + src.split()[0], src


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/release/cellar"
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    nrandom = int(sys.argv[sys.argv.index("--random") + 1]) if "--random" in sys.argv else 100
    failures = 0
    total = 0
    for name, text in cases(seed, nrandom):
        total += 1
        bad = run(binary, text)
        if bad:
            failures += 1
            print(f"FAIL {name}: {bad}")
    print(f"{total - failures} passed, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
