//! The benchmark programs in `benches/programs/*.py` give CPython's output under the JIT.
//!
//! Each `NAME.py` has a `NAME.expected` holding exactly what `python3 NAME.py` printed
//! (recorded by `python3 benches/record.py`); a trial `bench_program::NAME` runs
//! `cellar run NAME.py` and compares stdout and a zero exit status. Only the JIT runs here,
//! so the trials stay fast; `cellar bench` compares all engines.
//!
//! Two more trials run `cellar bench` itself on small corpus programs: `cellar_bench::json`
//! (a clean run writes JSON with both cellar engines, their counters and an SVG plot) and
//! `cellar_bench::mismatch` (a program cellar rejects but CPython runs: exit status 1 and
//! the first differing line).
//!
//! ```text
//! cargo test --release --test bench_programs [-- FILTER]
//! ```

mod common;

use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// Per-run timeout; the programs take well under 2 s even under CPython.
const TIMEOUT: Duration = Duration::from_secs(60);

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("benches").join("programs")
}

/// Run `cellar run NAME.py` in `dir`; `(exit status, stdout, stderr)`.
fn run_cellar(dir: &Path, name: &str) -> Result<(Option<i32>, String, String), Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cellar"));
    cmd.arg("run")
        .arg(format!("{name}.py"))
        .current_dir(dir)
        .env_remove("CELLAR_GC_TORTURE");
    let done = common::run_with_timeout(&mut cmd, TIMEOUT)?;
    let Some(status) = done.status else {
        return Err(format!("`cellar run {name}.py` timed out after {}s", TIMEOUT.as_secs()).into());
    };
    Ok((status.code(), done.stdout, done.stderr))
}

fn check(dir: &Path, name: &str) -> Result<(), Failed> {
    let expected_path = dir.join(format!("{name}.expected"));
    let expected = fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "cannot read {}: {e} (record it with `python3 benches/record.py {name}`)",
            expected_path.display()
        )
    })?;
    let (status, stdout, stderr) = run_cellar(dir, name)?;
    if status != Some(0) {
        return Err(format!("exit status {status:?}, expected 0\n--- stderr:\n{stderr}").into());
    }
    if stdout != expected {
        let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), stdout.lines().collect());
        let line = (0..e.len().max(a.len())).find(|&i| e.get(i) != a.get(i)).unwrap_or(0);
        return Err(format!(
            "stdout differs from CPython's at line {}:\n  expected: {:?}\n  actual:   {:?}",
            line + 1,
            e.get(line).copied().unwrap_or("<end of output>"),
            a.get(line).copied().unwrap_or("<end of output>")
        )
        .into());
    }
    Ok(())
}

fn corpus_program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("programs")
        .join(name)
}

fn cellar_bench(args: &[&std::ffi::OsStr]) -> Result<std::process::Output, Failed> {
    Command::new(env!("CARGO_BIN_EXE_cellar"))
        .arg("bench")
        .args(args)
        .env_remove("CELLAR_GC_TORTURE")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot start cellar bench: {e}").into())
}

/// `cellar bench --json --plot` on a program all engines agree on.
/// `cellar run --stats` counts every closure and cell exactly: `stats_counts.py` makes
/// 20001 closures and 20000 cells, under the JIT (which counts its inline allocations in
/// the heap's budget word, see `cellar_runtime::gc::BUDGET_SHIFT`), the interpreter, and
/// the JIT under GC torture (a budget of 0: every allocation folds its count at once).
fn exact_counts() -> Result<(), Failed> {
    let prog = corpus_program("stats_counts.py");
    for (args, torture) in [
        (&["run"][..], false),
        (&["run", "--interp"][..], false),
        (&["run"][..], true),
    ] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cellar"));
        cmd.args(args).arg("--stats").arg(&prog).env_remove("CELLAR_GC_TORTURE");
        if torture {
            cmd.env("CELLAR_GC_TORTURE", "1");
        }
        let done = common::run_with_timeout(&mut cmd, TIMEOUT)?;
        for want in ["closures created: 20001\n", "cells created: 20000\n"] {
            if !done.stderr.contains(want) {
                return Err(format!("{args:?} (torture {torture}) did not print {want:?}:\n{}", done.stderr).into());
            }
        }
    }
    Ok(())
}

fn bench_json() -> Result<(), Failed> {
    let dir = std::env::temp_dir().join(format!("cellar-bench-test-{}", std::process::id()));
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (json, svg) = (dir.join("out.json"), dir.join("out.svg"));
    let prog = corpus_program("feat_accumulator.py");
    let out = cellar_bench(&[
        "-n".as_ref(),
        "2".as_ref(),
        "--warmup".as_ref(),
        "0".as_ref(),
        "--no-python".as_ref(),
        "--json".as_ref(),
        json.as_os_str(),
        "--plot".as_ref(),
        svg.as_os_str(),
        prog.as_os_str(),
    ])?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("cellar bench failed: {:?}\n{stderr}", out.status).into());
    }
    for want in ["feat_accumulator.py", "engine", "jit", "interp", "closures"] {
        if !stdout.contains(want) {
            return Err(format!("table lacks {want:?}:\n{stdout}").into());
        }
    }
    let j = fs::read_to_string(&json).map_err(|e| format!("no JSON written: {e}"))?;
    for want in [
        "\"engine\": \"jit\"",
        "\"engine\": \"interp\"",
        "\"closures_created\"",
        "\"jit_vs_interp\"",
    ] {
        if !j.contains(want) {
            return Err(format!("JSON lacks {want}:\n{j}").into());
        }
    }
    let s = fs::read_to_string(&svg).map_err(|e| format!("no SVG written: {e}"))?;
    let _ = fs::remove_dir_all(&dir);
    if !s.starts_with("<svg") || !s.contains("JIT vs interpreter") {
        return Err("the plot is not an SVG with a JIT vs interpreter bar".into());
    }
    Ok(())
}

/// `cellar bench` on a program cellar rejects (a class) but CPython runs: outputs differ.
fn bench_mismatch() -> Result<(), Failed> {
    let python = Command::new("python3").arg("--version").stdout(Stdio::null()).status();
    if !python.map(|s| s.success()).unwrap_or(false) {
        return Ok(()); // nothing to differ from
    }
    let prog = corpus_program("err_unsupported_class.py");
    let out = cellar_bench(&[
        "-n".as_ref(),
        "1".as_ref(),
        "--warmup".as_ref(),
        "0".as_ref(),
        prog.as_os_str(),
    ])?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() != Some(1) {
        return Err(format!("expected exit status 1, got {:?}\n{stderr}", out.status).into());
    }
    if !stderr.contains("outputs differ") || !stderr.contains("first difference at line") {
        return Err(format!("no first differing line reported:\n{stderr}").into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = programs_dir();
    let names = common::program_names_of(&dir);
    let mut trials: Vec<Trial> = names
        .iter()
        .map(|name| {
            let (dir, name) = (dir.clone(), name.clone());
            Trial::test(format!("bench_program::{name}"), move || check(&dir, &name))
        })
        .collect();
    let count = names.len();
    trials.push(Trial::test("bench_program::corpus_is_not_empty", move || {
        if count >= 10 {
            Ok(())
        } else {
            Err(format!("only {count} programs in benches/programs").into())
        }
    }));
    trials.push(Trial::test("cellar_bench::json", bench_json));
    trials.push(Trial::test("cellar_bench::mismatch", bench_mismatch));
    trials.push(Trial::test("run_stats::exact_counts", exact_counts));
    libtest_mimic::run(&args, trials).exit();
}
