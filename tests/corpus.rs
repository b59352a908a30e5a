//! Conformance corpus: runs every `tests/programs/NAME.py` through the cellar binary and
//! compares the result with `tests/programs/NAME.expected`, recorded from CPython 3.11 by
//! `python3 tests/record.py` (or written by hand where cellar must differ from CPython).
//!
//! `NAME.expected` format:
//!
//! ```text
//! # hand-written          <- optional marker line (record.py never overwrites such files)
//! # exit: N               <- expected exit status
//! # stderr: LAST LINE     <- expected last line of stderr, or empty
//! ...exact stdout...
//! ```
//!
//! Compared: stdout (exactly), the exit status, and the last line of stderr. Every
//! `0x[0-9a-f]+` (addresses in function reprs) is replaced by `0x?` on both sides first.
//!
//! Each program gets one trial per engine variant in [`ENGINES`], named `LABEL::NAME`, e.g.
//! `jit::seed_average_fn` and `jit-gc-torture::seed_average_fn`. Run with e.g.
//!
//! ```text
//! cargo test --release --test corpus                      # everything
//! cargo test --release --test corpus -- jit::feat_        # a subset (substring filter)
//! cargo test --release --test corpus -- --exact jit::err_recursion
//! CELLAR_TEST_TIMEOUT=10 cargo test --release --test corpus
//! ```

mod common;

use common::normalize;
use libtest_mimic::{Arguments, Failed, Trial};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};

/// One way of running cellar: a label used as the trial-name prefix, extra arguments placed
/// after `run` (before the program name), and extra environment variables.
struct Engine {
    label: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
}

/// The engine variants every program is run under. Adding an engine is one line.
const ENGINES: &[Engine] = &[
    Engine {
        label: "jit",
        args: &[],
        env: &[],
    },
    Engine {
        label: "jit-gc-torture",
        args: &[],
        // Bodies specialised on the helper thread go in at the first check after it is
        // done, so that collections meet them at the same points every run.
        env: &[("CELLAR_GC_TORTURE", "1"), ("CELLAR_SPECIALIZE_WAIT", "1")],
    },
    Engine {
        label: "jit-thread-all",
        args: &[],
        // Also the serial paths: start-up functions and specialised bodies compiled on
        // the main thread.
        env: &[("CELLAR_THREAD_ALL", "1"), ("CELLAR_SERIAL_COMPILE", "1")],
    },
    Engine {
        label: "interp",
        args: &["--interp"],
        env: &[],
    },
    Engine {
        label: "interp-gc-torture",
        args: &["--interp"],
        env: &[("CELLAR_GC_TORTURE", "1")],
    },
];

/// Environment variables cellar reacts to; cleared before applying a variant's own `env`, so
/// the caller's environment cannot leak into a variant.
const CLEARED_ENV: &[&str] = &[
    "CELLAR_GC_TORTURE",
    "CELLAR_THREAD_ALL",
    "CELLAR_NO_THREADING",
    "CELLAR_SERIAL_COMPILE",
    "CELLAR_SPECIALIZE_WAIT",
    "CELLAR_KEEP_RELOADS",
    "CELLAR_KEEP_SPILLS",
    "CELLAR_KEEP_DECIDED",
    "CELLAR_NO_LICM",
    "CELLAR_BOXED_FLOAT_PARAMS",
    "CELLAR_BOXED_INT_PARAMS",
];

/// Default per-run timeout in seconds; override with `CELLAR_TEST_TIMEOUT`.
const DEFAULT_TIMEOUT_SECS: u64 = 60;

const HAND_WRITTEN: &str = "# hand-written";

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("programs")
}

/// A program's result, either expected (parsed from `.expected`) or actual.
struct Outcome {
    exit: String,
    stderr_last: String,
    stdout: String,
}

fn parse_expected(text: &str) -> Result<Outcome, String> {
    let mut rest = text;
    let mut next_line = |what: &str| -> Result<String, String> {
        if rest.is_empty() {
            return Err(format!("missing {what} line"));
        }
        let (line, tail) = match rest.find('\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, ""),
        };
        rest = tail;
        Ok(line.to_owned())
    };
    let mut first = next_line("`# exit:`")?;
    if first.trim_end() == HAND_WRITTEN {
        first = next_line("`# exit:`")?;
    }
    let exit = first
        .strip_prefix("# exit:")
        .ok_or_else(|| format!("expected `# exit: N`, found {first:?}"))?
        .trim()
        .to_owned();
    exit.parse::<i64>().map_err(|_| format!("bad exit status {exit:?}"))?;
    let second = next_line("`# stderr:`")?;
    let stderr_last = second
        .strip_prefix("# stderr:")
        .ok_or_else(|| format!("expected `# stderr: ...`, found {second:?}"))?
        .trim()
        .to_owned();
    Ok(Outcome {
        exit,
        stderr_last: normalize(&stderr_last),
        stdout: normalize(rest),
    })
}

/// Last line of stderr, as record.py computes it: trailing newlines dropped, trailing
/// whitespace trimmed, empty if stderr is blank.
fn last_line(stderr: &str) -> String {
    if stderr.trim().is_empty() {
        return String::new();
    }
    let trimmed = stderr.trim_end_matches(['\n', '\r']);
    trimmed.rsplit('\n').next().unwrap_or("").trim_end().to_owned()
}

fn describe_status(status: ExitStatus) -> String {
    if let Some(code) = status.code() {
        return code.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = status.signal() {
            return format!("killed by signal {sig}");
        }
    }
    format!("{status}")
}

struct Run {
    status: String,
    stdout: String,
    stderr: String,
}

/// Run `cellar run [engine args] NAME.py` in the programs directory, with a timeout.
fn run_cellar(engine: &Engine, dir: &Path, name: &str) -> Result<Run, Failed> {
    let exe = env!("CARGO_BIN_EXE_cellar");
    let mut cmd = Command::new(exe);
    cmd.arg("run")
        .args(engine.args)
        .arg(format!("{name}.py"))
        .current_dir(dir);
    for var in CLEARED_ENV {
        cmd.env_remove(var);
    }
    for (k, v) in engine.env {
        cmd.env(k, v);
    }
    // Release builds skip Cranelift's IR verifier for speed; the corpus turns it back on.
    cmd.env("CELLAR_VERIFY_IR", "1");
    let limit = common::timeout(DEFAULT_TIMEOUT_SECS);
    let common::Finished { status, stdout, stderr } = common::run_with_timeout(&mut cmd, limit)?;
    match status {
        Some(status) => Ok(Run {
            status: describe_status(status),
            stdout,
            stderr,
        }),
        None => Err(format!(
            "`cellar run {}{name}.py` timed out after {}s and was killed\n{}",
            engine.args.iter().map(|a| format!("{a} ")).collect::<String>(),
            limit.as_secs(),
            stderr_tail(&stderr),
        )
        .into()),
    }
}

fn stderr_tail(stderr: &str) -> String {
    const TAIL: usize = 20;
    if stderr.is_empty() {
        return "--- stderr: (empty)".to_owned();
    }
    let lines: Vec<&str> = stderr.trim_end_matches('\n').split('\n').collect();
    let skip = lines.len().saturating_sub(TAIL);
    let mut s = format!("--- stderr (last {} of {} lines):\n", lines.len() - skip, lines.len());
    for line in &lines[skip..] {
        s.push_str("    ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// Describe the first difference between two stdouts, with a little context.
fn stdout_diff(expected: &str, actual: &str) -> String {
    let exp: Vec<&str> = expected.split_inclusive('\n').collect();
    let act: Vec<&str> = actual.split_inclusive('\n').collect();
    let first = (0..exp.len().max(act.len()))
        .find(|&i| exp.get(i) != act.get(i))
        .unwrap_or(0);
    let show = |line: Option<&&str>| match line {
        Some(l) => format!("{:?}", l),
        None => "<end of output>".to_owned(),
    };
    let mut s = format!(
        "stdout differs at line {} (expected {} lines, got {}):\n  expected: {}\n  actual:   {}\n",
        first + 1,
        exp.len(),
        act.len(),
        show(exp.get(first)),
        show(act.get(first)),
    );
    let from = first.saturating_sub(3);
    if from < first {
        s.push_str("--- matching lines before it:\n");
        for line in &exp[from..first] {
            s.push_str(&format!("    {:?}\n", line));
        }
    }
    let ctx_end = |v: &Vec<&str>| (first + 4).min(v.len());
    if first < exp.len() {
        s.push_str("--- expected from there:\n");
        for line in &exp[first..ctx_end(&exp)] {
            s.push_str(&format!("    {:?}\n", line));
        }
    }
    if first < act.len() {
        s.push_str("--- actual from there:\n");
        for line in &act[first..ctx_end(&act)] {
            s.push_str(&format!("    {:?}\n", line));
        }
    }
    s
}

fn check_program(engine: &Engine, dir: &Path, name: &str) -> Result<(), Failed> {
    let expected_path = dir.join(format!("{name}.expected"));
    let text = fs::read_to_string(&expected_path).map_err(|e| {
        format!(
            "{}: {e} (record it with `python3 tests/record.py {name}`)",
            expected_path.display()
        )
    })?;
    let expected = parse_expected(&text).map_err(|e| format!("{}: {e}", expected_path.display()))?;
    let run = run_cellar(engine, dir, name)?;
    let actual = Outcome {
        exit: run.status.clone(),
        stderr_last: normalize(&last_line(&run.stderr)),
        stdout: normalize(&run.stdout),
    };

    let mut problems = Vec::new();
    if actual.stdout != expected.stdout {
        problems.push(stdout_diff(&expected.stdout, &actual.stdout));
    }
    if actual.exit != expected.exit {
        problems.push(format!(
            "exit status differs:\n  expected: {}\n  actual:   {}\n",
            expected.exit, actual.exit
        ));
    }
    if actual.stderr_last != expected.stderr_last {
        problems.push(format!(
            "last line of stderr differs:\n  expected: {:?}\n  actual:   {:?}\n",
            expected.stderr_last, actual.stderr_last
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    let mut msg = format!(
        "`cellar run {}{name}.py` ({}) does not match {name}.expected\n",
        engine.args.iter().map(|a| format!("{a} ")).collect::<String>(),
        engine.label,
    );
    for p in problems {
        msg.push_str(&p);
    }
    msg.push_str(&stderr_tail(&run.stderr));
    Err(msg.into())
}

/// Fails if a program has no `.expected` file or an `.expected` file has no program.
fn check_expected_files(dir: &Path) -> Result<(), Failed> {
    let names = common::program_names_of(dir);
    let mut missing = Vec::new();
    for name in &names {
        if !dir.join(format!("{name}.expected")).is_file() {
            missing.push(format!("{name}.py"));
        }
    }
    let mut orphans = Vec::new();
    for entry in fs::read_dir(dir).map_err(|e| e.to_string())? {
        let file = entry
            .map_err(|e| e.to_string())?
            .file_name()
            .to_string_lossy()
            .into_owned();
        if let Some(stem) = file.strip_suffix(".expected") {
            if !names.iter().any(|n| n == stem) {
                orphans.push(file.clone());
            }
        }
    }
    orphans.sort();
    if missing.is_empty() && orphans.is_empty() {
        return Ok(());
    }
    let mut msg = String::new();
    if !missing.is_empty() {
        msg.push_str(&format!(
            "programs without an .expected file (run `python3 tests/record.py`): {}\n",
            missing.join(", ")
        ));
    }
    if !orphans.is_empty() {
        msg.push_str(&format!(".expected files without a program: {}\n", orphans.join(", ")));
    }
    Err(msg.into())
}

fn main() {
    let args = Arguments::from_args();
    let dir = programs_dir();
    let names = common::program_names_of(&dir);

    let mut trials = Vec::new();
    {
        let dir = dir.clone();
        trials.push(Trial::test("corpus::expected_files_present", move || {
            check_expected_files(&dir)
        }));
    }
    for engine in ENGINES {
        for name in &names {
            let dir = dir.clone();
            let name = name.clone();
            trials.push(Trial::test(format!("{}::{name}", engine.label), move || {
                check_program(engine, &dir, &name)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
