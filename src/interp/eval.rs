//! Execution of the interpreter tree.
//!
//! Expressions return `Result<Value, Exc>`: `Err` means the pending exception is set in the
//! VM and this frame's traceback entry has been added by the operation that failed (a node
//! whose child failed only passes the error on). Statements return a [`Flow`].
//!
//! Safepoints (collections, calls into Python) only happen at function entry, at loop
//! heads and inside calls. Every value the interpreter still needs after one is in a frame
//! word of `vm().stack` (see `cellar_runtime::stack`), never only in a Rust local.

use super::tree::*;
use crate::syntax::ast::{BinOp, CmpOp};
use cellar_runtime::call;
use cellar_runtime::exceptions::*;
use cellar_runtime::iter::{rt_iter, rt_next};
use cellar_runtime::object::{CellObj, CodeInfo, FunctionObj, KIND_FUNCTION};
use cellar_runtime::objects::{
    list_mut, rt_build_dict, rt_build_list, rt_build_tuple, rt_dict_update, rt_list_extend, rt_list_to_tuple,
    rt_make_function,
};
use cellar_runtime::ops::*;
use cellar_runtime::stack::ValueStack;
use cellar_runtime::value::{Value, EXC, FALSE, INT_TAG, NONE, TRUE, UNBOUND};
use cellar_runtime::vm::{rt_new_cell, vm};

/// An error: the exception is pending in the VM, this frame's traceback entry is added.
#[derive(Debug)]
pub struct Exc;

type R<T> = Result<T, Exc>;

/// How a statement finished.
pub enum Flow {
    /// Fell through.
    Normal,
    /// `return` with this value.
    Return(Value),
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// An exception is pending.
    Err,
}

/// `vm().globals` (fixed once the program is compiled).
static mut GLOBALS: *mut Value = std::ptr::null_mut();
/// Lowest native stack address the interpreter may recurse to (RecursionError below).
static mut STACK_LIMIT: usize = 0;

/// Set the per-run state: the globals and the native stack budget (`stack_bytes` below
/// the caller's stack position).
pub fn setup(stack_bytes: usize) {
    let probe = 0u8;
    let here = std::hint::black_box(&probe) as *const u8 as usize;
    unsafe {
        GLOBALS = vm().globals.as_mut_ptr();
        STACK_LIMIT = here.saturating_sub(stack_bytes);
    }
    vm().stack.init();
}

#[inline(always)]
fn stack_low() -> bool {
    let probe = 0u8;
    let here = std::hint::black_box(&probe) as *const u8 as usize;
    here < unsafe { STACK_LIMIT }
}

macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(Exc) => return Flow::Err,
        }
    };
}

#[inline(always)]
fn cell_get(c: Value) -> Value {
    unsafe { (*(c.0 as *const CellObj)).value }
}

#[inline(always)]
fn cell_set(c: Value, v: Value) {
    unsafe { (*(c.0 as *mut CellObj)).value = v }
}

#[inline(always)]
fn poll() {
    if vm().gc_pending != 0 {
        cellar_runtime::gc::collect(0, 0);
    }
}

#[inline(always)]
fn both_ints(a: Value, b: Value) -> bool {
    a.0 & b.0 >= INT_TAG
}

/// `a op b` on two small ints, if the result is a small int.
#[inline(always)]
fn int_arith(op: BinOp, a: Value, b: Value) -> Option<Value> {
    if !both_ints(a, b) {
        return None;
    }
    let (x, y) = (a.as_small_int(), b.as_small_int());
    let r = match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x.checked_mul(y)?,
        BinOp::FloorDiv => {
            if y == 0 {
                return None;
            }
            let (q, r) = (x / y, x % y);
            if r != 0 && (r ^ y) < 0 {
                q - 1
            } else {
                q
            }
        }
        BinOp::Mod => {
            if y == 0 {
                return None;
            }
            let r = x % y;
            if r != 0 && (r ^ y) < 0 {
                r + y
            } else {
                r
            }
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::RShift if y >= 0 => x >> y.min(63),
        BinOp::LShift if (0..64).contains(&y) => {
            let r = x << y;
            if r >> y != x {
                return None;
            }
            r
        }
        _ => return None,
    };
    Value::small_int(r)
}

/// `a op b` for + - * on two floats (CPython 3.11 specializes these too).
#[inline(always)]
fn float_arith(op: BinOp, a: Value, b: Value) -> Option<Value> {
    if !(a.is_float() && b.is_float()) {
        return None;
    }
    let (x, y) = (a.as_float(), b.as_float());
    Some(Value::float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        _ => return None,
    }))
}

/// `a op b` on two small ints for the ordering operators.
#[inline(always)]
fn int_cmp(op: CmpOp, a: Value, b: Value) -> Option<bool> {
    if !both_ints(a, b) {
        return None;
    }
    let (x, y) = (a.as_small_int(), b.as_small_int());
    Some(match op {
        CmpOp::Eq => x == y,
        CmpOp::NotEq => x != y,
        CmpOp::Lt => x < y,
        CmpOp::LtE => x <= y,
        CmpOp::Gt => x > y,
        CmpOp::GtE => x >= y,
        _ => return None,
    })
}

#[inline(always)]
fn truthy(v: Value) -> bool {
    if v == TRUE {
        true
    } else if v == FALSE || v == NONE {
        false
    } else if v.is_small_int() {
        v.0 != INT_TAG
    } else {
        rt_truthy(v) != 0
    }
}

fn slice<'a>(p: *const Value, n: usize) -> &'a [Value] {
    unsafe { std::slice::from_raw_parts(p, n) }
}

// ---------------------------------------------------------------------- calls

/// Call `f` with the `n` arguments that follow it in the frame word `at`: an interpreter
/// function of that exact arity runs with its frame starting at `at` (no copying);
/// anything else goes through the runtime's general call path.
#[inline(always)]
unsafe fn call_at(f: Value, at: *mut Value, n: usize) -> Value {
    if f.is_ptr() && *(f.0 as *const u64) == ((n as u64) << 32 | KIND_FUNCTION) {
        let info = (*(f.0 as *const FunctionObj)).info;
        let code = (*info).engine as *const Code;
        if !code.is_null() {
            return call_code(&*code, at);
        }
    }
    call::call_value(f, slice(at.add(1), n), &[])
}

/// Run `code` in a frame starting at `at` (function, then its arguments).
unsafe fn call_code(code: &Code, at: *mut Value) -> Value {
    let v = vm();
    v.depth += 1;
    if v.depth > v.depth_limit || stack_low() {
        v.depth -= 1;
        return rt_raise_recursion();
    }
    let (base, mark) = v.stack.enter(at, code.frame_size as usize, 1 + code.nparams as usize);
    let r = run(code, base);
    let v = vm();
    v.stack.leave(mark);
    v.depth -= 1;
    r
}

/// The array entry of every interpreted function (`CodeInfo::array_entry`), used by the
/// runtime's general call path: `argv` holds the bound parameters.
pub extern "C" fn array_entry(f: Value, argv: *const Value) -> Value {
    unsafe {
        let info = (*(f.0 as *const FunctionObj)).info;
        let code = &*((*info).engine as *const Code);
        let v = vm();
        v.depth += 1;
        if v.depth > v.depth_limit || stack_low() {
            v.depth -= 1;
            return rt_raise_recursion();
        }
        let top = v.stack.top();
        let (base, mark) = v.stack.enter(top, code.frame_size as usize, 0);
        *base = f;
        std::ptr::copy_nonoverlapping(argv, base.add(1), code.nparams as usize);
        let r = run(code, base);
        let v = vm();
        v.stack.leave(mark);
        v.depth -= 1;
        r
    }
}

/// Run the module body: returns its result (NONE or EXC).
pub fn run_module(code: &Code) -> Value {
    unsafe {
        let v = vm();
        v.depth += 1;
        if v.depth > v.depth_limit {
            v.depth -= 1;
            return rt_raise_recursion();
        }
        let top = v.stack.top();
        let (base, mark) = v.stack.enter(top, code.frame_size as usize, 0);
        *base = NONE;
        let r = run(code, base);
        let v = vm();
        v.stack.leave(mark);
        v.depth -= 1;
        r
    }
}

/// Initialise the frame at `base` (word 0 and the arguments are in place), poll, run.
#[inline(always)]
unsafe fn run(code: &Code, base: *mut Value) -> Value {
    let np = 1 + code.nparams as usize;
    ValueStack::clear(base.add(np), code.frame_size as usize - np);
    for &s in code.cell_params.iter() {
        let p = base.add(s as usize);
        *p = rt_new_cell(*p);
    }
    for &s in code.new_cells.iter() {
        *base.add(s as usize) = rt_new_cell(UNBOUND);
    }
    poll();
    let f = *base;
    let env = if f.is_ptr() {
        (*(f.0 as *const FunctionObj)).env.as_ptr()
    } else {
        std::ptr::null()
    };
    let mut fr = Frame {
        base,
        env,
        info: code.info,
    };
    match fr.block(&code.body) {
        Flow::Normal => NONE,
        Flow::Return(v) => v,
        Flow::Err => EXC,
        Flow::Break | Flow::Continue => unreachable!("break/continue outside a loop"),
    }
}

// ---------------------------------------------------------------------- frames

/// One activation: its words on the value stack, its env record, its code info.
struct Frame {
    base: *mut Value,
    env: *const Value,
    info: *const CodeInfo,
}

impl Frame {
    #[inline(always)]
    fn get(&self, s: Slot) -> Value {
        unsafe { *self.base.add(s as usize) }
    }

    #[inline(always)]
    fn set(&self, s: Slot, v: Value) {
        unsafe { *self.base.add(s as usize) = v }
    }

    #[inline(always)]
    fn ptr(&self, s: Slot) -> *mut Value {
        unsafe { self.base.add(s as usize) }
    }

    /// Add this frame's traceback entry (at `line`) to the pending exception.
    #[cold]
    #[inline(never)]
    fn fail(&self, line: u32) -> Exc {
        rt_traceback_add(self.info, line as u64);
        Exc
    }

    #[inline(always)]
    fn check(&self, v: Value, line: u32) -> R<Value> {
        if v == EXC {
            Err(self.fail(line))
        } else {
            Ok(v)
        }
    }

    #[inline(always)]
    fn env_cell(&self, i: u32) -> Value {
        unsafe { *self.env.add(i as usize) }
    }

    fn load_name(&self, at: Name, name: Value, line: u32) -> R<Value> {
        let (v, raiser): (Value, extern "C" fn(Value) -> Value) = match at {
            Name::Local(s) => (self.get(s), rt_raise_unbound_local),
            Name::Cell(s) => (cell_get(self.get(s)), rt_raise_unbound_local),
            Name::Free(i) => (cell_get(self.env_cell(i)), rt_raise_unbound_free),
            Name::Global(s) => return self.global(s, name, line),
            Name::Missing => (UNBOUND, rt_raise_name_error),
        };
        self.bound(v, raiser, name, line)
    }

    /// The global in slot `slot`; while the slot is empty, the builtin `name` (or NameError).
    #[inline(always)]
    fn global(&self, slot: u32, name: Value, line: u32) -> R<Value> {
        let v = unsafe { *GLOBALS.add(slot as usize) };
        if v == UNBOUND {
            return self.check(rt_global_fallback(name), line);
        }
        Ok(v)
    }

    /// `v`, or the error `raiser` makes for the name `name` if `v` is unbound.
    #[inline(always)]
    fn bound(&self, v: Value, raiser: extern "C" fn(Value) -> Value, name: Value, line: u32) -> R<Value> {
        if v == UNBOUND {
            raiser(name);
            return Err(self.fail(line));
        }
        Ok(v)
    }

    #[inline(always)]
    fn store_name(&self, at: Name, v: Value) {
        match at {
            Name::Local(s) => self.set(s, v),
            Name::Cell(s) => cell_set(self.get(s), v),
            Name::Free(i) => cell_set(self.env_cell(i), v),
            Name::Global(s) => unsafe { *GLOBALS.add(s as usize) = v },
            Name::Missing => unreachable!("binding of a name without a slot"),
        }
    }

    // ------------------------------------------------------------------ expressions

    /// Evaluate `e`: names and constants inline at the use site, the rest out of line.
    #[inline(always)]
    fn eval(&mut self, e: &E) -> R<Value> {
        match e {
            E::Const(v) => Ok(*v),
            E::Local(s) => Ok(self.get(*s)),
            E::LocalChecked { slot, line, name } => self.bound(self.get(*slot), rt_raise_unbound_local, *name, *line),
            E::CellGet { slot, line, name } => {
                self.bound(cell_get(self.get(*slot)), rt_raise_unbound_local, *name, *line)
            }
            E::FreeGet { idx, line, name } => {
                self.bound(cell_get(self.env_cell(*idx)), rt_raise_unbound_free, *name, *line)
            }
            E::GlobalGet { slot, line, name } => self.global(*slot, *name, *line),
            _ => self.eval_node(e),
        }
    }

    /// Expressions with operands: arithmetic, comparisons, calls, attributes, subscripts.
    #[inline(never)]
    fn eval_node(&mut self, e: &E) -> R<Value> {
        match e {
            E::BinOp { op, spill, line, l, r } => {
                let mut a = self.eval(l)?;
                let b = if *spill == NO_SLOT {
                    self.eval(r)?
                } else {
                    self.set(*spill, a);
                    let b = self.eval(r)?;
                    a = self.get(*spill);
                    b
                };
                self.arith(*op, a, b, *line)
            }
            E::BinOpConst { op, line, l, c } => {
                let a = self.eval(l)?;
                self.arith(*op, a, *c, *line)
            }
            E::Compare { op, spill, line, l, r } => {
                let mut a = self.eval(l)?;
                let b = if *spill == NO_SLOT {
                    self.eval(r)?
                } else {
                    self.set(*spill, a);
                    let b = self.eval(r)?;
                    a = self.get(*spill);
                    b
                };
                self.compare(*op, a, b, *line)
            }
            E::Not(x) => Ok(Value::bool(!self.truth(x)?)),
            E::Unary { code, line, x } => {
                let v = self.eval(x)?;
                if *code == 0 && v.is_small_int() {
                    if let Some(r) = Value::small_int(-v.as_small_int()) {
                        return Ok(r);
                    }
                }
                self.check(rt_unary(*code as u64, v), *line)
            }
            E::BoolOp { is_and, xs } => {
                let last = xs.len() - 1;
                for x in &xs[..last] {
                    let v = self.eval(x)?;
                    if truthy(v) != *is_and {
                        return Ok(v);
                    }
                }
                self.eval(&xs[last])
            }
            E::IfExp(b) => {
                if self.truth(&b[0])? {
                    self.eval(&b[1])
                } else {
                    self.eval(&b[2])
                }
            }
            E::Call(c) => self.call(c),
            E::Attr { name, line, o } => {
                let o = self.eval(o)?;
                self.check(rt_getattr(o, *name), *line)
            }
            E::Subscript { spill, line, o, k } => {
                let mut ov = self.eval(o)?;
                let kv = if *spill == NO_SLOT {
                    self.eval(k)?
                } else {
                    self.set(*spill, ov);
                    let kv = self.eval(k)?;
                    ov = self.get(*spill);
                    kv
                };
                self.check(rt_getitem(ov, kv), *line)
            }
            _ => self.eval_rare(e),
        }
    }

    /// Displays, slices, f-strings, lambdas, comparison chains, missing names.
    #[inline(never)]
    fn eval_rare(&mut self, e: &E) -> R<Value> {
        match e {
            E::Missing { line, name } => {
                rt_raise_name_error(*name);
                Err(self.fail(*line))
            }
            E::Chain(c) => self.chain(c),
            E::Slice { base, line, parts } => {
                for (i, p) in parts.iter().enumerate() {
                    let v = match p {
                        Some(x) => self.eval(x)?,
                        None => NONE,
                    };
                    self.set(base + i as u32, v);
                }
                let r = rt_build_slice(self.get(*base), self.get(base + 1), self.get(base + 2));
                self.check(r, *line)
            }
            E::Seq { tuple, base, items } => {
                for (i, x) in items.iter().enumerate() {
                    let v = self.eval(x)?;
                    self.set(base + i as u32, v);
                }
                let p = self.ptr(*base);
                Ok(if *tuple {
                    rt_build_tuple(p, items.len())
                } else {
                    rt_build_list(p, items.len())
                })
            }
            E::SeqStar { tuple, base, items } => {
                self.set(*base, rt_build_list(std::ptr::null(), 0));
                for (star, line, x) in items.iter() {
                    let v = self.eval(x)?;
                    let l = self.get(*base);
                    if *star {
                        self.check(rt_list_extend(l, v), *line)?;
                    } else {
                        list_mut(l).push(v);
                    }
                }
                let l = self.get(*base);
                Ok(if *tuple { rt_list_to_tuple(l) } else { l })
            }
            E::Dict { base, line, items } => {
                for (i, (k, x)) in items.iter().enumerate() {
                    let kv = self.eval(k)?;
                    self.set(base + 2 * i as u32, kv);
                    let v = self.eval(x)?;
                    self.set(base + 2 * i as u32 + 1, v);
                }
                self.check(rt_build_dict(self.ptr(*base), items.len()), *line)
            }
            E::DictStar { base, items } => {
                self.set(*base, rt_build_dict(std::ptr::null(), 0));
                for (k, x, line) in items.iter() {
                    match k {
                        Some(k) => {
                            let kv = self.eval(k)?;
                            self.set(base + 1, kv);
                            let v = self.eval(x)?;
                            self.check(rt_setitem(self.get(*base), self.get(base + 1), v), *line)?;
                        }
                        None => {
                            let m = self.eval(x)?;
                            self.check(rt_dict_update(self.get(*base), m), *line)?;
                        }
                    }
                }
                Ok(self.get(*base))
            }
            E::FString { base, line, parts } => {
                for (i, p) in parts.iter().enumerate() {
                    let slot = base + i as u32;
                    match p {
                        FPart::Lit(v) => self.set(slot, *v),
                        FPart::Field { x, conv, spec, line } => {
                            let v = self.eval(x)?;
                            self.set(slot, v);
                            let sv = match spec {
                                Some(s) => self.eval(s)?,
                                None => UNBOUND,
                            };
                            let r = cellar_runtime::format::rt_format_value(self.get(slot), *conv as u64, sv);
                            let r = self.check(r, *line)?;
                            self.set(slot, r);
                        }
                    }
                }
                self.check(
                    cellar_runtime::format::rt_concat_strs(self.ptr(*base), parts.len()),
                    *line,
                )
            }
            E::Lambda(d) => self.make_function(d),
            E::Named { to, x } => {
                let v = self.eval(x)?;
                self.store_name(*to, v);
                Ok(v)
            }
            _ => unreachable!("eval_rare on a common node"),
        }
    }

    #[inline(always)]
    fn arith(&self, op: BinOp, a: Value, b: Value, line: u32) -> R<Value> {
        if let Some(r) = int_arith(op, a, b) {
            return Ok(r);
        }
        if let Some(r) = float_arith(op, a, b) {
            return Ok(r);
        }
        self.check(rt_binop(crate::program::binop_code(op), a, b), line)
    }

    #[inline(always)]
    fn compare(&self, op: CmpOp, a: Value, b: Value, line: u32) -> R<Value> {
        match op {
            CmpOp::Is => Ok(Value::bool(a == b)),
            CmpOp::IsNot => Ok(Value::bool(a != b)),
            _ => {
                if let Some(r) = int_cmp(op, a, b) {
                    return Ok(Value::bool(r));
                }
                self.check(rt_compare(crate::program::cmp_code(op), a, b), line)
            }
        }
    }

    fn chain(&mut self, c: &Chain) -> R<Value> {
        let a = self.eval(&c.first)?;
        self.set(c.tmp, a);
        let last = c.rest.len() - 1;
        for (i, (op, x, line)) in c.rest.iter().enumerate() {
            let b = self.eval(x)?;
            self.set(c.tmp + 1, b);
            let r = self.compare(*op, self.get(c.tmp), b, *line)?;
            if i == last || !truthy(r) {
                return Ok(r);
            }
            self.set(c.tmp, self.get(c.tmp + 1));
        }
        unreachable!()
    }

    /// The truth of `e` as a branch condition (comparisons and `and`/`or`/`not` without
    /// making bools). A comparison of two operands that cannot reach a safepoint is done
    /// inline; the rest out of line.
    #[inline(always)]
    fn truth(&mut self, e: &E) -> R<bool> {
        if let E::Compare {
            op,
            spill: NO_SLOT,
            line,
            l,
            r,
        } = e
        {
            if !matches!(op, CmpOp::Is | CmpOp::IsNot) {
                let a = self.eval(l)?;
                let b = self.eval(r)?;
                if let Some(t) = int_cmp(*op, a, b) {
                    return Ok(t);
                }
                return Ok(self.check(rt_compare(crate::program::cmp_code(*op), a, b), *line)? == TRUE);
            }
        }
        self.truth_node(e)
    }

    #[inline(never)]
    fn truth_node(&mut self, e: &E) -> R<bool> {
        match e {
            E::Compare { op, spill, line, l, r } if !matches!(op, CmpOp::Is | CmpOp::IsNot) => {
                let mut a = self.eval(l)?;
                let b = if *spill == NO_SLOT {
                    self.eval(r)?
                } else {
                    self.set(*spill, a);
                    let b = self.eval(r)?;
                    a = self.get(*spill);
                    b
                };
                if let Some(t) = int_cmp(*op, a, b) {
                    return Ok(t);
                }
                Ok(self.check(rt_compare(crate::program::cmp_code(*op), a, b), *line)? == TRUE)
            }
            E::Not(x) => Ok(!self.truth(x)?),
            E::BoolOp { is_and, xs } => {
                for x in xs.iter() {
                    if self.truth(x)? != *is_and {
                        return Ok(!*is_and);
                    }
                }
                Ok(*is_and)
            }
            _ => {
                let v = self.eval(e)?;
                Ok(truthy(v))
            }
        }
    }

    fn call(&mut self, c: &Call) -> R<Value> {
        if let CallKind::Star { how } = &c.kind {
            return self.call_star(c, how);
        }
        let base = c.base;
        let f = self.eval(&c.func)?;
        self.set(base, f);
        for (i, a) in c.args.iter().enumerate() {
            let v = self.eval(a)?;
            self.set(base + 1 + i as u32, v);
        }
        let argv = self.ptr(base + 1);
        let r = match &c.kind {
            CallKind::Plain => unsafe { call_at(self.get(base), self.ptr(base), c.args.len()) },
            CallKind::Method { name, kwnames, npos } => {
                call::rt_call_method(self.get(base), *name, argv, *npos as u64, *kwnames)
            }
            CallKind::Kw { kwnames, npos } => call::rt_call(self.get(base), argv, *npos as u64, *kwnames),
            CallKind::Star { .. } => unreachable!(),
        };
        self.check(r, c.line)
    }

    fn call_star(&mut self, c: &Call, how: &[(u8, Value, u32)]) -> R<Value> {
        let b = c.base;
        let f = self.eval(&c.func)?;
        self.set(b, f);
        self.set(b + 1, rt_build_list(std::ptr::null(), 0));
        self.set(b + 2, rt_build_dict(std::ptr::null(), 0));
        for ((h, name, line), x) in how.iter().zip(c.args.iter()) {
            let v = self.eval(x)?;
            match h {
                0 => list_mut(self.get(b + 1)).push(v),
                1 => {
                    self.check(rt_list_extend(self.get(b + 1), v), *line)?;
                }
                2 => {
                    self.check(rt_setitem(self.get(b + 2), *name, v), *line)?;
                }
                _ => {
                    self.check(rt_dict_update(self.get(b + 2), v), *line)?;
                }
            }
        }
        self.check(call::rt_call_ex(self.get(b), self.get(b + 1), self.get(b + 2)), c.line)
    }

    fn make_function(&mut self, d: &Def) -> R<Value> {
        let b = d.base;
        let nd = d.decorators.len() as u32;
        let ndef = d.defaults.len() as u32;
        let nkw = d.kwdefaults.len() as u32;
        for (i, x) in d.decorators.iter().enumerate() {
            let v = self.eval(x)?;
            self.set(b + i as u32, v);
        }
        for (i, x) in d.defaults.iter().enumerate() {
            let v = self.eval(x)?;
            self.set(b + nd + i as u32, v);
        }
        for (i, (k, x)) in d.kwdefaults.iter().enumerate() {
            let at = b + nd + ndef + 2 * i as u32;
            self.set(at, *k);
            let v = self.eval(x)?;
            self.set(at + 1, v);
        }
        let fslot = b + nd + ndef + 2 * nkw;
        let defaults = if ndef == 0 {
            UNBOUND
        } else {
            rt_build_tuple(self.ptr(b + nd), ndef as usize)
        };
        self.set(fslot, defaults);
        let kwdefaults = if nkw == 0 {
            UNBOUND
        } else {
            self.check(rt_build_dict(self.ptr(b + nd + ndef), nkw as usize), d.line)?
        };
        let func = rt_make_function(d.info, defaults, kwdefaults);
        unsafe {
            let env = (*(func.0 as *mut FunctionObj)).env.as_mut_ptr();
            for (i, c) in d.captures.iter().enumerate() {
                *env.add(i) = match *c {
                    Name::Cell(s) => self.get(s),
                    Name::Free(j) => self.env_cell(j),
                    _ => unreachable!("capture of a non-cell"),
                };
            }
        }
        self.set(fslot, func);
        for i in (0..nd).rev() {
            let r = call::call_value(self.get(b + i), slice(self.ptr(fslot), 1), &[]);
            let r = self.check(r, d.line)?;
            self.set(fslot, r);
        }
        Ok(self.get(fslot))
    }

    // ------------------------------------------------------------------ statements

    fn block(&mut self, body: &[S]) -> Flow {
        for s in body.iter() {
            match self.exec(s) {
                Flow::Normal => {}
                f => return f,
            }
        }
        Flow::Normal
    }

    fn exec(&mut self, s: &S) -> Flow {
        match s {
            S::Expr(e) => {
                tri!(self.eval(e));
            }
            S::Assign(t, e) => {
                let v = tri!(self.eval(e));
                tri!(self.assign(t, v));
            }
            S::AssignMany { tmp, targets, value } => {
                let v = tri!(self.eval(value));
                self.set(*tmp, v);
                for t in targets.iter() {
                    tri!(self.assign(t, self.get(*tmp)));
                }
            }
            S::AssignParallel { base, targets, values } => {
                for (i, x) in values.iter().enumerate() {
                    let v = tri!(self.eval(x));
                    self.set(base + i as u32, v);
                }
                for (i, t) in targets.iter().enumerate() {
                    tri!(self.assign(t, self.get(base + i as u32)));
                }
            }
            S::AugName {
                at,
                name,
                op,
                spill,
                line,
                tline,
                value,
            } => {
                let mut cur = tri!(self.load_name(*at, *name, *tline));
                let rhs = if *spill == NO_SLOT {
                    tri!(self.eval(value))
                } else {
                    self.set(*spill, cur);
                    let rhs = tri!(self.eval(value));
                    cur = self.get(*spill);
                    rhs
                };
                let r = tri!(self.inplace(*op, cur, rhs, *line));
                self.store_name(*at, r);
            }
            S::AugSubscript {
                base,
                op,
                line,
                tline,
                o,
                k,
                value,
            } => {
                let ov = tri!(self.eval(o));
                self.set(*base, ov);
                let kv = tri!(self.eval(k));
                self.set(base + 1, kv);
                let cur = tri!(self.check(rt_getitem(self.get(*base), kv), *tline));
                self.set(base + 2, cur);
                let rhs = tri!(self.eval(value));
                let r = tri!(self.inplace(*op, self.get(base + 2), rhs, *line));
                tri!(self.check(rt_setitem(self.get(*base), self.get(base + 1), r), *line));
            }
            S::AugAttr {
                base,
                name,
                op,
                line,
                tline,
                o,
                value,
            } => {
                let ov = tri!(self.eval(o));
                self.set(*base, ov);
                let cur = tri!(self.check(rt_getattr(ov, *name), *tline));
                self.set(base + 1, cur);
                let rhs = tri!(self.eval(value));
                let r = tri!(self.inplace(*op, self.get(base + 1), rhs, *line));
                tri!(self.check(rt_setattr(self.get(*base), *name, r), *line));
            }
            S::Def(d, at) => {
                let f = tri!(self.make_function(d));
                self.store_name(*at, f);
            }
            S::Return(e) => return Flow::Return(tri!(self.eval(e))),
            S::If(t, a, b) => {
                return if tri!(self.truth(t)) {
                    self.block(a)
                } else {
                    self.block(b)
                };
            }
            S::While(t, body, orelse) => loop {
                poll();
                if !tri!(self.truth(t)) {
                    return self.block(orelse);
                }
                match self.block(body) {
                    Flow::Normal | Flow::Continue => {}
                    Flow::Break => return Flow::Normal,
                    f => return f,
                }
            },
            S::For(f) => return self.for_loop(f),
            S::Break => return Flow::Break,
            S::Continue => return Flow::Continue,
            S::DelName { at, name, line } => {
                // A global is unbound when its slot is empty, even if a read would find a
                // builtin of that name.
                match *at {
                    Name::Global(s) => {
                        tri!(self.bound(unsafe { *GLOBALS.add(s as usize) }, rt_raise_name_error, *name, *line));
                    }
                    _ => {
                        tri!(self.load_name(*at, *name, *line));
                    }
                }
                self.store_name(*at, UNBOUND);
            }
            S::DelSubscript { spill, line, o, k } => {
                let mut ov = tri!(self.eval(o));
                let kv = if *spill == NO_SLOT {
                    tri!(self.eval(k))
                } else {
                    self.set(*spill, ov);
                    let kv = tri!(self.eval(k));
                    ov = self.get(*spill);
                    kv
                };
                tri!(self.check(rt_delitem(ov, kv), *line));
            }
            S::DelAttr { line, o, name } => {
                let ov = tri!(self.eval(o));
                tri!(self.check(rt_delattr(ov, *name), *line));
            }
            S::Assert { line, test, msg } => {
                if !tri!(self.truth(test)) {
                    let m = match msg {
                        Some(m) => tri!(self.eval(m)),
                        None => UNBOUND,
                    };
                    rt_raise_assert(m);
                    self.fail(*line);
                    return Flow::Err;
                }
            }
            S::Raise { line, x } => {
                let v = tri!(self.eval(x));
                rt_raise(v);
                self.fail(*line);
                return Flow::Err;
            }
            S::Reraise { line, cur } => {
                let c = if *cur == NO_SLOT { UNBOUND } else { self.get(*cur) };
                rt_reraise(c);
                self.fail(*line);
                return Flow::Err;
            }
            S::Try(t) => return self.try_stmt(t),
            S::Block(b) => return self.block(b),
        }
        Flow::Normal
    }

    #[inline(always)]
    fn inplace(&self, op: BinOp, a: Value, b: Value, line: u32) -> R<Value> {
        if let Some(r) = int_arith(op, a, b) {
            return Ok(r);
        }
        if let Some(r) = float_arith(op, a, b) {
            return Ok(r);
        }
        self.check(rt_inplace_op(crate::program::binop_code(op), a, b), line)
    }

    #[inline(always)]
    fn assign(&mut self, t: &Target, v: Value) -> R<()> {
        if let Target::Name(at) = t {
            self.store_name(*at, v);
            return Ok(());
        }
        self.assign_complex(t, v)
    }

    #[inline(never)]
    fn assign_complex(&mut self, t: &Target, v: Value) -> R<()> {
        match t {
            Target::Name(at) => {
                self.store_name(*at, v);
                Ok(())
            }
            Target::Subscript { tmp, line, o, k } => {
                if *tmp == NO_SLOT {
                    let ov = self.eval(o)?;
                    let kv = self.eval(k)?;
                    self.check(rt_setitem(ov, kv, v), *line)?;
                } else {
                    self.set(*tmp, v);
                    let ov = self.eval(o)?;
                    self.set(tmp + 1, ov);
                    let kv = self.eval(k)?;
                    self.check(rt_setitem(self.get(tmp + 1), kv, self.get(*tmp)), *line)?;
                }
                Ok(())
            }
            Target::Attr { tmp, line, name, o } => {
                if *tmp != NO_SLOT {
                    self.set(*tmp, v);
                }
                let ov = self.eval(o)?;
                let v = if *tmp == NO_SLOT { v } else { self.get(*tmp) };
                self.check(rt_setattr(ov, *name, v), *line)?;
                Ok(())
            }
            Target::Unpack {
                out,
                star,
                line,
                targets,
            } => {
                let n = targets.len();
                let p = self.ptr(*out);
                let r = if *star == NO_SLOT {
                    cellar_runtime::iter::rt_unpack(v, n as u64, p)
                } else {
                    cellar_runtime::iter::rt_unpack_star(v, *star as u64, (n - *star as usize - 1) as u64, p)
                };
                self.check(r, *line)?;
                for (i, t) in targets.iter().enumerate() {
                    self.assign(t, self.get(out + i as u32))?;
                }
                Ok(())
            }
        }
    }

    /// Run a loop body once: `None` to go on, `Some(flow)` to leave the loop with `flow`.
    #[inline(always)]
    fn body(&mut self, body: &[S]) -> Option<Flow> {
        match self.block(body) {
            Flow::Normal | Flow::Continue => None,
            Flow::Break => Some(Flow::Normal),
            f => Some(f),
        }
    }

    fn for_loop(&mut self, f: &For) -> Flow {
        let Some((start, stop)) = &f.range else {
            let v = tri!(self.eval(&f.iter));
            return self.iterate(f, v);
        };
        let s = match start {
            Some(x) => tri!(self.eval(x)),
            None => Value::int_unchecked(0),
        };
        self.set(f.tmp, s);
        let e = tri!(self.eval(stop));
        let s = self.get(f.tmp);
        if both_ints(s, e) {
            let (mut i, end) = (s.as_small_int(), e.as_small_int());
            loop {
                poll();
                if i >= end {
                    return self.block(&f.orelse);
                }
                let v = Value::int_unchecked(i);
                i += 1;
                tri!(self.assign(&f.target, v));
                if let Some(fl) = self.body(&f.body) {
                    return fl;
                }
            }
        }
        // Not two small ints: the builtin decides (an error, or big ints).
        self.set(f.tmp + 1, e);
        let range = unsafe { *GLOBALS.add(f.range_slot as usize) };
        let r = call::call_value(range, slice(self.ptr(f.tmp), 2), &[]);
        let r = tri!(self.check(r, f.line));
        self.iterate(f, r)
    }

    fn iterate(&mut self, f: &For, v: Value) -> Flow {
        let it = tri!(self.check(rt_iter(v), f.line));
        self.set(f.tmp, it);
        loop {
            poll();
            let x = tri!(self.check(rt_next(self.get(f.tmp)), f.line));
            if x == UNBOUND {
                return self.block(&f.orelse);
            }
            tri!(self.assign(&f.target, x));
            if let Some(fl) = self.body(&f.body) {
                return fl;
            }
        }
    }

    fn try_stmt(&mut self, t: &Try) -> Flow {
        let flow = match self.block(&t.body) {
            Flow::Normal => self.block(&t.orelse),
            Flow::Err if !t.handlers.is_empty() => self.handle(t),
            f => f,
        };
        if t.finalbody.is_empty() {
            return flow;
        }
        match flow {
            Flow::Err => {
                let e = rt_take_exception();
                self.set(t.save, e);
                match self.block(&t.finalbody) {
                    Flow::Normal => {
                        rt_raise(self.get(t.save));
                        Flow::Err
                    }
                    g => g,
                }
            }
            Flow::Return(v) => {
                self.set(t.save, v);
                match self.block(&t.finalbody) {
                    Flow::Normal => Flow::Return(self.get(t.save)),
                    g => g,
                }
            }
            f => match self.block(&t.finalbody) {
                Flow::Normal => f,
                g => g,
            },
        }
    }

    fn handle(&mut self, t: &Try) -> Flow {
        let e = rt_take_exception();
        self.set(t.exc, e);
        for h in t.handlers.iter() {
            if let Some(typ) = &h.typ {
                let tv = tri!(self.eval(typ));
                match rt_exc_matches(self.get(t.exc), tv) {
                    0 => continue,
                    1 => {}
                    _ => {
                        self.fail(h.line);
                        return Flow::Err;
                    }
                }
            }
            if let Some(at) = h.name {
                self.store_name(at, self.get(t.exc));
            }
            let f = self.block(&h.body);
            if let Some(at) = h.name {
                self.store_name(at, UNBOUND);
            }
            return f;
        }
        rt_raise(self.get(t.exc));
        Flow::Err
    }
}
