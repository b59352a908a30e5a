//! JIT compile time per function (`cargo bench --bench compile`).
//!
//! A generated module of `n` closure factories (each an outer function plus an inner
//! `nonlocal` closure, so `2n + 1` functions with the module body) is compiled again and
//! again. Reported times are per function: the time of one whole compilation divided by
//! the number of functions in it.
//!
//! - `jit_compile_per_function/N`: `cellar::jit::compile` alone (Cranelift lowering,
//!   optimisation, code emission, finalisation) on a parsed and analysed module;
//! - `front_end_and_jit_per_function/N`: `cellar::driver::compile_source` (parse, scope
//!   analysis and JIT).
//!
//! The VM is a process global: it is initialised once. Compiled code is never freed (a
//! `JITModule` keeps its memory), so the sample counts are kept modest.

use cellar::jit::CompileOptions;
use cellar::syntax::{lower, SourceText};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: cellar_runtime::alloc::CountingAllocator = cellar_runtime::alloc::CountingAllocator;

/// A module of `n` factories; `2n + 1` functions including the module body.
fn module_source(n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "def make_{i}(start, step):\n    count = start\n    def bump(x):\n        nonlocal count\n        count = count + x * step\n        if count > 1000:\n            count = count - 1000\n        return count\n    return bump\n\n"
        ));
    }
    s.push_str("total = 0\n");
    for i in 0..n {
        s.push_str(&format!("total = total + make_{i}({i}, 3)(2)\n"));
    }
    s
}

fn bench_compile(c: &mut Criterion) {
    cellar_runtime::vm::init("<bench>", "", false, 1000);
    let opts = CompileOptions::default();
    let mut group = c.benchmark_group("compile");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [1usize, 10, 40] {
        let source = module_source(n);
        let functions = (2 * n + 1) as u32;
        let src = SourceText::new(source.clone());
        let ast = lower::parse_module(&src).expect("parses");
        let scopes = cellar::scope::analyze(&ast).expect("analyses");
        group.bench_with_input(BenchmarkId::new("jit_compile_per_function", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let prog = cellar::jit::compile(&ast, &scopes, &src, "<bench>", &opts).expect("compiles");
                    std::hint::black_box(&prog);
                }
                start.elapsed() / functions
            })
        });
        group.bench_with_input(BenchmarkId::new("front_end_and_jit_per_function", n), &n, |b, _| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let prog = cellar::driver::compile_source("<bench>", &source, &opts).expect("compiles");
                    std::hint::black_box(&prog);
                }
                start.elapsed() / functions
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
