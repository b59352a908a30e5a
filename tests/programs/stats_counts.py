# 20001 closures (make, and one inc per call) and 20000 cells (each make's c): the counts
# `cellar run --stats` must print exactly, on both engines and under GC torture
# (tests/bench_programs.rs, run_stats::exact_counts). Over a megabyte of them, so the JIT's
# inline allocations cross many budgets and a collection.
def make(i):
    c = i
    def inc():
        nonlocal c
        c = c + 1
        return c
    return inc

kept = []
for i in range(20000):
    f = make(i)
    f()
    if i % 1000 == 0:
        kept.append(f)
print(len(kept), kept[3]())
