//! Which calls have a callee known at compile time, beyond nested `def`s (see
//! `Lower::known_callee`): module-level functions that are never rebound (a lone `def`, or
//! a lone `NAME = lambda ...`), and local
//! variables that only ever hold closures of one `def` because every binding assigns the
//! result of a call to a function that always returns such a closure:
//!
//! ```text
//! def make_counter(step):        # `make_counter` is a known global function
//!     def inc(): ...
//!     return inc                 # every return gives a closure of `inc`
//! c1 = make_counter(1)           # in a function: `c1` only ever holds closures of `inc`
//! c1()                           # → a direct call of inc's code with c1 as the closure
//! ```
//!
//! A direct call skips the callee's kind and arity checks and the indirect jump, and lets
//! Cranelift inline small callees.

use crate::program::shadows_builtin;
use crate::scope::{ScopeKind, ScopeTable};
use crate::syntax::ast::*;
use std::collections::HashMap;

/// Calls whose callee `def` is known statically, by name.
#[derive(Default, Debug)]
pub struct KnownCallees {
    /// Module-level names bound only by one undecorated `def`, or only by one
    /// `NAME = lambda ...`.
    pub global_fns: HashMap<String, ScopeId>,
    /// Functions every return of which gives a closure of the given `def`.
    pub returns: HashMap<ScopeId, ScopeId>,
    /// `(scope, local name)` that only ever holds closures of the given `def`.
    pub holds: HashMap<(ScopeId, String), ScopeId>,
}

/// Inputs of the analysis.
pub struct KnownInputs<'a> {
    /// Scope table.
    pub scopes: &'a ScopeTable,
    /// Every function definition by scope id.
    pub defs: &'a HashMap<ScopeId, &'a FunctionDef>,
    /// `(binding scope, name) -> the only def statement binding it`.
    pub def_of_name: &'a HashMap<(ScopeId, String), ScopeId>,
    /// The module body.
    pub module_body: &'a [Stmt],
    /// The program writes `cell_contents`: cells may be rebound behind the compiler's back.
    pub cells_writable: bool,
}

impl KnownCallees {
    /// Run the analysis.
    pub fn analyze(inp: &KnownInputs) -> Self {
        let mut k = KnownCallees::default();
        let module = inp.scopes.get(ScopeId(0));
        // A name that is also a builtin's is left out: read before the module binds it, it
        // finds the builtin, which is no closure of the `def`.
        for y in &module.symbols {
            if y.def_bindings != 1 || y.plain_bindings != 0 || shadows_builtin(inp.scopes, &y.name) {
                continue;
            }
            if rebound_in_functions(inp.scopes, &y.name) {
                continue;
            }
            if let Some(&g) = inp.def_of_name.get(&(ScopeId(0), y.name.clone())) {
                if inp.defs[&g].decorators.is_empty() {
                    k.global_fns.insert(y.name.clone(), g);
                }
            }
        }
        // `NAME = lambda ...` as the name's only binding anywhere (which rules out `del`,
        // also a binding) is a function never rebound, like a lone `def`.
        collect_assignments(inp.module_body, &mut |name, value| {
            let ExprKind::Lambda(f) = &value.kind else { return };
            let Some(y) = module.symbol(name) else { return };
            if y.def_bindings != 0
                || y.plain_bindings != 1
                || rebound_in_functions(inp.scopes, name)
                || shadows_builtin(inp.scopes, name)
            {
                return;
            }
            k.global_fns.insert(name.to_string(), f.scope_id);
        });
        for (&id, def) in inp.defs {
            if let Some(g) = returned_def(inp, id, &def.body) {
                k.returns.insert(id, g);
            }
        }
        for (&id, def) in inp.defs {
            let mut sites: HashMap<String, Vec<Option<ScopeId>>> = HashMap::new();
            collect_assignments(&def.body, &mut |name, value| {
                let g = match &value.kind {
                    ExprKind::Call { func, .. } => match &func.kind {
                        ExprKind::Name(callee) => k.resolve(inp, id, callee).and_then(|c| k.returns.get(&c).copied()),
                        _ => None,
                    },
                    _ => None,
                };
                sites.entry(name.to_string()).or_default().push(g);
            });
            let scope = inp.scopes.get(id);
            for (name, gs) in sites {
                let Some(y) = scope.symbol(&name) else { continue };
                let stable = match y.kind {
                    ScopeKind::Local => true,
                    ScopeKind::Cell => !y.rebound_by_inner && !inp.cells_writable,
                    _ => false,
                };
                if !stable || y.is_param || y.def_bindings != 0 || y.plain_bindings as usize != gs.len() {
                    continue;
                }
                if let Some(Some(g)) = gs.first() {
                    if gs.iter().all(|x| *x == Some(*g)) {
                        k.holds.insert((id, name), *g);
                    }
                }
            }
        }
        k
    }

    /// The `def` a call of `name` from `scope` statically refers to, if known.
    pub fn resolve(&self, inp: &KnownInputs, scope: ScopeId, name: &str) -> Option<ScopeId> {
        let s = inp.scopes.get(scope);
        let y = s.symbol(name)?;
        match y.kind {
            ScopeKind::GlobalImplicit | ScopeKind::GlobalExplicit => self.global_fns.get(name).copied(),
            _ if s.is_module => self.global_fns.get(name).copied(),
            ScopeKind::Local | ScopeKind::Cell => local_def(inp, scope, name),
            ScopeKind::Free => None,
        }
    }
}

/// Does a function declare the global `name` and bind (or delete) it?
fn rebound_in_functions(scopes: &ScopeTable, name: &str) -> bool {
    scopes.scopes.iter().any(|s| {
        !s.is_module
            && s.symbol(name)
                .is_some_and(|z| z.kind == ScopeKind::GlobalExplicit && (z.plain_bindings > 0 || z.def_bindings > 0))
    })
}

/// The undecorated `def` that is the only binding of local `name` in `scope`.
fn local_def(inp: &KnownInputs, scope: ScopeId, name: &str) -> Option<ScopeId> {
    let y = inp.scopes.get(scope).symbol(name)?;
    if y.def_bindings != 1 || y.plain_bindings != 0 || y.rebound_by_inner {
        return None;
    }
    if y.kind == ScopeKind::Cell && inp.cells_writable {
        return None;
    }
    let g = *inp.def_of_name.get(&(scope, name.to_string()))?;
    inp.defs[&g].decorators.is_empty().then_some(g)
}

/// If every `return` of the function body returns a closure of one `def` (a local name bound
/// only by that def, or a lambda) and the body cannot fall off its end, that def.
fn returned_def(inp: &KnownInputs, scope: ScopeId, body: &[Stmt]) -> Option<ScopeId> {
    if !matches!(body.last().map(|s| &s.kind), Some(StmtKind::Return(Some(_)))) {
        return None;
    }
    let mut found: Option<ScopeId> = None;
    let mut ok = true;
    collect_returns(body, &mut |e| {
        let g = match e.map(|e| &e.kind) {
            Some(ExprKind::Name(n)) => local_def(inp, scope, n),
            Some(ExprKind::Lambda(f)) => Some(f.scope_id),
            _ => None,
        };
        match (g, found) {
            (Some(g), None) => found = Some(g),
            (Some(g), Some(f)) if g == f => {}
            _ => ok = false,
        }
    });
    if ok {
        found
    } else {
        None
    }
}

fn collect_returns<'a>(body: &'a [Stmt], f: &mut dyn FnMut(Option<&'a Expr>)) {
    each_stmt(body, &mut |s| {
        if let StmtKind::Return(e) = &s.kind {
            f(e.as_ref())
        }
    });
}

/// Every `NAME = value` with a single plain name target (other binding forms are counted
/// by the caller through the symbol's binding count).
fn collect_assignments<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a str, &'a Expr)) {
    each_stmt(body, &mut |s| {
        if let StmtKind::Assign { targets, value } = &s.kind {
            if let [t] = targets.as_slice() {
                if let ExprKind::Name(n) = &t.kind {
                    f(n, value);
                }
            }
        }
    });
}
