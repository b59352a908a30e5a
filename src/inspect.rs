//! `cellar ir` and `cellar scopes`: look inside how a program is compiled.
//!
//! - [`ir`] prints every function's listing (see [`crate::jit::listing`]) at one stage, or
//!   Graphviz dot graphs of their blocks.
//! - [`scopes`] prints the scope table the way CPython's `symtable` sees the program: per
//!   scope its parameters, locals, cells, free variables and globals, each with the reason
//!   for its class.
//!
//! [`function_irs`] and [`scope_report`] give the same text to tests without a subprocess.

use crate::driver;
use crate::jit::{CompileOptions, FunctionIr, Stage};
use crate::scope::{self, Reason, Scope, ScopeKind, ScopeTable, Symbol};
use crate::syntax::{lower, SourceText};
use std::fmt::Write as _;

/// Compile `source` (file name `path`) keeping the listings `opts` asks for; initialises a
/// fresh VM first. Returns the functions' listings, module body first, or the rendered
/// compile error.
pub fn function_irs(path: &str, source: &str, opts: &CompileOptions) -> Result<Vec<FunctionIr>, String> {
    cellar_runtime::vm::init(path, source, false, 1000);
    driver::compile_source(path, source, opts).map(|p| p.ir)
}

/// `cellar ir FILE [--fn NAME] [--stage STAGE] [--cfg]`: print listings (or dot graphs) to
/// stdout; returns the exit status.
pub fn ir(file: String, function: Option<String>, stage: Stage, cfg: bool) -> i32 {
    driver::with_big_stack(move || {
        if cfg && stage == Stage::Asm {
            eprintln!("cellar ir: --cfg draws CLIF blocks: use it with --stage built, prepared or opt");
            return 2;
        }
        let source = match driver::read_source(&file) {
            Ok(s) => s,
            Err((msg, status)) => {
                eprintln!("{msg}");
                return status;
            }
        };
        let opts = CompileOptions {
            keep_ir: stage == Stage::Built,
            keep_prepared_ir: stage == Stage::Prepared,
            keep_opt_ir: stage == Stage::Opt,
            keep_asm: stage == Stage::Asm,
            keep_cfg: cfg,
        };
        let irs = match function_irs(&file, &source, &opts) {
            Ok(irs) => irs,
            Err(msg) => {
                eprint!("{msg}");
                return 1;
            }
        };
        let chosen: Vec<&FunctionIr> = irs
            .iter()
            .filter(|f| function.as_deref().map_or(true, |want| f.is_named(want)))
            .collect();
        if chosen.is_empty() {
            eprintln!(
                "cellar ir: no function named '{}' in {file}",
                function.unwrap_or_default()
            );
            return 1;
        }
        let texts: Vec<String> = chosen
            .iter()
            .map(|f| {
                if cfg {
                    f.cfg(stage).to_string()
                } else {
                    f.listing(stage)
                }
            })
            .collect();
        write_stdout(&texts.join("\n"))
    })
}

/// `cellar scopes FILE`: print the scope table to stdout; returns the exit status.
pub fn scopes(file: String) -> i32 {
    driver::with_big_stack(move || {
        let source = match driver::read_source(&file) {
            Ok(s) => s,
            Err((msg, status)) => {
                eprintln!("{msg}");
                return status;
            }
        };
        match scope_report(&file, &source) {
            Ok(text) => write_stdout(&text),
            Err(msg) => {
                eprint!("{msg}");
                1
            }
        }
    })
}

/// The `cellar scopes` report of `source`, or the rendered compile error.
///
/// ```text
/// make_averager  (function, line 1, in <module>)
///   parameters  -
///   locals      averager  assigned (def)
///   cells       series    assigned; captured by make_averager.<locals>.averager
///   free        -
///   globals     -
///   children    make_averager.<locals>.averager
/// ```
pub fn scope_report(path: &str, source: &str) -> Result<String, String> {
    let src = SourceText::new(source.to_string());
    let ast = lower::parse_module(&src).map_err(|e| e.render(path, &src))?;
    let table = scope::analyze(&ast).map_err(|e| e.render(path, &src))?;
    // The VM knows the builtins (`global_source`).
    cellar_runtime::vm::init(path, source, false, 1000);
    let mut out = String::new();
    for s in &table.scopes {
        if !out.is_empty() {
            out.push('\n');
        }
        write_scope(&mut out, &table, s, &src);
    }
    Ok(out)
}

fn write_scope(out: &mut String, table: &ScopeTable, s: &Scope, src: &SourceText) {
    let what = if s.is_module {
        "module".to_string()
    } else {
        let kind = if s.name == "<lambda>" { "lambda" } else { "function" };
        let parent = s.parent.map(|p| table.get(p).qualname.as_str()).unwrap_or("");
        format!("{kind}, line {}, in {parent}", src.line(s.offset))
    };
    let _ = writeln!(out, "{}  ({what})", s.qualname);
    let width = s.symbols.iter().map(|y| y.name.len()).max().unwrap_or(0);
    let group = |out: &mut String, title: &str, syms: Vec<&Symbol>| {
        if syms.is_empty() {
            let _ = writeln!(out, "  {title:<11} -");
        }
        for (i, y) in syms.iter().enumerate() {
            let head = if i == 0 { title } else { "" };
            let _ = writeln!(out, "  {head:<11} {:<width$}  {}", y.name, why(table, s, y));
        }
    };
    let of = |k: &dyn Fn(&Symbol) -> bool| -> Vec<&Symbol> { s.symbols.iter().filter(|y| k(y)).collect() };
    if !s.is_module {
        let mut params: Vec<&Symbol> = s.params.iter().filter_map(|p| s.symbol(p)).collect();
        params.dedup_by_key(|y| y.name.clone());
        group(out, "parameters", params);
        group(out, "locals", of(&|y| y.kind == ScopeKind::Local));
        group(out, "cells", of(&|y| y.kind == ScopeKind::Cell));
        group(out, "free", of(&|y| y.kind == ScopeKind::Free));
    }
    group(
        out,
        "globals",
        of(&|y| matches!(y.kind, ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit)),
    );
    let children: Vec<&str> = s.children.iter().map(|&c| table.get(c).qualname.as_str()).collect();
    let _ = writeln!(
        out,
        "  {:<11} {}",
        "children",
        if children.is_empty() {
            "-".to_string()
        } else {
            children.join(", ")
        }
    );
}

/// How a name is bound in its scope: `parameter`, `assigned`, `assigned (def)`.
fn binding(y: &Symbol) -> &'static str {
    if y.is_param {
        "parameter"
    } else if y.def_bindings > 0 && y.plain_bindings == 0 {
        "assigned (def)"
    } else if y.plain_bindings > 0 || y.def_bindings > 0 {
        "assigned"
    } else {
        "never assigned here"
    }
}

/// The reason a name has its class in scope `s`.
fn why(table: &ScopeTable, s: &Scope, y: &Symbol) -> String {
    let binder = || {
        crate::jit::listing::binder(table, s, &y.name)
            .map(|b| b.qualname.clone())
            .unwrap_or_default()
    };
    match (&y.kind, &y.reason) {
        (ScopeKind::Cell, Reason::CapturedBy(by)) => {
            let by = if by.is_empty() {
                "inner scopes".to_string()
            } else {
                by.join(", ")
            };
            let rebound = if y.rebound_by_inner {
                "; rebound there (nonlocal)"
            } else {
                ""
            };
            format!("{}; captured by {by}{rebound}", binding(y))
        }
        (ScopeKind::Free, Reason::ComprehensionWalrus) => {
            format!("bound by := in this comprehension; cell of {}", binder())
        }
        (_, Reason::ComprehensionWalrus) => "bound by := in this comprehension; global".to_string(),
        (ScopeKind::Free, Reason::DeclaredNonlocal) => {
            format!("declared nonlocal; cell of {}", binder())
        }
        (ScopeKind::Free, _) if !y.direct => {
            format!("passed through to inner scopes; cell of {}", binder())
        }
        (ScopeKind::Free, _) => format!("used here; cell of {}", binder()),
        (ScopeKind::GlobalExplicit, _) if !s.is_module => "declared global".to_string(),
        (ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit, _) if s.is_module => {
            let declared = if y.kind == ScopeKind::GlobalExplicit {
                "; declared global in a function"
            } else {
                ""
            };
            if y.plain_bindings > 0 || y.def_bindings > 0 {
                format!("{}{declared}", binding(y))
            } else {
                format!("used; {}{declared}", global_source(table, &y.name))
            }
        }
        (ScopeKind::GlobalImplicit, _) => {
            format!(
                "used; not bound in an enclosing function: {}",
                global_source(table, &y.name)
            )
        }
        _ => binding(y).to_string(),
    }
}

/// Where a global name's value comes from: a module-level binding, a builtin, or nothing.
fn global_source(table: &ScopeTable, name: &str) -> &'static str {
    let assigned = table.scopes.iter().any(|s| {
        s.symbol(name).is_some_and(|y| {
            (s.is_module || y.kind == ScopeKind::GlobalExplicit) && (y.plain_bindings > 0 || y.def_bindings > 0)
        })
    });
    if assigned {
        "module global"
    } else if cellar_runtime::builtins::lookup_builtin(name).is_some() {
        "builtin"
    } else {
        "undefined (NameError)"
    }
}

/// Write a listing to stdout. A reader that stops early (`cellar ir prog.py | head`) closes
/// the pipe: that ends the output quietly, as for other Unix filters; any other write error
/// is reported. Returns the exit status.
fn write_stdout(text: &str) -> i32 {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("cellar: cannot write to stdout: {e}");
            1
        }
    }
}
