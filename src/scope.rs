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
    let mut b = Builder { blocks: Vec::new(), current: 0 };
    b.blocks.push(Some(Block::new(ScopeId(0), "<module>", None, 0)));
    b.stmts(&module.body)?;
    let mut blocks: Vec<Block> = Vec::with_capacity(b.blocks.len());
    for (i, blk) in b.blocks.into_iter().enumerate() {
        match blk {
            Some(blk) => blocks.push(blk),
            None => panic!("scope id {i} is never defined: front-end scope ids must be dense"),
        }
    }
    for i in 0..blocks.len() {
        blocks[i].children.sort();
        let _ = i;
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
                let forced_global = !blk.is_lambda
                    && pres.kinds.get(&blk.name) == Some(&ScopeKind::GlobalExplicit);
                if parent.is_module || forced_global {
                    blk.name.clone()
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
            let kind = if blk.is_module && kind == ScopeKind::Local { ScopeKind::GlobalImplicit } else { kind };
            let sym = blk.sym(name);
            let flags = sym.map(|s| s.flags).unwrap_or(0);
            let reason = match kind {
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
            });
        }
        let mut cellvars: Vec<String> =
            symbols.iter().filter(|s| s.kind == ScopeKind::Cell).map(|s| s.name.clone()).collect();
        cellvars.sort();
        let mut freevars: Vec<String> =
            symbols.iter().filter(|s| s.kind == ScopeKind::Free).map(|s| s.name.clone()).collect();
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
    Ok(ScopeTable { scopes })
}

// ---------------------------------------------------------------------------------------------
// Pass 1: collect symbols (CPython's symtable_visit_*)
// ---------------------------------------------------------------------------------------------

const DEF_LOCAL: u8 = 1;
const DEF_PARAM: u8 = 2;
const USE: u8 = 4;
const DEF_GLOBAL: u8 = 8;
const DEF_NONLOCAL: u8 = 16;
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
                self.syms.push(Sym { name: name.to_string(), flags: 0, plain: 0, defs: 0 });
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
            StmtKind::For { target, iter, body, orelse } => {
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
            StmtKind::Try { body, handlers, orelse, finalbody } => {
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
            ExprKind::Tuple(elts) | ExprKind::List(elts) => {
                elts.iter().try_for_each(|x| self.target(x))
            }
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
            ExprKind::Slice { lower, upper, step } => {
                [lower, upper, step].into_iter().flatten().try_for_each(|x| self.expr(x))
            }
            ExprKind::List(elts) | ExprKind::Tuple(elts) => elts.iter().try_for_each(|x| self.expr(x)),
            ExprKind::Dict(items) => {
                items.iter().filter_map(|(k, _)| k.as_ref()).try_for_each(|k| self.expr(k))?;
                items.iter().try_for_each(|(_, v)| self.expr(v))
            }
            ExprKind::FString(parts) => self.fstring(parts),
            ExprKind::Starred(inner) => self.expr(inner),
        }
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
            return Err(directive_error(blk, name, format!("name '{name}' is nonlocal and global")));
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
            return Err(directive_error(blk, name, format!("no binding for nonlocal '{name}' found")));
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
    results[id] = BlockResult { kinds, passed_through: passed };
    Ok(())
}
