//! One closure call and one closure creation in JIT-compiled code (`cargo bench --bench closures`).
//!
//! Each benchmark is a small Python program whose `run(n)` loops `n` times over one
//! operation. Criterion asks for `iters` iterations; the program runs once with
//! `n = iters` (set through the global `N`), so the reported time is per loop iteration.
//! `loop_baseline` is the same loop with only an integer add, so the cost of the operation
//! itself is roughly the difference.
//!
//! - `closure_call`: `total = f(total)`, where `f` adds a captured (free) variable;
//! - `closure_create`: `f = lambda x: x + k`, capturing an existing cell;
//! - `closure_create_with_cell`: `f = make_adder(i)`: a call, a new cell and a new closure.
//!
//! Allocation and the collections it triggers are part of the creation figures.

use cellar::jit::{CompileOptions, CompiledProgram};
use cellar_runtime::value::{Value, EXC};
use criterion::{criterion_group, criterion_main, Criterion};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: cellar_runtime::alloc::CountingAllocator =
    cellar_runtime::alloc::CountingAllocator;

const PRELUDE: &str =
    "def make_adder(k):\n    def add(x):\n        return x + k\n    return add\n\n";

const BENCHES: &[(&str, &str)] = &[
    ("loop_baseline", "def run(n):\n    total = 0\n    for i in range(n):\n        total = total + 1\n    return total\n"),
    (
        "closure_call",
        "def run(n):\n    f = make_adder(1)\n    total = 0\n    for i in range(n):\n        total = f(total)\n    return total\n",
    ),
    (
        "closure_create",
        "def run(n):\n    k = 1\n    f = None\n    for i in range(n):\n        f = lambda x: x + k\n    return f\n",
    ),
    ("closure_create_with_cell", "def run(n):\n    f = None\n    for i in range(n):\n        f = make_adder(i)\n    return f\n"),
];

/// A compiled program plus the global slot of `N`.
struct Loop {
    prog: CompiledProgram,
    n_slot: usize,
}

fn compile(body: &str) -> Loop {
    let source = format!("{PRELUDE}{body}\nresult = run(N)\n");
    let prog = cellar::driver::compile_source("<bench>", &source, &CompileOptions::default())
        .expect("compiles");
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
        l.run(1000);
        group.bench_function(*name, |b| b.iter_custom(|iters| l.run(iters)));
    }
    group.finish();
}

criterion_group!(benches, bench_closures);
criterion_main!(benches);
