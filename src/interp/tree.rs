//! The interpreter's code form: a tree whose names are already resolved to frame slots,
//! env indices or global slots, whose constants are already runtime values, and whose
//! temporaries have fixed frame slots (so every value the interpreter holds across a
//! safepoint lives in the frame, where the collector sees it).
//!
//! Each node that can fail carries the source line it reports in a traceback (the same line
//! the JIT reports for the same operation).

use crate::syntax::ast::{BinOp, CmpOp};
use cellar_runtime::object::CodeInfo;
use cellar_runtime::value::Value;

/// A word of the current frame, counted from the frame base (word 0 is the function).
pub type Slot = u32;

/// "No slot": a node that needs no temporary.
pub const NO_SLOT: Slot = u32::MAX;

/// One compiled function (or the module body).
pub struct Code {
    /// The function's static facts (null for the module body), for tracebacks.
    pub info: *const CodeInfo,
    /// Parameter words (`info.params.len()`): frame words `1..=nparams`.
    pub nparams: u32,
    /// Words in a frame: the function, parameters, other locals and cells, temporaries.
    pub frame_size: u32,
    /// Parameters that live in cells: their argument is moved into a new cell on entry.
    pub cell_params: Box<[Slot]>,
    /// Other cell variables: a new empty cell each on entry.
    pub new_cells: Box<[Slot]>,
    /// The body.
    pub body: Box<[S]>,
}

/// Where a name lives, as seen from one scope.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Name {
    /// A frame word holding the value.
    Local(Slot),
    /// A frame word holding the `CellObj`.
    Cell(Slot),
    /// Index into the function's env record (a `CellObj`).
    Free(u32),
    /// A slot of `vm().globals`.
    Global(u32),
    /// Not a global slot and not a builtin: reading it raises NameError.
    Missing,
}

/// An expression. Evaluating one yields a value, or an error already reported (the pending
/// exception is set and the traceback entry for this frame added).
pub enum E {
    /// A constant (immortal: rooted in `vm().constants` when it is a heap object).
    Const(Value),
    /// A local that is always bound (a parameter never rebound): no check.
    Local(Slot),
    /// A local read with an unbound check (`name` is the str for the message).
    LocalChecked { slot: Slot, line: u32, name: Value },
    /// A cell variable of this function.
    CellGet { slot: Slot, line: u32, name: Value },
    /// A free variable: env record entry `idx`.
    FreeGet { idx: u32, line: u32, name: Value },
    /// A global (or builtin) by slot.
    GlobalGet { slot: u32, line: u32, name: Value },
    /// A name with no slot at all: NameError.
    Missing { line: u32, name: Value },
    /// `l op r`: small ints inline, else `rt_binop`. `spill` holds `l` while `r` is
    /// evaluated when `r` can reach a safepoint.
    BinOp {
        op: BinOp,
        spill: Slot,
        line: u32,
        l: Box<E>,
        r: Box<E>,
    },
    /// `l op c` with a constant right operand.
    BinOpConst { op: BinOp, line: u32, l: Box<E>, c: Value },
    /// `l op r` for one comparison (`spill` as for `BinOp`).
    Compare {
        op: CmpOp,
        spill: Slot,
        line: u32,
        l: Box<E>,
        r: Box<E>,
    },
    /// `a < b < c ...`: operands go through `tmp` and `tmp + 1`.
    Chain(Box<Chain>),
    /// `not x`.
    Not(Box<E>),
    /// Unary `-`, `+` or `~`: `code` is `rt_unary`'s operator code (0, 1, 3).
    Unary { code: u8, line: u32, x: Box<E> },
    /// `a and b and ...` / `a or b or ...`.
    BoolOp { is_and: bool, xs: Box<[E]> },
    /// `body if test else orelse`.
    IfExp(Box<[E; 3]>),
    /// `callee(args)` / `obj.name(args)` / with keywords / with `*` and `**`.
    Call(Box<Call>),
    /// `o.name`.
    Attr { name: Value, line: u32, o: Box<E> },
    /// `o[k]` (`spill` holds `o` while `k` is evaluated).
    Subscript {
        spill: Slot,
        line: u32,
        o: Box<E>,
        k: Box<E>,
    },
    /// `lower:upper:step` (absent parts are None), through `base..base + 3`.
    Slice {
        base: Slot,
        line: u32,
        parts: Box<[Option<E>; 3]>,
    },
    /// A list (`tuple` false) or tuple display without `*`, items through `base..`.
    Seq { tuple: bool, base: Slot, items: Box<[E]> },
    /// A display with `*x` items; the list being built is in `base`.
    SeqStar {
        tuple: bool,
        base: Slot,
        items: Box<[(bool, u32, E)]>,
    },
    /// `{k: v, ...}` without `**`: pairs through `base..`.
    Dict {
        base: Slot,
        line: u32,
        items: Box<[(E, E)]>,
    },
    /// `{k: v, **m, ...}`: the dict being built is in `base`; `None` key = `**value`.
    DictStar {
        base: Slot,
        items: Box<[(Option<E>, E, u32)]>,
    },
    /// An f-string: parts through `base..`.
    FString { base: Slot, line: u32, parts: Box<[FPart]> },
    /// `lambda`.
    Lambda(Box<Def>),
    /// `name := x`: evaluates `x`, binds it to `to`, and yields it.
    Named { to: Name, x: Box<E> },
}

/// A comparison chain.
pub struct Chain {
    /// First operand.
    pub first: E,
    /// `(op, operand, line)`.
    pub rest: Box<[(CmpOp, E, u32)]>,
    /// Two words: the left and right operands.
    pub tmp: Slot,
}

/// One piece of an f-string.
pub enum FPart {
    /// Literal text (a str constant).
    Lit(Value),
    /// `{x!conv:spec}`; `conv` is 0 or `b'r'`/`b's'`/`b'a'`; `spec` is an `E::FString`.
    Field { x: E, conv: u8, spec: Option<E>, line: u32 },
}

/// What a call site calls and how.
pub enum CallKind {
    /// `callee(a, b)`: the callee in `base`, the arguments after it.
    Plain,
    /// `obj.name(a, b, k=v)`: the object in `base`, then positional, then keyword values;
    /// `kwnames` is a tuple of str or UNBOUND.
    Method { name: Value, kwnames: Value, npos: u32 },
    /// `callee(a, k=v)`: as `Plain` with keyword values after the positional ones.
    Kw { kwnames: Value, npos: u32 },
    /// `callee(*xs, **kw)`: `base` callee, `base + 1` the argument list, `base + 2` the
    /// keyword dict. Each argument is `(how, line)`: 0 positional, 1 `*x`, 2 keyword
    /// (`name` in `names`), 3 `**m`.
    Star { how: Box<[(u8, Value, u32)]> },
}

/// A call site.
pub struct Call {
    /// The callee (or method receiver) expression.
    pub func: E,
    /// Argument expressions.
    pub args: Box<[E]>,
    /// First frame word of the call's block (callee, then arguments).
    pub base: Slot,
    /// Line of the call (its traceback entry).
    pub line: u32,
    /// The calling convention.
    pub kind: CallKind,
}

/// A `def` or `lambda`: makes a closure at run time.
pub struct Def {
    /// The function's static facts; `info.engine` is its [`Code`].
    pub info: &'static CodeInfo,
    /// Decorators, outermost first.
    pub decorators: Box<[E]>,
    /// Positional defaults.
    pub defaults: Box<[E]>,
    /// Keyword-only defaults: `(name as str, value)`.
    pub kwdefaults: Box<[(Value, E)]>,
    /// Where each free variable of the new function comes from, in env order.
    pub captures: Box<[Name]>,
    /// First temporary: decorators, defaults, kwdefaults pairs, then the function.
    pub base: Slot,
    /// The `def` line (decorator calls report it).
    pub line: u32,
}

/// An assignment target.
pub enum Target {
    /// A plain name.
    Name(Name),
    /// `o[k] = v` (`tmp`, `tmp + 1` hold `v` and `o` while `o` and `k` are evaluated, or
    /// NO_SLOT when they cannot reach a safepoint).
    Subscript { tmp: Slot, line: u32, o: E, k: E },
    /// `o.name = v`.
    Attr { tmp: Slot, line: u32, name: Value, o: E },
    /// `a, *b, c = v`: values land in `out..out + n` (`star` is the starred index or
    /// NO_SLOT).
    Unpack {
        out: Slot,
        star: u32,
        line: u32,
        targets: Box<[Target]>,
    },
}

/// One `except` clause.
pub struct Handler {
    /// The class (or tuple) matched; `None` for a bare `except:`.
    pub typ: Option<E>,
    /// Line of `typ` (a bad class raises there).
    pub line: u32,
    /// `as name`.
    pub name: Option<Name>,
    /// The clause body.
    pub body: Box<[S]>,
}

/// `try` statement.
pub struct Try {
    /// The body.
    pub body: Box<[S]>,
    /// The handlers.
    pub handlers: Box<[Handler]>,
    /// `else:`.
    pub orelse: Box<[S]>,
    /// `finally:` (empty if none).
    pub finalbody: Box<[S]>,
    /// The exception being handled (for the handlers and a bare `raise` in them).
    pub exc: Slot,
    /// What a `finally` body keeps while it runs: the pending exception or return value.
    pub save: Slot,
}

/// `for` loop.
pub struct For {
    /// The loop variable(s).
    pub target: Target,
    /// `range(start, stop)` with the builtin `range`: `(start or None, stop)`; else `None`.
    pub range: Option<(Option<E>, E)>,
    /// The iterable (when `range` is `None`).
    pub iter: E,
    /// The body.
    pub body: Box<[S]>,
    /// `else:`.
    pub orelse: Box<[S]>,
    /// Line of the `for` (iteration errors).
    pub line: u32,
    /// Two words: the iterator (or the range bounds while they are evaluated).
    pub tmp: Slot,
    /// Global slot of `range` (for the slow path of a range loop).
    pub range_slot: u32,
}

/// A statement.
pub enum S {
    /// An expression for effect.
    Expr(E),
    /// `target = value` (one target).
    Assign(Target, E),
    /// `t1 = t2 = value`: the value is kept in `tmp` while the targets are assigned.
    AssignMany {
        tmp: Slot,
        targets: Box<[Target]>,
        value: E,
    },
    /// `a, b = x, y` (no star, same length): the values go through `base..`.
    AssignParallel {
        base: Slot,
        targets: Box<[Target]>,
        values: Box<[E]>,
    },
    /// `name op= value`.
    AugName {
        at: Name,
        name: Value,
        op: BinOp,
        spill: Slot,
        line: u32,
        tline: u32,
        value: E,
    },
    /// `o[k] op= value` (`base`: o, k, current value).
    AugSubscript {
        base: Slot,
        op: BinOp,
        line: u32,
        tline: u32,
        o: E,
        k: E,
        value: E,
    },
    /// `o.name op= value` (`base`: o, current value).
    AugAttr {
        base: Slot,
        name: Value,
        op: BinOp,
        line: u32,
        tline: u32,
        o: E,
        value: E,
    },
    /// `def`: make the closure and bind it.
    Def(Box<Def>, Name),
    /// `return value`.
    Return(E),
    /// `if`.
    If(E, Box<[S]>, Box<[S]>),
    /// `while`.
    While(E, Box<[S]>, Box<[S]>),
    /// `for`.
    For(Box<For>),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `del name` (checked: unbound raises).
    DelName { at: Name, name: Value, line: u32 },
    /// `del o[k]` (`spill` holds `o`).
    DelSubscript { spill: Slot, line: u32, o: E, k: E },
    /// `del o.name`.
    DelAttr { line: u32, o: E, name: Value },
    /// `assert test, msg`.
    Assert { line: u32, test: E, msg: Option<E> },
    /// `raise x`.
    Raise { line: u32, x: E },
    /// Bare `raise`: re-raise the exception in `cur` (NO_SLOT outside a handler).
    Reraise { line: u32, cur: Slot },
    /// `try`.
    Try(Box<Try>),
    /// Several statements from one (`del a, b`).
    Block(Box<[S]>),
}
