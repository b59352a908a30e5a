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
    /// The target of a `:=` in a comprehension: bound in the scope around the comprehension
    /// (free here, or global if that scope is the module or declares it global), as CPython's
    /// symtable has it.
    ComprehensionWalrus,
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
    /// The name appears in this scope's own code (used, bound or declared); false for a free
    /// variable that only passes through to inner scopes.
    pub direct: bool,
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
    /// CPython's `co_varnames`: the parameters (positional, keyword-only, `*args`,
    /// `**kwargs`), then the other plain locals (not cells) in order of first use in the
    /// compiled code. Empty for the module.
    pub varnames: Vec<String>,
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

/// Analyse a module: CPython 3.11's two symtable passes.
///
/// Pass 1 walks the AST in CPython's symtable order, recording for every scope which names are
/// bound, used, parameters, or declared `global`/`nonlocal`, and reports the errors CPython's
/// first pass reports (`duplicate argument`, `name 'x' is parameter and global`, `... used prior
/// to global declaration`, `... assigned to before nonlocal declaration`). Pass 2 resolves every
/// name (CPython's `analyze_block`): locals, cells, free variables (also in every intermediate
/// function they pass through), implicit and explicit globals, and reports `no binding for
/// nonlocal`, `nonlocal declaration not allowed at module level` and `is nonlocal and global`.
pub fn analyze(module: &Module) -> Result<ScopeTable, CompileError> {
    let b = first_pass(module)?;
    let mut blocks: Vec<Block> = Vec::with_capacity(b.blocks.len());
    for (i, blk) in b.blocks.into_iter().enumerate() {
        match blk {
            Some(blk) => blocks.push(blk),
            None => panic!("scope id {i} is never defined: front-end scope ids must be dense"),
        }
    }
    for blk in blocks.iter_mut() {
        blk.children.sort();
    }

    let mut results: Vec<BlockResult> = (0..blocks.len()).map(|_| BlockResult::default()).collect();
    let mut free = NameSet::new();
    analyze_block(&blocks, &mut results, 0, None, &mut free, &NameSet::new())?;

    // Qualnames, top-down (parents have smaller ids).
    let mut qualnames: Vec<String> = vec![String::new(); blocks.len()];
    for blk in &blocks {
        let i = blk.id.0 as usize;
        qualnames[i] = match blk.parent {
            None => "<module>".to_string(),
            Some(p) => {
                let parent = &blocks[p.0 as usize];
                let pres = &results[p.0 as usize];
                let forced_global = !blk.is_lambda && pres.kinds.get(&blk.name) == Some(&ScopeKind::GlobalExplicit);
                if parent.is_module || forced_global {
                    blk.name.clone()
                } else if blk.name == "<genexpr>" && !blk.params.iter().any(|p| p == ".0") {
                    // A clause of a generator expression (`crate::syntax::lower`) runs as
                    // the generator itself.
                    qualnames[p.0 as usize].clone()
                } else if is_comprehension(&parent.name) {
                    // A comprehension's scope adds no `<locals>` (CPython 3.11).
                    format!("{}.{}", qualnames[p.0 as usize], blk.name)
                } else {
                    format!("{}.<locals>.{}", qualnames[p.0 as usize], blk.name)
                }
            }
        };
    }

    // Symbols with their reasons.
    let mut scopes: Vec<Scope> = Vec::with_capacity(blocks.len());
    for blk in &blocks {
        let res = &results[blk.id.0 as usize];
        let mut symbols = Vec::new();
        let mut names: Vec<&str> = blk.syms.iter().map(|s| s.name.as_str()).collect();
        names.extend(res.passed_through.iter().map(|s| s.as_str()));
        for name in names {
            let kind = res.kinds[name];
            let kind = if blk.is_module && kind == ScopeKind::Local {
                ScopeKind::GlobalImplicit
            } else {
                kind
            };
            let sym = blk.sym(name);
            let flags = sym.map(|s| s.flags).unwrap_or(0);
            let reason = match kind {
                _ if flags & DEF_COMP_WALRUS != 0 => Reason::ComprehensionWalrus,
                ScopeKind::GlobalExplicit => Reason::DeclaredGlobal,
                ScopeKind::Free if flags & DEF_NONLOCAL != 0 => Reason::DeclaredNonlocal,
                ScopeKind::Free => Reason::FreeFrom(String::new()),
                ScopeKind::Cell => Reason::CapturedBy(Vec::new()),
                _ if flags & DEF_PARAM != 0 => Reason::Parameter,
                _ if flags & DEF_LOCAL != 0 => Reason::Assigned,
                _ => Reason::Unbound,
            };
            symbols.push(Symbol {
                name: name.to_string(),
                kind,
                reason,
                is_param: flags & DEF_PARAM != 0,
                plain_bindings: sym.map(|s| s.plain).unwrap_or(0),
                def_bindings: sym.map(|s| s.defs).unwrap_or(0),
                rebound_by_inner: false,
                direct: sym.is_some(),
            });
        }
        let mut cellvars: Vec<String> = symbols
            .iter()
            .filter(|s| s.kind == ScopeKind::Cell)
            .map(|s| s.name.clone())
            .collect();
        cellvars.sort();
        let mut freevars: Vec<String> = symbols
            .iter()
            .filter(|s| s.kind == ScopeKind::Free)
            .map(|s| s.name.clone())
            .collect();
        freevars.sort();
        scopes.push(Scope {
            id: blk.id,
            name: blk.name.clone(),
            qualname: qualnames[blk.id.0 as usize].clone(),
            parent: blk.parent,
            is_module: blk.is_module,
            params: blk.params.clone(),
            symbols,
            cellvars,
            freevars,
            varnames: Vec::new(),
            children: blk.children.clone(),
            offset: blk.offset,
        });
    }

    // Link free variables to the function that binds them.
    for i in 0..scopes.len() {
        let frees: Vec<String> = scopes[i].freevars.clone();
        for name in frees {
            // The binder: the nearest enclosing scope where the name is a cell.
            let mut path = Vec::new();
            let mut p = scopes[i].parent;
            let mut binder = None;
            while let Some(pid) = p {
                let ps = &scopes[pid.0 as usize];
                match ps.symbol(&name).map(|s| s.kind) {
                    Some(ScopeKind::Cell) => {
                        binder = Some(pid);
                        break;
                    }
                    Some(ScopeKind::Free) => path.push(pid),
                    _ => break,
                }
                p = ps.parent;
            }
            let Some(binder) = binder else { continue };
            let binder_qual = scopes[binder.0 as usize].qualname.clone();
            let user_qual = scopes[i].qualname.clone();
            let blk = &blocks[i];
            let direct = blk.sym(&name).is_some();
            let rebinds = blk
                .sym(&name)
                .is_some_and(|s| s.flags & DEF_NONLOCAL != 0 && s.flags & DEF_LOCAL != 0);
            if let Some(sym) = scopes[i].symbols.iter_mut().find(|s| s.name == name) {
                if let Reason::FreeFrom(q) = &mut sym.reason {
                    *q = binder_qual.clone();
                }
            }
            for sid in path.iter().copied().chain(std::iter::once(binder)) {
                let s = scopes[sid.0 as usize].symbols.iter_mut().find(|s| s.name == name);
                let s = s.expect("symbol on the resolution path");
                if rebinds {
                    s.rebound_by_inner = true;
                }
                if sid == binder && direct {
                    if let Reason::CapturedBy(v) = &mut s.reason {
                        if !v.contains(&user_qual) {
                            v.push(user_qual.clone());
                        }
                    }
                }
            }
        }
    }
    let mut varnames = VarnameCollector { scopes: &mut scopes };
    varnames.stmts(&module.body);
    Ok(ScopeTable { scopes })
}

/// Pass 1 of [`analyze`] alone: the first error it reports, if any.
pub fn first_pass_error(module: &Module) -> Option<CompileError> {
    first_pass(module).err()
}

fn first_pass(module: &Module) -> Result<Builder, CompileError> {
    let mut b = Builder {
        blocks: Vec::new(),
        current: 0,
    };
    b.blocks.push(Some(Block::new(ScopeId(0), "<module>", None, 0)));
    b.stmts(&module.body)?;
    Ok(b)
}

// ---------------------------------------------------------------------------------------------
// co_varnames: first uses of locals in CPython's compilation order
// ---------------------------------------------------------------------------------------------

/// Fills [`Scope::varnames`] for every function: walks each body in the order CPython's
/// compiler emits code (an assignment's value before its targets, a `for` loop's iterable
/// before its target, `else` before the `except` clauses, positional arguments before
/// keywords), recording the first use of every plain local.
struct VarnameCollector<'s> {
    scopes: &'s mut Vec<Scope>,
}

/// The names used in one function body, in compilation order, each once.
#[derive(Default)]
struct Uses(Vec<String>);

impl Uses {
    fn add(&mut self, name: &str) {
        if !self.0.iter().any(|n| n == name) {
            self.0.push(name.to_string());
        }
    }
}

impl VarnameCollector<'_> {
    /// Visit the statements of the module (nested functions are found and filled in).
    fn stmts(&mut self, body: &[Stmt]) {
        let mut ignored = Uses::default();
        self.body(body, &mut ignored);
    }

    fn function(&mut self, f: &FunctionDef, outer: &mut Uses) {
        // Decorators and defaults run in the enclosing scope.
        for d in &f.decorators {
            self.expr(d, outer);
        }
        for p in f.params.positional.iter().chain(&f.params.kwonly) {
            if let Some(d) = &p.default {
                self.expr(d, outer);
            }
        }
        let mut uses = Uses::default();
        self.body(&f.body, &mut uses);
        let p = &f.params;
        let mut names: Vec<String> = p
            .positional
            .iter()
            .chain(&p.kwonly)
            .map(|x| x.name.name.clone())
            .chain(p.vararg.iter().chain(&p.kwarg).map(|v| v.name.clone()))
            .collect();
        let scope = &mut self.scopes[f.scope_id.0 as usize];
        for n in uses.0 {
            let local = scope
                .symbol(&n)
                .is_some_and(|y| y.kind == ScopeKind::Local && !y.is_param);
            if local {
                names.push(n);
            }
        }
        scope.varnames = names;
    }

    fn body(&mut self, body: &[Stmt], u: &mut Uses) {
        for s in body {
            self.stmt(s, u);
        }
    }

    fn stmt(&mut self, s: &Stmt, u: &mut Uses) {
        match &s.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => self.expr(e, u),
            StmtKind::Assign { targets, value } => {
                self.expr(value, u);
                targets.iter().for_each(|t| self.expr(t, u));
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(target, u);
                self.expr(value, u);
            }
            StmtKind::FunctionDef(f) => {
                self.function(f, u);
                u.add(&f.name);
            }
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.expr(test, u);
                self.body(body, u);
                self.body(orelse, u);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.expr(iter, u);
                self.expr(target, u);
                self.body(body, u);
                self.body(orelse, u);
            }
            StmtKind::Delete(ts) => ts.iter().for_each(|t| self.expr(t, u)),
            StmtKind::Assert { test, msg } => {
                self.expr(test, u);
                msg.iter().for_each(|m| self.expr(m, u));
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.body(body, u);
                self.body(orelse, u);
                for h in handlers {
                    h.typ.iter().for_each(|t| self.expr(t, u));
                    if let Some(n) = &h.name {
                        u.add(&n.name);
                    }
                    self.body(&h.body, u);
                }
                self.body(finalbody, u);
            }
            StmtKind::Return(None)
            | StmtKind::Raise(None)
            | StmtKind::Break
            | StmtKind::Continue
            | StmtKind::Pass
            | StmtKind::Global(_)
            | StmtKind::Nonlocal(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr, u: &mut Uses) {
        match &e.kind {
            ExprKind::Name(n) => u.add(n),
            ExprKind::Lambda(f) => self.function(f, u),
            ExprKind::Named { target, value } => {
                self.expr(value, u);
                u.add(&target.name);
            }
            _ => e.for_each_child(&mut |c| self.expr(c, u)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 1: collect symbols (CPython's symtable_visit_*)
// ---------------------------------------------------------------------------------------------

const DEF_LOCAL: u8 = 1;
const DEF_PARAM: u8 = 2;
const USE: u8 = 4;
const DEF_GLOBAL: u8 = 8;
const DEF_NONLOCAL: u8 = 16;
/// Bound by `:=` in this comprehension (which also sets `DEF_NONLOCAL` or `DEF_GLOBAL`).
const DEF_COMP_WALRUS: u8 = 32;
const DEF_BOUND: u8 = DEF_LOCAL | DEF_PARAM;

type NameSet = std::collections::HashSet<String>;

struct Sym {
    name: String,
    flags: u8,
    plain: u32,
    defs: u32,
}

struct Block {
    id: ScopeId,
    name: String,
    is_module: bool,
    is_lambda: bool,
    parent: Option<ScopeId>,
    offset: u32,
    params: Vec<String>,
    syms: Vec<Sym>,
    index: std::collections::HashMap<String, usize>,
    /// Span of the first `global`/`nonlocal` statement naming each name.
    directives: std::collections::HashMap<String, Span>,
    children: Vec<ScopeId>,
}

impl Block {
    fn new(id: ScopeId, name: &str, parent: Option<ScopeId>, offset: u32) -> Self {
        Block {
            id,
            name: name.to_string(),
            is_module: parent.is_none(),
            is_lambda: name == "<lambda>",
            parent,
            offset,
            params: Vec::new(),
            syms: Vec::new(),
            index: Default::default(),
            directives: Default::default(),
            children: Vec::new(),
        }
    }

    fn sym(&self, name: &str) -> Option<&Sym> {
        self.index.get(name).map(|&i| &self.syms[i])
    }

    fn sym_mut(&mut self, name: &str) -> &mut Sym {
        let i = match self.index.get(name) {
            Some(&i) => i,
            None => {
                self.syms.push(Sym {
                    name: name.to_string(),
                    flags: 0,
                    plain: 0,
                    defs: 0,
                });
                self.index.insert(name.to_string(), self.syms.len() - 1);
                self.syms.len() - 1
            }
        };
        &mut self.syms[i]
    }
}

struct Builder {
    blocks: Vec<Option<Block>>,
    current: usize,
}

enum Binding {
    Plain,
    Def,
}

impl Builder {
    fn cur(&mut self) -> &mut Block {
        self.blocks[self.current].as_mut().expect("current block exists")
    }

    fn bind(&mut self, name: &str, how: Binding) {
        let s = self.cur().sym_mut(name);
        s.flags |= DEF_LOCAL;
        match how {
            Binding::Plain => s.plain += 1,
            Binding::Def => s.defs += 1,
        }
    }

    fn use_name(&mut self, name: &str) {
        self.cur().sym_mut(name).flags |= USE;
    }

    fn stmts(&mut self, body: &[Stmt]) -> Result<(), CompileError> {
        body.iter().try_for_each(|s| self.stmt(s))
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), CompileError> {
        match &s.kind {
            StmtKind::Expr(e) => self.expr(e),
            StmtKind::Assign { targets, value } => {
                targets.iter().try_for_each(|t| self.target(t))?;
                self.expr(value)
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.target(target)?;
                self.expr(value)
            }
            StmtKind::FunctionDef(f) => {
                self.bind(&f.name, Binding::Def);
                self.function(f)
            }
            StmtKind::Return(v) => v.iter().try_for_each(|e| self.expr(e)),
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                self.target(target)?;
                self.expr(iter)?;
                self.stmts(body)?;
                self.stmts(orelse)
            }
            StmtKind::Break | StmtKind::Continue | StmtKind::Pass => Ok(()),
            StmtKind::Delete(targets) => targets.iter().try_for_each(|t| self.target(t)),
            StmtKind::Global(names) => self.declare(names, s.span, DEF_GLOBAL),
            StmtKind::Nonlocal(names) => self.declare(names, s.span, DEF_NONLOCAL),
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                msg.iter().try_for_each(|m| self.expr(m))
            }
            StmtKind::Raise(e) => e.iter().try_for_each(|e| self.expr(e)),
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                self.stmts(body)?;
                self.stmts(orelse)?;
                for h in handlers {
                    if let Some(t) = &h.typ {
                        self.expr(t)?;
                    }
                    if let Some(n) = &h.name {
                        self.bind(&n.name, Binding::Plain);
                    }
                    self.stmts(&h.body)?;
                }
                self.stmts(finalbody)
            }
        }
    }

    fn declare(&mut self, names: &[Ident], stmt: Span, flag: u8) -> Result<(), CompileError> {
        let what = if flag == DEF_GLOBAL { "global" } else { "nonlocal" };
        for n in names {
            let cur = self.cur().sym(&n.name).map(|s| s.flags).unwrap_or(0);
            let msg = if cur & DEF_PARAM != 0 {
                Some(format!("name '{}' is parameter and {what}", n.name))
            } else if cur & USE != 0 {
                Some(format!("name '{}' is used prior to {what} declaration", n.name))
            } else if cur & DEF_LOCAL != 0 {
                Some(format!("name '{}' is assigned to before {what} declaration", n.name))
            } else {
                None
            };
            if let Some(msg) = msg {
                return Err(CompileError::syntax(msg, stmt));
            }
            let blk = self.cur();
            blk.sym_mut(&n.name).flags |= flag;
            blk.directives.entry(n.name.clone()).or_insert(stmt);
            if flag == DEF_GLOBAL {
                // CPython also records the name as explicitly global in the module's table.
                let module = self.blocks[0].as_mut().expect("module block");
                module.sym_mut(&n.name).flags |= DEF_GLOBAL;
            }
        }
        Ok(())
    }

    fn function(&mut self, f: &FunctionDef) -> Result<(), CompileError> {
        // Defaults (positional, then keyword-only) and decorators: enclosing scope.
        for p in f.params.positional.iter().chain(&f.params.kwonly) {
            if let Some(d) = &p.default {
                self.expr(d)?;
            }
        }
        f.decorators.iter().try_for_each(|d| self.expr(d))?;

        let id = f.scope_id.0 as usize;
        let parent = self.blocks[self.current].as_ref().map(|b| b.id);
        self.cur().children.push(f.scope_id);
        if self.blocks.len() <= id {
            self.blocks.resize_with(id + 1, || None);
        }
        assert!(self.blocks[id].is_none(), "scope id {id} used twice");
        let mut blk = Block::new(f.scope_id, &f.name, parent, f.span.start);
        blk.is_lambda = f.is_lambda;
        let p = &f.params;
        blk.params = p
            .positional
            .iter()
            .map(|x| x.name.name.clone())
            .chain(p.vararg.iter().map(|v| v.name.clone()))
            .chain(p.kwonly.iter().map(|x| x.name.name.clone()))
            .chain(p.kwarg.iter().map(|v| v.name.clone()))
            .collect();
        self.blocks[id] = Some(blk);
        let saved = self.current;
        self.current = id;
        // CPython's order: positional, keyword-only, *args, **kwargs.
        let order = p
            .positional
            .iter()
            .map(|x| &x.name)
            .chain(p.kwonly.iter().map(|x| &x.name))
            .chain(p.vararg.iter())
            .chain(p.kwarg.iter());
        for ident in order {
            let s = self.cur().sym_mut(&ident.name);
            if s.flags & DEF_PARAM != 0 {
                return Err(CompileError::syntax(
                    format!("duplicate argument '{}' in function definition", ident.name),
                    ident.span,
                ));
            }
            s.flags |= DEF_PARAM;
            s.plain += 1;
        }
        self.stmts(&f.body)?;
        self.current = saved;
        Ok(())
    }

    fn target(&mut self, e: &Expr) -> Result<(), CompileError> {
        match &e.kind {
            ExprKind::Name(n) => {
                self.bind(n, Binding::Plain);
                Ok(())
            }
            ExprKind::Tuple(elts) | ExprKind::List(elts) => elts.iter().try_for_each(|x| self.target(x)),
            ExprKind::Starred(inner) => self.target(inner),
            _ => self.expr(e),
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<(), CompileError> {
        match &e.kind {
            ExprKind::Constant(_) => Ok(()),
            ExprKind::Name(n) => {
                self.use_name(n);
                Ok(())
            }
            ExprKind::BoolOp { values, .. } => values.iter().try_for_each(|v| self.expr(v)),
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)
            }
            ExprKind::UnaryOp { operand, .. } => self.expr(operand),
            ExprKind::Compare { left, comparators, .. } => {
                self.expr(left)?;
                comparators.iter().try_for_each(|c| self.expr(c))
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)
            }
            ExprKind::Lambda(f) => self.function(f),
            ExprKind::Call { func, args } => {
                self.expr(func)?;
                args.iter().try_for_each(|a| match a {
                    Arg::Positional(x) | Arg::Starred(x) | Arg::DoubleStarred(x) => self.expr(x),
                    Arg::Keyword(_, x) => self.expr(x),
                })
            }
            ExprKind::Attribute { value, .. } => self.expr(value),
            ExprKind::Subscript { value, index } => {
                self.expr(value)?;
                self.expr(index)
            }
            ExprKind::Slice { lower, upper, step } => [lower, upper, step]
                .into_iter()
                .flatten()
                .try_for_each(|x| self.expr(x)),
            ExprKind::List(elts) | ExprKind::Tuple(elts) => elts.iter().try_for_each(|x| self.expr(x)),
            ExprKind::Dict(items) => {
                items
                    .iter()
                    .filter_map(|(k, _)| k.as_ref())
                    .try_for_each(|k| self.expr(k))?;
                items.iter().try_for_each(|(_, v)| self.expr(v))
            }
            ExprKind::FString(parts) => self.fstring(parts),
            ExprKind::Starred(inner) => self.expr(inner),
            ExprKind::Named { target, value } => {
                self.expr(value)?;
                self.named_target(&target.name);
                Ok(())
            }
        }
    }

    /// Bind the target of `name := ...` (CPython's `symtable_extend_namedexpr_scope`).
    /// Outside a comprehension it is an ordinary binding. Inside one it binds in the
    /// nearest enclosing scope that is not a comprehension: the comprehension declares the
    /// name `nonlocal` (`global` if that scope is the module or declares it `global`), and
    /// that scope binds it too. (The conflicts with iteration variables are the front
    /// end's to report, `crate::syntax::lower`.)
    fn named_target(&mut self, name: &str) {
        if is_comprehension(&self.cur().name) {
            let mut owner = self.cur().parent;
            while let Some(p) = owner {
                let blk = self.blocks[p.0 as usize].as_ref().expect("enclosing block exists");
                if !is_comprehension(&blk.name) {
                    break;
                }
                owner = blk.parent;
            }
            let owner = owner.expect("a comprehension has an enclosing scope").0 as usize;
            let blk = self.blocks[owner].as_mut().expect("enclosing block exists");
            let global = blk.is_module || blk.sym(name).is_some_and(|s| s.flags & DEF_GLOBAL != 0);
            if global {
                blk.sym_mut(name).flags |= DEF_GLOBAL;
            } else {
                let s = blk.sym_mut(name);
                s.flags |= DEF_LOCAL;
                s.plain += 1;
            }
            self.cur().sym_mut(name).flags |= DEF_COMP_WALRUS | if global { DEF_GLOBAL } else { DEF_NONLOCAL };
        }
        self.bind(name, Binding::Plain);
    }

    fn fstring(&mut self, parts: &[FStringPart]) -> Result<(), CompileError> {
        for p in parts {
            if let FStringPart::Field { expr, spec, .. } = p {
                self.expr(expr)?;
                self.fstring(spec)?;
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Pass 2: resolve names (CPython's analyze_block / analyze_name)
// ---------------------------------------------------------------------------------------------

#[derive(Default)]
struct BlockResult {
    kinds: std::collections::HashMap<String, ScopeKind>,
    /// Free variables added only because an inner scope needs them, sorted.
    passed_through: Vec<String>,
}

fn directive_error(blk: &Block, name: &str, msg: String) -> CompileError {
    let span = blk.directives.get(name).copied().unwrap_or_default();
    CompileError::syntax(msg, span)
}

#[allow(clippy::too_many_arguments)]
fn analyze_name(
    blk: &Block,
    kinds: &mut std::collections::HashMap<String, ScopeKind>,
    sym: &Sym,
    bound: &mut Option<NameSet>,
    local: &mut NameSet,
    free: &mut NameSet,
    global: &mut NameSet,
) -> Result<(), CompileError> {
    let name = &sym.name;
    let flags = sym.flags;
    if flags & DEF_GLOBAL != 0 {
        if flags & DEF_NONLOCAL != 0 {
            return Err(directive_error(
                blk,
                name,
                format!("name '{name}' is nonlocal and global"),
            ));
        }
        kinds.insert(name.clone(), ScopeKind::GlobalExplicit);
        global.insert(name.clone());
        if let Some(b) = bound {
            b.remove(name);
        }
        return Ok(());
    }
    if flags & DEF_NONLOCAL != 0 {
        let Some(b) = bound else {
            return Err(directive_error(
                blk,
                name,
                "nonlocal declaration not allowed at module level".into(),
            ));
        };
        if !b.contains(name) {
            return Err(directive_error(
                blk,
                name,
                format!("no binding for nonlocal '{name}' found"),
            ));
        }
        kinds.insert(name.clone(), ScopeKind::Free);
        free.insert(name.clone());
        return Ok(());
    }
    if flags & DEF_BOUND != 0 {
        kinds.insert(name.clone(), ScopeKind::Local);
        local.insert(name.clone());
        global.remove(name);
        return Ok(());
    }
    if bound.as_ref().is_some_and(|b| b.contains(name)) {
        kinds.insert(name.clone(), ScopeKind::Free);
        free.insert(name.clone());
        return Ok(());
    }
    kinds.insert(name.clone(), ScopeKind::GlobalImplicit);
    Ok(())
}

/// CPython's `analyze_block`: `bound` is `None` for the module.
fn analyze_block(
    blocks: &[Block],
    results: &mut [BlockResult],
    id: usize,
    mut bound: Option<NameSet>,
    free: &mut NameSet,
    global: &NameSet,
) -> Result<(), CompileError> {
    let blk = &blocks[id];
    let mut global = global.clone();
    let mut local = NameSet::new();
    let mut kinds = std::collections::HashMap::new();
    for sym in &blk.syms {
        analyze_name(blk, &mut kinds, sym, &mut bound, &mut local, free, &mut global)?;
    }
    // Names visible to nested functions.
    let mut newbound = NameSet::new();
    if !blk.is_module {
        newbound.extend(local.iter().cloned());
    }
    if let Some(b) = &bound {
        newbound.extend(b.iter().cloned());
    }
    let newglobal = global;

    let mut newfree = NameSet::new();
    for &child in &blk.children {
        let mut child_free = NameSet::new();
        analyze_block(
            blocks,
            results,
            child.0 as usize,
            Some(newbound.clone()),
            &mut child_free,
            &newglobal,
        )?;
        newfree.extend(child_free);
    }

    // Locals captured by inner scopes become cells.
    if !blk.is_module {
        for (name, kind) in kinds.iter_mut() {
            if *kind == ScopeKind::Local && newfree.remove(name) {
                *kind = ScopeKind::Cell;
            }
        }
    }
    // Free variables of inner scopes that pass through this one.
    let mut passed = Vec::new();
    for name in &newfree {
        if kinds.contains_key(name) {
            continue;
        }
        if bound.as_ref().is_some_and(|b| !b.contains(name)) {
            continue;
        }
        kinds.insert(name.clone(), ScopeKind::Free);
        passed.push(name.clone());
    }
    passed.sort();
    free.extend(newfree);
    results[id] = BlockResult {
        kinds,
        passed_through: passed,
    };
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::{lower::parse_module, SourceText};

    fn table(src: &str) -> ScopeTable {
        let src = SourceText::new(src.to_string());
        let m = parse_module(&src).unwrap_or_else(|e| panic!("parse: {}", e.message));
        analyze(&m).unwrap_or_else(|e| panic!("analyze: {}", e.message))
    }

    /// The error message and its 1-based line.
    fn error(src: &str) -> (String, u32) {
        let text = SourceText::new(src.to_string());
        let e = match parse_module(&text) {
            Err(e) => e,
            Ok(m) => analyze(&m).expect_err("expected a compile error"),
        };
        (e.message, text.line(e.span.start))
    }

    fn scope<'a>(t: &'a ScopeTable, qualname: &str) -> &'a Scope {
        t.scopes
            .iter()
            .find(|s| s.qualname == qualname)
            .unwrap_or_else(|| panic!("{qualname}"))
    }

    fn kind(t: &ScopeTable, qualname: &str, name: &str) -> ScopeKind {
        scope(t, qualname)
            .symbol(name)
            .unwrap_or_else(|| panic!("{qualname}: {name}"))
            .kind
    }

    #[test]
    fn scope_locals_and_params() {
        let t = table("def f(a, b=1, *args, c, d=2, **kw):\n    x = a\n    for i in x: pass\n    return x\n");
        let f = scope(&t, "f");
        assert_eq!(f.params, ["a", "b", "args", "c", "d", "kw"]);
        for n in ["a", "b", "args", "c", "d", "kw", "x", "i"] {
            assert_eq!(kind(&t, "f", n), ScopeKind::Local, "{n}");
        }
        let a = f.symbol("a").unwrap();
        assert!(a.is_param);
        assert_eq!(a.reason, Reason::Parameter);
        assert_eq!(a.plain_bindings, 1);
        assert_eq!(f.symbol("x").unwrap().reason, Reason::Assigned);
        assert!(f.cellvars.is_empty() && f.freevars.is_empty());
        assert_eq!(t.get(ScopeId(0)).qualname, "<module>");
        assert_eq!(kind(&t, "<module>", "f"), ScopeKind::GlobalImplicit);
    }

    #[test]
    fn scope_cell_and_free() {
        let t = table(
            "def make_averager():\n    series = []\n    def averager(v):\n        series.append(v)\n        return sum(series)\n    return averager\n",
        );
        let outer = scope(&t, "make_averager");
        assert_eq!(outer.cellvars, ["series"]);
        assert_eq!(
            outer.symbol("series").unwrap().reason,
            Reason::CapturedBy(vec!["make_averager.<locals>.averager".into()])
        );
        let inner = scope(&t, "make_averager.<locals>.averager");
        assert_eq!(inner.freevars, ["series"]);
        assert_eq!(
            inner.symbol("series").unwrap().reason,
            Reason::FreeFrom("make_averager".into())
        );
        assert_eq!(
            kind(&t, "make_averager.<locals>.averager", "sum"),
            ScopeKind::GlobalImplicit
        );
        assert_eq!(inner.symbol("sum").unwrap().reason, Reason::Unbound);
        assert_eq!(inner.parent, Some(outer.id));
        assert_eq!(outer.children, [inner.id]);
    }

    #[test]
    fn scope_free_through_intermediate() {
        let t = table("def f():\n    x = 1\n    def g():\n        def h():\n            return x\n        return h\n    return g\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::Cell);
        assert_eq!(scope(&t, "f.<locals>.g").freevars, ["x"]);
        assert_eq!(
            scope(&t, "f.<locals>.g").symbol("x").unwrap().reason,
            Reason::FreeFrom("f".into())
        );
        assert_eq!(scope(&t, "f.<locals>.g.<locals>.h").freevars, ["x"]);
        // x only passes through g.
        assert!(!scope(&t, "f.<locals>.g").symbol("x").unwrap().direct);
        assert!(scope(&t, "f.<locals>.g.<locals>.h").symbol("x").unwrap().direct);
        // Only h references x: it alone is listed as the capturer.
        assert_eq!(
            scope(&t, "f").symbol("x").unwrap().reason,
            Reason::CapturedBy(vec!["f.<locals>.g.<locals>.h".into()])
        );
    }

    #[test]
    fn scope_nonlocal_rebinding() {
        let t = table("def counter():\n    n = 0\n    def inc():\n        nonlocal n\n        n += 1\n        return n\n    return inc\n");
        let n = scope(&t, "counter").symbol("n").unwrap();
        assert_eq!(n.kind, ScopeKind::Cell);
        assert!(n.rebound_by_inner);
        assert_eq!(n.plain_bindings, 1);
        let inner = scope(&t, "counter.<locals>.inc").symbol("n").unwrap();
        assert_eq!(inner.kind, ScopeKind::Free);
        assert_eq!(inner.reason, Reason::DeclaredNonlocal);
        assert_eq!(inner.plain_bindings, 1);
        // A read-only capture is not "rebound".
        let t = table("def f():\n    x = 1\n    return lambda: x\n");
        assert!(!scope(&t, "f").symbol("x").unwrap().rebound_by_inner);
    }

    #[test]
    fn scope_comprehension_walrus_target() {
        // In a function: a cell of the function, free in the comprehension, as CPython's
        // symtable has it, but not declared `nonlocal` by anyone.
        let t = table("def f():\n    xs = [y := i for i in range(3)]\n    return y\n");
        assert_eq!(scope(&t, "f").symbol("y").unwrap().kind, ScopeKind::Cell);
        let y = scope(&t, "f.<locals>.<listcomp>").symbol("y").unwrap();
        assert_eq!(y.kind, ScopeKind::Free);
        assert_eq!(y.reason, Reason::ComprehensionWalrus);
        // At the top level: a global.
        let t = table("ys = [z := i for i in range(3)]\n");
        let z = scope(&t, "<listcomp>").symbol("z").unwrap();
        assert_eq!(z.kind, ScopeKind::GlobalExplicit);
        assert_eq!(z.reason, Reason::ComprehensionWalrus);
        // A real `nonlocal` keeps its reason.
        let t = table("def f():\n    y = 0\n    def g():\n        nonlocal y\n        y = 1\n    return g\n");
        assert_eq!(
            scope(&t, "f.<locals>.g").symbol("y").unwrap().reason,
            Reason::DeclaredNonlocal
        );
    }

    #[test]
    fn scope_global_explicit_and_module_entry() {
        let t = table("g = 0\ndef f():\n    global g\n    g += 1\n    def h():\n        return g\n    return h\n");
        assert_eq!(kind(&t, "f", "g"), ScopeKind::GlobalExplicit);
        assert_eq!(scope(&t, "f").symbol("g").unwrap().reason, Reason::DeclaredGlobal);
        assert_eq!(kind(&t, "f.<locals>.h", "g"), ScopeKind::GlobalImplicit);
        // CPython records a `global` declaration in the module's table too.
        assert_eq!(kind(&t, "<module>", "g"), ScopeKind::GlobalExplicit);
    }

    #[test]
    fn scope_global_hides_enclosing_binding() {
        let t = table("def f():\n    x = 1\n    def g():\n        global x\n        x = 2\n        def h():\n            return x\n        return h\n    return g\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::Local);
        assert_eq!(kind(&t, "f.<locals>.g", "x"), ScopeKind::GlobalExplicit);
        assert_eq!(kind(&t, "f.<locals>.g.<locals>.h", "x"), ScopeKind::GlobalImplicit);
    }

    #[test]
    fn scope_implicit_globals() {
        let t = table("def f():\n    return len(x) + y\nx = []\n");
        for n in ["len", "x", "y"] {
            assert_eq!(kind(&t, "f", n), ScopeKind::GlobalImplicit);
        }
        let x = scope(&t, "<module>").symbol("x").unwrap();
        assert_eq!((x.kind, &x.reason), (ScopeKind::GlobalImplicit, &Reason::Assigned));
        // Module-level bindings are not visible as enclosing bindings.
        let t = table("x = 1\ndef f():\n    return x\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::GlobalImplicit);
    }

    #[test]
    fn scope_lambdas_and_qualnames() {
        let t = table("def f(a):\n    return lambda b: lambda c: a + b + c\nk = lambda: k\n");
        let l1 = scope(&t, "f.<locals>.<lambda>");
        assert_eq!(
            (l1.cellvars.as_slice(), l1.freevars.as_slice()),
            (&["b".to_string()][..], &["a".to_string()][..])
        );
        let l2 = scope(&t, "f.<locals>.<lambda>.<locals>.<lambda>");
        assert_eq!(l2.freevars, ["a", "b"]);
        assert_eq!(kind(&t, "f.<locals>.<lambda>.<locals>.<lambda>", "c"), ScopeKind::Local);
        assert_eq!(scope(&t, "<lambda>").name, "<lambda>");
        // Ids follow the position of the def/lambda keyword.
        let ids: Vec<(u32, &str)> = t.scopes.iter().map(|s| (s.id.0, s.qualname.as_str())).collect();
        assert_eq!(
            ids,
            [
                (0, "<module>"),
                (1, "f"),
                (2, "f.<locals>.<lambda>"),
                (3, "f.<locals>.<lambda>.<locals>.<lambda>"),
                (4, "<lambda>")
            ]
        );
        assert_eq!(t.get(ScopeId(2)).offset, 21);
    }

    #[test]
    fn scope_global_def_qualname() {
        let t = table("def f():\n    global g\n    def g():\n        def h():\n            return 1\n        return h\n    return g\n");
        assert_eq!(t.get(ScopeId(2)).qualname, "g");
        assert_eq!(t.get(ScopeId(3)).qualname, "g.<locals>.h");
        assert_eq!(scope(&t, "f").symbol("g").unwrap().def_bindings, 1);
    }

    #[test]
    fn scope_defaults_and_decorators_in_enclosing_scope() {
        let t = table(
            "def f():\n    y = 2\n    d = 3\n    @d\n    def g(a=y, *, b=lambda: y):\n        return a\n    return g\n",
        );
        let f = scope(&t, "f");
        assert_eq!(f.cellvars, ["y"]);
        assert_eq!(kind(&t, "f", "d"), ScopeKind::Local);
        let g = scope(&t, "f.<locals>.g");
        assert!(g.freevars.is_empty());
        assert!(g.symbol("y").is_none() && g.symbol("d").is_none());
        // The default lambda is a child of f, not of g.
        assert_eq!(scope(&t, "f.<locals>.<lambda>").parent, Some(f.id));
    }

    #[test]
    fn scope_late_binding_loop() {
        let t = table("def f():\n    fs = []\n    for i in range(3):\n        fs.append(lambda: i)\n    return fs\n");
        assert_eq!(scope(&t, "f").cellvars, ["i"]);
        assert_eq!(scope(&t, "f.<locals>.<lambda>").freevars, ["i"]);
        // A default captures the value instead: no cell.
        let t =
            table("def f():\n    fs = []\n    for i in range(3):\n        fs.append(lambda i=i: i)\n    return fs\n");
        assert!(scope(&t, "f").cellvars.is_empty());
    }

    #[test]
    fn scope_del_except_as_and_tuple_targets() {
        let t = table("def f():\n    x = 1\n    def g():\n        return x\n    del x\n    return g\n");
        let x = scope(&t, "f").symbol("x").unwrap();
        assert_eq!((x.kind, x.plain_bindings), (ScopeKind::Cell, 2));
        let t = table("def f():\n    try:\n        pass\n    except E as e:\n        return lambda: e\n");
        assert_eq!(kind(&t, "f", "e"), ScopeKind::Cell);
        assert_eq!(kind(&t, "f", "E"), ScopeKind::GlobalImplicit);
        let t = table("def f():\n    a, [b, *c] = 1, [2, 3]\n    return lambda: (a, b, c)\n");
        assert_eq!(scope(&t, "f").cellvars, ["a", "b", "c"]);
        assert_eq!(scope(&t, "f.<locals>.<lambda>").freevars, ["a", "b", "c"]);
    }

    #[test]
    fn scope_shadowing_and_recursion() {
        let t = table("def f():\n    x = 1\n    def g():\n        x = 2\n        return lambda: x\n    return g\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::Local);
        assert_eq!(kind(&t, "f.<locals>.g", "x"), ScopeKind::Cell);
        let t = table("def f():\n    def fact(n):\n        return 1 if n == 0 else n * fact(n - 1)\n    return fact\n");
        let fact = scope(&t, "f").symbol("fact").unwrap();
        assert_eq!(
            (fact.kind, fact.def_bindings, fact.plain_bindings),
            (ScopeKind::Cell, 1, 0)
        );
        assert_eq!(scope(&t, "f.<locals>.fact").freevars, ["fact"]);
    }

    #[test]
    fn scope_nonlocal_through_chain() {
        let t = table("def a():\n    v = 0\n    def b():\n        def c():\n            nonlocal v\n            v = 1\n        return c\n    return b\n");
        let v = scope(&t, "a").symbol("v").unwrap();
        assert_eq!(v.kind, ScopeKind::Cell);
        assert!(v.rebound_by_inner);
        let vb = scope(&t, "a.<locals>.b").symbol("v").unwrap();
        assert_eq!(
            (vb.kind, vb.reason.clone()),
            (ScopeKind::Free, Reason::FreeFrom("a".into()))
        );
        assert!(vb.rebound_by_inner);
        // The binding may come after the inner def.
        let t = table("def f():\n    def g():\n        nonlocal x\n        x = 1\n    x = 0\n    return g\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::Cell);
    }

    #[test]
    fn scope_fstring_and_dict_uses() {
        let t = table("def f(w, a, b):\n    x = 1\n    return lambda: (f'{x!r:>{w}}', {a: b, **a})\n");
        assert_eq!(scope(&t, "f").cellvars, ["a", "b", "w", "x"]);
    }

    #[test]
    fn scope_error_messages() {
        let cases: &[(&str, &str, u32)] = &[
            (
                "def f(a, b, a): pass\n",
                "duplicate argument 'a' in function definition",
                1,
            ),
            (
                "x = lambda a, *a: 1\n",
                "duplicate argument 'a' in function definition",
                1,
            ),
            ("def f(a):\n    global a\n", "name 'a' is parameter and global", 2),
            ("def f(a):\n    nonlocal a\n", "name 'a' is parameter and nonlocal", 2),
            (
                "def f():\n    print(x)\n    global x\n",
                "name 'x' is used prior to global declaration",
                3,
            ),
            (
                "def f():\n    x = 1\n    global x\n",
                "name 'x' is assigned to before global declaration",
                3,
            ),
            (
                "def f():\n    for x in y: pass\n    global x\n",
                "name 'x' is assigned to before global declaration",
                3,
            ),
            (
                "def f():\n    x = 1\n    def g():\n        print(x)\n        nonlocal x\n",
                "name 'x' is used prior to nonlocal declaration",
                5,
            ),
            (
                "def f():\n    x = 1\n    def g():\n        x = 2\n        nonlocal x\n",
                "name 'x' is assigned to before nonlocal declaration",
                5,
            ),
            (
                "x = 1\ndef f():\n    nonlocal x\n",
                "no binding for nonlocal 'x' found",
                3,
            ),
            (
                "def f():\n    global x\n    def g():\n        nonlocal x\n",
                "no binding for nonlocal 'x' found",
                4,
            ),
            ("nonlocal x\n", "nonlocal declaration not allowed at module level", 1),
            (
                "def f():\n    x = 1\n    def g():\n        global x\n        nonlocal x\n",
                "name 'x' is nonlocal and global",
                4,
            ),
            (
                "x = 1\nglobal x\n",
                "name 'x' is assigned to before global declaration",
                2,
            ),
            // Symbol-table errors come before compiler errors, wherever they are.
            (
                "return 1\ndef f():\n    nonlocal q\n",
                "no binding for nonlocal 'q' found",
                3,
            ),
            (
                "nonlocal x\ndef f(a, a): pass\n",
                "duplicate argument 'a' in function definition",
                2,
            ),
        ];
        for (src, msg, line) in cases {
            assert_eq!(error(src), (msg.to_string(), *line), "{src}");
        }
    }

    #[test]
    fn scope_varnames_in_cpython_order() {
        // Checked against CPython 3.11's co_varnames.
        let t =
            table("def f(a, *args, b, **kw):\n    def g(): return a, x\n    y = 1\n    x = 2\n    for i in z: pass\n");
        assert_eq!(scope(&t, "f").varnames, ["a", "b", "args", "kw", "g", "y", "i"]);
        let t = table("def f():\n    x = y = 0\n    for k in x: pass\n    try:\n        pass\n    except E as e:\n        w = 1\n    else:\n        v = 2\n    if x:\n        return g(q=p, *s)\n    p = s = 1\n");
        assert_eq!(scope(&t, "f").varnames, ["x", "y", "k", "v", "e", "w", "s", "p"]);
        let t = table("def make_averager():\n    series = []\n    def averager(new_value):\n        series.append(new_value)\n        total = sum(series)\n        return total / len(series)\n    return averager\n");
        assert_eq!(scope(&t, "make_averager").varnames, ["averager"]);
        assert_eq!(
            scope(&t, "make_averager.<locals>.averager").varnames,
            ["new_value", "total"]
        );
        assert!(scope(&t, "<module>").varnames.is_empty());
    }

    #[test]
    fn scope_valid_declarations() {
        // Repeated declarations and a use in an inner scope before `global` are fine.
        table("def f():\n    global x\n    global x\n");
        table("def f():\n    (lambda: x)\n    global x\n");
        table("def f():\n    x = 1\n    def g():\n        nonlocal x\n        nonlocal x\n");
        // CPython visits `else` before the handlers: no "used prior" error here.
        let t =
            table("def f():\n    try:\n        pass\n    except E:\n        print(x)\n    else:\n        global x\n");
        assert_eq!(kind(&t, "f", "x"), ScopeKind::GlobalExplicit);
    }
}
