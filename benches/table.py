"""Print the README's speed-up table (Markdown) from `cellar bench --json` output.

    python3 benches/table.py docs/bench.json

One row per program: JIT vs interpreter, interpreter vs python3 and JIT vs python3 as
ratios of median whole-process wall times (higher is faster), then the geomean row.
A ratio that could not be measured (an engine did not run) shows as "pending".
"""
import json
import pathlib
import sys

COLUMNS = [("jit", "interp"), ("interp", "python3"), ("jit", "python3")]
HEADERS = ["JIT vs interpreter", "interpreter vs python3", "JIT vs python3"]


def fmt(x):
    return "pending" if x is None else f"{x:.2f}"


def main(path):
    data = json.loads(pathlib.Path(path).read_text())
    print("| benchmark | " + " | ".join(HEADERS) + " | JIT | interpreter | python3 |")
    print("|---|" + "---:|" * (len(HEADERS) + 3))
    for f in data["files"]:
        med = {e["engine"]: e["median_ms"] for e in f["engines"]}
        cells = []
        for a, b in COLUMNS:
            cells.append(fmt(med[b] / med[a]) if a in med and b in med else "pending")
        times = [f"{med[e]:.0f} ms" if e in med else "-" for e in ("jit", "interp", "python3")]
        print(f"| {pathlib.Path(f['file']).stem} | " + " | ".join(cells + times) + " |")
    g = data["geomean"]
    cells = [fmt(g.get(f"{a}_vs_{b}")) for a, b in COLUMNS]
    print("| **geomean** | " + " | ".join(f"**{c}**" for c in cells) + " | | | |")


if __name__ == "__main__":
    main(sys.argv[1])
