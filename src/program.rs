//! Program-wide facts both engines (the JIT in [`crate::jit`] and the interpreter in
//! [`crate::interp`]) derive from the scope table in the same way, so a program sees the same
//! global slots, the same function metadata and the same builtin bindings under either engine.
//!
//! ```text
//! Vm::globals (one word per global name, in `global_names` order)
//! +--------+--------+--------+-----
//! | slot 0 | slot 1 | slot 2 | ...     UNBOUND (0) = not assigned yet;
//! +--------+--------+--------+-----    builtins (`len`, `range`, ...) are pre-bound
//! ```

use crate::scope::{ScopeKind, ScopeTable};
use crate::syntax::ast::{Constant, Expr, ExprKind, FunctionDef, ScopeId, StmtKind};
use cellar_runtime::object::CodeInfo;
use std::collections::HashMap;

/// Global names: every name any scope resolves as a global, in slot order.
pub fn global_names(scopes: &ScopeTable) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in &scopes.scopes {
        for y in &s.symbols {
            if (s.is_module || matches!(y.kind, ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit))
                && seen.insert(y.name.clone())
            {
                names.push(y.name.clone());
            }
        }
    }
    names
}

/// Give every global name its fixed slot in `vm().globals` (see the module docs), pre-bind
/// the builtins, and return `name -> slot`. The VM must be initialised.
pub fn install_globals(scopes: &ScopeTable) -> HashMap<String, usize> {
    let names = global_names(scopes);
    cellar_runtime::vm::set_globals(names.clone());
    for (i, n) in names.iter().enumerate() {
        if bound_as_global(scopes, n) {
            // Empty until bound; while empty, reads find the builtin (see `shadows_builtin`).
            continue;
        }
        if let Some(b) = cellar_runtime::builtins::lookup_builtin(n) {
            cellar_runtime::vm::vm().globals[i] = b;
        }
    }
    names.into_iter().enumerate().map(|(i, n)| (n, i)).collect()
}

/// The static facts of scope `id` (`f` is its definition; `None` for the module), with no
/// code attached yet (`code`, `array_entry` and `engine` are set by the engine).
pub fn code_info(scopes: &ScopeTable, id: ScopeId, filename: &str, line: u32, f: Option<&FunctionDef>) -> CodeInfo {
    let s = scopes.get(id);
    CodeInfo {
        name: s.name.clone(),
        qualname: s.qualname.clone(),
        filename: filename.to_string(),
        firstlineno: line,
        params: s.params.clone(),
        npositional: f.map(|f| f.params.positional.len() as u32).unwrap_or(0),
        has_varargs: f.map(|f| f.params.vararg.is_some()).unwrap_or(false),
        nkwonly: f.map(|f| f.params.kwonly.len() as u32).unwrap_or(0),
        has_varkw: f.map(|f| f.params.kwarg.is_some()).unwrap_or(false),
        freevars: s.freevars.clone(),
        cellvars: s.cellvars.clone(),
        varnames: s.varnames.clone(),
        doc: f.and_then(docstring),
        code: std::ptr::null(),
        array_entry: None,
        engine: std::ptr::null(),
    }
}

/// The docstring of a `def`: its first statement, if that is a string literal (a lambda has
/// none).
fn docstring(f: &FunctionDef) -> Option<String> {
    if f.is_lambda {
        return None;
    }
    match &f.body.first()?.kind {
        StmtKind::Expr(Expr {
            kind: ExprKind::Constant(Constant::Str(s)),
            ..
        }) => Some(s.clone()),
        _ => None,
    }
}

/// Can the program write or empty a cell behind the back of the functions that use it
/// (`f.__closure__[0].cell_contents = v`, `del ... .cell_contents`, `setattr(...)`)? A
/// conservative, lexical test: only a program that mentions `cell_contents`, `setattr` or
/// `delattr` can. When it cannot, a cell bound once by a `def` keeps that function for good,
/// which the JIT's direct calls and definite-assignment reasoning rely on.
pub fn may_write_cells(source: &str) -> bool {
    ["cell_contents", "setattr", "delattr"]
        .iter()
        .any(|w| source.contains(w))
}

/// Is `name`, read in scope `id`, always the builtin of that name: not a local, cell or free
/// variable there, and never bound as a global anywhere in the program?
pub fn is_builtin_name(scopes: &ScopeTable, id: ScopeId, name: &str) -> bool {
    let scope = scopes.get(id);
    let local = !scope.is_module
        && matches!(
            scope.symbol(name).map(|s| s.kind),
            Some(ScopeKind::Local | ScopeKind::Cell | ScopeKind::Free)
        );
    !local && !bound_as_global(scopes, name)
}

/// Does some scope bind or delete the global `name` (`x = ...`, `def x`, `del x` at module
/// level, or in a function that declares it `global`)?
pub fn bound_as_global(scopes: &ScopeTable, name: &str) -> bool {
    scopes.scopes.iter().any(|s| {
        s.symbol(name).is_some_and(|y| {
            let global_here = s.is_module || matches!(y.kind, ScopeKind::GlobalExplicit);
            global_here && (y.plain_bindings > 0 || y.def_bindings > 0)
        })
    })
}

/// Is the global `name` a builtin that the program also binds or deletes as a global? Then
/// its slot is empty until the program binds it, and empty again after `del`, and a read
/// of it while empty finds the builtin, as CPython's lookup falls back from the module's
/// dict to `builtins` (`rt_global_fallback`). A builtin the program never binds is in its
/// slot from the start.
pub fn shadows_builtin(scopes: &ScopeTable, name: &str) -> bool {
    bound_as_global(scopes, name) && cellar_runtime::builtins::lookup_builtin(name).is_some()
}

/// The operator code of `rt_binop`/`rt_inplace_op` for a binary operator.
pub fn binop_code(op: crate::syntax::ast::BinOp) -> u64 {
    use crate::syntax::ast::BinOp;
    match op {
        BinOp::Add => 0,
        BinOp::Sub => 1,
        BinOp::Mul => 2,
        BinOp::Div => 3,
        BinOp::FloorDiv => 4,
        BinOp::Mod => 5,
        BinOp::Pow => 6,
        BinOp::LShift => 7,
        BinOp::RShift => 8,
        BinOp::BitOr => 9,
        BinOp::BitXor => 10,
        BinOp::BitAnd => 11,
    }
}

/// The operator code of `rt_compare` for a comparison operator.
pub fn cmp_code(op: crate::syntax::ast::CmpOp) -> u64 {
    use crate::syntax::ast::CmpOp;
    match op {
        CmpOp::Eq => 0,
        CmpOp::NotEq => 1,
        CmpOp::Lt => 2,
        CmpOp::LtE => 3,
        CmpOp::Gt => 4,
        CmpOp::GtE => 5,
        CmpOp::In => 6,
        CmpOp::NotIn => 7,
        CmpOp::Is => 8,
        CmpOp::IsNot => 9,
    }
}

/// `range(a)` / `range(a, b)` read in scope `id`, where `range` is the builtin (never
/// shadowed): the argument expressions. Both engines run such loops on a machine counter.
pub fn range_loop_args<'e>(
    scopes: &ScopeTable,
    id: ScopeId,
    iter: &'e crate::syntax::ast::Expr,
) -> Option<(&'e crate::syntax::ast::Expr, Option<&'e crate::syntax::ast::Expr>)> {
    use crate::syntax::ast::{Arg, ExprKind};
    let ExprKind::Call { func, args } = &iter.kind else {
        return None;
    };
    let ExprKind::Name(n) = &func.kind else {
        return None;
    };
    if n != "range" || !is_builtin_name(scopes, id, "range") {
        return None;
    }
    let mut pos = args
        .iter()
        .map(|a| if let Arg::Positional(e) = a { Some(e) } else { None });
    match (pos.next(), pos.next(), pos.next()) {
        (Some(Some(a)), None, _) => Some((a, None)),
        (Some(Some(a)), Some(Some(b)), None) => Some((a, Some(b))),
        _ => None,
    }
}
