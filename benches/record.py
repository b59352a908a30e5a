"""Record CPython's output of the benchmark programs: benches/programs/NAME.expected.

    python3 benches/record.py            # every program
    python3 benches/record.py NAME...    # some
    python3 benches/record.py --check    # report stale or missing files, write nothing

Each program is run twice to make sure its output is deterministic, and must exit 0.
"""
import pathlib
import subprocess
import sys

DIR = pathlib.Path(__file__).resolve().parent / "programs"


def output(path):
    r = subprocess.run([sys.executable, path.name], cwd=DIR, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{path.name}: exit status {r.returncode}\n{r.stderr}")
    return r.stdout


def main(args):
    check = "--check" in args
    names = [a for a in args if a != "--check"]
    paths = [DIR / f"{n}.py" for n in names] if names else sorted(DIR.glob("*.py"))
    stale = 0
    for p in paths:
        out = output(p)
        if output(p) != out:
            sys.exit(f"{p.name}: output differs between two runs")
        exp = p.with_suffix(".expected")
        old = exp.read_text() if exp.exists() else None
        if old == out:
            continue
        stale += 1
        if check:
            print(f"stale: {exp.name}")
        else:
            exp.write_text(out)
            print(f"wrote {exp.name}")
    if check and stale:
        sys.exit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
