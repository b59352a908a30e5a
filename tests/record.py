#!/usr/bin/env python3
"""Record CPython's results for the conformance corpus in tests/programs.

For every tests/programs/NAME.py this runs `python3 NAME.py` (cwd = tests/programs, so
tracebacks say `File "NAME.py"`) and writes tests/programs/NAME.expected:

    # exit: N
    # stderr: <last line of stderr, or empty>
    <exact stdout>

A file whose first line is `# hand-written` is never overwritten: it holds the result
cellar must produce where CPython's differs (e.g. constructs cellar rejects). Its
remaining lines use the same format.

Usage:
    python3 tests/record.py                 # record every program
    python3 tests/record.py NAME [NAME...]  # only these (NAME, NAME.py or a path)
    python3 tests/record.py --check         # re-run and report programs whose
                                            # .expected is out of date (writes nothing)
Addresses (0x...) are stored as 0x?, as the harness compares them.
Every program is run twice; a program whose two runs differ is reported as
nondeterministic and not recorded (exit status 1).
"""

import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "programs")
HAND_WRITTEN = "# hand-written"
PYTHON = os.environ.get("PYTHON", "python3")
TIMEOUT = 60
ADDRESS = re.compile(r"0x[0-9a-f]+")


def run(name):
    env = dict(os.environ)
    env["PYTHONHASHSEED"] = "0"
    env.pop("PYTHONSTARTUP", None)
    proc = subprocess.run(
        [PYTHON, name + ".py"],
        cwd=PROGRAMS,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=TIMEOUT,
        env=env,
    )
    stdout = proc.stdout.decode("utf-8")
    stderr = proc.stderr.decode("utf-8")
    lines = stderr.rstrip("\n").split("\n")
    last = lines[-1].rstrip() if stderr.strip() else ""
    result = "# exit: %d\n# stderr: %s\n%s" % (proc.returncode, last, stdout)
    # Function reprs carry addresses; the harness maps every 0x... to 0x? on both sides,
    # so store the normalized form (keeps re-recording stable).
    return ADDRESS.sub("0x?", result)


def is_hand_written(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().rstrip("\n") == HAND_WRITTEN
    except FileNotFoundError:
        return False


def program_names(args):
    if not args:
        return sorted(f[:-3] for f in os.listdir(PROGRAMS) if f.endswith(".py"))
    names = []
    for a in args:
        base = os.path.basename(a)
        for suffix in (".py", ".expected"):
            if base.endswith(suffix):
                base = base[: -len(suffix)]
        if not os.path.exists(os.path.join(PROGRAMS, base + ".py")):
            sys.exit("no such program: %s" % a)
        names.append(base)
    return names


def main(argv):
    check = "--check" in argv
    args = [a for a in argv if a != "--check"]
    bad = 0
    written = skipped = unchanged = 0
    for name in program_names(args):
        path = os.path.join(PROGRAMS, name + ".expected")
        if is_hand_written(path):
            skipped += 1
            continue
        first = run(name)
        second = run(name)
        if first != second:
            print("NONDETERMINISTIC: %s" % name)
            bad += 1
            continue
        old = None
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                old = f.read()
        if old == first:
            unchanged += 1
            continue
        if check:
            print("OUT OF DATE: %s" % name)
            bad += 1
            continue
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(first)
        written += 1
        status = first.split("\n", 2)
        print("recorded %-40s %s  %s" % (name, status[0][2:], status[1][2:]))
    print("%d written, %d unchanged, %d hand-written skipped, %d problems"
          % (written, unchanged, skipped, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
