//! AST → interpreter tree: resolves every name to its storage (by the scope table, exactly
//! as the JIT does), turns constants into runtime values, and gives every temporary a
//! frame word.
//!
//! Temporaries are allocated in stack order while a node is compiled and released when it
//! is done, so a frame needs only as many as the deepest expression. A value is kept in a
//! temporary only when something evaluated after it can reach a safepoint (a call); see
//! [`may_collect`].

use super::tree::*;
use crate::program;
use crate::scope::{Scope, ScopeKind, ScopeTable};
use crate::syntax::ast::*;
use crate::syntax::SourceText;
use cellar_runtime::object::CodeInfo;
use cellar_runtime::value::{Value, NONE};
use std::collections::HashMap;

/// Program-wide state of one compilation.
pub struct Cx<'a> {
    /// Scopes.
    pub scopes: &'a ScopeTable,
    /// Source, for line numbers.
    pub source: &'a SourceText,
    /// File name for code infos.
    pub filename: &'a str,
    /// `name -> global slot`.
    pub globals: HashMap<String, usize>,
    /// Interned str constants.
    pub strs: HashMap<String, Value>,
}

/// Per-function state.
struct Fx<'a> {
    scope: &'a Scope,
    names: HashMap<&'a str, Name>,
    next: u32,
    max: u32,
    /// Exception words of the enclosing `except` clauses, innermost last.
    handling: Vec<Slot>,
}

impl Fx<'_> {
    fn temps(&mut self, n: u32) -> Slot {
        let s = self.next;
        self.next += n;
        self.max = self.max.max(self.next);
        s
    }
}

/// Can evaluating `e` reach a safepoint (a collection, or Python code)? A call can, and so
/// can a step of an iterator, which may be a lazy `map` or `filter` calling back: `*it` in a
/// display and `x in it`.
pub fn may_collect(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { .. } | ExprKind::Starred(_) => true,
        ExprKind::Compare { ops, .. } if ops.iter().any(|op| matches!(op, CmpOp::In | CmpOp::NotIn)) => true,
        ExprKind::Lambda(f) => f
            .params
            .positional
            .iter()
            .chain(&f.params.kwonly)
            .any(|p| p.default.as_ref().is_some_and(may_collect)),
        _ => {
            let mut any = false;
            e.for_each_child(&mut |c| any = any || may_collect(c));
            any
        }
    }
}

impl<'a> Cx<'a> {
    fn line(&self, span: Span) -> u32 {
        self.source.line(span.start)
    }

    fn str_const(&mut self, s: &str) -> Value {
        if let Some(&v) = self.strs.get(s) {
            return v;
        }
        let v = cellar_runtime::objects::new_str(s);
        cellar_runtime::vm::vm().constants.push(v);
        self.strs.insert(s.to_string(), v);
        v
    }

    fn global(&self, name: &str) -> Name {
        match self.globals.get(name) {
            Some(&s) => Name::Global(s as u32),
            None => Name::Missing,
        }
    }

    /// Compile the body of scope `id` (the module when `f` is `None`).
    pub fn code(&mut self, id: ScopeId, body: &'a [Stmt], info: *const CodeInfo) -> Code {
        let scope = self.scopes.get(id);
        let mut fx = Fx {
            scope,
            names: HashMap::new(),
            next: 1,
            max: 1,
            handling: Vec::new(),
        };
        let mut cell_params = Vec::new();
        let mut new_cells = Vec::new();
        if !scope.is_module {
            for p in &scope.params {
                let slot = fx.temps(1);
                let kind = scope.symbol(p).map(|y| y.kind).unwrap_or(ScopeKind::Local);
                if kind == ScopeKind::Cell {
                    cell_params.push(slot);
                    fx.names.insert(p, Name::Cell(slot));
                } else {
                    fx.names.insert(p, Name::Local(slot));
                }
            }
            for y in &scope.symbols {
                if y.is_param && fx.names.contains_key(y.name.as_str()) {
                    continue;
                }
                let at = match y.kind {
                    ScopeKind::Local => Name::Local(fx.temps(1)),
                    ScopeKind::Cell => {
                        let s = fx.temps(1);
                        new_cells.push(s);
                        Name::Cell(s)
                    }
                    ScopeKind::Free => {
                        Name::Free(scope.freevars.iter().position(|f| *f == y.name).expect("free variable") as u32)
                    }
                    ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit => self.global(&y.name),
                };
                fx.names.insert(&y.name, at);
            }
        }
        let nparams = if scope.is_module { 0 } else { scope.params.len() as u32 };
        let body = self.block(&mut fx, body);
        Code {
            info,
            nparams,
            frame_size: fx.max,
            cell_params: cell_params.into(),
            new_cells: new_cells.into(),
            body,
        }
    }

    fn name(&self, fx: &Fx, n: &str) -> Name {
        match fx.names.get(n) {
            Some(&at) => at,
            None => self.global(n),
        }
    }

    // ------------------------------------------------------------------ statements

    fn block(&mut self, fx: &mut Fx<'a>, body: &'a [Stmt]) -> Box<[S]> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            let mark = fx.next;
            if let Some(s) = self.stmt(fx, s) {
                out.push(s);
            }
            fx.next = mark;
        }
        out.into()
    }

    fn stmt(&mut self, fx: &mut Fx<'a>, s: &'a Stmt) -> Option<S> {
        let line = self.line(s.span);
        Some(match &s.kind {
            StmtKind::Expr(e) => S::Expr(self.expr(fx, e)),
            StmtKind::Assign { targets, value } => {
                if targets.len() == 1 {
                    if let (ExprKind::Tuple(ts) | ExprKind::List(ts), ExprKind::Tuple(vs)) =
                        (&targets[0].kind, &value.kind)
                    {
                        if ts.len() == vs.len() && !ts.iter().chain(vs).any(|e| matches!(e.kind, ExprKind::Starred(_)))
                        {
                            let base = fx.temps(vs.len() as u32);
                            let values: Vec<E> = vs.iter().map(|v| self.expr(fx, v)).collect();
                            let targets: Vec<Target> = ts.iter().map(|t| self.target(fx, t)).collect();
                            return Some(S::AssignParallel {
                                base,
                                targets: targets.into(),
                                values: values.into(),
                            });
                        }
                    }
                    let v = self.expr(fx, value);
                    let t = self.target(fx, &targets[0]);
                    return Some(S::Assign(t, v));
                }
                let tmp = fx.temps(1);
                let value = self.expr(fx, value);
                let targets: Vec<Target> = targets.iter().map(|t| self.target(fx, t)).collect();
                S::AssignMany {
                    tmp,
                    targets: targets.into(),
                    value,
                }
            }
            StmtKind::AugAssign { target, op, value } => {
                let tline = self.line(target.span);
                match &target.kind {
                    ExprKind::Name(n) => {
                        let at = self.name(fx, n);
                        let spill = if may_collect(value) { fx.temps(1) } else { NO_SLOT };
                        let name = self.str_const(n);
                        let value = self.expr(fx, value);
                        S::AugName {
                            at,
                            name,
                            op: *op,
                            spill,
                            line,
                            tline,
                            value,
                        }
                    }
                    ExprKind::Subscript { value: o, index } => {
                        let base = fx.temps(3);
                        let o = self.expr(fx, o);
                        let k = self.expr(fx, index);
                        let value = self.expr(fx, value);
                        S::AugSubscript {
                            base,
                            op: *op,
                            line,
                            tline,
                            o,
                            k,
                            value,
                        }
                    }
                    ExprKind::Attribute { value: o, attr } => {
                        let base = fx.temps(2);
                        let name = self.str_const(&attr.name);
                        let o = self.expr(fx, o);
                        let value = self.expr(fx, value);
                        S::AugAttr {
                            base,
                            name,
                            op: *op,
                            line,
                            tline,
                            o,
                            value,
                        }
                    }
                    _ => unreachable!("bad augmented assignment target"),
                }
            }
            StmtKind::FunctionDef(f) => {
                let at = self.name(fx, &f.name);
                S::Def(Box::new(self.def(fx, f)), at)
            }
            StmtKind::Return(v) => S::Return(match v {
                Some(e) => self.expr(fx, e),
                None => E::Const(NONE),
            }),
            StmtKind::If { test, body, orelse } => {
                let t = self.expr(fx, test);
                S::If(t, self.block(fx, body), self.block(fx, orelse))
            }
            StmtKind::While { test, body, orelse } => {
                let t = self.expr(fx, test);
                S::While(t, self.block(fx, body), self.block(fx, orelse))
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                let tmp = fx.temps(2);
                let range = self.range_args(fx, iter).map(|(a, b)| match b {
                    Some(b) => (Some(self.expr(fx, a)), self.expr(fx, b)),
                    None => (None, self.expr(fx, a)),
                });
                let iter = if range.is_some() {
                    E::Const(NONE)
                } else {
                    self.expr(fx, iter)
                };
                let range_slot = match self.global("range") {
                    Name::Global(s) => s,
                    _ => u32::MAX,
                };
                let target = self.target(fx, target);
                let body = self.block(fx, body);
                let orelse = self.block(fx, orelse);
                S::For(Box::new(For {
                    target,
                    range,
                    iter,
                    body,
                    orelse,
                    line,
                    tmp,
                    range_slot,
                }))
            }
            StmtKind::Break => S::Break,
            StmtKind::Continue => S::Continue,
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => return None,
            StmtKind::Delete(targets) => {
                let mut out = Vec::new();
                for t in targets {
                    self.del(fx, t, &mut out);
                }
                if out.len() == 1 {
                    return out.pop();
                }
                S::Block(out.into())
            }
            StmtKind::Assert { test, msg } => {
                let test = self.expr(fx, test);
                let msg = msg.as_ref().map(|m| self.expr(fx, m));
                S::Assert { line, test, msg }
            }
            StmtKind::Raise(Some(e)) => S::Raise {
                line,
                x: self.expr(fx, e),
            },
            StmtKind::Raise(None) => S::Reraise {
                line,
                cur: fx.handling.last().copied().unwrap_or(NO_SLOT),
            },
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                let exc = fx.temps(1);
                let save = fx.temps(1);
                let body = self.block(fx, body);
                let mut hs = Vec::new();
                for h in handlers {
                    let typ = h.typ.as_ref().map(|t| self.expr(fx, t));
                    let hline = h.typ.as_ref().map(|t| self.line(t.span)).unwrap_or(line);
                    let name = h.name.as_ref().map(|n| self.name(fx, &n.name));
                    fx.handling.push(exc);
                    let hbody = self.block(fx, &h.body);
                    fx.handling.pop();
                    hs.push(Handler {
                        typ,
                        line: hline,
                        name,
                        body: hbody,
                    });
                }
                let orelse = self.block(fx, orelse);
                let finalbody = self.block(fx, finalbody);
                S::Try(Box::new(Try {
                    body,
                    handlers: hs.into(),
                    orelse,
                    finalbody,
                    exc,
                    save,
                }))
            }
        })
    }

    fn del(&mut self, fx: &mut Fx<'a>, t: &'a Expr, out: &mut Vec<S>) {
        let line = self.line(t.span);
        match &t.kind {
            ExprKind::Name(n) => {
                let at = self.name(fx, n);
                let name = self.str_const(n);
                out.push(S::DelName { at, name, line });
            }
            ExprKind::Subscript { value, index } => {
                let spill = if may_collect(index) { fx.temps(1) } else { NO_SLOT };
                let o = self.expr(fx, value);
                let k = self.expr(fx, index);
                out.push(S::DelSubscript { spill, line, o, k });
            }
            ExprKind::Attribute { value, attr } => {
                let name = self.str_const(&attr.name);
                let o = self.expr(fx, value);
                out.push(S::DelAttr { line, o, name });
            }
            ExprKind::Tuple(ts) | ExprKind::List(ts) => {
                for t in ts {
                    if let ExprKind::Name(_) = &t.kind {
                        self.del(fx, t, out);
                    }
                }
            }
            _ => {}
        }
    }

    /// `range(a)` / `range(a, b)` where `range` is the builtin.
    fn range_args(&self, fx: &Fx, iter: &'a Expr) -> Option<(&'a Expr, Option<&'a Expr>)> {
        program::range_loop_args(self.scopes, fx.scope.id, iter)
    }

    fn target(&mut self, fx: &mut Fx<'a>, t: &'a Expr) -> Target {
        let line = self.line(t.span);
        match &t.kind {
            ExprKind::Name(n) => Target::Name(self.name(fx, n)),
            ExprKind::Starred(x) => self.target(fx, x),
            ExprKind::Subscript { value, index } => {
                let tmp = if may_collect(value) || may_collect(index) {
                    fx.temps(2)
                } else {
                    NO_SLOT
                };
                let o = self.expr(fx, value);
                let k = self.expr(fx, index);
                Target::Subscript { tmp, line, o, k }
            }
            ExprKind::Attribute { value, attr } => {
                let tmp = if may_collect(value) { fx.temps(1) } else { NO_SLOT };
                let name = self.str_const(&attr.name);
                let o = self.expr(fx, value);
                Target::Attr { tmp, line, name, o }
            }
            ExprKind::Tuple(ts) | ExprKind::List(ts) => {
                let star = ts.iter().position(|t| matches!(t.kind, ExprKind::Starred(_)));
                let out = fx.temps(ts.len() as u32);
                let targets: Vec<Target> = ts.iter().map(|t| self.target(fx, t)).collect();
                Target::Unpack {
                    out,
                    star: star.map(|s| s as u32).unwrap_or(NO_SLOT),
                    line,
                    targets: targets.into(),
                }
            }
            _ => unreachable!("bad assignment target reached the interpreter"),
        }
    }

    fn def(&mut self, fx: &mut Fx<'a>, f: &'a FunctionDef) -> Def {
        let line = self.line(f.span);
        let nd = f.decorators.len() as u32;
        let ndef = f.params.positional.iter().filter(|p| p.default.is_some()).count() as u32;
        let nkw = f.params.kwonly.iter().filter(|p| p.default.is_some()).count() as u32;
        let base = fx.temps(nd + ndef + 2 * nkw + 3);
        let decorators: Vec<E> = f.decorators.iter().map(|d| self.expr(fx, d)).collect();
        let defaults: Vec<E> = f
            .params
            .positional
            .iter()
            .filter_map(|p| p.default.as_ref())
            .map(|d| self.expr(fx, d))
            .collect();
        let mut kwdefaults = Vec::new();
        for p in &f.params.kwonly {
            if let Some(d) = &p.default {
                let k = self.str_const(&p.name.name);
                kwdefaults.push((k, self.expr(fx, d)));
            }
        }
        let inner = self.scopes.get(f.scope_id);
        let captures: Vec<Name> = inner.freevars.iter().map(|n| self.name(fx, n)).collect();
        for c in &captures {
            assert!(
                matches!(c, Name::Cell(_) | Name::Free(_)),
                "captured variable is not a cell in {}",
                fx.scope.qualname
            );
        }
        let info = self.function(f);
        Def {
            info,
            decorators: decorators.into(),
            defaults: defaults.into(),
            kwdefaults: kwdefaults.into(),
            captures: captures.into(),
            base,
            line,
        }
    }

    /// Compile a nested function: its code info with the interpreter's entry and tree.
    fn function(&mut self, f: &'a FunctionDef) -> &'static CodeInfo {
        let line = self.line(f.span);
        let info = Box::into_raw(Box::new(program::code_info(
            self.scopes,
            f.scope_id,
            self.filename,
            line,
            Some(f),
        )));
        let code = self.code(f.scope_id, &f.body, info);
        unsafe {
            (*info).engine = Box::into_raw(Box::new(code)) as *const ();
            (*info).array_entry = Some(super::eval::array_entry);
            &*info
        }
    }

    // ------------------------------------------------------------------ expressions

    fn boxed(&mut self, fx: &mut Fx<'a>, e: &'a Expr) -> Box<E> {
        Box::new(self.expr(fx, e))
    }

    fn constant(&mut self, c: &Constant) -> Value {
        match c {
            Constant::None => NONE,
            Constant::Bool(b) => Value::bool(*b),
            Constant::Int(s) => match s.parse::<i64>().ok().and_then(Value::small_int) {
                Some(v) => v,
                None => {
                    let v = cellar_runtime::objects::new_int_from_decimal(s);
                    cellar_runtime::vm::vm().constants.push(v);
                    v
                }
            },
            Constant::Float(f) => Value::float(*f),
            Constant::Str(s) => self.str_const(s),
        }
    }

    fn load(&mut self, fx: &Fx, n: &str, span: Span) -> E {
        let line = self.line(span);
        let name = self.str_const(n);
        match self.name(fx, n) {
            Name::Local(slot) => {
                let always_bound = fx
                    .scope
                    .symbol(n)
                    .map(|s| s.is_param && s.plain_bindings <= 1)
                    .unwrap_or(false);
                if always_bound {
                    E::Local(slot)
                } else {
                    E::LocalChecked { slot, line, name }
                }
            }
            Name::Cell(slot) => E::CellGet { slot, line, name },
            Name::Free(idx) => E::FreeGet { idx, line, name },
            Name::Global(slot) => E::GlobalGet { slot, line, name },
            Name::Missing => E::Missing { line, name },
        }
    }

    fn expr(&mut self, fx: &mut Fx<'a>, e: &'a Expr) -> E {
        let line = self.line(e.span);
        let mark = fx.next;
        let r = match &e.kind {
            ExprKind::Constant(c) => E::Const(self.constant(c)),
            ExprKind::Name(n) => self.load(fx, n, e.span),
            ExprKind::BoolOp { is_and, values } => {
                let xs: Vec<E> = values.iter().map(|v| self.expr(fx, v)).collect();
                E::BoolOp {
                    is_and: *is_and,
                    xs: xs.into(),
                }
            }
            ExprKind::BinOp { left, op, right } => {
                if let ExprKind::Constant(c) = &right.kind {
                    if !matches!(c, Constant::Str(_)) {
                        let c = self.constant(c);
                        let l = self.boxed(fx, left);
                        return E::BinOpConst { op: *op, line, l, c };
                    }
                }
                let spill = if may_collect(right) { fx.temps(1) } else { NO_SLOT };
                let l = self.boxed(fx, left);
                let r = self.boxed(fx, right);
                E::BinOp {
                    op: *op,
                    spill,
                    line,
                    l,
                    r,
                }
            }
            ExprKind::UnaryOp { op, operand } => {
                if let (UnaryOp::Neg, ExprKind::Constant(Constant::Int(s))) = (op, &operand.kind) {
                    return E::Const(self.constant(&Constant::Int(format!("-{s}"))));
                }
                if let (UnaryOp::Neg, ExprKind::Constant(Constant::Float(f))) = (op, &operand.kind) {
                    return E::Const(Value::float(-f));
                }
                let x = self.boxed(fx, operand);
                match op {
                    UnaryOp::Not => E::Not(x),
                    UnaryOp::Neg => E::Unary { code: 0, line, x },
                    UnaryOp::Pos => E::Unary { code: 1, line, x },
                    UnaryOp::Invert => E::Unary { code: 3, line, x },
                }
            }
            ExprKind::Compare { left, ops, comparators } => {
                if ops.len() == 1 {
                    let spill = if may_collect(&comparators[0]) {
                        fx.temps(1)
                    } else {
                        NO_SLOT
                    };
                    let l = self.boxed(fx, left);
                    let r = self.boxed(fx, &comparators[0]);
                    E::Compare {
                        op: ops[0],
                        spill,
                        line,
                        l,
                        r,
                    }
                } else {
                    let tmp = fx.temps(2);
                    let first = self.expr(fx, left);
                    let rest: Vec<(CmpOp, E, u32)> = ops
                        .iter()
                        .zip(comparators)
                        .map(|(op, c)| (*op, self.expr(fx, c), line))
                        .collect();
                    E::Chain(Box::new(Chain {
                        first,
                        rest: rest.into(),
                        tmp,
                    }))
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                let t = self.expr(fx, test);
                let b = self.expr(fx, body);
                let o = self.expr(fx, orelse);
                E::IfExp(Box::new([t, b, o]))
            }
            ExprKind::Lambda(f) => E::Lambda(Box::new(self.def(fx, f))),
            ExprKind::Call { func, args } => E::Call(Box::new(self.call(fx, func, args, line))),
            ExprKind::Attribute { value, attr } => {
                let name = self.str_const(&attr.name);
                E::Attr {
                    name,
                    line,
                    o: self.boxed(fx, value),
                }
            }
            ExprKind::Subscript { value, index } => {
                let spill = if may_collect(index) { fx.temps(1) } else { NO_SLOT };
                let o = self.boxed(fx, value);
                let k = self.boxed(fx, index);
                E::Subscript { spill, line, o, k }
            }
            ExprKind::Slice { lower, upper, step } => {
                let base = fx.temps(3);
                let mut part = |x: &'a Option<Box<Expr>>| x.as_ref().map(|x| self.expr(fx, x));
                let parts = [part(lower), part(upper), part(step)];
                E::Slice {
                    base,
                    line,
                    parts: Box::new(parts),
                }
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let tuple = matches!(e.kind, ExprKind::Tuple(_));
                if items.iter().any(|x| matches!(x.kind, ExprKind::Starred(_))) {
                    let base = fx.temps(1);
                    let xs: Vec<(bool, u32, E)> = items
                        .iter()
                        .map(|it| match &it.kind {
                            ExprKind::Starred(x) => (true, self.line(it.span), self.expr(fx, x)),
                            _ => (false, self.line(it.span), self.expr(fx, it)),
                        })
                        .collect();
                    E::SeqStar {
                        tuple,
                        base,
                        items: xs.into(),
                    }
                } else {
                    let base = fx.temps(items.len() as u32);
                    let xs: Vec<E> = items.iter().map(|x| self.expr(fx, x)).collect();
                    E::Seq {
                        tuple,
                        base,
                        items: xs.into(),
                    }
                }
            }
            ExprKind::Dict(items) => {
                if items.iter().all(|(k, _)| k.is_some()) {
                    let base = fx.temps(2 * items.len() as u32);
                    let xs: Vec<(E, E)> = items
                        .iter()
                        .map(|(k, v)| (self.expr(fx, k.as_ref().unwrap()), self.expr(fx, v)))
                        .collect();
                    E::Dict {
                        base,
                        line,
                        items: xs.into(),
                    }
                } else {
                    let base = fx.temps(2);
                    let xs: Vec<(Option<E>, E, u32)> = items
                        .iter()
                        .map(|(k, v)| {
                            let l = self.line(k.as_ref().map(|k| k.span).unwrap_or(v.span));
                            (k.as_ref().map(|k| self.expr(fx, k)), self.expr(fx, v), l)
                        })
                        .collect();
                    E::DictStar { base, items: xs.into() }
                }
            }
            ExprKind::FString(parts) => self.fstring(fx, parts, line),
            ExprKind::Starred(_) => unreachable!("starred expression outside a display"),
            ExprKind::Named { target, value } => E::Named {
                x: self.boxed(fx, value),
                to: self.name(fx, &target.name),
            },
        };
        fx.next = mark;
        r
    }

    fn fstring(&mut self, fx: &mut Fx<'a>, parts: &'a [FStringPart], line: u32) -> E {
        let base = fx.temps(parts.len() as u32);
        let ps: Vec<FPart> = parts
            .iter()
            .map(|p| match p {
                FStringPart::Literal(s) => FPart::Lit(self.str_const(s)),
                FStringPart::Field { expr, conversion, spec } => {
                    let x = self.expr(fx, expr);
                    let spec = if spec.is_empty() {
                        None
                    } else {
                        Some(self.fstring(fx, spec, line))
                    };
                    FPart::Field {
                        x,
                        conv: conversion.map(|c| c as u8).unwrap_or(0),
                        spec,
                        line: self.line(expr.span),
                    }
                }
            })
            .collect();
        E::FString {
            base,
            line,
            parts: ps.into(),
        }
    }

    fn call(&mut self, fx: &mut Fx<'a>, func: &'a Expr, args: &'a [Arg], line: u32) -> Call {
        let simple = args.iter().all(|a| matches!(a, Arg::Positional(_) | Arg::Keyword(..)));
        if simple {
            let npos = args.iter().filter(|a| matches!(a, Arg::Positional(_))).count() as u32;
            let base = fx.temps(1 + args.len() as u32);
            let mut names = Vec::new();
            let mut xs = Vec::new();
            let (fexpr, method) = match &func.kind {
                ExprKind::Attribute { value, attr } => (self.expr(fx, value), Some(self.str_const(&attr.name))),
                _ => (self.expr(fx, func), None),
            };
            for a in args {
                if let Arg::Positional(e) = a {
                    xs.push(self.expr(fx, e));
                }
            }
            for a in args {
                if let Arg::Keyword(k, e) = a {
                    xs.push(self.expr(fx, e));
                    names.push(self.str_const(&k.name));
                }
            }
            let kwnames = if names.is_empty() {
                cellar_runtime::value::UNBOUND
            } else {
                let t = cellar_runtime::objects::new_tuple(names);
                cellar_runtime::vm::vm().constants.push(t);
                t
            };
            let kind = match method {
                Some(name) => CallKind::Method { name, kwnames, npos },
                None if kwnames == cellar_runtime::value::UNBOUND => CallKind::Plain,
                None => CallKind::Kw { kwnames, npos },
            };
            return Call {
                func: fexpr,
                args: xs.into(),
                base,
                line,
                kind,
            };
        }
        let base = fx.temps(3);
        let fexpr = self.expr(fx, func);
        let mut how = Vec::new();
        let mut xs = Vec::new();
        for a in args {
            let (h, name, e) = match a {
                Arg::Positional(e) => (0u8, NONE, e),
                Arg::Starred(e) => (1, NONE, e),
                Arg::Keyword(k, e) => (2, self.str_const(&k.name), e),
                Arg::DoubleStarred(e) => (3, NONE, e),
            };
            how.push((h, name, self.line(e.span)));
            xs.push(self.expr(fx, e));
        }
        Call {
            func: fexpr,
            args: xs.into(),
            base,
            line,
            kind: CallKind::Star { how: how.into() },
        }
    }
}
