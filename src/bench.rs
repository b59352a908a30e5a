//! `cellar bench`: time the JIT, the interpreter and CPython on the same programs.
//!
//! Every engine runs as a subprocess: `cellar run --stats FILE` (the JIT),
//! `cellar run --interp --stats FILE` (the interpreter) and `python3 FILE`. Each file gets
//! `warmup` untimed runs and `runs` timed runs per engine, interleaved round-robin so that
//! a change in machine load hits every engine alike. A run's time is the wall time of the
//! whole process (start-up and compilation included); the compile time and the runtime
//! counters come from the `--stats` lines cellar prints to stderr. Every run's stdout and
//! exit status must equal the first run's, or the bench stops with the first differing line.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What `cellar bench` was asked to do.
#[derive(Clone, Debug)]
pub struct BenchConfig {
    /// The Python programs to time.
    pub files: Vec<PathBuf>,
    /// Timed runs per engine and file.
    pub runs: usize,
    /// Untimed warm-up runs per engine and file.
    pub warmup: usize,
    /// Also run `python3` when it is on PATH.
    pub python: bool,
    /// Write the results as JSON here.
    pub json: Option<PathBuf>,
    /// Draw the speed-ups as an SVG bar chart here.
    pub plot: Option<PathBuf>,
}

/// One way of running a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `cellar run`: native code from Cranelift.
    Jit,
    /// `cellar run --interp`: the interpreter baseline.
    Interp,
    /// CPython (`python3`).
    Python,
}

impl Engine {
    /// Short name used in tables, JSON and error messages.
    pub fn label(self) -> &'static str {
        match self {
            Engine::Jit => "jit",
            Engine::Interp => "interp",
            Engine::Python => "python3",
        }
    }
}

/// The runtime counters `cellar run --stats` prints for one run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Function objects created.
    pub closures_created: u64,
    /// Cells created.
    pub cells_created: u64,
    /// Garbage collections run.
    pub collections: u64,
    /// Peak of live heap bytes.
    pub peak_heap_bytes: u64,
}

/// What `--stats` told about one run: counters (when all four were printed) and compile time.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// The runtime counters, if the run printed them.
    pub counters: Option<Counters>,
    /// The `compile time` line, if the run printed one.
    pub compile: Option<Duration>,
}

/// Parse the `--stats` lines (`closures created: N`, ..., `compile time: X ms`) out of a
/// run's stderr. Lines that are not stats are ignored; the last occurrence of a key wins.
pub fn parse_stats(stderr: &str) -> Stats {
    let (mut closures, mut cells, mut gcs, mut peak) = (None, None, None, None);
    let mut compile = None;
    for line in stderr.lines() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        let int = || value.parse::<u64>().ok();
        match key.trim() {
            "closures created" => closures = int().or(closures),
            "cells created" => cells = int().or(cells),
            "gc collections" => gcs = int().or(gcs),
            "peak heap bytes" => peak = int().or(peak),
            "compile time" => {
                let ms = value
                    .strip_suffix("ms")
                    .map(str::trim)
                    .and_then(|v| v.parse::<f64>().ok());
                if let Some(ms) = ms.filter(|m| m.is_finite() && *m >= 0.0) {
                    compile = Some(Duration::from_secs_f64(ms / 1000.0));
                }
            }
            _ => {}
        }
    }
    let counters = match (closures, cells, gcs, peak) {
        (Some(closures_created), Some(cells_created), Some(collections), Some(peak_heap_bytes)) => Some(Counters {
            closures_created,
            cells_created,
            collections,
            peak_heap_bytes,
        }),
        _ => None,
    };
    Stats { counters, compile }
}

/// The results of one engine on one file.
#[derive(Clone, Debug)]
pub struct EngineResult {
    /// Which engine.
    pub engine: Engine,
    /// Wall time of every timed run, in run order.
    pub times: Vec<Duration>,
    /// Median compile time over the timed runs (cellar engines that report it).
    pub compile: Option<Duration>,
    /// Counters of the last timed run (cellar engines only).
    pub counters: Option<Counters>,
    /// Exit status of the runs (all equal, or the bench stops).
    pub status: i32,
}

impl EngineResult {
    /// Median wall time (the mean of the middle two for an even count).
    pub fn median(&self) -> Duration {
        median(&self.times)
    }
    /// Fastest run.
    pub fn min(&self) -> Duration {
        self.times.iter().copied().min().unwrap_or_default()
    }
    /// Slowest run.
    pub fn max(&self) -> Duration {
        self.times.iter().copied().max().unwrap_or_default()
    }
}

/// The results for one file.
#[derive(Clone, Debug)]
pub struct FileResult {
    /// The program, as given on the command line.
    pub file: String,
    /// One entry per engine that ran, in the order jit, interp, python3.
    pub engines: Vec<EngineResult>,
    /// Engines that could not run, with the reason (e.g. the interpreter is not built in).
    pub skipped: Vec<(Engine, String)>,
}

impl FileResult {
    /// The result of `engine`, if it ran.
    pub fn get(&self, engine: Engine) -> Option<&EngineResult> {
        self.engines.iter().find(|e| e.engine == engine)
    }

    /// How many times faster `engine` is than `baseline` (ratio of medians), if both ran.
    pub fn speedup(&self, engine: Engine, baseline: Engine) -> Option<f64> {
        let a = self.get(engine)?.median().as_secs_f64();
        let b = self.get(baseline)?.median().as_secs_f64();
        (a > 0.0).then(|| b / a)
    }
}

/// The pairs of engines whose speed-ups are reported: `(engine, baseline, label)`.
pub const RATIOS: [(Engine, Engine, &str); 3] = [
    (Engine::Jit, Engine::Interp, "JIT vs interpreter"),
    (Engine::Jit, Engine::Python, "JIT vs python3"),
    (Engine::Interp, Engine::Python, "interpreter vs python3"),
];

/// Median of `xs` (zero when empty).
pub fn median(xs: &[Duration]) -> Duration {
    let mut v = xs.to_vec();
    v.sort();
    match v.len() {
        0 => Duration::ZERO,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2,
    }
}

/// Geometric mean of positive values (`None` when there are none).
pub fn geomean(xs: &[f64]) -> Option<f64> {
    let v: Vec<f64> = xs.iter().copied().filter(|x| *x > 0.0 && x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    Some((v.iter().map(|x| x.ln()).sum::<f64>() / v.len() as f64).exp())
}

/// Geomean over `results` of each pair in [`RATIOS`] (files where both engines ran).
pub fn geomeans(results: &[FileResult]) -> Vec<(Engine, Engine, &'static str, Option<f64>)> {
    RATIOS
        .iter()
        .map(|&(a, b, label)| {
            let xs: Vec<f64> = results.iter().filter_map(|r| r.speedup(a, b)).collect();
            (a, b, label, geomean(&xs))
        })
        .collect()
}

/// The first line where two outputs differ: `(1-based line, line of a, line of b)`, a side
/// being `None` when that output has ended. `None` when they are equal.
pub fn first_difference<'a>(a: &'a str, b: &'a str) -> Option<(usize, Option<&'a str>, Option<&'a str>)> {
    if a == b {
        return None;
    }
    let (mut la, mut lb) = (a.split_inclusive('\n'), b.split_inclusive('\n'));
    let mut n = 0;
    loop {
        n += 1;
        match (la.next(), lb.next()) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => return Some((n, x, y)),
        }
    }
}

/// The output of one run.
struct Outcome {
    time: Duration,
    stdout: String,
    stderr: String,
    status: i32,
}

/// How to start one engine.
struct Runner {
    engine: Engine,
    program: PathBuf,
    args: Vec<&'static str>,
    /// Set once the engine turned out not to exist; it is then skipped for every file.
    missing: std::cell::RefCell<Option<String>>,
}

impl Runner {
    fn run(&self, file: &Path) -> Result<Outcome, String> {
        let mut cmd = Command::new(&self.program);
        cmd.args(&self.args)
            .arg(file)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.env_remove("CELLAR_GC_TORTURE");
        let start = Instant::now();
        let out = cmd
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.program.display()))?;
        let time = start.elapsed();
        Ok(Outcome {
            time,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            status: out.status.code().unwrap_or(-1),
        })
    }

    fn command_line(&self) -> String {
        let mut s = self.program.display().to_string();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }
}

/// The real `python3` executable (not a pyenv shim, whose start-up would be charged to
/// CPython), or `None` when `python3` is not on PATH.
fn find_python() -> Option<PathBuf> {
    let out = Command::new("python3")
        .args(["-c", "import sys; print(sys.executable)"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(if path.is_empty() {
        PathBuf::from("python3")
    } else {
        PathBuf::from(path)
    })
}

/// True when a failed `cellar run --interp` says the option does not exist (the
/// interpreter is not part of this build), as opposed to a program that failed.
fn interp_missing(o: &Outcome) -> bool {
    o.status == 2 && o.stderr.contains("--interp") && o.stderr.contains("unexpected argument")
}

fn show_line(l: Option<&str>) -> String {
    match l {
        Some(s) => format!("{:?}", s.strip_suffix('\n').unwrap_or(s)),
        None => "<end of output>".to_string(),
    }
}

/// Run `cellar bench`; returns the process exit status.
pub fn run(cfg: &BenchConfig) -> i32 {
    match bench(cfg) {
        Ok(()) => 0,
        Err(msg) => {
            eprintln!("cellar bench: {msg}");
            1
        }
    }
}

fn bench(cfg: &BenchConfig) -> Result<(), String> {
    if cfg.files.is_empty() {
        return Err("no files given".into());
    }
    if cfg.runs == 0 {
        return Err("-n must be at least 1".into());
    }
    for f in &cfg.files {
        if !f.is_file() {
            return Err(format!("can't open file '{}'", f.display()));
        }
    }
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the cellar executable: {e}"))?;
    let mut runners = vec![
        Runner {
            engine: Engine::Jit,
            program: exe.clone(),
            args: vec!["run", "--stats"],
            missing: Default::default(),
        },
        Runner {
            engine: Engine::Interp,
            program: exe,
            args: vec!["run", "--interp", "--stats"],
            missing: Default::default(),
        },
    ];
    let mut notes = Vec::new();
    if cfg.python {
        match find_python() {
            Some(p) => runners.push(Runner {
                engine: Engine::Python,
                program: p,
                args: vec![],
                missing: Default::default(),
            }),
            None => notes.push("python3 is not on PATH: skipped".to_string()),
        }
    }
    let per_file = runners.len() * (cfg.warmup + cfg.runs);
    let pb = ProgressBar::with_draw_target(Some((per_file * cfg.files.len()) as u64), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} runs  {msg}")
            .expect("valid template"),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    for n in &notes {
        pb.suspend(|| eprintln!("cellar bench: {n}"));
    }
    let mut results = Vec::new();
    for file in &cfg.files {
        let r = bench_file(cfg, file, &runners, &pb);
        match r {
            Ok(r) => {
                pb.suspend(|| print!("{}", render_table(&r, cfg)));
                results.push(r);
            }
            Err(e) => {
                pb.finish_and_clear();
                return Err(e);
            }
        }
    }
    pb.finish_and_clear();
    if results.len() > 1 {
        print!("{}", render_geomeans(&results));
    }
    if let Some(path) = &cfg.json {
        std::fs::write(path, to_json(&results, cfg)).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if let Some(path) = &cfg.plot {
        let svg = plot_svg(&results, cfg)?;
        std::fs::write(path, svg).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}

fn bench_file(cfg: &BenchConfig, file: &Path, runners: &[Runner], pb: &ProgressBar) -> Result<FileResult, String> {
    let name = file.display().to_string();
    let short = file
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| name.clone());
    let total_rounds = cfg.warmup + cfg.runs;
    let mut active: Vec<bool> = vec![true; runners.len()];
    let mut skipped = Vec::new();
    for (i, r) in runners.iter().enumerate() {
        if let Some(why) = r.missing.borrow().clone() {
            active[i] = false;
            skipped.push((r.engine, why));
        }
    }
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); runners.len()];
    let mut compiles: Vec<Vec<Duration>> = vec![Vec::new(); runners.len()];
    let mut counters: Vec<Option<Counters>> = vec![None; runners.len()];
    let mut status = vec![0; runners.len()];
    // The reference output: (engine, stdout, exit status) of the first run.
    let mut reference: Option<(Engine, String, i32)> = None;
    for round in 0..total_rounds {
        let timed = round >= cfg.warmup;
        for (i, runner) in runners.iter().enumerate() {
            if !active[i] {
                pb.inc(1);
                continue;
            }
            let what = if timed {
                format!("run {}/{}", round - cfg.warmup + 1, cfg.runs)
            } else {
                format!("warm-up {}/{}", round + 1, cfg.warmup)
            };
            pb.set_message(format!("{short}: {} {what}", runner.engine.label()));
            let o = runner.run(file)?;
            pb.inc(1);
            if runner.engine == Engine::Interp && interp_missing(&o) {
                active[i] = false;
                let why = "not in this build (`cellar run --interp` is not available)".to_string();
                pb.suspend(|| eprintln!("cellar bench: interpreter {why}; its column is left out"));
                skipped.push((Engine::Interp, why.clone()));
                *runner.missing.borrow_mut() = Some(why);
                pb.inc((total_rounds - round - 1) as u64);
                continue;
            }
            match &reference {
                None => reference = Some((runner.engine, o.stdout.clone(), o.status)),
                Some((ref_engine, ref_out, ref_status)) => {
                    if let Some((line, a, b)) = first_difference(ref_out, &o.stdout) {
                        let (ra, rb) = (ref_engine.label(), runner.engine.label());
                        let w = ra.len().max(rb.len()) + 1;
                        return Err(format!(
                            "outputs differ on {name}: {ra} and {rb}\n  first difference at line {line}:\n    {:w$} {}\n    {:w$} {}\n  ({} command: {} FILE)",
                            format!("{ra}:"),
                            show_line(a),
                            format!("{rb}:"),
                            show_line(b),
                            rb,
                            runner.command_line(),
                        ));
                    }
                    if *ref_status != o.status {
                        return Err(format!(
                            "exit statuses differ on {name}: {} exited {ref_status}, {} exited {}\n  {} stderr: {}",
                            ref_engine.label(),
                            runner.engine.label(),
                            o.status,
                            runner.engine.label(),
                            o.stderr.lines().last().unwrap_or("")
                        ));
                    }
                }
            }
            status[i] = o.status;
            if timed {
                times[i].push(o.time);
                let s = parse_stats(&o.stderr);
                if let Some(c) = s.compile {
                    compiles[i].push(c);
                }
                if s.counters.is_some() {
                    counters[i] = s.counters;
                }
            }
        }
    }
    if let Some((_, _, st)) = &reference {
        if *st != 0 {
            pb.suspend(|| eprintln!("cellar bench: note: {name} exits with status {st} on every engine"));
        }
    }
    let engines = runners
        .iter()
        .enumerate()
        .filter(|(i, _)| active[*i])
        .map(|(i, r)| EngineResult {
            engine: r.engine,
            times: times[i].clone(),
            compile: (!compiles[i].is_empty()).then(|| median(&compiles[i])),
            counters: counters[i],
            status: status[i],
        })
        .collect();
    Ok(FileResult {
        file: name,
        engines,
        skipped,
    })
}

/// Milliseconds with a precision that suits the size.
fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1000.0;
    if m >= 100.0 {
        format!("{m:.0} ms")
    } else if m >= 10.0 {
        format!("{m:.1} ms")
    } else {
        format!("{m:.2} ms")
    }
}

fn ratio(x: Option<f64>) -> String {
    match x {
        Some(x) if x >= 10.0 => format!("{x:.1}x"),
        Some(x) => format!("{x:.2}x"),
        None => "-".into(),
    }
}

/// Bytes in KiB/MiB.
fn bytes(n: u64) -> String {
    if n >= 10 << 20 {
        format!("{:.0} MiB", n as f64 / (1 << 20) as f64)
    } else if n >= 1 << 20 {
        format!("{:.1} MiB", n as f64 / (1 << 20) as f64)
    } else {
        format!("{:.0} KiB", n as f64 / 1024.0)
    }
}

/// Lay out rows as columns: the first column left-aligned, the others right-aligned.
fn columns(rows: &[Vec<String>]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..ncol)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c == 0 {
                let _ = write!(line, "{cell:<w$}", w = widths[0]);
            } else {
                let _ = write!(line, "  {cell:>w$}", w = widths[c]);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The per-file table printed by `cellar bench`.
pub fn render_table(r: &FileResult, cfg: &BenchConfig) -> String {
    let mut out = format!(
        "\n{}  ({} timed run{} after {} warm-up; whole-process wall time)\n",
        r.file,
        cfg.runs,
        if cfg.runs == 1 { "" } else { "s" },
        cfg.warmup
    );
    let mut rows = vec![[
        "engine",
        "compile",
        "median",
        "min",
        "max",
        "vs interp",
        "vs python3",
        "closures",
        "cells",
        "GCs",
        "peak heap",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect::<Vec<_>>()];
    for e in &r.engines {
        let c = e.counters;
        rows.push(vec![
            e.engine.label().to_string(),
            e.compile.map(ms).unwrap_or_else(|| "-".into()),
            ms(e.median()),
            ms(e.min()),
            ms(e.max()),
            ratio(r.speedup(e.engine, Engine::Interp)),
            ratio(r.speedup(e.engine, Engine::Python)),
            c.map(|c| c.closures_created.to_string()).unwrap_or_else(|| "-".into()),
            c.map(|c| c.cells_created.to_string()).unwrap_or_else(|| "-".into()),
            c.map(|c| c.collections.to_string()).unwrap_or_else(|| "-".into()),
            c.map(|c| bytes(c.peak_heap_bytes)).unwrap_or_else(|| "-".into()),
        ]);
    }
    out.push_str(&columns(&rows));
    for (e, why) in &r.skipped {
        let _ = writeln!(out, "({}: {why})", e.label());
    }
    out
}

/// The geomean table printed after several files.
pub fn render_geomeans(results: &[FileResult]) -> String {
    let mut rows = vec![vec![
        "geomean over files".to_string(),
        "speed-up".to_string(),
        "files".to_string(),
    ]];
    for (a, b, label, g) in geomeans(results) {
        let n = results.iter().filter(|r| r.speedup(a, b).is_some()).count();
        rows.push(vec![label.to_string(), ratio(g), n.to_string()]);
    }
    format!("\n{}", columns(&rows))
}

fn json_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn json_num(x: Option<f64>) -> String {
    match x {
        Some(x) if x.is_finite() => format!("{x}"),
        _ => "null".into(),
    }
}

fn json_ms(d: Duration) -> String {
    json_num(Some((d.as_secs_f64() * 1e6).round() / 1e3))
}

/// The results as JSON (times in milliseconds; absent values are `null`).
pub fn to_json(results: &[FileResult], cfg: &BenchConfig) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{{\n  \"runs\": {},\n  \"warmup\": {},\n  \"time\": \"whole-process wall time\",",
        cfg.runs, cfg.warmup
    );
    out.push_str("  \"files\": [\n");
    for (fi, r) in results.iter().enumerate() {
        let _ = writeln!(
            out,
            "    {{\n      \"file\": {},\n      \"engines\": [",
            json_str(&r.file)
        );
        for (ei, e) in r.engines.iter().enumerate() {
            let times: Vec<String> = e.times.iter().map(|t| json_ms(*t)).collect();
            let counters = match e.counters {
                Some(c) => format!(
                    "{{\"closures_created\": {}, \"cells_created\": {}, \"gc_collections\": {}, \"peak_heap_bytes\": {}}}",
                    c.closures_created, c.cells_created, c.collections, c.peak_heap_bytes
                ),
                None => "null".into(),
            };
            let _ = write!(
                out,
                "        {{\"engine\": {}, \"compile_ms\": {}, \"median_ms\": {}, \"min_ms\": {}, \"max_ms\": {}, \"times_ms\": [{}], \"speedup_vs_interp\": {}, \"speedup_vs_python3\": {}, \"exit_status\": {}, \"counters\": {}}}",
                json_str(e.engine.label()),
                e.compile.map(json_ms).unwrap_or_else(|| "null".into()),
                json_ms(e.median()),
                json_ms(e.min()),
                json_ms(e.max()),
                times.join(", "),
                json_num(r.speedup(e.engine, Engine::Interp)),
                json_num(r.speedup(e.engine, Engine::Python)),
                e.status,
                counters
            );
            out.push_str(if ei + 1 < r.engines.len() { ",\n" } else { "\n" });
        }
        out.push_str("      ],\n      \"skipped\": [");
        let sk: Vec<String> = r
            .skipped
            .iter()
            .map(|(e, why)| format!("{{\"engine\": {}, \"reason\": {}}}", json_str(e.label()), json_str(why)))
            .collect();
        out.push_str(&sk.join(", "));
        out.push_str("]\n    }");
        out.push_str(if fi + 1 < results.len() { ",\n" } else { "\n" });
    }
    out.push_str("  ],\n  \"geomean\": {");
    let g: Vec<String> = geomeans(results)
        .into_iter()
        .map(|(a, b, _, g)| format!("\"{}_vs_{}\": {}", a.label(), b.label(), json_num(g)))
        .collect();
    out.push_str(&g.join(", "));
    out.push_str("}\n}\n");
    out
}

/// Draw the speed-ups (one group of bars per file, plus a geomean group when there are
/// several files) as an SVG bar chart; returns the SVG text.
pub fn plot_svg(results: &[FileResult], cfg: &BenchConfig) -> Result<String, String> {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    const COLORS: [RGBColor; 3] = [RGBColor(31, 119, 180), RGBColor(255, 127, 14), RGBColor(44, 160, 44)];
    // Groups: (label, [value per ratio]).
    let mut groups: Vec<(String, Vec<Option<f64>>)> = results
        .iter()
        .map(|r| {
            let name = Path::new(&r.file)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or(r.file.clone());
            (name, RATIOS.iter().map(|&(a, b, _)| r.speedup(a, b)).collect())
        })
        .collect();
    if results.len() > 1 {
        groups.push(("geomean".into(), geomeans(results).into_iter().map(|g| g.3).collect()));
    }
    // Only the ratios that have at least one value get a bar and a legend entry.
    let shown: Vec<usize> = (0..RATIOS.len())
        .filter(|&k| groups.iter().any(|g| g.1[k].is_some()))
        .collect();
    if shown.is_empty() {
        return Err("nothing to plot: a speed-up needs two engines (is python3 on PATH?)".into());
    }
    let ymax = groups
        .iter()
        .flat_map(|g| g.1.iter().flatten())
        .fold(1.0f64, |m, &v| m.max(v))
        * 1.4; // headroom for the value labels and the legend
    let ngroups = groups.len();
    let width = (300 + 52 * ngroups as u32 * shown.len() as u32).clamp(720, 1800);
    let height = if width > 1200 { 600 } else { 520 };
    // Bars of one group side by side, centred on the group's x; never wider than 0.25.
    let bar_w = (0.8 / shown.len() as f64).min(0.25);
    let left = -bar_w * shown.len() as f64 / 2.0;

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let e = |e: DrawingAreaErrorKind<_>| format!("plot: {e:?}");
        root.fill(&WHITE).map_err(e)?;
        let mut chart = ChartBuilder::on(&root)
            .caption("cellar bench: speed-up (higher is faster)", ("sans-serif", 24))
            .margin(18)
            .x_label_area_size(44)
            .y_label_area_size(76)
            .build_cartesian_2d(-0.5f64..(ngroups as f64 - 0.5), 0f64..ymax)
            .map_err(e)?;
        let names: Vec<String> = groups.iter().map(|g| g.0.clone()).collect();
        let runs = cfg.runs;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(WHITE)
            .bold_line_style(RGBColor(220, 220, 220))
            .x_labels(ngroups + 1)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < names.len() {
                    names[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .x_label_style(("sans-serif", 16))
            .y_labels(8)
            .y_desc(format!(
                "speed-up (ratio of median wall times, {runs} run{})",
                if runs == 1 { "" } else { "s" }
            ))
            .axis_desc_style(("sans-serif", 15))
            .y_label_style(("sans-serif", 15))
            .y_label_formatter(&|y| format!("{y}\u{d7}"))
            .draw()
            .map_err(e)?;
        for (slot, &k) in shown.iter().enumerate() {
            let color = COLORS[k];
            let bars: Vec<(f64, f64)> = groups
                .iter()
                .enumerate()
                .filter_map(|(gi, g)| g.1[k].map(|v| (gi as f64 + left + bar_w * slot as f64, v)))
                .collect();
            chart
                .draw_series(
                    bars.iter()
                        .map(|&(x, v)| Rectangle::new([(x + 0.01, 0.0), (x + bar_w - 0.01, v)], color.filled())),
                )
                .map_err(e)?
                .label(RATIOS[k].2)
                .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 16, y + 7)], color.filled()));
            let style = TextStyle::from(("sans-serif", 13).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(bars.iter().map(|&(x, v)| {
                    let label = if v >= 10.0 {
                        format!("{v:.1}\u{d7}")
                    } else {
                        format!("{v:.2}\u{d7}")
                    };
                    Text::new(label, (x + bar_w / 2.0, v), style.clone())
                }))
                .map_err(e)?;
        }
        // A rule between the programs and their geomean.
        if results.len() > 1 {
            let x = ngroups as f64 - 1.5;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, ymax / 1.4 * 1.1)],
                    RGBColor(150, 150, 150).stroke_width(1),
                )))
                .map_err(e)?;
        }
        // The 1x line, over the bars: below it an engine is slower than its baseline.
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(-0.5, 1.0), (ngroups as f64 - 0.5, 1.0)],
                BLACK.stroke_width(2),
            )))
            .map_err(e)?
            .label("1\u{d7}: as fast as the baseline")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .margin(12)
            .background_style(WHITE)
            .border_style(RGBColor(160, 160, 160))
            .label_font(("sans-serif", 15))
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    fn result(file: &str, jit: u64, interp: Option<u64>, py: Option<u64>) -> FileResult {
        let mk = |engine, t: u64| EngineResult {
            engine,
            times: vec![d(t)],
            compile: None,
            counters: None,
            status: 0,
        };
        let mut engines = vec![mk(Engine::Jit, jit)];
        if let Some(t) = interp {
            engines.push(mk(Engine::Interp, t));
        }
        if let Some(t) = py {
            engines.push(mk(Engine::Python, t));
        }
        FileResult {
            file: file.into(),
            engines,
            skipped: vec![],
        }
    }

    fn cfg() -> BenchConfig {
        BenchConfig {
            files: vec![],
            runs: 3,
            warmup: 1,
            python: true,
            json: None,
            plot: None,
        }
    }

    #[test]
    fn stats_are_parsed_from_stderr() {
        let s = parse_stats(
            "Traceback...\nclosures created: 12\ncells created: 3\nobjects allocated: 99\ngc collections: 0\npeak heap bytes: 4096\ncompile time: 1.250 ms\n",
        );
        assert_eq!(
            s.counters,
            Some(Counters {
                closures_created: 12,
                cells_created: 3,
                collections: 0,
                peak_heap_bytes: 4096
            })
        );
        assert_eq!(s.compile, Some(Duration::from_micros(1250)));
        assert_eq!(parse_stats("closures created: 1\n"), Stats::default());
    }

    #[test]
    fn medians_and_geomeans() {
        assert_eq!(median(&[d(5), d(1), d(3)]), d(3));
        assert_eq!(median(&[d(4), d(1), d(3), d(2)]), Duration::from_micros(2500));
        assert_eq!(median(&[]), Duration::ZERO);
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        assert_eq!(geomean(&[]), None);
    }

    #[test]
    fn speedups_are_ratios_of_medians() {
        let r = result("a.py", 10, Some(200), Some(100));
        assert_eq!(r.speedup(Engine::Jit, Engine::Interp), Some(20.0));
        assert_eq!(r.speedup(Engine::Jit, Engine::Python), Some(10.0));
        assert_eq!(r.speedup(Engine::Interp, Engine::Python), Some(0.5));
        let r = result("a.py", 10, None, Some(100));
        assert_eq!(r.speedup(Engine::Jit, Engine::Interp), None);
    }

    #[test]
    fn first_difference_finds_the_line() {
        assert_eq!(first_difference("a\nb\n", "a\nb\n"), None);
        assert_eq!(
            first_difference("a\nb\nc\n", "a\nx\nc\n"),
            Some((2, Some("b\n"), Some("x\n")))
        );
        assert_eq!(first_difference("a\n", "a\nb\n"), Some((2, None, Some("b\n"))));
        assert_eq!(first_difference("a", "a\n"), Some((1, Some("a"), Some("a\n"))));
    }

    #[test]
    fn table_and_json_carry_the_figures() {
        let rs = vec![
            result("x/counter.py", 10, Some(200), Some(100)),
            result("y.py", 20, None, Some(80)),
        ];
        let t = render_table(&rs[0], &cfg());
        assert!(t.contains("x/counter.py"));
        assert!(t.contains("20.0x") && t.contains("10.0x") && t.contains("0.50x"), "{t}");
        let j = to_json(&rs, &cfg());
        assert!(j.contains("\"file\": \"x/counter.py\""));
        assert!(j.contains("\"speedup_vs_interp\": 20"));
        assert!(j.contains("\"jit_vs_python3\": 6.32"), "{j}"); // sqrt(10 * 4)
        assert_eq!(json_str("a\"b\\\n\u{1}"), "\"a\\\"b\\\\\\n\\u0001\"");
    }

    #[test]
    fn plot_is_an_svg_with_labels() {
        let rs = vec![
            result("counter.py", 10, Some(200), Some(100)),
            result("adders.py", 20, None, Some(80)),
        ];
        let svg = plot_svg(&rs, &cfg()).unwrap();
        assert!(svg.starts_with("<svg"));
        for s in [
            "counter",
            "adders",
            "geomean",
            "JIT vs interpreter",
            "JIT vs python3",
            "10.0\u{d7}",
            "20.0\u{d7}",
        ] {
            assert!(svg.contains(s), "missing {s}");
        }
        let none = vec![FileResult {
            file: "a.py".into(),
            engines: vec![],
            skipped: vec![],
        }];
        assert!(plot_svg(&none, &cfg()).is_err());
    }
}
