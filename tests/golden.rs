//! Golden tests for `cellar ir` and `cellar scopes`, plus property checks on the generated IR.
//!
//! For every `tests/golden/NAME.py` three files sit beside it:
//!
//! ```text
//! NAME.built.clif   `cellar ir NAME.py`               (IR as lowered)
//! NAME.opt.clif     `cellar ir NAME.py --stage opt`   (IR after Cranelift's optimiser)
//! NAME.scopes       `cellar scopes NAME.py`
//! ```
//!
//! plus a few single ones ([`EXTRA_GOLDENS`]), e.g. `counter.inc.dot` (`cellar ir counter.py
//! --fn inc --cfg`).
//!
//! A trial fails when the output differs from its file; `CELLAR_BLESS=1 cargo test --release
//! --test golden` rewrites the files instead (then review the diff, as with Cranelift's
//! `CRANELIFT_TEST_BLESS=1` and starlark-rust's golden tests). Listings name runtime addresses
//! symbolically (`&vm`, `&'series'`), so they do not depend on the machine.
//!
//! Full-text goldens change with every change to the lowering or to Cranelift. The property
//! trials check what must hold whatever the exact code looks like, on every golden program:
//!
//! - `props::env-loads::NAME`: every load from an environment record (a load from the closure
//!   at `FUNCTION_ENV_OFFSET + 8*i`) is `notrap aligned`, at both stages; and every function
//!   that reads a free variable other than its own name (a self-recursive call uses the
//!   running closure) has such a load.
//! - `props::prepared-slow-calls::NAME`: at the `prepared` stage (what Cranelift's
//!   optimiser gets), no cold block calls a runtime function (`%rt_*`) directly: every slow
//!   path's call goes through a `preserve_all` wrapper. As lowered, cold blocks do call the
//!   runtime directly, so the two stages are known to differ.
//! - `props::stubs-with-bodies::NAME`: compiled as `cellar run` compiles it (no listings),
//!   every stub the program's code calls (trampolines, slow-path wrappers) is compiled
//!   with the function bodies, on both threads, and none one at a time after them; and
//!   there are some.
//! - `props::call-in-loop`: in `call_loop.py`, the closure call in `run`'s loop is a
//!   `call_indirect`, and the hot (non-cold) blocks of that loop call no other function.
//!
//! - `props::specialised-chain-inlined`: running `tests/programs/spec_depth.py` (a chain of
//!   seven `compose` closures called 3000 times) specialises exactly one closure, the
//!   chain's outer one, and its body (printed by `run --dump-ir`) makes no indirect call and
//!   calls the shared body only once (the fall-back taken near the recursion limit).
//!   `props::specialised-chain-inlined::compose` checks the same of `spec_chain8.py`, the
//!   compose benchmark's eight-lambda chain (fourteen calls to inline).
//!
//! - `props::cell-regions`: in `cell_regions.py`, each variable's cells have an alias
//!   region of their own (named `cell NAME`), so at the `opt` stage `set_both`'s `return a`
//!   reuses the value stored to `a` (no load of `a` after the store to `b`), while
//!   `set_and_call` still loads `a` after its call.
//!
//! - `props::known-callees`: in `tests/programs/known_lambdas.py`, `all_known` calls every
//!   callee directly (no `call_indirect`, no `rt_call`): module-level `NAME = lambda`
//!   functions, a lambda called where it is written, and calls of calls whose function
//!   always returns one `def`'s closure (`add(k)(1)`, `compose(add(1))(sq)(k)`).
//! - `props::globals-bound`: in `tests/programs/globals_bound_early.py`, a function reading
//!   globals bound before the module's first call (and a builtin) has no NameError check,
//!   while functions reading a global bound later, deleted, unbound by `except ... as` or
//!   deleted through `global` keep theirs (`jit::facts::always_bound_globals`).
//! - `props::inline-policy`: in `tests/programs/inline_policy.py`, `main` (which runs once)
//!   inlines the maker it calls outside its loops and the calls inside them, but not its
//!   other calls outside loops nor the calls entering the `is_even`/`is_odd` recursion,
//!   and `is_even` inlines `is_odd` (`jit::inline::inline_calls`).
//! - `props::once-alloc`: in `tests/programs/once_alloc.py`, `main` (which runs once)
//!   makes the closures and the cell outside its loops with runtime calls and allocates
//!   only its loop's lambda inline; the module body allocates nothing inline, and
//!   `make_adder` (called many times) allocates its closure inline (`Lower::alloc_inline`).
//! - `props::queued-while-lowering`: compiling `tests/programs/once_alloc.py` without
//!   listings queues the bodies that call no Python body directly (`make_adder`, which only
//!   makes a closure of `add`; `add`; `bump`) as soon as they are lowered, and not `main`
//!   nor the module body, which have calls to inline (`jit::compile`).
//!
//! They get the IR from the compiler API ([`cellar::inspect::function_irs`]), not from the CLI.

use cellar::jit::{CompileOptions, FunctionIr};
use cellar_runtime::object::FUNCTION_ENV_OFFSET;
use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// The compiler API uses one process-wide VM: compile one program at a time.
static COMPILER: Mutex<()> = Mutex::new(());

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("golden")
}

fn blessing() -> bool {
    std::env::var("CELLAR_BLESS").is_ok_and(|v| v == "1")
}

fn program_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("tests/golden exists")
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .into_string()
                .ok()?
                .strip_suffix(".py")
                .map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

/// One golden output: the file suffix and the `cellar` arguments after the program name.
struct Golden {
    suffix: &'static str,
    args: &'static [&'static str],
}

/// Extra goldens for single programs: `(program, suffix, args)`.
const EXTRA_GOLDENS: &[(&str, Golden)] = &[
    (
        "counter",
        Golden {
            suffix: "inc.dot",
            args: &["ir", "--fn", "inc", "--cfg"],
        },
    ),
    (
        "call_loop",
        Golden {
            suffix: "prepared.clif",
            args: &["ir", "--stage", "prepared"],
        },
    ),
];

const GOLDENS: &[Golden] = &[
    Golden {
        suffix: "built.clif",
        args: &["ir", "--stage", "built"],
    },
    Golden {
        suffix: "opt.clif",
        args: &["ir", "--stage", "opt"],
    },
    Golden {
        suffix: "scopes",
        args: &["scopes"],
    },
];

fn check_golden(dir: &Path, name: &str, g: &Golden) -> Result<(), Failed> {
    let (cmd, rest) = g.args.split_first().expect("a subcommand");
    let out = Command::new(env!("CARGO_BIN_EXE_cellar"))
        .arg(cmd)
        .arg(format!("{name}.py"))
        .args(rest)
        .current_dir(dir)
        .output()
        .map_err(|e| format!("cannot run cellar: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cellar {} failed:\n{}",
            g.args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let actual = String::from_utf8(out.stdout).map_err(|e| e.to_string())?;
    let path = dir.join(format!("{name}.{}", g.suffix));
    if blessing() {
        fs::write(&path, &actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected =
        fs::read_to_string(&path).map_err(|e| format!("{}: {e} (create it with CELLAR_BLESS=1)", path.display()))?;
    if expected == actual {
        return Ok(());
    }
    Err(first_difference(&path, &expected, &actual).into())
}

fn first_difference(path: &Path, expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let i = (0..e.len().max(a.len())).find(|&i| e.get(i) != a.get(i)).unwrap_or(0);
    format!(
        "{} differs at line {} (expected {} lines, got {}; re-bless with CELLAR_BLESS=1 if intended)\n  expected: {:?}\n  actual:   {:?}\n",
        path.display(),
        i + 1,
        e.len(),
        a.len(),
        e.get(i).unwrap_or(&"<end>"),
        a.get(i).unwrap_or(&"<end>"),
    )
}

/// The functions of `dir/NAME.py` with their built and optimised CLIF.
fn compile(dir: &Path, name: &str) -> Result<Vec<FunctionIr>, Failed> {
    let path = dir.join(format!("{name}.py"));
    let source = fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let opts = CompileOptions {
        keep_ir: true,
        keep_prepared_ir: true,
        keep_opt_ir: true,
        ..Default::default()
    };
    let _one_at_a_time = COMPILER.lock().unwrap_or_else(|e| e.into_inner());
    cellar::inspect::function_irs(&path.to_string_lossy(), &source, &opts).map_err(|e| e.into())
}

// ---------------------------------------------------------------- a small CLIF reader

/// One block of CLIF text.
struct ClifBlock {
    name: String,
    cold: bool,
    insts: Vec<String>,
    succs: Vec<String>,
}

/// The blocks of one function's CLIF, in layout order. Comment lines and the `@xxxx`
/// source-location prefixes are dropped.
fn parse_blocks(clif: &str) -> Vec<ClifBlock> {
    let mut blocks: Vec<ClifBlock> = Vec::new();
    for raw in clif.lines() {
        let mut line = raw.trim();
        if let Some(rest) = line.strip_prefix('@') {
            line = rest.trim_start_matches(|c: char| c.is_ascii_hexdigit()).trim_start();
        }
        if line.is_empty() || line.starts_with(';') || line == "}" {
            continue;
        }
        if line.starts_with("block") && line.ends_with(':') {
            let head = line.trim_end_matches(':');
            let name = head.split(['(', ' ']).next().unwrap_or("").to_string();
            blocks.push(ClifBlock {
                name,
                cold: head.ends_with(" cold"),
                insts: Vec::new(),
                succs: Vec::new(),
            });
            continue;
        }
        let Some(b) = blocks.last_mut() else { continue };
        let code = line
            .split(" ; ")
            .next()
            .unwrap_or(line)
            .split("  ;")
            .next()
            .unwrap_or(line)
            .trim();
        if code.starts_with("jump ") || code.starts_with("brif") {
            for word in code.split([' ', ',', '(']) {
                if word.starts_with("block") {
                    b.succs.push(word.to_string());
                }
            }
        }
        b.insts.push(code.to_string());
    }
    blocks
}

/// Values holding the closure (`v0`, its aliases, and reloads of the stack slots it was
/// spilled to).
fn closure_values(blocks: &[ClifBlock]) -> HashSet<String> {
    let mut closure: HashSet<String> = HashSet::from(["v0".to_string()]);
    let mut addr_of: HashMap<String, String> = HashMap::new(); // value -> stack slot
    let mut closure_slots: HashSet<String> = HashSet::new();
    // Spills can come after reloads in layout order: iterate to a fixed point.
    loop {
        let before = closure.len() + closure_slots.len();
        for inst in blocks.iter().flat_map(|b| &b.insts) {
            let words: Vec<&str> = inst.split([' ', ',']).filter(|w| !w.is_empty()).collect();
            match words.as_slice() {
                [v, "->", src] if closure.contains(*src) => {
                    closure.insert(v.to_string());
                }
                [v, "=", op, slot] if op.starts_with("stack_addr") => {
                    addr_of.insert(v.to_string(), slot.to_string());
                }
                ["store", .., val, addr] if closure.contains(*val) => {
                    if let Some(slot) = addr_of.get(*addr) {
                        closure_slots.insert(slot.clone());
                    }
                }
                [v, "=", op, .., addr] if op.starts_with("load") => {
                    if addr_of.get(*addr).is_some_and(|s| closure_slots.contains(s)) {
                        closure.insert(v.to_string());
                    }
                }
                [v, "=", op, slot] if op.starts_with("stack_load") && closure_slots.contains(*slot) => {
                    closure.insert(v.to_string());
                }
                _ => {}
            }
        }
        if closure.len() + closure_slots.len() == before {
            return closure;
        }
    }
}

/// Every load from an environment record: `(flags, instruction)`.
fn env_loads(blocks: &[ClifBlock]) -> Vec<(String, String)> {
    let closure = closure_values(blocks);
    let mut loads = Vec::new();
    for inst in blocks.iter().flat_map(|b| &b.insts) {
        let words: Vec<&str> = inst.split(' ').filter(|w| !w.is_empty()).collect();
        let [_, "=", op, rest @ ..] = words.as_slice() else {
            continue;
        };
        if !op.starts_with("load.") {
            continue;
        }
        let Some((addr, flags)) = rest.split_last() else {
            continue;
        };
        let Some((base, off)) = addr.split_once('+') else {
            continue;
        };
        let Ok(off) = off.parse::<i32>() else {
            continue;
        };
        if closure.contains(base) && off >= FUNCTION_ENV_OFFSET && (off - FUNCTION_ENV_OFFSET) % 8 == 0 {
            loads.push((flags.join(" "), inst.clone()));
        }
    }
    loads
}

fn check_env_loads(dir: &Path, name: &str) -> Result<(), Failed> {
    let irs = compile(dir, name)?;
    let source = fs::read_to_string(dir.join(format!("{name}.py"))).map_err(|e| e.to_string())?;
    let table = {
        let src = cellar::syntax::SourceText::new(source);
        let ast = cellar::syntax::lower::parse_module(&src).map_err(|e| e.message)?;
        cellar::scope::analyze(&ast).map_err(|e| e.message)?
    };
    let mut problems = Vec::new();
    for f in &irs {
        let scope = table.get(f.scope);
        // A function's own name, read only to call itself, needs no env load: the JIT calls
        // the running closure (see `Lower::call`).
        let reads_free = scope
            .symbols
            .iter()
            .any(|y| y.kind == cellar::scope::ScopeKind::Free && y.direct && y.name != scope.name);
        for (stage, text) in [("built", &f.built), ("opt", &f.opt)] {
            let loads = env_loads(&parse_blocks(text));
            if reads_free && loads.is_empty() {
                problems.push(format!(
                    "{} ({stage}): reads a free variable but no env-record load was found",
                    f.qualname
                ));
            }
            for (flags, inst) in loads {
                let words: Vec<&str> = flags.split(' ').collect();
                if !(words.contains(&"notrap") && words.contains(&"aligned")) {
                    problems.push(format!(
                        "{} ({stage}): env-record load is not `notrap aligned`: {inst}",
                        f.qualname
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// Blocks of the hot cycle through `start`: not cold, reachable from `start` and reaching it
/// back through blocks that are not cold.
fn hot_cycle<'b>(blocks: &'b [ClifBlock], start: &str) -> Vec<&'b ClifBlock> {
    let by_name: HashMap<&str, &ClifBlock> = blocks.iter().map(|b| (b.name.as_str(), b)).collect();
    let reach = |from: &str, forward: bool| -> HashSet<String> {
        let mut seen = HashSet::from([from.to_string()]);
        let mut todo = vec![from.to_string()];
        while let Some(n) = todo.pop() {
            let next: Vec<String> = if forward {
                by_name.get(n.as_str()).map(|b| b.succs.clone()).unwrap_or_default()
            } else {
                blocks
                    .iter()
                    .filter(|b| b.succs.contains(&n))
                    .map(|b| b.name.clone())
                    .collect()
            };
            for m in next {
                if by_name.get(m.as_str()).is_some_and(|b| !b.cold) && seen.insert(m.clone()) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let (fwd, back) = (reach(start, true), reach(start, false));
    blocks
        .iter()
        .filter(|b| fwd.contains(&b.name) && back.contains(&b.name))
        .collect()
}

fn check_call_in_loop(dir: &Path) -> Result<(), Failed> {
    let irs = compile(dir, "call_loop")?;
    let run = irs
        .iter()
        .find(|f| f.qualname == "run")
        .ok_or("no function `run` in call_loop.py")?;
    // Some call_indirect sits on a hot loop that makes no other call. (`range(count)` may
    // have a big-int bound, so the loop also has a generic copy, which calls `rt_next`.)
    for (stage, text) in [("built", &run.built), ("opt", &run.opt)] {
        let blocks = parse_blocks(text);
        let candidates: Vec<&ClifBlock> = blocks
            .iter()
            .filter(|b| b.insts.iter().any(|i| i.contains("call_indirect")))
            .collect();
        if candidates.is_empty() {
            return Err(format!("{stage}: the closure call is not a call_indirect").into());
        }
        let verdict = |call_block: &ClifBlock| -> Result<(), String> {
            if call_block.cold {
                return Err(format!("{stage}: the call_indirect is in a cold block"));
            }
            let cycle = hot_cycle(&blocks, &call_block.name);
            if cycle.len() < 2 {
                return Err(format!(
                    "{stage}: the call_indirect ({}) is not on a hot loop",
                    call_block.name
                ));
            }
            for b in &cycle {
                for inst in &b.insts {
                    if inst.split(['=', ' ']).any(|w| w == "call") {
                        return Err(format!(
                            "{stage}: a call on the loop's fast path, in {}: {inst}",
                            b.name
                        ));
                    }
                }
            }
            Ok(())
        };
        let verdicts: Vec<Result<(), String>> = candidates.iter().map(|b| verdict(b)).collect();
        if !verdicts.iter().any(|v| v.is_ok()) {
            return Err(verdicts.into_iter().find_map(|v| v.err()).unwrap_or_default().into());
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- fast-path properties

/// `fnN -> runtime or function name` from a listing's preamble (`fn3 = %rt_new_cell sig2`).
fn callee_names(clif: &str) -> HashMap<String, String> {
    clif.lines()
        .filter_map(|l| {
            let l = l.trim();
            let (lhs, rhs) = l.split_once(" = ")?;
            if !lhs.starts_with("fn") || !lhs[2..].chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let name = rhs.split_whitespace().find(|w| w.starts_with('%'))?;
            Some((lhs.to_string(), name.trim_start_matches('%').to_string()))
        })
        .collect()
}

/// Names of the functions called (`call fnN(...)`) in `blocks`.
fn calls_in<'b>(blocks: impl IntoIterator<Item = &'b ClifBlock>, names: &HashMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for b in blocks {
        for inst in &b.insts {
            let words: Vec<&str> = inst.split([' ', '=']).filter(|w| !w.is_empty()).collect();
            if let Some(i) = words.iter().position(|w| *w == "call") {
                if let Some(f) = words.get(i + 1) {
                    let f = f.split('(').next().unwrap_or(f);
                    out.push(names.get(f).cloned().unwrap_or_else(|| f.to_string()));
                }
            }
        }
    }
    out
}

/// `props::prepared-slow-calls::NAME` (see the module documentation).
fn check_prepared_slow_calls(dir: &Path, name: &str) -> Result<(), Failed> {
    let irs = compile(dir, name)?;
    let cold_runtime_calls = |clif: &str| -> Vec<String> {
        let names = callee_names(clif);
        let blocks = parse_blocks(clif);
        calls_in(blocks.iter().filter(|b| b.cold), &names)
            .into_iter()
            .filter(|f| f.starts_with("rt_"))
            .collect()
    };
    let mut built = 0;
    for f in &irs {
        if f.prepared.is_empty() {
            return Err(format!("{}: no prepared listing", f.qualname).into());
        }
        let direct = cold_runtime_calls(&f.prepared);
        if let Some(callee) = direct.first() {
            return Err(format!("{}: a cold block calls {callee} directly when prepared", f.qualname).into());
        }
        built += cold_runtime_calls(&f.built).len();
    }
    if built == 0 {
        return Err("no cold block calls the runtime directly as lowered either".into());
    }
    Ok(())
}

/// `props::stubs-with-bodies::NAME` (see the module documentation).
fn check_stubs_with_bodies(dir: &Path, name: &str) -> Result<(), Failed> {
    let path = dir.join(format!("{name}.py"));
    let source = fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let path = path.to_string_lossy();
    let _one_at_a_time = COMPILER.lock().unwrap_or_else(|e| e.into_inner());
    cellar_runtime::vm::init(&path, &source, false, 1000);
    let stubs = cellar::driver::compile_source(&path, &source, &CompileOptions::default())?.stubs;
    if stubs.after_bodies != 0 {
        return Err(format!("{} stubs compiled after the bodies ({stubs:?})", stubs.after_bodies).into());
    }
    if stubs.with_bodies == 0 {
        return Err("no stub compiled at all".into());
    }
    Ok(())
}

/// `props::queued-while-lowering`: without listings, the bodies that call no other Python
/// body directly are queued for compiling as soon as they are lowered, and only those.
fn check_queued_while_lowering() -> Result<(), Failed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/once_alloc.py");
    let source = fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let path = path.to_string_lossy();
    let _one_at_a_time = COMPILER.lock().unwrap_or_else(|e| e.into_inner());
    cellar_runtime::vm::init(&path, &source, false, 1000);
    let early = cellar::driver::compile_source(&path, &source, &CompileOptions::default())?.queued_while_lowering;
    for leaf in ["make_adder", "make_adder.<locals>.add", "main.<locals>.bump"] {
        if !early.iter().any(|q| q == leaf) {
            return Err(format!("`{leaf}` calls no Python body but was not queued while lowering ({early:?})").into());
        }
    }
    // `main` calls `make_adder` directly, and the module body calls `main`.
    for caller in ["main", "<module>"] {
        if early.iter().any(|q| q == caller) {
            return Err(format!("`{caller}` calls a Python body directly but was queued before inlining").into());
        }
    }
    Ok(())
}

fn function<'f>(irs: &'f [FunctionIr], qualname: &str) -> Result<&'f FunctionIr, Failed> {
    irs.iter()
        .find(|f| f.qualname == qualname)
        .ok_or_else(|| format!("no function `{qualname}` in the program").into())
}

/// The hot cycle of the loop in `f` at `stage` (the cycle through the first hot block that
/// has a back edge to an earlier block).
fn hot_loop<'b>(blocks: &'b [ClifBlock]) -> Option<Vec<&'b ClifBlock>> {
    blocks.iter().filter(|b| !b.cold).find_map(|b| {
        let cycle = hot_cycle(blocks, &b.name);
        (cycle.len() >= 2).then_some(cycle)
    })
}

/// How many instructions of `g`'s hot loop (opt stage) satisfy `pred`.
fn count_in_hot_loop(g: &FunctionIr, pred: impl Fn(&str) -> bool) -> Result<usize, Failed> {
    let blocks = parse_blocks(&g.opt);
    let cycle = hot_loop(&blocks).ok_or_else(|| format!("no hot loop in {}", g.qualname))?;
    Ok(cycle.iter().flat_map(|b| &b.insts).filter(|i| pred(i)).count())
}

/// The values that CLIF instructions `insts` define with `stack_addr`.
fn stack_addrs<'b>(insts: impl Iterator<Item = &'b String>) -> HashSet<&'b str> {
    insts
        .filter_map(|i| i.split_once(" = stack_addr").map(|(v, _)| v.trim()))
        .collect()
}

/// Is this CLIF instruction a load from one of the stack addresses `addrs`?
fn is_reload(inst: &str, addrs: &HashSet<&str>) -> bool {
    inst.contains(" = load.") && inst.split([' ', '+']).any(|w| addrs.contains(w))
}

/// Is this CLIF instruction an int tag test? In the loops checked, tag tests are the only
/// unsigned `>=` compares.
fn is_tag_test(inst: &str) -> bool {
    inst.contains("= icmp uge ") || inst.contains("= icmp.i64 uge ")
}

/// Optimisations of the JIT, each checked on the IR of `tests/golden/fast_paths.py`:
///
/// - `inline-alloc`: making a closure and a cell allocates inline: `rt_make_function` and
///   `rt_new_cell` are called only from cold blocks (an empty free list).
/// - `frozen-capture`: a captured parameter nothing rebinds gets no cell at all.
/// - `frozen-local`: so does a local assigned once before the closure capturing it is made
///   (`entries` in `make_log`).
/// - `known-call-inlined`: `c = make_counter(2); ... c()` in a loop: the call is known and
///   inlined, so the loop's hot path has no call of any kind.
/// - `inline-indexing`: subscripts in a loop never call the general `rt_getitem` on the hot
///   path (a list or tuple is indexed inline, a dict through the direct `rt_dict_getitem`).
/// - `definite-assignment`: reading a local after it is assigned has no unbound check.
/// - `dense-dict`: `indexing` reads a dict's dense flag (`uload8` at the offset
///   `DenseLayout` gives) in its loop: keys 0, 1, 2, ... are looked up inline.
/// - `list-iteration`: `for x in xs` over a list steps inline: `iterating`'s loop calls no
///   `rt_next` on its hot path.
/// - `inline-append`: `xs.append(i)` on a list with room stores inline: `appending`'s loop
///   calls nothing on its hot path (`rt_list_append` only when the list must grow).
/// - `depth-argument`: the Python call depth travels as an argument: `add` and `inc`
///   compare their `depth` parameter with the limit and never touch the depth word in
///   memory; `sorting`, whose `sorted(key=...)` runs Python code from the runtime, stores
///   it there first.
/// - `self-bound-def`: `knight` makes one cell (for `k`), not two: `back`, which only
///   `back` itself reads, is bound once by a top-level `def`, so `back`'s record holds
///   `back` in place of a cell (`jit::facts::self_bound_defs`).
/// - `invariant-record-loads`: `counting_two`'s loop, which calls two inlined counters,
///   loads neither one's env record: the loads Cranelift's elaborator leaves in the loop
///   (the second counter's) go to the preheader (`jit::licm`).
/// - `bound-cell-reads`: `inc` reads `count`, a cell its maker assigns before making `inc`
///   and never deletes, with no unbound check.
/// - `no-float-paths`: fast_paths.py makes no floats, so `total + c()` in `counting` has no
///   inline float path at all (a float would take the runtime call): no `fadd`, no
///   `fcvt_from_sint`. float_paths.py makes floats, and there the float path of `total + x`
///   is hot.
/// - `cold-spread`: no block of fast_paths.py is reached only from cold blocks without
///   being cold itself (`jit::cold`).
/// - `range-var-unboxed`: `modding`'s loop tests one int tag (that of `s`): `i % 7` uses
///   the range counter `i` unboxed, with no tag test.
/// - `one-kind-load`: each subscript in `indexing`'s loop (`xs[i]`, `d[i]`) tests for a
///   list or tuple and then for a dict with one load of the object's kind byte.
/// - `int-tree-raw`: `(t + k * i) % 1000003` in `chained`'s loop is one int tree
///   (`jit::lower::arith`): the fast copy tests the tags of `k` (a test hoisted out of the
///   loop) and `t` only; the results of `k * i` and `t + ...` go on raw with no test, so
///   the loop tests one tag (a plain lowering also tests the result of `t + ...`: two).
/// - `float-tree-raw`: `s + i * 0.5 - 1.0` in float_paths.py's `drift` (a program with
///   floats; `s = 0.0` hints a float) is one float tree: its loop boxes one float (the
///   root), not one per operation.
/// - `no-dead-blocks`: the trees of `modding` (whose `i % 7` cannot fail, so it has no
///   bail) and `chained` leave no block that nothing branches to: a dead block would make
///   variables look up undefined values (zeros) and add loop phis for unchanged locals.
/// - `float-loop-param`: `s` in `drift`'s loop goes around the loop unboxed too, in an
///   `f64` parameter of the loop header beside the boxed one (`jit::unboxed_params`): the hot
///   loop unboxes no float value with a `bitcast.f64` (only constants are bitcast).
/// - `known-float-operands`: in float_paths.py's `smooth`, `s + m(i)` adds two known floats
///   (`s` starts at `0.0`; `m(i)` is a `/` inlined, a float whenever it returns): neither is
///   tested (`jit::floats`), so the hot loop holds at most the five float tests of `m`'s
///   `+` and `/` on words read from its cells; and `s` goes around the loop as an `f64`
///   only, its box made again where it is used, not carried beside it (the loop header's
///   parameters are the range counter and `s`'s `f64`).
/// - `int-merge-param`: small ints that go through a block parameter (`s` around
///   `modding`'s loop; `y` and `z` in `stepped`, through the merges after their operations'
///   slow paths) are unboxed from the parameter's rotated shadow (`jit::unboxed_params`):
///   no `rotl` in `modding`'s hot loop, and no `rotl` or `ishl` of a block parameter on
///   `stepped`'s hot path (the entry block's parameters aside: they are the function's).
/// - `ranged-no-overflow`: in `bounded`, `y = x % 1000` is in [0, 1000) whichever path
///   made it, so `y * 3` and `z + 7` cannot leave the small ints: neither tests for overflow
///   (`jit::ranges`). `stepped`'s `x * 3`, on an argument it knows nothing of, still does.
/// - `rotated-add`: `count = count + step` in `inc` adds in the rotated form (`rotl`, add
///   with overflow, `rotr`): three operations between the cell's load and its store, not
///   four (shift, add, shift back, tag).
/// - `loop-body-falls-through`: the test that leaves `counting`'s loop branches to the exit
///   first and to the body second, the target Cranelift lays out on the fall-through side.
/// - `no-reload-in-loop`: `counting`'s loop, whose only safepoints are on cold paths, reads
///   no stack slot: values kept in slots for the collector stay in registers too
///   (`jit::spills`).
fn check_fast_path(dir: &Path, which: &str) -> Result<(), Failed> {
    let irs = compile(dir, "fast_paths")?;
    let f = |q: &str| function(&irs, q);
    // The functions called on the hot path of `q`'s loop.
    let loop_calls = |q: &str| -> Result<Vec<String>, Failed> {
        let g = f(q)?;
        let blocks = parse_blocks(&g.opt);
        let cycle = hot_loop(&blocks).ok_or(format!("no hot loop in {q}"))?;
        Ok(calls_in(cycle.iter().copied(), &callee_names(&g.opt)))
    };
    match which {
        "inline-alloc" => {
            let g = f("make_counter")?;
            let blocks = parse_blocks(&g.opt);
            let names = callee_names(&g.opt);
            let hot = calls_in(blocks.iter().filter(|b| !b.cold), &names);
            if let Some(c) = hot.iter().find(|c| *c == "rt_make_function" || *c == "rt_new_cell") {
                return Err(format!("make_counter calls {c} on a hot path: {hot:?}").into());
            }
            if !g.opt.contains("&free_list(") {
                return Err("make_counter does not allocate from a free list".into());
            }
        }
        "frozen-capture" => {
            let g = f("make_adder")?;
            if g.built.contains("rt_new_cell") || g.built.contains("&free_list(32)") {
                return Err("make_adder makes a cell for its parameter `n`".into());
            }
        }
        "self-bound-def" => {
            // knight's `back` reads only itself and `k` through cells: its own name is
            // bound once by its top-level `def`, so its record holds the closure itself
            // (`jit::facts::self_bound_defs`). knight makes one cell, for `k`.
            let g = f("knight")?;
            let names = callee_names(&g.built);
            let cells = calls_in(&parse_blocks(&g.built), &names)
                .iter()
                .filter(|c| *c == "rt_new_cell")
                .count();
            if cells != 1 {
                return Err(format!("knight makes {cells} cells (slow paths counted), not 1 for `k`").into());
            }
            if !g.header.contains("env[0] (+56) <- back (the new closure itself)") {
                return Err("knight's listing does not show back's record holding back".into());
            }
        }
        "invariant-record-loads" => {
            // counting_two calls two inlined counters in its loop; Cranelift hoists the
            // first one's env-record loads and not the second's (`jit::licm`): no hot
            // block of the loop loads from a closure's record.
            let g = f("counting_two")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting_two")?;
            let loads: Vec<&String> = cycle
                .iter()
                .flat_map(|b| &b.insts)
                .filter(|i| i.contains("readonly can_move"))
                .collect();
            if !loads.is_empty() {
                return Err(format!("counting_two's loop loads env records: {loads:?}").into());
            }
            if !g.opt.contains("readonly can_move") {
                return Err("counting_two loads no env record at all: the check sees nothing".into());
            }
        }
        "frozen-local" => {
            let g = f("make_log")?;
            if g.built.contains("rt_new_cell") || g.built.contains("&free_list(32)") {
                return Err("make_log makes a cell for its local `entries`".into());
            }
        }
        "known-call-inlined" => {
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting")?;
            let names = callee_names(&g.opt);
            let calls = calls_in(cycle.iter().copied(), &names);
            let indirect = cycle.iter().flat_map(|b| &b.insts).any(|i| i.contains("call_indirect"));
            if indirect || !calls.is_empty() {
                return Err(format!("counting's loop still calls: indirect={indirect}, {calls:?}").into());
            }
        }
        "inlined-result-untested" => {
            // The inlined `make_counter(2)` and `c()` return without a test for `EXC` on
            // the hot path: the callee's exception exit goes to the caller's error path
            // itself (`jit::inline`). (Cold slow paths still test what the runtime returns.)
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            // The values that hold the constant EXC.
            let exc = format!("iconst.i64 {}", cellar_runtime::value::EXC.0);
            let exc_values: HashSet<&str> = blocks
                .iter()
                .flat_map(|b| &b.insts)
                .filter_map(|i| i.split_once(" = ").filter(|(_, rhs)| *rhs == exc).map(|(v, _)| v))
                .collect();
            if exc_values.is_empty() {
                return Err("counting has no EXC constant: the check cannot see its tests".into());
            }
            let tests: Vec<&String> = blocks
                .iter()
                .filter(|b| !b.cold)
                .flat_map(|b| &b.insts)
                .filter(|i| i.contains("= icmp") && i.split_whitespace().any(|w| w == "eq"))
                .filter(|i| i.split([' ', ',']).any(|w| exc_values.contains(w)))
                .collect();
            if !tests.is_empty() {
                return Err(format!("counting's hot path tests for EXC: {tests:?}").into());
            }
        }
        "inline-indexing" => {
            let calls = loop_calls("indexing")?;
            if calls.iter().any(|c| c == "rt_getitem") || !calls.iter().any(|c| c == "rt_dict_getitem") {
                return Err(format!("indexing's loop calls {calls:?}").into());
            }
        }
        "definite-assignment" => {
            let g = f("assigned_then_read")?;
            if g.built.contains("rt_raise_unbound_local") {
                return Err("assigned_then_read checks a local it has just assigned".into());
            }
        }
        "dense-dict" => {
            let g = f("indexing")?;
            let at = std::mem::offset_of!(cellar_runtime::object::DictObj, d) as i32
                + cellar_runtime::dict::DenseLayout::get().dense;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in indexing")?;
            let flag = format!("+{at}");
            if !cycle
                .iter()
                .flat_map(|b| &b.insts)
                .any(|i| i.contains("uload8") && i.ends_with(&flag))
            {
                return Err(format!("indexing's loop does not test the dense flag at {flag}").into());
            }
        }
        "list-iteration" => {
            let calls = loop_calls("iterating")?;
            if calls.iter().any(|c| c == "rt_next") {
                return Err(format!("iterating's loop calls {calls:?}").into());
            }
        }
        "bitwise-inline" => {
            // `^`, `&` and `|` on small ints are one instruction each, with no call.
            let calls = loop_calls("bit_mixing")?;
            if !calls.is_empty() {
                return Err(format!("bit_mixing's loop calls {calls:?}").into());
            }
            if !f("bit_mixing")?.opt.contains("rt_binop") {
                return Err("bit_mixing has no slow path: the check cannot see its calls".into());
            }
        }
        "mod-by-constant" => {
            // In the loop, `%` and `//` by positive constants are high multiplies (or a
            // mask), with no hardware division and no call. (The generic slow path, where
            // the operands are block parameters, keeps its divisions.)
            let g = f("modular")?;
            let is_division = |i: &str| ["= srem", "= sdiv", "= urem", "= udiv"].iter().any(|op| i.contains(op));
            let divisions = count_in_hot_loop(g, is_division)?;
            let multiplies = count_in_hot_loop(g, |i| i.contains("= umulhi"))?;
            if divisions > 0 || multiplies < 3 {
                return Err(format!("modular's loop: {divisions} divisions, {multiplies} high multiplies").into());
            }
            let calls = loop_calls("modular")?;
            if !calls.is_empty() {
                return Err(format!("modular's loop calls {calls:?}").into());
            }
        }
        "no-reload-between-clobbers" => {
            // `knight` calls itself (a call that clobbers registers), but not between making
            // its closure and filling the closure's record: those stores address the fresh
            // closure in a register, not through a reload of its stack slot.
            let g = f("knight")?;
            let blocks = parse_blocks(&g.opt);
            let insts: Vec<&String> = blocks.iter().flat_map(|b| &b.insts).collect();
            let slot_addrs = stack_addrs(insts.iter().copied());
            let reloaded: HashSet<&str> = insts
                .iter()
                .filter(|i| is_reload(i, &slot_addrs))
                .filter_map(|i| i.split_once(" = ").map(|(v, _)| v.trim()))
                .collect();
            let record_stores: Vec<&&String> = insts
                .iter()
                .filter(|i| i.trim_start().starts_with("store"))
                .filter(|i| {
                    i.split([' ', ',']).any(|w| {
                        w.split_once('+').is_some_and(|(base, off)| {
                            off.parse::<i32>().is_ok_and(|o| o >= 56) && reloaded.contains(base)
                        })
                    })
                })
                .collect();
            if !record_stores.is_empty() {
                return Err(format!("knight reloads the closure it fills: {record_stores:?}").into());
            }
            if !g.opt.contains("+64") || !g.opt.contains("call fn") {
                return Err("knight makes no closure record or no call: the check sees nothing".into());
            }
        }
        "one-traceback-exit" => {
            // knight raises from several sites (a capture's bound check, its calls) and
            // has no handler: every site jumps to one cold block, which records the
            // traceback with the site's line.
            let g = f("knight")?;
            let blocks = parse_blocks(&g.built);
            let names = callee_names(&g.built);
            let exits: Vec<&ClifBlock> = blocks
                .iter()
                .filter(|b| calls_in([*b], &names).iter().any(|c| c == "rt_traceback_add"))
                .collect();
            let [exit] = exits[..] else {
                return Err(format!("knight records tracebacks in {} blocks, not 1", exits.len()).into());
            };
            let sites = blocks.iter().filter(|b| b.succs.contains(&exit.name)).count();
            if sites < 3 {
                return Err(
                    format!("knight's traceback block has {sites} raising sites; the check sees too few").into(),
                );
            }
        }
        "decided-depth-checks" => {
            // counting calls make_counter inline before its loop and c() inline in it: both
            // test the same depth, so the loop's test is decided and gone
            // (`jit::decided`). The function's own entry test stays.
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            // Slow-path calls go through wrappers: the block names its target (`&rt_...`).
            let raising: Vec<&str> = blocks
                .iter()
                .filter(|b| b.insts.iter().any(|i| i.contains("&rt_raise_recursion")))
                .map(|b| b.name.as_str())
                .collect();
            if raising.is_empty() {
                return Err("counting never raises RecursionError: the check sees nothing".into());
            }
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting")?;
            if let Some(b) = cycle
                .iter()
                .find(|b| b.succs.iter().any(|s| raising.contains(&s.as_str())))
            {
                return Err(format!("counting's loop still tests the depth in {}", b.name).into());
            }
        }
        "inline-append" => {
            let calls = loop_calls("appending")?;
            if !calls.is_empty() || !f("appending")?.opt.contains("rt_list_append") {
                return Err(format!("appending's loop calls {calls:?}").into());
            }
        }
        "depth-argument" => {
            // The depth is the word at &vm itself (offset 0).
            let depth_access = |clif: &str, op: &str| {
                clif.lines()
                    .any(|l| l.contains(op) && l.contains("= &vm") && !l.contains('+'))
            };
            for q in ["make_adder.<locals>.add", "make_counter.<locals>.inc"] {
                let g = f(q)?;
                if depth_access(&g.built, "= load.") || depth_access(&g.built, "store") {
                    return Err(format!("{q} reads or writes the depth in memory").into());
                }
                if !g.header.contains("v1: depth") || !g.built.contains("= icmp ugt v1, v") {
                    return Err(format!("{q} does not check its depth argument").into());
                }
            }
            if !depth_access(&f("sorting")?.built, "store") {
                return Err("sorting calls back into Python through the runtime without storing its depth".into());
            }
        }
        "bound-cell-reads" => {
            if f("make_counter.<locals>.inc")?.built.contains("rt_raise_unbound_free") {
                return Err("inc checks that `count` is bound".into());
            }
        }
        "ranged-no-overflow" => {
            let bounded = &f("bounded")?.opt;
            if let Some(l) = bounded.lines().find(|l| l.contains("_overflow")) {
                return Err(format!("bounded still tests for overflow: {}", l.trim()).into());
            }
            if !f("stepped")?.opt.contains("smul_overflow") {
                return Err("stepped's `x * 3` lost its overflow test".into());
            }
        }
        "no-float-paths" => {
            let float_blocks = |clif: &str| -> Vec<bool> {
                parse_blocks(clif)
                    .iter()
                    .filter(|b| {
                        b.insts
                            .iter()
                            .any(|i| i.contains(" = fadd") || i.contains(" = fcvt_from_sint"))
                    })
                    .map(|b| b.cold)
                    .collect()
            };
            let here = float_blocks(&f("counting")?.built);
            if !here.is_empty() {
                return Err(format!("counting has float arithmetic in {} blocks", here.len()).into());
            }
            let irs = compile(dir, "float_paths")?;
            let there = float_blocks(&function(&irs, "step")?.opt);
            if !there.iter().any(|cold| !cold) {
                return Err(format!("float_paths.py's step has no hot float addition: {there:?}").into());
            }
        }
        "cold-spread" => {
            for g in &irs {
                let blocks = parse_blocks(&g.opt);
                let cold: HashMap<&str, bool> = blocks.iter().map(|b| (b.name.as_str(), b.cold)).collect();
                for b in blocks.iter().skip(1).filter(|b| !b.cold) {
                    let preds: Vec<&ClifBlock> = blocks.iter().filter(|p| p.succs.contains(&b.name)).collect();
                    if !preds.is_empty() && preds.iter().all(|p| cold[p.name.as_str()]) {
                        return Err(format!("{}: {} is reached only from cold blocks", g.qualname, b.name).into());
                    }
                }
            }
        }
        "cold-calls-preserve-all" => {
            let mut rerouted = 0;
            for g in &irs {
                let names: HashMap<String, String> = g
                    .opt
                    .lines()
                    .filter_map(|l| {
                        let (f, rest) = l.trim().split_once(" = ")?;
                        let name = rest.split('%').nth(1)?.split(' ').next()?;
                        f.starts_with("fn").then(|| (f.to_string(), name.to_string()))
                    })
                    .collect();
                for b in parse_blocks(&g.opt).iter().filter(|b| b.cold) {
                    for i in &b.insts {
                        let Some(callee) = i.split("call ").nth(1).and_then(|c| c.split('(').next()) else {
                            continue;
                        };
                        let name = names.get(callee).map(String::as_str).unwrap_or("?");
                        if name.starts_with("rt_") || name.starts_with("tramp_") {
                            return Err(format!("{}: cold {} calls {name} directly", g.qualname, b.name).into());
                        }
                        // The arguments go through `Vm::cold_args`, not registers.
                        if name.starts_with("cold_") && !i.contains(&format!("{callee}()")) {
                            return Err(format!("{}: {i} passes arguments in registers", g.qualname).into());
                        }
                        rerouted += name.starts_with("cold_call_") as usize;
                    }
                }
            }
            if rerouted == 0 {
                return Err("no cold block calls a cold_ wrapper".into());
            }
        }
        "no-spill-on-loop-fast-path" => {
            // counting's loop stores no spill on its fast path: not the closure `c` (the
            // inlined call's parameter, the same value every iteration: stored once before
            // the loop), and not `total` (only the slow paths' safepoints read its slot:
            // stored on them, see `spills::sink_cold_spills`).
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            let addrs = stack_addrs(blocks.iter().flat_map(|b| &b.insts));
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting")?;
            let spills: Vec<&String> = cycle
                .iter()
                .flat_map(|b| &b.insts)
                .filter(|i| i.starts_with("store") && i.rsplit(", ").next().is_some_and(|a| addrs.contains(a)))
                .collect();
            if !spills.is_empty() {
                return Err(format!("counting's loop spills {spills:?} on its fast path").into());
            }
        }
        "slow-path-values-sunk" => {
            // `counting` cannot make floats: its float paths are cold, and so must be the
            // int-to-float conversions that only they use (Cranelift hoists them out of
            // the loop; `jit::sink` moves them back).
            let g = f("counting")?;
            let hot: Vec<String> = parse_blocks(&g.opt)
                .into_iter()
                .filter(|b| !b.cold)
                .flat_map(|b| b.insts)
                .filter(|i| i.contains("= fcvt_from_sint") || i.contains("= bitcast.f64"))
                .collect();
            if !hot.is_empty() {
                return Err(format!("counting computes float-path values on hot paths: {hot:?}").into());
            }
        }
        "one-kind-load" => {
            let g = f("indexing")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in indexing")?;
            // The kind byte is at offset 0: a `uload8` with no `+offset`.
            let kind_loads = cycle
                .iter()
                .flat_map(|b| &b.insts)
                .filter(|i| i.contains("= uload8") && !i.contains('+'))
                .count();
            if kind_loads != 2 {
                return Err(format!("indexing's loop loads a kind byte {kind_loads} times, not 2").into());
            }
        }
        "loop-body-falls-through" => {
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting")?;
            let inside: HashSet<&str> = cycle.iter().map(|b| b.name.as_str()).collect();
            let exits: Vec<&ClifBlock> = cycle
                .iter()
                .copied()
                .filter(|b| b.succs.len() == 2 && b.succs.iter().any(|s| !inside.contains(s.as_str())))
                .filter(|b| b.insts.last().is_some_and(|i| i.starts_with("brif")))
                .filter(|b| !blocks.iter().any(|x| x.cold && b.succs.contains(&x.name)))
                .collect();
            let test = exits.first().ok_or("counting's loop has no exit test")?;
            if !inside.contains(test.succs[1].as_str()) {
                return Err(format!("{}: the loop body is the first target: {:?}", test.name, test.succs).into());
            }
        }
        "int-tree-raw" => {
            let tests = count_in_hot_loop(f("chained")?, is_tag_test)?;
            if tests != 1 {
                return Err(format!("chained's loop makes {tests} int tag tests, not 1").into());
            }
        }
        "float-tree-raw" => {
            let irs = compile(dir, "float_paths")?;
            let boxes = count_in_hot_loop(function(&irs, "drift")?, |i| i.contains("= bitcast.i64 "))?;
            if boxes != 1 {
                return Err(format!("drift's loop boxes {boxes} floats, not 1").into());
            }
        }
        "float-loop-param" => {
            let irs = compile(dir, "float_paths")?;
            let g = function(&irs, "drift")?;
            let constants: HashSet<&str> = g
                .opt
                .lines()
                .filter_map(|l| l.trim().split_once(" = iconst").map(|(v, _)| v.trim()))
                .map(|v| v.rsplit(' ').next().unwrap_or(v))
                .collect();
            let unboxings = count_in_hot_loop(g, |i| {
                i.split_once("= bitcast.f64 ")
                    .is_some_and(|(_, arg)| !constants.contains(arg.split_whitespace().next().unwrap_or("")))
            })?;
            if unboxings != 0 {
                return Err(format!("drift's loop unboxes {unboxings} floats with bitcast.f64, not 0").into());
            }
        }
        "known-float-operands" => {
            let irs = compile(dir, "float_paths")?;
            let g = function(&irs, "smooth")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in smooth")?;
            let head = format!("{}(", cycle[0].name);
            let params = g
                .opt
                .lines()
                .map(str::trim)
                .find(|l| l.starts_with(&head))
                .ok_or(format!("no parameters on smooth's loop header {}", cycle[0].name))?;
            let (words, floats) = (params.matches(": i64").count(), params.matches(": f64").count());
            if (words, floats) != (1, 1) {
                return Err(format!("smooth's loop header is {params}: not one i64 and one f64").into());
            }
            let tests = count_in_hot_loop(g, |i| i.contains("= icmp ult ") || i.contains("= icmp.i64 ult "))?;
            if tests > 5 {
                return Err(format!("smooth's loop makes {tests} float tests, more than 5").into());
            }
        }
        "int-merge-param" => {
            // `s` around `modding`'s loop, and `y` and `z` through the merges after
            // `stepped`'s slow paths, are read through their rotated shadows.
            let rotations = count_in_hot_loop(f("modding")?, |i| i.contains("= rotl"))?;
            if rotations != 0 {
                return Err(format!("modding's loop rotates {rotations} boxed ints, not 0").into());
            }
            let g = f("stepped")?;
            // The parameters of blocks other than the entry (whose parameters are the
            // function's: `x` is unboxed from its box, having no shadow).
            let params: HashSet<&str> = g
                .opt
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("block") && !l.starts_with("block0("))
                .filter_map(|l| l.split_once('(').and_then(|(_, rest)| rest.split_once(')')))
                .flat_map(|(list, _)| list.split(", ").filter_map(|p| p.split(':').next()))
                .collect();
            let blocks = parse_blocks(&g.opt);
            let hot: Vec<&String> = blocks.iter().filter(|b| !b.cold).flat_map(|b| &b.insts).collect();
            let unboxings: Vec<&&String> = hot
                .iter()
                .filter(|i| i.contains("= rotl") || i.contains("= ishl"))
                .filter(|i| i.split([' ', ',']).any(|w| params.contains(w)))
                .collect();
            if params.is_empty() || !unboxings.is_empty() {
                return Err(format!("stepped's hot path unboxes block parameters: {unboxings:?}").into());
            }
        }
        "rotated-add" => {
            let g = f("make_counter.<locals>.inc")?;
            let blocks = parse_blocks(&g.opt);
            let hot: Vec<&str> = blocks
                .iter()
                .filter(|b| !b.cold)
                .flat_map(|b| b.insts.iter().map(String::as_str))
                .collect();
            let has = |op: &str| hot.iter().any(|i| i.contains(&format!("= {op}")));
            if !(has("rotl") && has("rotr") && has("sadd_overflow")) {
                return Err(format!("inc's hot path does not add rotated: {hot:?}").into());
            }
        }
        "no-dead-blocks" => {
            for q in ["modding", "chained"] {
                let blocks = parse_blocks(&f(q)?.built);
                for b in blocks.iter().skip(1) {
                    if !blocks.iter().any(|p| p.succs.contains(&b.name)) {
                        return Err(format!("{q}: nothing branches to {}", b.name).into());
                    }
                }
            }
        }
        "range-var-unboxed" => {
            let tests = count_in_hot_loop(f("modding")?, is_tag_test)?;
            if tests != 1 {
                return Err(format!("modding's loop makes {tests} int tag tests, not 1").into());
            }
        }
        "no-reload-in-loop" => {
            let g = f("counting")?;
            let blocks = parse_blocks(&g.opt);
            let cycle = hot_loop(&blocks).ok_or("no hot loop in counting")?;
            let slot_addrs = stack_addrs(blocks.iter().flat_map(|b| &b.insts));
            let reloads: Vec<&String> = cycle
                .iter()
                .flat_map(|b| &b.insts)
                .filter(|i| is_reload(i, &slot_addrs))
                .collect();
            if !reloads.is_empty() {
                return Err(format!("counting's loop reads stack slots: {reloads:?}").into());
            }
        }
        "no-reload-without-clobbers" => {
            // A function whose every call goes to a `preserve_all` function (its slow paths'
            // wrappers, the poll) keeps its values in registers across them: it reads no
            // stack slot back, in loops or not.
            let mut checked = 0;
            for g in &irs {
                let header = |prefix: &str| -> HashMap<String, String> {
                    g.opt
                        .lines()
                        .filter_map(|l| l.trim().split_once(" = "))
                        .filter(|(k, _)| k.starts_with(prefix))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                };
                let (sigs, fns) = (header("sig"), header("fn"));
                let preserving = |f: &str| {
                    fns.get(f)
                        .and_then(|d| d.split_whitespace().last())
                        .and_then(|sig| sigs.get(sig))
                        .is_some_and(|s| s.ends_with("preserve_all"))
                };
                let blocks = parse_blocks(&g.opt);
                let insts: Vec<&String> = blocks.iter().flat_map(|b| &b.insts).collect();
                let clobbers = insts.iter().any(|i| {
                    i.contains("call_indirect")
                        || i.split("call ")
                            .nth(1)
                            .is_some_and(|c| !preserving(c.split('(').next().unwrap_or("")))
                });
                if clobbers {
                    continue;
                }
                let slot_addrs = stack_addrs(insts.iter().copied());
                let reloads: Vec<&&String> = insts.iter().filter(|i| is_reload(i, &slot_addrs)).collect();
                if !reloads.is_empty() {
                    return Err(format!("{} reads stack slots back: {reloads:?}", g.qualname).into());
                }
                checked += 1;
            }
            if checked < 3 {
                return Err(format!("only {checked} functions make no clobbering call").into());
            }
        }
        _ => return Err(format!("unknown property {which}").into()),
    }
    Ok(())
}

/// `cellar ir FILE | head -c 10`: the reader closes the pipe early; cellar stops quietly
/// (status 0, nothing on stderr) rather than panicking on the failed write.
fn check_ir_closed_pipe(dir: &Path) -> Result<(), Failed> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_cellar"))
        .args(["ir", "--stage", "asm"])
        .arg(dir.join("fast_paths.py"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let mut head = [0u8; 10];
    child.stdout.take().ok_or("no stdout")?.read_exact(&mut head)?; // dropped: pipe closed
    let out = child.wait_with_output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() || !stderr.is_empty() {
        return Err(format!("cellar ir into a closed pipe: {}, stderr: {stderr}", out.status).into());
    }
    Ok(())
}

/// `cellar run prog.py | head -c 10` (both engines): once the reader has closed the pipe,
/// writing stdout out raises `BrokenPipeError: [Errno 32] Broken pipe` at a `print`, with a
/// traceback and status 1, as CPython does.
fn check_run_closed_pipe() -> Result<(), Failed> {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let prog = std::env::temp_dir().join(format!("cellar-closed-pipe-{}.py", std::process::id()));
    fs::write(&prog, "for i in range(300000):\n    print(i)\n")?;
    for engine in [&["run"][..], &["run", "--interp"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cellar"))
            .args(engine)
            .arg(&prog)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let mut head = [0u8; 10];
        child.stdout.take().ok_or("no stdout")?.read_exact(&mut head)?; // dropped: pipe closed
        let out = child.wait_with_output()?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.lines().last().unwrap_or("");
        if out.status.code() != Some(1) || last != "BrokenPipeError: [Errno 32] Broken pipe" {
            let _ = fs::remove_file(&prog);
            return Err(format!("cellar {engine:?} into a closed pipe: {}, stderr: {stderr}", out.status).into());
        }
    }
    let _ = fs::remove_file(&prog);
    Ok(())
}

/// `run --dump-ir` on a chain of composed closures (`tests/programs/NAME.py`): one closure
/// is specialised, and its body calls nothing indirectly.
fn check_specialised_chain(name: &str) -> Result<(), Failed> {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/programs/{name}.py"));
    let out = Command::new(env!("CARGO_BIN_EXE_cellar"))
        .args(["run", "--dump-ir", "--stats"])
        .arg(&program)
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.contains("closures specialised: 1\n") {
        return Err(format!("expected one specialised closure; --stats said:\n{}", tail(&stderr, 8)).into());
    }
    let start = stderr
        .find("; spec_")
        .ok_or("no specialised body in the --dump-ir output")?;
    let listing = &stderr[start..];
    let end = listing.find("\n}\n").ok_or("unterminated specialised listing")? + 3;
    let listing = &listing[..end];
    if !listing.starts_with("; spec_") || !listing.lines().next().unwrap_or("").ends_with("<lambda>") {
        return Err(format!(
            "the specialised body is not the chain's: {}",
            listing.lines().next().unwrap_or("")
        )
        .into());
    }
    if listing.contains("call_indirect") {
        return Err(format!("the specialised body still calls indirectly:\n{listing}").into());
    }
    // Every call left goes to a slow-path wrapper or the poll (no arguments) but one: the
    // fall-back to the shared body, with the body's own three (closure, depth, x).
    let calls: Vec<&str> = listing.lines().filter(|l| l.contains("call fn")).collect();
    let with_args: Vec<&&str> = calls.iter().filter(|l| !l.contains("()")).collect();
    if with_args.len() != 1 || with_args[0].matches(", ").count() < 2 {
        return Err(format!("expected one call with arguments (the fall-back), found {with_args:?}").into());
    }
    Ok(())
}

/// Without listings, the chain's body is compiled on the helper thread and installed at a
/// later call (`CELLAR_SPECIALIZE_WAIT=1` makes that the first check, so this is the same
/// every run); the program's output stays CPython's.
fn check_specialised_on_helper_thread() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let out = Command::new(env!("CARGO_BIN_EXE_cellar"))
        .args(["run", "--stats", "spec_depth.py"])
        .current_dir(&dir)
        .env_remove("CELLAR_SERIAL_COMPILE")
        .env("CELLAR_SPECIALIZE_WAIT", "1")
        .env("CELLAR_DEBUG_SPEC", "1")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.contains("(on the helper thread)") || !stderr.contains("closures specialised: 1\n") {
        return Err(format!(
            "expected one body from the helper thread; stderr:\n{}",
            tail(&stderr, 10)
        )
        .into());
    }
    let expected = fs::read_to_string(dir.join("spec_depth.expected"))?;
    let want: String = expected
        .lines()
        .filter(|l| !l.starts_with("# "))
        .map(|l| format!("{l}\n"))
        .collect();
    if String::from_utf8_lossy(&out.stdout) != want {
        return Err(format!(
            "output differs from CPython's:\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
        .into());
    }
    Ok(())
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// `CELLAR_PERF_MAP=1 cellar run FILE` appends one `START LENGTH py::QUALNAME` line per
/// compiled function to `/tmp/perf-PID.map`, the file `perf report` reads.
fn check_perf_map(dir: &Path) -> Result<(), Failed> {
    use std::process::{Command, Stdio};
    let child = Command::new(env!("CARGO_BIN_EXE_cellar"))
        .arg("run")
        .arg(dir.join("call_loop.py"))
        .env("CELLAR_PERF_MAP", "1")
        .stdout(Stdio::null())
        .spawn()?;
    let pid = child.id();
    let out = child.wait_with_output()?;
    if !out.status.success() {
        return Err(format!("cellar run: {}", out.status).into());
    }
    let path = format!("/tmp/perf-{pid}.map");
    let text = fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let _ = fs::remove_file(&path);
    let mut names = Vec::new();
    for line in text.lines() {
        let parts: Vec<&str> = line.splitn(3, ' ').collect();
        let hex = |t: &str| u64::from_str_radix(t, 16).is_ok_and(|v| v > 0);
        if parts.len() != 3 || !hex(parts[0]) || !hex(parts[1]) {
            return Err(format!("{path}: bad line {line:?}").into());
        }
        names.push(parts[2].to_string());
    }
    for want in [
        "py::<module>",
        "py::make_adder",
        "py::make_adder.<locals>.add",
        "py::run",
    ] {
        if !names.iter().any(|n| n == want) {
            return Err(format!("{path} does not name {want}: {names:?}").into());
        }
    }
    Ok(())
}

/// The alias regions a CLIF function declares, by description (`region0 = 66560 "cell a"`
/// gives `("cell a", "region0")`).
fn alias_regions(clif: &str) -> HashMap<String, String> {
    clif.lines()
        .filter_map(|l| {
            let (name, rest) = l.trim().split_once(" = ")?;
            if !name.starts_with("region") {
                return None;
            }
            let desc = rest.split_once('"')?.1.strip_suffix('"')?;
            Some((desc.to_string(), name.to_string()))
        })
        .collect()
}

/// `props::known-callees` (see the module documentation).
fn check_known_callees() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let irs = compile(&dir, "known_lambdas")?;
    let g = function(&irs, "all_known")?;
    let names = callee_names(&g.built);
    let blocks = parse_blocks(&g.built);
    let calls = calls_in(&blocks, &names);
    if g.built.contains("call_indirect") || calls.iter().any(|c| c == "rt_call") {
        return Err(format!("all_known makes a call through the generic protocol: {calls:?}").into());
    }
    // Direct calls to the bodies of sq, add, add's lambda, compose, its two lambdas, the
    // literal lambda, fact and make_counter, and inc.
    let direct = calls.iter().filter(|c| c.starts_with("py_")).count();
    if direct < 10 {
        return Err(format!("all_known makes {direct} direct calls, not at least 10: {calls:?}").into());
    }
    Ok(())
}

/// `props::inline-policy` (see the module documentation).
fn check_inline_policy() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let irs = compile(&dir, "inline_policy")?;
    let calls_of = |caller: &str| -> Result<Vec<String>, Failed> {
        let g = function(&irs, caller)?;
        let names = callee_names(&g.prepared);
        let blocks = parse_blocks(&g.prepared);
        let symbols: HashMap<&str, &str> = irs.iter().map(|f| (f.symbol.as_str(), f.qualname.as_str())).collect();
        Ok(calls_in(&blocks, &names)
            .into_iter()
            .filter_map(|c| symbols.get(c.as_str()).map(|q| q.to_string()))
            .collect())
    };
    let count = |calls: &[String], q: &str| calls.iter().filter(|c| *c == q).count();
    let main = calls_of("main")?;
    let expected = [
        ("make_scaler", 0),
        ("step", 0),
        ("make_scaler.<locals>.scale", 1),
        ("describe", 3),
        ("is_even", 3),
        ("is_odd", 1),
    ];
    for (callee, n) in expected {
        if count(&main, callee) != n {
            return Err(format!("main calls {callee} {} times, not {n}: {main:?}", count(&main, callee)).into());
        }
    }
    let even = calls_of("is_even")?;
    if count(&even, "is_odd") != 0 || count(&even, "is_even") != 1 {
        return Err(format!("is_even does not inline is_odd: {even:?}").into());
    }
    Ok(())
}

/// `props::once-alloc` (see the module documentation).
fn check_once_alloc() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let irs = compile(&dir, "once_alloc")?;
    let inline_allocs = |q: &str| -> Result<usize, Failed> {
        let g = function(&irs, q)?;
        Ok(g.built.lines().filter(|l| l.contains("iconst.i64 &free_list(")).count())
    };
    let runtime_calls = |q: &str, callee: &str| -> Result<usize, Failed> {
        let g = function(&irs, q)?;
        let names = callee_names(&g.built);
        Ok(calls_in(&parse_blocks(&g.built), &names)
            .iter()
            .filter(|c| *c == callee)
            .count())
    };
    let expected = [("<module>", 0), ("main", 1), ("make_adder", 1)];
    for (q, n) in expected {
        let found = inline_allocs(q)?;
        if found != n {
            return Err(format!("{q} allocates inline {found} times, not {n}").into());
        }
    }
    // `bump`, `double` and the list comprehension's function, and the slow path of the
    // loop's inline allocation.
    let made = runtime_calls("main", "rt_make_function")?;
    let cells = runtime_calls("main", "rt_new_cell")?;
    if made != 4 || cells != 1 {
        return Err(format!("main calls rt_make_function {made} times (not 4), rt_new_cell {cells} (not 1)").into());
    }
    Ok(())
}

/// `props::globals-bound` (see the module documentation).
fn check_globals_bound() -> Result<(), Failed> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs");
    let irs = compile(&dir, "globals_bound_early")?;
    let checks = |q: &str| -> Result<bool, Failed> { Ok(function(&irs, q)?.built.contains("rt_raise_name_error")) };
    if checks("early")? {
        return Err("early checks globals bound before any call (or the builtin len)".into());
    }
    for q in [
        "late_reader",
        "deleted_reader",
        "excepted_reader",
        "unbound_later_reader",
    ] {
        if !checks(q)? {
            return Err(format!("{q} reads a global that can be unbound without checking it").into());
        }
    }
    Ok(())
}

/// `props::cell-regions` (see the module documentation).
fn check_cell_regions(dir: &Path) -> Result<(), Failed> {
    const SET_BOTH: &str = "make_pair.<locals>.set_both";
    const SET_AND_CALL: &str = "make_pair.<locals>.set_and_call";
    let irs = compile(dir, "cell_regions")?;
    // Memory instructions of `q` (at the `opt` stage) that are `op`s in variable `var`'s region.
    let count = |q: &str, op: &str, var: &str| -> Result<usize, Failed> {
        let g = function(&irs, q)?;
        let regions = alias_regions(&g.opt);
        let region = regions
            .get(&format!("cell {var}"))
            .ok_or(format!("{q} declares no region `cell {var}`: {regions:?}"))?;
        let is_op = |i: &&String| i.split(['=', ' ']).any(|w| w == op || w == format!("{op}.i64"));
        Ok(parse_blocks(&g.opt)
            .iter()
            .flat_map(|b| b.insts.iter())
            .filter(is_op)
            .filter(|i| i.split(' ').any(|w| w == region))
            .count())
    };
    for (q, var) in [(SET_BOTH, "a"), (SET_BOTH, "b"), (SET_AND_CALL, "a")] {
        if count(q, "store", var)? == 0 {
            return Err(format!("{q} does not store to {var}'s cell").into());
        }
    }
    let after_store = count(SET_BOTH, "load", "a")?;
    if after_store != 0 {
        return Err(format!(
            "set_both loads `a` {after_store} time(s) after storing it: the store to `b` was taken to clobber it"
        )
        .into());
    }
    if count(SET_AND_CALL, "load", "a")? == 0 {
        return Err("set_and_call does not load `a` after its call: a call may change any cell".into());
    }
    Ok(())
}

fn main() {
    let args = Arguments::from_args();
    let dir = golden_dir();
    let names = program_names(&dir);
    let mut trials = Vec::new();
    for g in GOLDENS {
        for name in &names {
            let (dir, name) = (dir.clone(), name.clone());
            let label = format!("golden::{}::{name}", g.suffix.replace('.', "-"));
            trials.push(Trial::test(label, move || check_golden(&dir, &name, g)));
        }
    }
    for (name, g) in EXTRA_GOLDENS {
        let dir = dir.clone();
        let label = format!("golden::{}::{name}", g.suffix.replace('.', "-"));
        trials.push(Trial::test(label, move || check_golden(&dir, name, g)));
    }
    {
        let dir = dir.clone();
        trials.push(Trial::test("cli::ir-closed-pipe", move || check_ir_closed_pipe(&dir)));
    }
    trials.push(Trial::test("cli::run-closed-pipe", check_run_closed_pipe));
    trials.push(Trial::test("props::specialised-chain-inlined", || {
        check_specialised_chain("spec_depth")
    }));
    trials.push(Trial::test("props::specialised-chain-inlined::compose", || {
        check_specialised_chain("spec_chain8")
    }));
    trials.push(Trial::test(
        "props::specialised-on-helper-thread",
        check_specialised_on_helper_thread,
    ));
    {
        let dir = dir.clone();
        trials.push(Trial::test("cli::perf-map", move || check_perf_map(&dir)));
    }
    for which in [
        "inline-alloc",
        "frozen-capture",
        "frozen-local",
        "self-bound-def",
        "invariant-record-loads",
        "known-call-inlined",
        "inlined-result-untested",
        "inline-indexing",
        "definite-assignment",
        "no-reload-in-loop",
        "no-float-paths",
        "cold-spread",
        "cold-calls-preserve-all",
        "slow-path-values-sunk",
        "no-spill-on-loop-fast-path",
        "no-reload-without-clobbers",
        "loop-body-falls-through",
        "one-kind-load",
        "int-tree-raw",
        "float-tree-raw",
        "float-loop-param",
        "known-float-operands",
        "int-merge-param",
        "no-dead-blocks",
        "rotated-add",
        "ranged-no-overflow",
        "range-var-unboxed",
        "depth-argument",
        "bound-cell-reads",
        "dense-dict",
        "list-iteration",
        "inline-append",
        "bitwise-inline",
        "mod-by-constant",
        "no-reload-between-clobbers",
        "one-traceback-exit",
        "decided-depth-checks",
    ] {
        let dir = dir.clone();
        trials.push(Trial::test(format!("props::fast-paths::{which}"), move || {
            check_fast_path(&dir, which)
        }));
    }
    for name in &names {
        let (dir, name) = (dir.clone(), name.clone());
        trials.push(Trial::test(format!("props::env-loads::{name}"), move || {
            check_env_loads(&dir, &name)
        }));
    }
    for name in &names {
        let (dir, name) = (dir.clone(), name.clone());
        trials.push(Trial::test(format!("props::prepared-slow-calls::{name}"), move || {
            check_prepared_slow_calls(&dir, &name)
        }));
    }
    for name in &names {
        let (dir, name) = (dir.clone(), name.clone());
        trials.push(Trial::test(format!("props::stubs-with-bodies::{name}"), move || {
            check_stubs_with_bodies(&dir, &name)
        }));
    }
    {
        let dir = dir.clone();
        trials.push(Trial::test("props::call-in-loop", move || check_call_in_loop(&dir)));
    }
    trials.push(Trial::test("props::queued-while-lowering", check_queued_while_lowering));
    {
        let dir = dir.clone();
        trials.push(Trial::test("props::cell-regions", move || check_cell_regions(&dir)));
    }
    trials.push(Trial::test("props::known-callees", check_known_callees));
    trials.push(Trial::test("props::globals-bound", check_globals_bound));
    trials.push(Trial::test("props::inline-policy", check_inline_policy));
    trials.push(Trial::test("props::once-alloc", check_once_alloc));
    {
        let n = names.len();
        trials.push(Trial::test("golden::enough-programs", move || {
            if n >= 12 {
                Ok(())
            } else {
                Err(format!("only {n} golden programs (want at least 12)").into())
            }
        }));
    }
    libtest_mimic::run(&args, trials).exit();
}
