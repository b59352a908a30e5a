//! Per-function binding facts the lowering uses to drop checks it can prove unnecessary.
//!
//! - `unbindable`: names that some statement of the function can unbind (`del x`, the end of
//!   an `except ... as x` clause). Only other names can be *definitely bound*, which lets
//!   the lowering skip the `UnboundLocalError` check on reads it can prove follow a binding.
//! - `range_only`: names bound only as the target of `for x in range(...)` loops whose
//!   bounds are provably small ints (int literals, `len(...)`, or locals only ever assigned
//!   one of those). They always hold a small int, never a heap pointer, so they need no GC
//!   stack map. (A range with a big-int bound runs a generic copy of the loop, whose
//!   counter may be a heap object: its target must keep its stack map.)
//!
//! And five facts about the whole program: [`always_bound_cells`], the cells that closures
//! can read without checking that they are bound, [`always_bound_globals`], the same for
//! global names read from functions, [`self_bound_defs`], the cells that only hold their
//! own closure, [`may_make_floats`], whether the inline float paths deserve a place on
//! the hot path, and [`run_once_functions`], the functions whose calls outside loops run
//! once (not worth inlining).

use crate::scope::{Scope, ScopeKind, ScopeTable};
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};

/// Binding facts of one function body (nested functions excluded).
#[derive(Default, Debug)]
pub struct BindingFacts {
    /// Names some statement can unbind.
    pub unbindable: HashSet<String>,
    /// Names bound only by `for NAME in range(...)` with provably small-int bounds.
    pub range_only: HashSet<String>,
    /// Plain locals only ever assigned a small-int literal or `len(...)`.
    small_locals: HashSet<String>,
    /// Is `len` the builtin?
    is_len: bool,
    /// Names some plain `NAME = <float literal>` statement assigns: likely floats (the
    /// hint that picks the float fast copy of an arithmetic tree, `jit::lower::arith`).
    pub float_hints: HashSet<String>,
}

impl BindingFacts {
    /// Collect the facts of `body`, the body of `scope` (whose parameters the call binds);
    /// `is_len` tells whether the name `len` is the builtin there.
    pub fn of(body: &[Stmt], scope: &Scope, is_len: bool) -> Self {
        let mut w = Walker {
            is_len,
            ..Walker::default()
        };
        w.other.extend(scope.params.iter().cloned());
        // `:=` binds inside expressions, which the walk below does not enter.
        w.other.extend(walrus_targets(body).into_iter().map(String::from));
        w.stmts(body);
        // Plain locals (no other function can rebind them) only ever assigned a small-int
        // literal or `len(...)`.
        let small: HashSet<String> = w
            .small_assigns
            .iter()
            .filter(|&(n, &all_small)| {
                all_small
                    && !w.other.contains(n)
                    && !w.range.contains(n)
                    && !scope.is_module
                    && scope.symbol(n).is_some_and(|y| y.kind == ScopeKind::Local)
            })
            .map(|(n, _)| n.clone())
            .collect();
        let mut facts = BindingFacts {
            unbindable: HashSet::new(),
            range_only: HashSet::new(),
            small_locals: small,
            is_len,
            float_hints: std::mem::take(&mut w.float_hints),
        };
        let mut bounds_ok = HashMap::new();
        range_loops(body, &mut |name, iter| {
            *bounds_ok.entry(name.to_string()).or_insert(true) &= facts.range_bounds_small(iter);
        });
        let range_only = w
            .range
            .iter()
            .filter(|n| !w.other.contains(*n) && !w.small_assigns.contains_key(*n) && bounds_ok.get(*n) == Some(&true))
            .cloned()
            .collect();
        facts.unbindable = w.unbindable;
        facts.range_only = range_only;
        facts
    }

    /// Are all the arguments of the `range(...)` call `iter` small ints whatever happens:
    /// int literals, `len(...)`, or small locals? Then `range` cannot fail or make big ints.
    pub fn range_bounds_small(&self, iter: &Expr) -> bool {
        range_bounds(iter).all(|b| {
            is_small_int_expr(b, self.is_len) || matches!(&b.kind, ExprKind::Name(n) if self.small_locals.contains(n))
        })
    }
}

/// An expression that always evaluates to a small int: an int literal in the small range
/// (possibly negated), or a call of the builtin `len` (a length is far below 2^47).
fn is_small_int_expr(e: &Expr, is_len: bool) -> bool {
    let literal = |e: &Expr| match &e.kind {
        ExprKind::Constant(Constant::Int(s)) => s.parse::<i64>().is_ok_and(|v| v < 1 << 47),
        _ => false,
    };
    match &e.kind {
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => literal(operand),
        ExprKind::Call { func, args } => {
            is_len && args.len() == 1 && matches!(&func.kind, ExprKind::Name(n) if n == "len")
        }
        _ => literal(e),
    }
}

/// A float literal, possibly negated.
pub fn is_float_literal(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant(Constant::Float(_)) => true,
        ExprKind::UnaryOp {
            op: UnaryOp::Neg,
            operand,
        } => is_float_literal(operand),
        _ => false,
    }
}

/// The argument expressions of a `range(...)` call.
fn range_bounds(iter: &Expr) -> impl Iterator<Item = &Expr> {
    let args: &[Arg] = match &iter.kind {
        ExprKind::Call { args, .. } => args,
        _ => &[],
    };
    args.iter()
        .filter_map(|a| if let Arg::Positional(e) = a { Some(e) } else { None })
}

/// Call `f(name, iter)` for every `for NAME in range(...)` of `body` (nested functions
/// excluded).
fn range_loops<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a str, &'a Expr)) {
    each_stmt(body, &mut |s| {
        if let StmtKind::For { target, iter, .. } = &s.kind {
            if let ExprKind::Name(n) = &target.kind {
                if is_range_call(iter) {
                    f(n, iter);
                }
            }
        }
    });
}

#[derive(Default)]
struct Walker {
    unbindable: HashSet<String>,
    range: HashSet<String>,
    other: HashSet<String>,
    /// Names bound by plain `NAME = value` statements: are all the values small ints (see
    /// `is_small_int_expr`)?
    small_assigns: HashMap<String, bool>,
    /// Is `len` the builtin?
    is_len: bool,
    /// Names assigned a float literal somewhere.
    float_hints: HashSet<String>,
}

/// Is `e` a call of the name `range` with one or two positional arguments?
pub fn is_range_call(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { func, args } => {
            matches!(&func.kind, ExprKind::Name(n) if n == "range")
                && (1..=2).contains(&args.len())
                && args.iter().all(|a| matches!(a, Arg::Positional(_)))
        }
        _ => false,
    }
}

impl Walker {
    fn stmts(&mut self, body: &[Stmt]) {
        for s in body {
            self.stmt(s);
        }
    }

    fn target(&mut self, t: &Expr) {
        match &t.kind {
            ExprKind::Name(n) => {
                self.other.insert(n.clone());
            }
            ExprKind::Tuple(ts) | ExprKind::List(ts) => ts.iter().for_each(|t| self.target(t)),
            ExprKind::Starred(t) => self.target(t),
            _ => {}
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Assign { targets, value } => match &targets[..] {
                [Expr {
                    kind: ExprKind::Name(n),
                    ..
                }] => {
                    *self.small_assigns.entry(n.clone()).or_insert(true) &= is_small_int_expr(value, self.is_len);
                    if is_float_literal(value) {
                        self.float_hints.insert(n.clone());
                    }
                }
                _ => targets.iter().for_each(|t| self.target(t)),
            },
            StmtKind::AugAssign { target, .. } => self.target(target),
            StmtKind::FunctionDef(f) => {
                // Binds its name here; its body is another function's.
                self.other.insert(f.name.clone());
                return;
            }
            StmtKind::For { target, iter, .. } => match &target.kind {
                ExprKind::Name(n) if is_range_call(iter) => {
                    self.range.insert(n.clone());
                }
                _ => self.target(target),
            },
            StmtKind::Delete(ts) => {
                for t in ts {
                    let mut names = Walker::default();
                    names.target(t);
                    self.unbindable.extend(names.other.iter().cloned());
                    self.other.extend(names.other);
                }
            }
            StmtKind::Try { handlers, .. } => {
                for n in handlers.iter().filter_map(|h| h.name.as_ref()) {
                    self.unbindable.insert(n.name.clone());
                    self.other.insert(n.name.clone());
                }
            }
            _ => {}
        }
        let mut children = Vec::new();
        s.for_each_child(&mut |c| children.push(c), &mut |_| {});
        children.into_iter().for_each(|c| self.stmt(c));
    }
}

/// `(scope, name)` of the cells a closure can read without an unbound check: the cell's
/// variable is a parameter, or is assigned by a plain `name = ...` statement of the
/// function body (at its top level) that comes before every statement making a closure
/// that reaches the cell; and no function that shares the cell can unbind it (`del`, the
/// end of an `except ... as name` clause). A closure then only runs after its cell was
/// bound, and the cell stays bound. (The caller leaves this empty when the program can
/// write cells through `__closure__`.)
pub fn always_bound_cells(scopes: &ScopeTable, defs: &HashMap<ScopeId, &FunctionDef>) -> HashSet<(ScopeId, String)> {
    let mut out = HashSet::new();
    for s in scopes.scopes.iter().filter(|s| !s.is_module) {
        let Some(def) = defs.get(&s.id) else { continue };
        for name in &s.cellvars {
            let sharers = cell_sharers(scopes, s.id, name);
            let unbinds = std::iter::once(s.id).chain(sharers.iter().copied()).any(|id| {
                let body = if id == s.id { &def.body } else { &defs[&id].body };
                BindingFacts::of(body, scopes.get(id), false).unbindable.contains(name)
            });
            if unbinds {
                continue;
            }
            // The first top-level statement that makes a closure reaching the cell.
            let Some(capturers) = s
                .children
                .iter()
                .filter(|c| scopes.get(**c).freevars.contains(name))
                .map(|c| defs.get(c).map(|d| d.span))
                .collect::<Option<Vec<Span>>>()
            else {
                continue;
            };
            let first_capture = def.body.iter().position(|st| {
                capturers
                    .iter()
                    .any(|sp| st.span.start <= sp.start && sp.end <= st.span.end)
            });
            let bound_before = |limit: usize| {
                def.body[..limit].iter().any(|st| match &st.kind {
                    StmtKind::Assign { targets, .. } => targets
                        .iter()
                        .any(|t| matches!(&t.kind, ExprKind::Name(n) if n == name)),
                    _ => false,
                })
            };
            let ok = s.params.contains(name)
                || match first_capture {
                    Some(i) => bound_before(i),
                    None => false,
                };
            if ok {
                out.insert((s.id, name.clone()));
            }
        }
    }
    out
}

/// Global names that every function can read without checking that they are bound:
///
/// - builtins (of `global_names`, the names with a global slot) the program never binds or
///   deletes as globals: their slots hold the builtin from start-up to exit; and
/// - names an unconditional top-level statement of the module binds (`NAME = ...`, also
///   inside tuple targets, or `def NAME`) before the first top-level statement that can run
///   code of another scope (a call, a decorator, a comprehension), when nothing can unbind
///   them (no `del NAME`, no `except ... as NAME`, in the module or in a function that
///   declares it `global`).
///
/// No function body runs before the module reaches a call, so every read of such a name
/// from a function comes after its binding. (Reads in the module body itself keep their
/// check: they can come first.)
///
/// ```text
/// add = lambda m: ...        # bound before any call
/// def main(): ... add(a) ... # reads `add` unchecked
/// main()                     # first statement that runs a function
/// ```
pub fn always_bound_globals(
    scopes: &ScopeTable,
    module_body: &[Stmt],
    defs: &HashMap<ScopeId, &FunctionDef>,
    global_names: &mut dyn Iterator<Item = &str>,
) -> HashSet<String> {
    fn stmt_runs_code(s: &Stmt) -> bool {
        if let StmtKind::FunctionDef(f) = &s.kind {
            return !f.decorators.is_empty() || f.params.defaults().any(expr_runs_code);
        }
        let (mut in_stmts, mut in_exprs) = (false, false);
        s.for_each_child(&mut |c| in_stmts |= stmt_runs_code(c), &mut |e| {
            in_exprs |= expr_runs_code(e)
        });
        in_stmts || in_exprs
    }
    fn expr_runs_code(e: &Expr) -> bool {
        match &e.kind {
            // Comprehensions are calls of their function too.
            ExprKind::Call { .. } => return true,
            // Making a closure runs only its defaults.
            ExprKind::Lambda(f) => return f.params.defaults().any(expr_runs_code),
            _ => {}
        }
        let mut found = false;
        e.for_each_child(&mut |c| found |= expr_runs_code(c));
        found
    }
    fn target_names<'a>(t: &'a Expr, out: &mut Vec<&'a str>) {
        match &t.kind {
            ExprKind::Name(n) => out.push(n),
            ExprKind::Tuple(ts) | ExprKind::List(ts) => ts.iter().for_each(|t| target_names(t, out)),
            ExprKind::Starred(t) => target_names(t, out),
            _ => {}
        }
    }
    let module = scopes.get(ScopeId(0));
    let mut out: HashSet<String> = global_names
        .filter(|n| !crate::program::bound_as_global(scopes, n))
        .filter(|n| cellar_runtime::builtins::lookup_builtin(n).is_some())
        .map(String::from)
        .collect();
    let mut early = Vec::new();
    for st in module_body {
        if stmt_runs_code(st) {
            break;
        }
        match &st.kind {
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| target_names(t, &mut early)),
            StmtKind::FunctionDef(f) => early.push(&f.name),
            _ => {}
        }
    }
    let mut unbound_somewhere = BindingFacts::of(module_body, module, false).unbindable;
    for s in scopes.scopes.iter().filter(|s| !s.is_module) {
        let declares_global = s.symbols.iter().any(|y| y.kind == ScopeKind::GlobalExplicit);
        if let (true, Some(def)) = (declares_global, defs.get(&s.id)) {
            for n in BindingFacts::of(&def.body, s, false).unbindable {
                if s.symbol(&n).is_some_and(|y| y.kind == ScopeKind::GlobalExplicit) {
                    unbound_somewhere.insert(n);
                }
            }
        }
    }
    out.extend(
        early
            .into_iter()
            .filter(|n| !unbound_somewhere.contains(*n))
            .map(String::from),
    );
    out
}

/// `(scope, name)` of cells that hold only the closure of the function's own `def name`,
/// and that only that closure (and the scopes nested in it) reads: the `def` is a
/// top-level statement of the body (so it runs at most once per call), undecorated, the
/// name's only binding, and no other inner scope captures the name. The closure's env
/// record can then hold the closure itself in place of the cell: nothing can call it, or
/// read the name through it, before the `def` has bound it, and nothing rebinds it
/// after. (`fib` calling itself from inside `make_fib`, man_or_boy's `B` passing itself
/// on.)
pub fn self_bound_defs(scopes: &ScopeTable, defs: &HashMap<ScopeId, &FunctionDef>) -> HashSet<(ScopeId, String)> {
    let mut out = HashSet::new();
    for s in scopes.scopes.iter().filter(|s| !s.is_module) {
        let Some(def) = defs.get(&s.id) else { continue };
        for st in &def.body {
            let StmtKind::FunctionDef(f) = &st.kind else { continue };
            let name = f.name.as_str();
            let Some(y) = s.symbol(name) else { continue };
            let only_binding = y.kind == ScopeKind::Cell && !y.is_param && y.def_bindings == 1 && y.plain_bindings == 0;
            let capturers: Vec<ScopeId> = s
                .children
                .iter()
                .copied()
                .filter(|c| scopes.get(*c).freevars.iter().any(|v| v == name))
                .collect();
            if only_binding && !y.rebound_by_inner && f.decorators.is_empty() && capturers == [f.scope_id] {
                out.insert((s.id, name.to_string()));
            }
        }
    }
    out
}

/// The scopes below `owner` whose free variable `name` is `owner`'s cell.
fn cell_sharers(scopes: &ScopeTable, owner: ScopeId, name: &str) -> Vec<ScopeId> {
    let mut out = Vec::new();
    let mut stack: Vec<ScopeId> = scopes.get(owner).children.clone();
    while let Some(id) = stack.pop() {
        let sc = scopes.get(id);
        if sc.freevars.iter().any(|f| f == name) {
            out.push(id);
            stack.extend(sc.children.iter().copied());
        }
    }
    out
}

/// Can the program make a float at all? Only through a float literal, `/`, `**` (a negative
/// exponent), or the builtins `float` and `pow` (the only other sources in the supported
/// subset). When it cannot, the lowering leaves out the inline float paths of `+ - *`, and
/// lowers arithmetic trees in their int form. This is a choice of speed only: a float that
/// turns up anyway takes the runtime call, which handles every type.
pub fn may_make_floats(body: &[Stmt]) -> bool {
    fn stmt(s: &Stmt) -> bool {
        if let StmtKind::AugAssign {
            op: BinOp::Div | BinOp::Pow,
            ..
        } = s.kind
        {
            return true;
        }
        let (mut in_stmts, mut in_exprs) = (false, false);
        s.for_each_child(&mut |c| in_stmts |= stmt(c), &mut |e| in_exprs |= expr(e));
        in_stmts || in_exprs
    }
    fn expr(e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Constant(Constant::Float(_)) => return true,
            ExprKind::BinOp {
                op: BinOp::Div | BinOp::Pow,
                ..
            } => return true,
            ExprKind::Name(n) if n == "float" || n == "pow" => return true,
            ExprKind::Lambda(f) => return f.params.defaults().any(expr) || f.body.iter().any(stmt),
            _ => {}
        }
        let mut found = false;
        e.for_each_child(&mut |c| found |= expr(c));
        found
    }
    body.iter().any(stmt)
}

/// The functions that run at most once per run of the program: the module body, and each
/// known global function (`global_fns`, never rebound, not decorated) whose name the program
/// reads exactly once, as the callee of a call statement at the module's top level (possibly
/// inside a top-level `if`, never in a loop or a function), such as `main()`.
///
/// In a function that runs once, only the code inside its loops repeats. Inlining uses
/// this: only calls inside loops (and calls of makers) are worth a copy of the callee (see
/// `inline::StartupPolicy`). So does allocation: outside loops, closures and cells are made
/// by a runtime call, not inline (compose's `main`, which makes its eight lambdas so,
/// prepares 898 instructions instead of 1304). Nothing else depends on it, so reading it
/// wrongly could only cost speed.
pub fn run_once_functions(module_body: &[Stmt], global_fns: &HashMap<String, ScopeId>) -> HashSet<ScopeId> {
    fn count_reads(name: &str, s: &Stmt) -> usize {
        let (mut in_stmts, mut in_exprs) = (0, 0);
        s.for_each_child(&mut |c| in_stmts += count_reads(name, c), &mut |e| {
            in_exprs += count_expr(name, e)
        });
        in_stmts + in_exprs
    }
    fn count_expr(name: &str, e: &Expr) -> usize {
        let mut n = match &e.kind {
            ExprKind::Name(x) => usize::from(x == name),
            ExprKind::Lambda(f) => {
                f.params.defaults().map(|d| count_expr(name, d)).sum::<usize>()
                    + f.body.iter().map(|s| count_reads(name, s)).sum::<usize>()
            }
            _ => 0,
        };
        e.for_each_child(&mut |c| n += count_expr(name, c));
        n
    }
    /// The names called by call statements `NAME(...)` that run at most once: directly in
    /// the module body or in the branches of its top-level `if`s.
    fn called_once<'a>(body: &'a [Stmt], out: &mut Vec<&'a str>) {
        for s in body {
            match &s.kind {
                StmtKind::Expr(Expr {
                    kind: ExprKind::Call { func, .. },
                    ..
                }) => {
                    if let ExprKind::Name(n) = &func.kind {
                        out.push(n);
                    }
                }
                StmtKind::If { body, orelse, .. } => {
                    called_once(body, out);
                    called_once(orelse, out);
                }
                _ => {}
            }
        }
    }
    let mut calls = Vec::new();
    called_once(module_body, &mut calls);
    let mut once: HashSet<ScopeId> = calls
        .iter()
        .filter_map(|&name| {
            let &id = global_fns.get(name)?;
            let reads: usize = module_body.iter().map(|s| count_reads(name, s)).sum();
            (reads == 1).then_some(id)
        })
        .collect();
    once.insert(ScopeId(0));
    once
}
