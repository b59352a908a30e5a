//! Per-function binding facts the lowering uses to drop checks it can prove unnecessary.
//!
//! - `unbindable`: names that some statement of the function can unbind (`del x`, the end of
//!   an `except ... as x` clause). Only other names can be *definitely bound*, which lets
//!   the lowering skip the `UnboundLocalError` check on reads it can prove follow a binding.
//! - `range_only`: names bound only as the target of `for x in range(...)`. They always hold
//!   a small int, never a heap pointer, so they need no GC stack map.
//!
//! And two facts about the whole program: [`always_bound_cells`], the cells that closures
//! can read without checking that they are bound, and [`may_make_floats`], whether the
//! inline float paths deserve a place on the hot path.

use crate::scope::ScopeTable;
use crate::syntax::ast::*;
use std::collections::{HashMap, HashSet};

/// Binding facts of one function body (nested functions excluded).
#[derive(Default, Debug)]
pub struct BindingFacts {
    /// Names some statement can unbind.
    pub unbindable: HashSet<String>,
    /// Names bound only by `for NAME in range(...)`.
    pub range_only: HashSet<String>,
}

impl BindingFacts {
    /// Collect the facts of `body`; `params` are bound by the call.
    pub fn of(body: &[Stmt], params: &[String]) -> Self {
        let mut w = Walker::default();
        w.other.extend(params.iter().cloned());
        w.stmts(body);
        let range_only = w.range.difference(&w.other).cloned().collect();
        BindingFacts {
            unbindable: w.unbindable,
            range_only,
        }
    }
}

#[derive(Default)]
struct Walker {
    unbindable: HashSet<String>,
    range: HashSet<String>,
    other: HashSet<String>,
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
            StmtKind::Assign { targets, .. } => targets.iter().for_each(|t| self.target(t)),
            StmtKind::AugAssign { target, .. } => self.target(target),
            StmtKind::FunctionDef(f) => {
                self.other.insert(f.name.clone());
            }
            StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                match &target.kind {
                    ExprKind::Name(n) if is_range_call(iter) => {
                        self.range.insert(n.clone());
                    }
                    _ => self.target(target),
                }
                self.stmts(body);
                self.stmts(orelse);
            }
            StmtKind::Delete(ts) => {
                for t in ts {
                    let mut names = Walker::default();
                    names.target(t);
                    self.unbindable.extend(names.other.iter().cloned());
                    self.other.extend(names.other);
                }
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body);
                for h in handlers {
                    if let Some(n) = &h.name {
                        self.unbindable.insert(n.name.clone());
                        self.other.insert(n.name.clone());
                    }
                    self.stmts(&h.body);
                }
                self.stmts(orelse);
                self.stmts(finalbody);
            }
            _ => {}
        }
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
                BindingFacts::of(body, &scopes.get(id).params).unbindable.contains(name)
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
/// subset). When it cannot, the lowering lays the inline float paths of `+ - *` out of the
/// way (cold), so that the int paths fall straight through. This is a layout choice only:
/// a float that turns up anyway takes the same path, just with two more jumps.
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
