//! Cellar's own small AST. Every node carries a [`Span`] (byte range into the source).
//!
//! The front end (`syntax::lower`) builds this from ruff's AST and rejects every construct
//! that is not listed here, so later stages never see unsupported syntax.

/// A byte range `start..end` into the program source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}

/// A whole program: the module body.
#[derive(Clone, Debug)]
pub struct Module {
    /// Top-level statements.
    pub body: Vec<Stmt>,
}

/// A name with its span.
#[derive(Clone, Debug)]
pub struct Ident {
    /// The identifier text.
    pub name: String,
    /// Where it is written.
    pub span: Span,
}

/// One parameter of a `def` or `lambda`.
#[derive(Clone, Debug)]
pub struct Param {
    /// Parameter name.
    pub name: Ident,
    /// Default value expression, evaluated when the `def` runs.
    pub default: Option<Expr>,
}

/// The parameter list of a function, in CPython's order.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// Positional-or-keyword parameters (positional-only `/` is rejected).
    pub positional: Vec<Param>,
    /// `*args`.
    pub vararg: Option<Ident>,
    /// Keyword-only parameters (after `*` or `*args`).
    pub kwonly: Vec<Param>,
    /// `**kwargs`.
    pub kwarg: Option<Ident>,
}

/// A function definition: `def` statements and `lambda` expressions share this.
#[derive(Clone, Debug)]
pub struct FunctionDef {
    /// `def` name, or `<lambda>`.
    pub name: String,
    /// Parameters.
    pub params: Params,
    /// Body statements; a lambda body is a single `Return`.
    pub body: Vec<Stmt>,
    /// Decorators, outermost first as written.
    pub decorators: Vec<Expr>,
    /// True for `lambda`.
    pub is_lambda: bool,
    /// Span of the whole definition (the `def` line for tracebacks).
    pub span: Span,
    /// Unique id of this function scope within the module (assigned by the front end, in
    /// source order, starting at 1; 0 is the module).
    pub scope_id: ScopeId,
}

/// Identifies a scope (module = 0, then every def/lambda in source order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ScopeId(pub u32);

/// A statement.
#[derive(Clone, Debug)]
pub struct Stmt {
    /// What kind of statement.
    pub kind: StmtKind,
    /// Where it is.
    pub span: Span,
}

/// One `except` clause.
#[derive(Clone, Debug)]
pub struct ExceptHandler {
    /// The exception type expression (`None` for a bare `except:`).
    pub typ: Option<Expr>,
    /// `as name`.
    pub name: Option<Ident>,
    /// Handler body.
    pub body: Vec<Stmt>,
    /// Span of the clause.
    pub span: Span,
}

/// Statement kinds of the supported subset.
#[derive(Clone, Debug)]
pub enum StmtKind {
    /// An expression evaluated for effect.
    Expr(Expr),
    /// `t1 = t2 = value`.
    Assign { targets: Vec<Expr>, value: Expr },
    /// `target op= value`.
    AugAssign { target: Expr, op: BinOp, value: Expr },
    /// `def` (decorators inside the `FunctionDef`).
    FunctionDef(Box<FunctionDef>),
    /// `return [value]`.
    Return(Option<Expr>),
    /// `if test: body else: orelse` (`elif` is a nested `If` in `orelse`).
    If {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `while test: body else: orelse`.
    While {
        test: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `for target in iter: body else: orelse`.
    For {
        target: Expr,
        iter: Expr,
        body: Vec<Stmt>,
        orelse: Vec<Stmt>,
    },
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `pass`.
    Pass,
    /// `del t1, t2` (names, subscripts and attributes).
    Delete(Vec<Expr>),
    /// `global a, b`.
    Global(Vec<Ident>),
    /// `nonlocal a, b`.
    Nonlocal(Vec<Ident>),
    /// `assert test, msg`.
    Assert { test: Expr, msg: Option<Expr> },
    /// `raise [exc]` (`from` is rejected).
    Raise(Option<Expr>),
    /// `try/except/else/finally`.
    Try {
        body: Vec<Stmt>,
        handlers: Vec<ExceptHandler>,
        orelse: Vec<Stmt>,
        finalbody: Vec<Stmt>,
    },
}

/// Binary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    /// `<<`
    LShift,
    /// `>>`
    RShift,
    /// `|`
    BitOr,
    /// `^`
    BitXor,
    /// `&`
    BitAnd,
}

/// Comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    NotEq,
    Lt,
    LtE,
    Gt,
    GtE,
    Is,
    IsNot,
    In,
    NotIn,
}

/// Unary operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Pos,
    Not,
    /// `~`
    Invert,
}

/// A constant literal.
#[derive(Clone, Debug, PartialEq)]
pub enum Constant {
    None,
    Bool(bool),
    /// Integer literal (decimal digits; may exceed i64, so kept as text).
    Int(String),
    Float(f64),
    Str(String),
}

/// One piece of an f-string.
#[derive(Clone, Debug)]
pub enum FStringPart {
    /// Literal text.
    Literal(String),
    /// `{expr!conv:spec}`; `conversion` is `'r'`, `'s'`, `'a'` or none; `spec` may itself hold
    /// replacement fields.
    Field {
        expr: Expr,
        conversion: Option<char>,
        spec: Vec<FStringPart>,
    },
}

/// A call argument.
#[derive(Clone, Debug)]
pub enum Arg {
    /// `f(x)`.
    Positional(Expr),
    /// `f(*xs)`.
    Starred(Expr),
    /// `f(name=x)`.
    Keyword(Ident, Expr),
    /// `f(**kw)`.
    DoubleStarred(Expr),
}

/// An expression.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What kind of expression.
    pub kind: ExprKind,
    /// Where it is.
    pub span: Span,
}

impl Stmt {
    /// Call `on_expr` on each expression and `on_stmt` on each statement directly inside
    /// this one, in source order. A `def` gives its decorators and parameter defaults as
    /// expressions and its body as statements.
    pub fn for_each_child<'a>(&'a self, on_stmt: &mut impl FnMut(&'a Stmt), on_expr: &mut impl FnMut(&'a Expr)) {
        let block = |b: &'a [Stmt], on_stmt: &mut dyn FnMut(&'a Stmt)| b.iter().for_each(on_stmt);
        match &self.kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) | StmtKind::Raise(Some(e)) => on_expr(e),
            StmtKind::Assign { targets, value } => {
                targets.iter().for_each(&mut *on_expr);
                on_expr(value);
            }
            StmtKind::AugAssign { target, value, .. } => {
                on_expr(target);
                on_expr(value);
            }
            StmtKind::FunctionDef(f) => {
                f.decorators.iter().for_each(&mut *on_expr);
                f.params.defaults().for_each(&mut *on_expr);
                block(&f.body, on_stmt);
            }
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                on_expr(test);
                block(body, on_stmt);
                block(orelse, on_stmt);
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                on_expr(target);
                on_expr(iter);
                block(body, on_stmt);
                block(orelse, on_stmt);
            }
            StmtKind::Delete(es) => es.iter().for_each(on_expr),
            StmtKind::Assert { test, msg } => {
                on_expr(test);
                msg.iter().for_each(on_expr);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => {
                block(body, on_stmt);
                for h in handlers {
                    h.typ.iter().for_each(&mut *on_expr);
                    block(&h.body, on_stmt);
                }
                block(orelse, on_stmt);
                block(finalbody, on_stmt);
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
}

/// Call `f` on every statement of the function body `body`, in source order, entering
/// compound statements (`if`, loops, `try`) but not nested functions (a `def` statement
/// itself is visited, its body is not).
pub fn each_stmt<'a>(body: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt)) {
    for s in body {
        f(s);
        if !matches!(s.kind, StmtKind::FunctionDef(_)) {
            s.for_each_child(&mut |c| each_stmt(std::slice::from_ref(c), f), &mut |_| {});
        }
    }
}

/// The names `:=` binds in the function body `body` itself, each once, in source order:
/// assignment expressions in its statements, and those in its comprehensions (which bind
/// in the function, see `crate::scope`), but not those of other nested functions.
pub fn walrus_targets(body: &[Stmt]) -> Vec<&str> {
    fn expr<'a>(e: &'a Expr, out: &mut Vec<&'a str>) {
        match &e.kind {
            ExprKind::Named { target, .. } if !out.contains(&target.name.as_str()) => out.push(&target.name),
            ExprKind::Lambda(f) if is_comprehension(&f.name) => {
                f.params.defaults().for_each(|d| expr(d, out));
                each_stmt(&f.body, &mut |s| s.for_each_child(&mut |_| {}, &mut |e| expr(e, out)));
                return;
            }
            ExprKind::Lambda(f) => {
                f.params.defaults().for_each(|d| expr(d, out));
                return;
            }
            _ => {}
        }
        e.for_each_child(&mut |c| expr(c, out));
    }
    let mut out = Vec::new();
    each_stmt(body, &mut |s| s.for_each_child(&mut |_| {}, &mut |e| expr(e, &mut out)));
    out
}

/// Is a function of this name a comprehension's (`<listcomp>`, `<dictcomp>`,
/// `<genexpr>` and the clause functions of a generator expression), which the front end
/// makes and no program can name?
pub fn is_comprehension(name: &str) -> bool {
    matches!(name, "<listcomp>" | "<dictcomp>" | "<genexpr>")
}

impl Params {
    /// The default value expressions, positional parameters' first.
    pub fn defaults(&self) -> impl Iterator<Item = &Expr> {
        self.positional
            .iter()
            .chain(&self.kwonly)
            .filter_map(|p| p.default.as_ref())
    }
}

impl Expr {
    /// Call `f` on each direct sub-expression, in the order CPython's compiler visits
    /// them: left to right, except that a call's positional and `*` arguments come before
    /// its keyword and `**` ones; an f-string's fields with their format specs. A lambda
    /// has no children here: its defaults and body belong to the function, which callers
    /// handle themselves.
    pub fn for_each_child<'a>(&'a self, f: &mut impl FnMut(&'a Expr)) {
        match &self.kind {
            ExprKind::Constant(_) | ExprKind::Name(_) | ExprKind::Lambda(_) => {}
            ExprKind::BoolOp { values, .. } | ExprKind::List(values) | ExprKind::Tuple(values) => {
                values.iter().for_each(f)
            }
            ExprKind::BinOp { left, right, .. } => {
                f(left);
                f(right);
            }
            ExprKind::UnaryOp { operand, .. } => f(operand),
            ExprKind::Compare { left, comparators, .. } => {
                f(left);
                comparators.iter().for_each(f);
            }
            ExprKind::IfExp { test, body, orelse } => {
                f(test);
                f(body);
                f(orelse);
            }
            ExprKind::Call { func, args } => {
                f(func);
                for a in args {
                    if let Arg::Positional(x) | Arg::Starred(x) = a {
                        f(x);
                    }
                }
                for a in args {
                    if let Arg::Keyword(_, x) | Arg::DoubleStarred(x) = a {
                        f(x);
                    }
                }
            }
            ExprKind::Attribute { value, .. } | ExprKind::Starred(value) | ExprKind::Named { value, .. } => f(value),
            ExprKind::Subscript { value, index } => {
                f(value);
                f(index);
            }
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    f(x);
                }
            }
            ExprKind::Dict(items) => {
                for (k, v) in items {
                    if let Some(k) = k {
                        f(k);
                    }
                    f(v);
                }
            }
            ExprKind::FString(parts) => for_each_field(parts, f),
        }
    }
}

fn for_each_field<'a>(parts: &'a [FStringPart], f: &mut impl FnMut(&'a Expr)) {
    for p in parts {
        if let FStringPart::Field { expr, spec, .. } = p {
            f(expr);
            for_each_field(spec, f);
        }
    }
}

/// Expression kinds of the supported subset.
#[derive(Clone, Debug)]
pub enum ExprKind {
    Constant(Constant),
    /// A name load/store/del (context comes from where it appears).
    Name(String),
    /// `a and b and c` (`is_and`) or `a or b or c`.
    BoolOp {
        is_and: bool,
        values: Vec<Expr>,
    },
    BinOp {
        left: Box<Expr>,
        op: BinOp,
        right: Box<Expr>,
    },
    UnaryOp {
        op: UnaryOp,
        operand: Box<Expr>,
    },
    /// `a < b <= c`: `ops.len() == comparators.len()`.
    Compare {
        left: Box<Expr>,
        ops: Vec<CmpOp>,
        comparators: Vec<Expr>,
    },
    /// `body if test else orelse`.
    IfExp {
        test: Box<Expr>,
        body: Box<Expr>,
        orelse: Box<Expr>,
    },
    Lambda(Box<FunctionDef>),
    Call {
        func: Box<Expr>,
        args: Vec<Arg>,
    },
    /// `value.attr`.
    Attribute {
        value: Box<Expr>,
        attr: Ident,
    },
    /// `value[index]`.
    Subscript {
        value: Box<Expr>,
        index: Box<Expr>,
    },
    /// `lower:upper:step` inside a subscript.
    Slice {
        lower: Option<Box<Expr>>,
        upper: Option<Box<Expr>>,
        step: Option<Box<Expr>>,
    },
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    /// `{k: v}`; a `None` key is `**mapping`.
    Dict(Vec<(Option<Expr>, Expr)>),
    /// f-string.
    FString(Vec<FStringPart>),
    /// `*x` inside a list/tuple display or assignment target.
    Starred(Box<Expr>),
    /// `target := value` (an assignment expression). Inside a comprehension the target
    /// is bound in the nearest enclosing function or the module (see `crate::scope`).
    Named {
        target: Ident,
        value: Box<Expr>,
    },
}
