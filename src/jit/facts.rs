//! Per-function binding facts the lowering uses to drop checks it can prove unnecessary.
//!
//! - `unbindable`: names that some statement of the function can unbind (`del x`, the end of
//!   an `except ... as x` clause). Only other names can be *definitely bound*, which lets
//!   the lowering skip the `UnboundLocalError` check on reads it can prove follow a binding.
//! - `range_only`: names bound only as the target of `for x in range(...)`. They always hold
//!   a small int, never a heap pointer, so they need no GC stack map.

use crate::syntax::ast::*;
use std::collections::HashSet;

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
