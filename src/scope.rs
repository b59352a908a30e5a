//! Scope analysis: classify every name of every scope exactly as CPython's symtable does.
//!
//! Input: the module AST. Output: a [`ScopeTable`] with one [`Scope`] per module/def/lambda,
//! indexed by [`ScopeId`]. Misuse of `global`/`nonlocal` is reported with CPython's wording.

use crate::syntax::ast::*;
use crate::syntax::CompileError;

/// How a name is stored in one scope (CPython's symtable scopes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScopeKind {
    /// A plain local variable of a function (not captured by any inner scope).
    Local,
    /// A local variable of a function that an inner scope captures: it lives in a cell.
    Cell,
    /// A variable of an enclosing function, reached through this function's closure.
    Free,
    /// Declared `global` in this scope.
    GlobalExplicit,
    /// Not bound in any enclosing function: a module global or a builtin.
    GlobalImplicit,
}

/// Why a name has its class, for `cellar scopes` and for the IR header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A parameter.
    Parameter,
    /// Bound in this scope (assignment, `for`, `def`, `del`, `except ... as`, ...).
    Assigned,
    /// Declared `nonlocal`.
    DeclaredNonlocal,
    /// Declared `global`.
    DeclaredGlobal,
    /// Captured by the named inner scopes (qualnames).
    CapturedBy(Vec<String>),
    /// Only read here; resolved in an enclosing function.
    FreeFrom(String),
    /// Only read here; not bound in any enclosing function.
    Unbound,
}

/// One name in one scope.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// The name.
    pub name: String,
    /// Its class.
    pub kind: ScopeKind,
    /// Why.
    pub reason: Reason,
    /// It is a parameter of this scope.
    pub is_param: bool,
    /// Number of binding sites of the name in this scope (assignments, `for` targets, `del`,
    /// `except as`, parameters), *excluding* `def` statements.
    pub plain_bindings: u32,
    /// Number of `def` statements in this scope that bind the name.
    pub def_bindings: u32,
    /// Some inner scope declares the name `nonlocal` and rebinds it.
    pub rebound_by_inner: bool,
}

/// One scope: the module, a `def`, or a `lambda`.
#[derive(Clone, Debug)]
pub struct Scope {
    /// Its id (index in [`ScopeTable::scopes`]).
    pub id: ScopeId,
    /// `def` name, `<lambda>`, or `<module>`.
    pub name: String,
    /// CPython's `__qualname__`, e.g. `make_averager.<locals>.averager`.
    pub qualname: String,
    /// The enclosing scope (`None` for the module).
    pub parent: Option<ScopeId>,
    /// True for the module scope.
    pub is_module: bool,
    /// Parameter names in CPython's order: positional, `*args`, keyword-only, `**kwargs`.
    pub params: Vec<String>,
    /// Every name used in the scope, in order of first appearance.
    pub symbols: Vec<Symbol>,
    /// Names that live in cells (CPython `co_cellvars`, sorted).
    pub cellvars: Vec<String>,
    /// Names reached through the closure (CPython `co_freevars`, sorted).
    pub freevars: Vec<String>,
    /// Direct inner scopes, in source order.
    pub children: Vec<ScopeId>,
    /// Byte offset of the definition (the `def` or `lambda` keyword, or 0).
    pub offset: u32,
}

impl Scope {
    /// Look up a symbol by name.
    pub fn symbol(&self, name: &str) -> Option<&Symbol> {
        self.symbols.iter().find(|s| s.name == name)
    }
}

/// All scopes of a module, indexed by [`ScopeId`].
#[derive(Clone, Debug)]
pub struct ScopeTable {
    /// Scope `i` has id `ScopeId(i)`; 0 is the module.
    pub scopes: Vec<Scope>,
}

impl ScopeTable {
    /// The scope with this id.
    pub fn get(&self, id: ScopeId) -> &Scope {
        &self.scopes[id.0 as usize]
    }
}

/// Analyse a module.
pub fn analyze(module: &Module) -> Result<ScopeTable, CompileError> {
    let _ = module;
    todo!("scope analysis")
}
