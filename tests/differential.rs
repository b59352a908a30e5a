//! Differential test: every program runs under both engines, the JIT (`cellar run`) and the
//! interpreter (`cellar run --interp`), and their results must be the same: stdout, exit
//! status and the whole of stderr (tracebacks included), after replacing every
//! `0x[0-9a-f]+` with `0x?` (function reprs show addresses).
//!
//! Programs:
//!
//! ```text
//! tests/programs/*.py              trial differential::corpus/NAME
//! benches/programs/*.py            trial differential::bench/NAME   (+ NAME.expected)
//! ../shared/perf/py/*.py           trial differential::perf/NAME    (+ ../shared/perf/expected/NAME.out)
//! ```
//!
//! Where an expected stdout exists (CPython's output), each engine's stdout must also equal
//! it exactly. The corpus programs are checked against CPython by `tests/corpus.rs`.
//!
//! ```text
//! cargo test --release --test differential [-- FILTER]
//! ```

mod common;

use common::normalize;
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Per-run timeout in seconds (override with `CELLAR_TEST_TIMEOUT`).
const DEFAULT_TIMEOUT_SECS: u64 = 120;

/// The two engines: label and the arguments after `run`.
const ENGINES: [(&str, &[&str]); 2] = [("jit", &[]), ("interp", &["--interp"])];

/// One group of programs.
struct Suite {
    /// Trial-name prefix.
    label: &'static str,
    /// Directory of the `*.py` files.
    dir: PathBuf,
    /// Where CPython's stdout for `NAME` is, if recorded.
    expected: fn(&Path, &str) -> Option<PathBuf>,
}

fn suites() -> Vec<Suite> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        Suite {
            label: "corpus",
            dir: root.join("tests").join("programs"),
            expected: |_, _| None,
        },
        Suite {
            label: "bench",
            dir: root.join("benches").join("programs"),
            expected: |dir, name| Some(dir.join(format!("{name}.expected"))),
        },
        Suite {
            label: "perf",
            dir: root.join("..").join("shared").join("perf").join("py"),
            expected: |dir, name| Some(dir.join("..").join("expected").join(format!("{name}.out"))),
        },
    ]
}

/// What one run produced.
#[derive(PartialEq)]
struct Outcome {
    status: String,
    stdout: String,
    stderr: String,
}

fn run(dir: &Path, name: &str, args: &[&str]) -> Result<Outcome, Failed> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cellar"));
    cmd.arg("run")
        .args(args)
        .arg(format!("{name}.py"))
        .current_dir(dir)
        .env_remove("CELLAR_GC_TORTURE");
    let done = common::run_with_timeout(&mut cmd, common::timeout(DEFAULT_TIMEOUT_SECS))?;
    let Some(status) = done.status else {
        return Err(format!(
            "`cellar run {}{name}.py` timed out",
            args.iter().map(|a| format!("{a} ")).collect::<String>()
        )
        .into());
    };
    let status = match status.code() {
        Some(c) => c.to_string(),
        None => format!("{status}"),
    };
    Ok(Outcome {
        status,
        stdout: normalize(&done.stdout),
        stderr: normalize(&done.stderr),
    })
}

/// The first line where `a` and `b` differ, shown side by side.
fn first_difference(what: &str, a_label: &str, a: &str, b_label: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = (0..la.len().max(lb.len()))
        .find(|&i| la.get(i) != lb.get(i))
        .unwrap_or(0);
    let show = |l: Option<&&str>| l.map(|s| format!("{s:?}")).unwrap_or_else(|| "<end>".into());
    format!(
        "{what} differs at line {}:\n  {a_label:>8}: {}\n  {b_label:>8}: {}\n",
        i + 1,
        show(la.get(i)),
        show(lb.get(i))
    )
}

fn check(dir: &Path, name: &str, expected: Option<PathBuf>) -> Result<(), Failed> {
    let expected = match expected {
        Some(p) => Some(fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?),
        None => None,
    };
    let (jl, ja) = ENGINES[0];
    let (il, ia) = ENGINES[1];
    let j = run(dir, name, ja)?;
    let i = run(dir, name, ia)?;
    let mut problems = String::new();
    if j.status != i.status {
        problems.push_str(&format!("exit status differs: {jl} {}, {il} {}\n", j.status, i.status));
    }
    if j.stdout != i.stdout {
        problems.push_str(&first_difference("stdout", jl, &j.stdout, il, &i.stdout));
    }
    if j.stderr != i.stderr {
        problems.push_str(&first_difference("stderr", jl, &j.stderr, il, &i.stderr));
    }
    if let Some(exp) = expected {
        let exp = normalize(&exp);
        for (label, o) in [(jl, &j), (il, &i)] {
            if o.stdout != exp {
                problems.push_str(&first_difference(
                    "stdout vs CPython",
                    "python3",
                    &exp,
                    label,
                    &o.stdout,
                ));
            }
            if o.status != "0" {
                problems.push_str(&format!("{label} exited with {}:\n{}\n", o.status, o.stderr));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}.py in {}:\n{problems}", dir.display()).into())
    }
}

fn main() {
    let args = Arguments::from_args();
    let mut trials = Vec::new();
    for suite in suites() {
        let names = common::program_names(&suite.dir).unwrap_or_default();
        if names.is_empty() {
            eprintln!("differential: no programs in {} (skipped)", suite.dir.display());
        }
        for name in names {
            let dir = suite.dir.clone();
            let expected = (suite.expected)(&dir, &name);
            trials.push(Trial::test(format!("{}/{name}", suite.label), move || {
                check(&dir, &name, expected)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
