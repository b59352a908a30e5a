//! One closure call and one closure creation in JIT-compiled code (`cargo bench --bench closures`).
//!
//! Each benchmark is a small Python program whose `run(n)` loops `n` times over one
//! operation. Criterion asks for `iters` iterations; the program runs once with
//! `n = iters` (set through the global `N`), so the reported time is per loop iteration.
//! `loop_baseline` is the same loop with only an integer add, so the cost of the operation
//! itself is roughly the difference.
//!
//! - `closure_call`: `total = f(total)`, where `f` adds a captured variable;
//! - `closure_call_nonlocal`: `total = total + c()`, where `c` bumps a `nonlocal` cell;
//! - `closure_create`: `f = lambda x: x + k`, one new closure capturing a local of `run`;
//! - `closure_create_by_call`: `f = make_adder(i)`: a call that returns a new closure;
//! - `closure_create_with_cell`: `f = make_counter(i)`: a call that makes a new cell (its
//!   variable is `nonlocal` in the closure, so it must be a real cell) and a new closure.
//!
//! The JIT may inline the known calls to `make_adder` / `make_counter`; that is part of
//! what is measured. `--stats` on the same loops shows the objects really are created.
//! Allocation and the collections it triggers are part of the creation figures.

use cellar::jit::{CompileOptions, CompiledProgram};
use cellar_runtime::value::{Value, EXC};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: cellar_runtime::alloc::CountingAllocator = cellar_runtime::alloc::CountingAllocator;

const PRELUDE: &str = "\
def make_adder(k):
    def add(x):
        return x + k
    return add

def make_counter(n):
    def inc():
        nonlocal n
        n = n + 1
        return n
    return inc

";

const BENCHES: &[(&str, &str)] = &[
    (
        "loop_baseline",
        "def run(n):\n    total = 0\n    for i in range(n):\n        total = total + 1\n    return total\n",
    ),
    (
        "closure_call",
        "def run(n):\n    f = make_adder(1)\n    total = 0\n    for i in range(n):\n        total = f(total)\n    return total\n",
    ),
    (
        "closure_call_nonlocal",
        "def run(n):\n    c = make_counter(0)\n    total = 0\n    for i in range(n):\n        total = total + c()\n    return total\n",
    ),
    (
        "closure_create",
        "def run(n):\n    k = 1\n    f = None\n    for i in range(n):\n        f = lambda x: x + k\n    return f\n",
    ),
    (
        "closure_create_by_call",
        "def run(n):\n    f = None\n    for i in range(n):\n        f = make_adder(i)\n    return f\n",
    ),
    (
        "closure_create_with_cell",
        "def run(n):\n    f = None\n    for i in range(n):\n        f = make_counter(i)\n    return f\n",
    ),
];

/// A compiled program plus the global slot of `N`.
struct Loop {
    prog: CompiledProgram,
    n_slot: usize,
}

fn compile(body: &str) -> Loop {
    let source = format!("{PRELUDE}{body}\nresult = run(N)\n");
    let prog = cellar::driver::compile_source("<bench>", &source, &CompileOptions::default()).expect("compiles");
    let n_slot = cellar_runtime::vm::vm()
        .global_names
        .iter()
        .position(|n| n == "N")
        .expect("N is a global");
    Loop { prog, n_slot }
}

impl Loop {
    /// Run the module body with `N = n`; returns the wall time.
    fn run(&self, n: u64) -> Duration {
        let vm = cellar_runtime::vm::vm();
        vm.globals[self.n_slot] = Value::small_int(n as i64).expect("n fits a small int");
        let start = Instant::now();
        let r = unsafe { (self.prog.entry)(Value(0)) };
        let t = start.elapsed();
        assert!(r != EXC, "the benchmark program raised an exception");
        t
    }
}

fn bench_closures(c: &mut Criterion) {
    cellar_runtime::vm::init("<bench>", "", false, 1000);
    let mut group = c.benchmark_group("closures");
    group
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    for (name, body) in BENCHES {
        // Each compile resets the global slots, so compile right before measuring.
        let l = compile(body);
        // A first run checks that the operation is really performed each iteration.
        let before = cellar_runtime::gc::stats();
        l.run(1000);
        let after = cellar_runtime::gc::stats();
        if name.contains("create") {
            assert!(
                after.closures_created - before.closures_created >= 1000,
                "{name}: no closure per iteration"
            );
        }
        if name.contains("with_cell") {
            assert!(
                after.cells_created - before.cells_created >= 1000,
                "{name}: no cell per iteration"
            );
        }
        group.bench_function(*name, |b| b.iter_custom(|iters| l.run(iters)));
    }
    group.finish();
}

criterion_group!(benches, bench_closures);
criterion_main!(benches);
