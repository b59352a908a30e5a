//! Operators, hashing, equality, ordering, truthiness, subscripts and attributes.
//!
//! Binary operator codes for [`rt_binop`]/[`rt_inplace_op`]: 0 Add, 1 Sub, 2 Mul, 3 Div,
//! 4 FloorDiv, 5 Mod, 6 Pow, and (extensions) 7 LShift, 8 RShift, 9 BitOr, 10 BitXor,
//! 11 BitAnd. Comparison codes for [`rt_compare`]: 0 Eq, 1 NotEq, 2 Lt, 3 LtE, 4 Gt, 5 GtE,
//! 6 In, 7 NotIn, (extensions) 8 Is, 9 IsNot. Unary codes for [`rt_unary`]: 0 Neg, 1 Pos,
//! 2 Not, (extension) 3 Invert.

use crate::exceptions::raise_new;
use crate::format::{repr_string, str_string};
use crate::object::*;
use crate::objects::*;
use crate::types::TypeId;
use crate::value::*;
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{Signed, ToPrimitive, Zero};
use std::cmp::Ordering;

// ---------------------------------------------------------------- hashing

const HASH_MODULUS: u64 = (1 << 61) - 1;

fn hash_i64(n: i64) -> i64 {
    let m = (n.unsigned_abs() % HASH_MODULUS) as i64;
    let h = if n < 0 { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

fn hash_big(n: &BigInt) -> i64 {
    let m = (n.abs() % BigInt::from(HASH_MODULUS)).to_i64().unwrap();
    let h = if n.is_negative() { -m } else { m };
    if h == -1 {
        -2
    } else {
        h
    }
}

/// CPython's hash of a float (equal to the hash of an equal int).
pub fn hash_f64(v: f64) -> i64 {
    if v.is_infinite() {
        return if v > 0.0 { 314159 } else { -314159 };
    }
    if v.is_nan() {
        return 0;
    }
    if v == v.trunc() && v.abs() < 9.2e18 {
        return hash_i64(v as i64);
    }
    // frexp
    let (mut m, mut e) = frexp(v.abs());
    let sign: i64 = if v < 0.0 { -1 } else { 1 };
    let mut x: u64 = 0;
    while m != 0.0 {
        x = ((x << 28) & HASH_MODULUS) | (x >> (61 - 28));
        m *= 268435456.0;
        e -= 28;
        let y = m as u64;
        m -= y as f64;
        x += y;
        if x >= HASH_MODULUS {
            x -= HASH_MODULUS;
        }
    }
    let e = if e >= 0 { e % 61 } else { 61 - 1 - ((-1 - e) % 61) };
    let x = ((x << e) & HASH_MODULUS) | (x >> (61 - e));
    let h = x as i64 * sign;
    if h == -1 {
        -2
    } else {
        h
    }
}

fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        let (m, e) = frexp(v * 2f64.powi(64));
        return (m, e - 64);
    }
    let e = exp - 1022;
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, e)
}

fn hash_str(s: &str) -> i64 {
    // FNV-1a; CPython's string hash is randomized per process anyway.
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    let h = (h >> 1) as i64;
    if h == -1 {
        -2
    } else {
        h
    }
}

/// Python's `hash(v)` as a signed value; `None` if unhashable.
pub fn py_hash_i64(v: Value) -> Option<i64> {
    if v.is_small_int() {
        return Some(hash_i64(v.as_small_int()));
    }
    if v.is_float() {
        return Some(hash_f64(v.as_float()));
    }
    match v {
        TRUE => return Some(1),
        FALSE => return Some(0),
        NONE => return Some(0x3c5a_1f00),
        _ => {}
    }
    match v.kind() {
        Some(ObjKind::Str) => Some(hash_str(str_ref(v))),
        Some(ObjKind::BigInt) => Some(hash_big(bigint_ref(v))),
        Some(ObjKind::Tuple) => {
            const P1: u64 = 11400714785074694791;
            const P2: u64 = 14029467366897019727;
            const P5: u64 = 2870177450012600261;
            let items = tuple_items(v);
            let mut acc: u64 = P5;
            for &it in items {
                let lane = py_hash_i64(it)? as u64;
                acc = acc.wrapping_add(lane.wrapping_mul(P2));
                acc = acc.rotate_left(31);
                acc = acc.wrapping_mul(P1);
            }
            acc = acc.wrapping_add((items.len() as u64) ^ (P5 ^ 3527539));
            if acc == u64::MAX {
                return Some(1546275796);
            }
            Some(acc as i64)
        }
        // Cells compare by contents, so they are unhashable, as in CPython.
        Some(ObjKind::List) | Some(ObjKind::Dict) | Some(ObjKind::Slice) | Some(ObjKind::Cell) => None,
        Some(ObjKind::DictView) if obj::<DictViewObj>(v).which != ViewKind::Values => None,
        _ => Some(((v.0 >> 4) | (v.0 << 60)) as i64),
    }
}

/// Python hash of a hashable value; `None` if unhashable.
pub fn py_hash(v: Value) -> Option<u64> {
    py_hash_i64(v).map(|h| h as u64)
}

/// The first unhashable value inside `v` (for the `unhashable type` message).
pub fn unhashable_part(v: Value) -> Value {
    if v.is_kind(ObjKind::Tuple) {
        for &it in tuple_items(v) {
            if py_hash(it).is_none() {
                return unhashable_part(it);
            }
        }
    }
    v
}

// ---------------------------------------------------------------- equality and order

enum Num {
    I(i64),
    B(&'static BigInt),
    F(f64),
}

#[inline]
fn num(v: Value) -> Option<Num> {
    if v.is_small_int() {
        Some(Num::I(v.as_small_int()))
    } else if v.is_float() {
        Some(Num::F(v.as_float()))
    } else {
        match int_val(v)? {
            IntVal::Small(i) => Some(Num::I(i)),
            IntVal::Big(b) => Some(Num::B(b)),
        }
    }
}

fn big_cmp_f64(b: &BigInt, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    if f.is_infinite() {
        return Some(if f > 0.0 { Ordering::Less } else { Ordering::Greater });
    }
    let fl = f.floor();
    let fb: BigInt = num_traits::FromPrimitive::from_f64(fl).unwrap();
    match b.cmp(&fb) {
        Ordering::Equal => Some(if f > fl { Ordering::Less } else { Ordering::Equal }),
        o => Some(o),
    }
}

fn num_cmp(a: &Num, b: &Num) -> Option<Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(y)),
        (Num::F(x), Num::F(y)) => x.partial_cmp(y),
        (Num::I(x), Num::F(y)) => (*x as f64).partial_cmp(y),
        (Num::F(x), Num::I(y)) => x.partial_cmp(&(*y as f64)),
        (Num::B(x), Num::B(y)) => Some(x.cmp(y)),
        (Num::B(x), Num::I(y)) => Some((*x).cmp(&BigInt::from(*y))),
        (Num::I(x), Num::B(y)) => Some(BigInt::from(*x).cmp(y)),
        (Num::B(x), Num::F(y)) => big_cmp_f64(x, *y),
        (Num::F(x), Num::B(y)) => big_cmp_f64(y, *x).map(|o| o.reverse()),
    }
}

/// Python `==` (never fails for the supported types).
pub fn py_eq(a: Value, b: Value) -> bool {
    if a == b {
        return !(a.is_float() && a.as_float().is_nan());
    }
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return num_cmp(&x, &y) == Some(Ordering::Equal);
    }
    match (a.kind(), b.kind()) {
        (Some(ObjKind::Str), Some(ObjKind::Str)) => str_ref(a) == str_ref(b),
        (Some(ObjKind::Tuple), Some(ObjKind::Tuple)) => seq_eq(tuple_items(a), tuple_items(b)),
        (Some(ObjKind::List), Some(ObjKind::List)) => seq_eq(list_mut(a), list_mut(b)),
        (Some(ObjKind::DictView), Some(ObjKind::DictView)) => view_order(a, b) == Some(Ordering::Equal),
        (Some(ObjKind::Dict), Some(ObjKind::Dict)) => {
            let (x, y) = (dict_mut(a), dict_mut(b));
            if x.len() != y.len() {
                return false;
            }
            for (k, v) in x.iter() {
                match y.get(k) {
                    Ok(Some(w)) if py_eq(v, w) => {}
                    _ => return false,
                }
            }
            true
        }
        (Some(ObjKind::Range), Some(ObjKind::Range)) => {
            let (x, y) = (obj::<RangeObj>(a), obj::<RangeObj>(b));
            let (lx, ly) = (range_len(x), range_len(y));
            lx == ly && (lx == 0 || (x.start == y.start && (lx == 1 || x.step == y.step)))
        }
        (Some(ObjKind::Slice), Some(ObjKind::Slice)) => {
            let (x, y) = (obj::<SliceObj>(a), obj::<SliceObj>(b));
            py_eq(x.start, y.start) && py_eq(x.stop, y.stop) && py_eq(x.step, y.step)
        }
        (Some(ObjKind::Cell), Some(ObjKind::Cell)) => match cell_contents(a, b) {
            (Some(x), Some(y)) => x == y || py_eq(x, y),
            (x, y) => x.is_none() == y.is_none(),
        },
        _ => false,
    }
}

/// The contents of two cells (`None` for an empty cell). Cells compare by contents, as in
/// CPython; an empty cell orders before a full one.
fn cell_contents(a: Value, b: Value) -> (Option<Value>, Option<Value>) {
    let full = |c: Value| Some(obj::<CellObj>(c).value).filter(|&v| v != UNBOUND);
    (full(a), full(b))
}

/// Is `x` in the dict view `view`? Keys: a key lookup; items: `x` must be a `(key, value)`
/// pair present in the dict; values: a linear scan.
pub fn view_contains(view: Value, x: Value) -> R<bool> {
    let dv = obj::<DictViewObj>(view);
    let d = dict_mut(dv.dict);
    let lookup = |k: Value| d.get(k).map_err(|_| raise_unhashable(unhashable_part(k)));
    match dv.which {
        ViewKind::Keys => Ok(lookup(x)?.is_some()),
        ViewKind::Values => Ok(d.iter().any(|(_, v)| v == x || py_eq(v, x))),
        ViewKind::Items => {
            if !x.is_kind(ObjKind::Tuple) || tuple_items(x).len() != 2 {
                return Ok(false);
            }
            let pair = tuple_items(x);
            Ok(match lookup(pair[0])? {
                Some(v) => v == pair[1] || py_eq(v, pair[1]),
                None => false,
            })
        }
    }
}

/// Set-like order of two dict views: `Equal` when they hold the same elements, `Less` for a
/// proper subset, `Greater` for a proper superset, `None` otherwise (also when either is a
/// values view, which is not set-like).
fn view_order(a: Value, b: Value) -> Option<Ordering> {
    let (Some((da, wa)), Some((db, wb))) = (as_dict_view(a), as_dict_view(b)) else {
        return None;
    };
    if wa == ViewKind::Values || wb == ViewKind::Values {
        return None;
    }
    let (la, lb) = (dict_mut(da).len(), dict_mut(db).len());
    let within = |x: Value, y: Value| -> bool {
        let Ok(items) = crate::iter::collect(x) else {
            crate::vm::take_exception();
            return false;
        };
        items.into_iter().all(|i| match view_contains(y, i) {
            Ok(found) => found,
            Err(_) => {
                crate::vm::take_exception();
                false
            }
        })
    };
    match la.cmp(&lb) {
        Ordering::Equal => within(a, b).then_some(Ordering::Equal),
        Ordering::Less => within(a, b).then_some(Ordering::Less),
        Ordering::Greater => within(b, a).then_some(Ordering::Greater),
    }
}

fn seq_eq(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(&x, &y)| x == y || py_eq(x, y))
}

/// Number of values in a range.
pub fn range_len(r: &RangeObj) -> i64 {
    if r.step > 0 {
        if r.stop > r.start {
            (r.stop - r.start - 1) / r.step + 1
        } else {
            0
        }
    } else if r.start > r.stop {
        (r.start - r.stop - 1) / (-r.step) + 1
    } else {
        0
    }
}

fn raise_order_error(op: &str, a: Value, b: Value) -> Value {
    raise_new(
        TypeId::TypeError,
        format!(
            "'{}' not supported between instances of '{}' and '{}'",
            op,
            type_name(a),
            type_name(b)
        ),
    )
}

/// Ordering of `a` and `b` for `<`-style operators (`op` names the operator for the
/// TypeError). `Ok(None)` when unordered (NaN).
pub fn py_cmp(a: Value, b: Value, op: &str) -> R<Option<Ordering>> {
    if let (Some(x), Some(y)) = (num(a), num(b)) {
        return Ok(num_cmp(&x, &y));
    }
    match (a.kind(), b.kind()) {
        (Some(ObjKind::Str), Some(ObjKind::Str)) => Ok(Some(str_ref(a).cmp(str_ref(b)))),
        (Some(ObjKind::Tuple), Some(ObjKind::Tuple)) => seq_cmp(tuple_items(a), tuple_items(b), op),
        (Some(ObjKind::List), Some(ObjKind::List)) => seq_cmp(list_mut(a), list_mut(b), op),
        (Some(ObjKind::DictView), Some(ObjKind::DictView))
            if obj::<DictViewObj>(a).which != ViewKind::Values && obj::<DictViewObj>(b).which != ViewKind::Values =>
        {
            Ok(view_order(a, b))
        }
        (Some(ObjKind::Cell), Some(ObjKind::Cell)) => match cell_contents(a, b) {
            (Some(x), Some(y)) => py_cmp(x, y, op),
            (x, y) => Ok(Some(x.is_some().cmp(&y.is_some()))),
        },
        _ => Err(raise_order_error(op, a, b)),
    }
}

fn seq_cmp(a: &[Value], b: &[Value], op: &str) -> R<Option<Ordering>> {
    for (&x, &y) in a.iter().zip(b) {
        if x == y || py_eq(x, y) {
            continue;
        }
        return py_cmp(x, y, op);
    }
    Ok(Some(a.len().cmp(&b.len())))
}

/// `a < b`.
pub fn py_lt(a: Value, b: Value) -> R<bool> {
    Ok(py_cmp(a, b, "<")? == Some(Ordering::Less))
}

/// `a > b`.
pub fn py_gt(a: Value, b: Value) -> R<bool> {
    Ok(py_cmp(a, b, ">")? == Some(Ordering::Greater))
}

/// Truthiness of any value.
pub fn truthy(v: Value) -> bool {
    if v.is_small_int() {
        return v.as_small_int() != 0;
    }
    if v.is_float() {
        return v.as_float() != 0.0;
    }
    match v {
        TRUE => return true,
        FALSE | NONE | UNBOUND => return false,
        _ => {}
    }
    match v.kind() {
        Some(ObjKind::Str) => !str_ref(v).is_empty(),
        Some(ObjKind::List) => !list_mut(v).is_empty(),
        Some(ObjKind::Tuple) => !tuple_items(v).is_empty(),
        Some(ObjKind::Dict) => !dict_mut(v).is_empty(),
        Some(ObjKind::DictView) => !dict_mut(obj::<DictViewObj>(v).dict).is_empty(),
        Some(ObjKind::Range) => range_len(obj::<RangeObj>(v)) > 0,
        Some(ObjKind::BigInt) => true,
        _ => true,
    }
}

/// `bool(a)` as 0 or 1.
pub extern "C" fn rt_truthy(a: Value) -> u64 {
    truthy(a) as u64
}

/// `x in container`.
pub fn contains(container: Value, x: Value) -> R<bool> {
    match container.kind() {
        Some(ObjKind::List) => Ok(list_mut(container).iter().any(|&i| i == x || py_eq(i, x))),
        Some(ObjKind::Tuple) => Ok(tuple_items(container).iter().any(|&i| i == x || py_eq(i, x))),
        Some(ObjKind::Str) => match as_str(x) {
            Some(s) => Ok(str_ref(container).contains(s)),
            None => Err(raise_new(
                TypeId::TypeError,
                format!("'in <string>' requires string as left operand, not {}", type_name(x)),
            )),
        },
        Some(ObjKind::Dict) => match dict_mut(container).contains(x) {
            Ok(b) => Ok(b),
            Err(_) => Err(raise_unhashable(unhashable_part(x))),
        },
        Some(ObjKind::DictView) => view_contains(container, x),
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(container);
            let i = match num(x) {
                Some(Num::I(i)) => i,
                Some(Num::F(f)) if f == f.trunc() && f.abs() < 9e15 => f as i64,
                _ => return Ok(false),
            };
            let ok = if r.step > 0 {
                i >= r.start && i < r.stop
            } else {
                i <= r.start && i > r.stop
            };
            Ok(ok && (i - r.start) % r.step == 0)
        }
        Some(ObjKind::Iterator) => loop {
            // `rt_compare` is called without a trampoline (see `CollectionHold`).
            let _hold = crate::vm::CollectionHold::new();
            let v = crate::iter::rt_next(container);
            if v == EXC {
                return Err(EXC);
            }
            if v == UNBOUND {
                return Ok(false);
            }
            if v == x || py_eq(v, x) {
                return Ok(true);
            }
        },
        _ => Err(raise_new(
            TypeId::TypeError,
            format!("argument of type '{}' is not iterable", type_name(container)),
        )),
    }
}

/// Comparison operators; returns TRUE/FALSE/EXC. See the module docs for the codes.
pub extern "C" fn rt_compare(op: u64, a: Value, b: Value) -> Value {
    if a.is_small_int() && b.is_small_int() && op <= 5 {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        return Value::bool(match op {
            0 => x == y,
            1 => x != y,
            2 => x < y,
            3 => x <= y,
            4 => x > y,
            _ => x >= y,
        });
    }
    let r: R<bool> = match op {
        0 => Ok(py_eq(a, b)),
        1 => Ok(!py_eq(a, b)),
        2 => py_cmp(a, b, "<").map(|o| o == Some(Ordering::Less)),
        3 => py_cmp(a, b, "<=").map(|o| matches!(o, Some(Ordering::Less | Ordering::Equal))),
        4 => py_cmp(a, b, ">").map(|o| o == Some(Ordering::Greater)),
        5 => py_cmp(a, b, ">=").map(|o| matches!(o, Some(Ordering::Greater | Ordering::Equal))),
        6 => contains(b, a),
        7 => contains(b, a).map(|x| !x),
        8 => Ok(is_same(a, b)),
        9 => Ok(!is_same(a, b)),
        _ => Err(raise_new(TypeId::RuntimeError, format!("bad compare op {}", op))),
    };
    match r {
        Ok(x) => Value::bool(x),
        Err(e) => e,
    }
}

/// `a is b`.
pub fn is_same(a: Value, b: Value) -> bool {
    a == b
}

// ---------------------------------------------------------------- arithmetic

const OP_SYMBOLS: [&str; 12] = ["+", "-", "*", "/", "//", "%", "** or pow()", "<<", ">>", "|", "^", "&"];
const IOP_SYMBOLS: [&str; 12] = [
    "+=", "-=", "*=", "/=", "//=", "%=", "**=", "<<=", ">>=", "|=", "^=", "&=",
];

fn unsupported(op: u64, a: Value, b: Value, inplace: bool) -> Value {
    let sym = if inplace {
        IOP_SYMBOLS[op as usize]
    } else {
        OP_SYMBOLS[op as usize]
    };
    raise_new(
        TypeId::TypeError,
        format!(
            "unsupported operand type(s) for {}: '{}' and '{}'",
            sym,
            type_name(a),
            type_name(b)
        ),
    )
}

fn zero_div(msg: &str) -> Value {
    raise_new(TypeId::ZeroDivisionError, msg.to_string())
}

/// CPython's float divmod: `(floor quotient, modulo)`.
pub fn float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let div0 = (vx - m) / wx;
    let mut div;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div = div0 - 1.0;
        } else {
            div = div0;
        }
    } else {
        m = 0.0f64.copysign(wx);
        div = div0;
    }
    if div != 0.0 {
        let floordiv = div.floor();
        if div - floordiv > 0.5 {
            div = floordiv + 1.0;
        } else {
            div = floordiv;
        }
    } else {
        div = 0.0f64.copysign(vx / wx);
    }
    (div, m)
}

fn float_pow(x: f64, y: f64) -> R<Value> {
    if x == 0.0 && y < 0.0 {
        return Err(zero_div("0.0 cannot be raised to a negative power"));
    }
    if x < 0.0 && y != y.trunc() && y.is_finite() {
        return Err(raise_new(
            TypeId::ValueError,
            "complex results are not supported".into(),
        ));
    }
    let r = x.powf(y);
    if r.is_infinite() && x.is_finite() && y.is_finite() {
        return Err(raise_new(
            TypeId::OverflowError,
            "(34, 'Numerical result out of range')".into(),
        ));
    }
    Ok(Value::float(r))
}

fn float_op(op: u64, x: f64, y: f64) -> R<Value> {
    Ok(Value::float(match op {
        0 => x + y,
        1 => x - y,
        2 => x * y,
        3 => {
            if y == 0.0 {
                return Err(zero_div("float division by zero"));
            }
            x / y
        }
        4 => {
            if y == 0.0 {
                return Err(zero_div("float floor division by zero"));
            }
            float_divmod(x, y).0
        }
        5 => {
            if y == 0.0 {
                return Err(zero_div("float modulo"));
            }
            float_divmod(x, y).1
        }
        6 => return float_pow(x, y),
        _ => return Err(UNBOUND),
    }))
}

fn int_to_f64(v: &IntVal) -> R<f64> {
    v.to_f64()
        .ok_or_else(|| raise_new(TypeId::OverflowError, "int too large to convert to float".into()))
}

/// `a / b` for ints, correctly rounded as CPython's (no double rounding): the quotient is
/// computed to 55-56 bits with a sticky bit for the remainder, so converting it to f64
/// rounds once, then scaled by a power of two.
fn big_true_div(a: &BigInt, b: &BigInt) -> R<f64> {
    if b.is_zero() {
        return Err(zero_div("division by zero"));
    }
    let negative = a.is_negative() != b.is_negative();
    let (a, b) = (a.abs(), b.abs());
    let magnitude = if a.is_zero() {
        0.0
    } else if a.bits() <= 53 && b.bits() <= 53 {
        // Both convert exactly: one correctly rounded division.
        a.to_f64().unwrap() / b.to_f64().unwrap()
    } else {
        let shift = a.bits() as i64 - b.bits() as i64 - 55;
        let (num, den) = if shift > 0 {
            (a, b << (shift as usize))
        } else {
            (a << ((-shift) as usize), b)
        };
        let (q, r) = num.div_rem(&den);
        let mut q = q.to_u64().expect("a 56-bit quotient");
        if !r.is_zero() {
            q |= 1;
        }
        let mut f = q as f64;
        let mut e = shift;
        while e > 1000 {
            f *= 2f64.powi(1000);
            e -= 1000;
        }
        while e < -1000 {
            f *= 2f64.powi(-1000);
            e += 1000;
        }
        f * 2f64.powi(e as i32)
    };
    if magnitude.is_infinite() {
        return Err(raise_new(
            TypeId::OverflowError,
            "integer division result too large for a float".into(),
        ));
    }
    Ok(if negative { -magnitude } else { magnitude })
}

fn int_op(op: u64, a: &IntVal, b: &IntVal) -> R<Value> {
    if let (IntVal::Small(x), IntVal::Small(y)) = (a, b) {
        let (x, y) = (*x, *y);
        let r = match op {
            0 => x.checked_add(y),
            1 => x.checked_sub(y),
            2 => x.checked_mul(y),
            3 => {
                if y == 0 {
                    return Err(zero_div("division by zero"));
                }
                if x.abs() < (1 << 53) && y.abs() < (1 << 53) {
                    return Ok(Value::float(x as f64 / y as f64));
                }
                None
            }
            4 => {
                if y == 0 {
                    return Err(zero_div("integer division or modulo by zero"));
                }
                x.checked_div_euclid(y).map(|_| Integer::div_floor(&x, &y))
            }
            5 => {
                if y == 0 {
                    return Err(zero_div("integer modulo by zero"));
                }
                x.checked_rem(y).map(|_| Integer::mod_floor(&x, &y))
            }
            6 => {
                if y < 0 {
                    if x == 0 {
                        return Err(zero_div("0.0 cannot be raised to a negative power"));
                    }
                    return float_pow(x as f64, y as f64);
                }
                if y > u32::MAX as i64 {
                    None
                } else {
                    x.checked_pow(y as u32)
                }
            }
            7 => {
                if y < 0 {
                    return Err(raise_new(TypeId::ValueError, "negative shift count".into()));
                }
                if y < 63 && x.abs() < (1i64 << (62 - y)) {
                    Some(x << y)
                } else if x == 0 {
                    Some(0)
                } else {
                    None
                }
            }
            8 => {
                if y < 0 {
                    return Err(raise_new(TypeId::ValueError, "negative shift count".into()));
                }
                Some(x >> y.min(63))
            }
            9 => Some(x | y),
            10 => Some(x ^ y),
            11 => Some(x & y),
            _ => return Err(UNBOUND),
        };
        if let Some(r) = r {
            return Ok(new_int(r));
        }
    }
    let (x, y) = (a.to_big(), b.to_big());
    Ok(match op {
        0 => new_bigint(x + y),
        1 => new_bigint(x - y),
        2 => new_bigint(x * y),
        3 => Value::float(big_true_div(&x, &y)?),
        4 => {
            if y.is_zero() {
                return Err(zero_div("integer division or modulo by zero"));
            }
            new_bigint(x.div_floor(&y))
        }
        5 => {
            if y.is_zero() {
                return Err(zero_div("integer modulo by zero"));
            }
            new_bigint(x.mod_floor(&y))
        }
        6 => {
            if y.is_negative() {
                if x.is_zero() {
                    return Err(zero_div("0.0 cannot be raised to a negative power"));
                }
                return float_pow(int_to_f64(a)?, int_to_f64(b)?);
            }
            let e = match y.to_u32() {
                Some(e) => e,
                None => {
                    if x.is_zero() || x == BigInt::from(1) {
                        return Ok(new_bigint(x));
                    }
                    if x == BigInt::from(-1) {
                        return Ok(new_int(if y.is_even() { 1 } else { -1 }));
                    }
                    return Err(raise_new(TypeId::OverflowError, "exponent too large".into()));
                }
            };
            new_bigint(num_traits::pow::Pow::pow(x, e))
        }
        7 => {
            if y.is_negative() {
                return Err(raise_new(TypeId::ValueError, "negative shift count".into()));
            }
            if x.is_zero() {
                return Ok(new_int(0));
            }
            // CPython: a count beyond `Py_ssize_t` overflows, a result too big to allocate
            // is a MemoryError.
            let Some(s) = y.to_i64() else {
                return Err(raise_new(TypeId::OverflowError, "too many digits in integer".into()));
            };
            if (s as u128 + x.bits() as u128) / 8 > MAX_ALLOCATION {
                return Err(raise_new(TypeId::MemoryError, String::new()));
            }
            new_bigint(x << s as usize)
        }
        8 => {
            if y.is_negative() {
                return Err(raise_new(TypeId::ValueError, "negative shift count".into()));
            }
            match y.to_usize() {
                Some(s) => new_bigint(x >> s),
                None => new_int(if x.is_negative() { -1 } else { 0 }),
            }
        }
        9 => new_bigint(x | y),
        10 => new_bigint(x ^ y),
        11 => new_bigint(x & y),
        _ => return Err(UNBOUND),
    })
}

fn repeat(items: &[Value], n: i64) -> Vec<Value> {
    // An empty sequence repeats to itself at once, whatever the count (`[] * 2**62`).
    if n <= 0 || items.is_empty() {
        return Vec::new();
    }
    let mut v = Vec::with_capacity(items.len() * n as usize);
    for _ in 0..n {
        v.extend_from_slice(items);
    }
    v
}

/// The largest single allocation a sequence operation attempts (bytes): 2^40, far above
/// what a program of this subset needs, far below what the allocator would abort on.
/// Larger requests raise MemoryError, as CPython does when its allocation fails.
pub const MAX_ALLOCATION: u128 = 1 << 40;

fn seq_repeat(seq: Value, n: Value) -> Option<R<Value>> {
    let count = if is_int(n) {
        match index_arg(n) {
            Ok(c) => c,
            Err(_) => {
                crate::vm::take_exception();
                return Some(Err(raise_new(
                    TypeId::OverflowError,
                    "cannot fit 'int' into an index-sized integer".into(),
                )));
            }
        }
    } else {
        return None;
    };
    // The result's size, checked before anything is allocated: CPython raises
    // OverflowError for a str longer than sys.maxsize and MemoryError when the allocation
    // cannot succeed. (A request beyond the heap limit is refused up front rather than
    // left to the allocator, which would abort the process.)
    let len = match seq.kind() {
        Some(ObjKind::Str) => str_ref(seq).len(),
        Some(ObjKind::List) => list_mut(seq).len(),
        Some(ObjKind::Tuple) => tuple_items(seq).len(),
        _ => return None,
    };
    let total = (len as u128) * (count.max(0) as u128);
    if total > i64::MAX as u128 && seq.kind() == Some(ObjKind::Str) {
        return Some(Err(raise_new(
            TypeId::OverflowError,
            "repeated string is too long".into(),
        )));
    }
    let item = if seq.kind() == Some(ObjKind::Str) {
        1
    } else {
        std::mem::size_of::<Value>() as u128
    };
    if total * item > MAX_ALLOCATION {
        return Some(Err(raise_new(TypeId::MemoryError, String::new())));
    }
    match seq.kind() {
        Some(ObjKind::Str) => Some(Ok(new_string(str_ref(seq).repeat(count.max(0) as usize)))),
        Some(ObjKind::List) => Some(Ok(new_list(repeat(list_mut(seq), count)))),
        Some(ObjKind::Tuple) => Some(Ok(new_tuple(repeat(tuple_items(seq), count)))),
        _ => None,
    }
}

fn is_sequence(v: Value) -> bool {
    matches!(v.kind(), Some(ObjKind::Str) | Some(ObjKind::Tuple)) || is_list(v)
}

/// The binary operation `a op b` (no in-place semantics).
pub fn binop(op: u64, a: Value, b: Value, inplace: bool) -> R<Value> {
    // Fast path: two small ints.
    if a.is_small_int() && b.is_small_int() && op <= 2 {
        let (x, y) = (a.as_small_int(), b.as_small_int());
        let r = match op {
            0 => x + y,
            1 => x - y,
            _ => match x.checked_mul(y) {
                Some(r) => r,
                None => return Ok(new_bigint(BigInt::from(x) * BigInt::from(y))),
            },
        };
        return Ok(new_int(r));
    }
    if op > 11 {
        return Err(raise_new(TypeId::RuntimeError, format!("bad binary op {}", op)));
    }
    let ia = int_val(a);
    let ib = int_val(b);
    if let (Some(x), Some(y)) = (&ia, &ib) {
        if op >= 9 && a.is_bool() && b.is_bool() {
            let (p, q) = (a == TRUE, b == TRUE);
            return Ok(Value::bool(match op {
                9 => p | q,
                10 => p ^ q,
                _ => p & q,
            }));
        }
        return int_op(op, x, y);
    }
    let fa = if a.is_float() { Some(a.as_float()) } else { None };
    let fb = if b.is_float() { Some(b.as_float()) } else { None };
    if op <= 6 {
        let x = match (&fa, &ia) {
            (Some(f), _) => Some(*f),
            (None, Some(i)) if fb.is_some() => Some(int_to_f64(i)?),
            _ => None,
        };
        let y = match (&fb, &ib) {
            (Some(f), _) => Some(*f),
            (None, Some(i)) if fa.is_some() => Some(int_to_f64(i)?),
            _ => None,
        };
        if let (Some(x), Some(y)) = (x, y) {
            return float_op(op, x, y);
        }
    }
    match op {
        0 => match (a.kind(), b.kind()) {
            (Some(ObjKind::Str), Some(ObjKind::Str)) => {
                let (x, y) = (str_ref(a), str_ref(b));
                let mut s = String::with_capacity(x.len() + y.len());
                s.push_str(x);
                s.push_str(y);
                return Ok(new_string(s));
            }
            (Some(ObjKind::List), Some(ObjKind::List)) if is_list(a) && is_list(b) => {
                let mut v = list_mut(a).clone();
                v.extend_from_slice(list_mut(b));
                return Ok(new_list(v));
            }
            (Some(ObjKind::Tuple), Some(ObjKind::Tuple)) => {
                let mut v = tuple_items(a).to_vec();
                v.extend_from_slice(tuple_items(b));
                return Ok(new_tuple(v));
            }
            (Some(ObjKind::Str), _) => {
                return Err(raise_new(
                    TypeId::TypeError,
                    format!("can only concatenate str (not \"{}\") to str", type_name(b)),
                ))
            }
            (Some(ObjKind::List), _) if is_list(a) => {
                return Err(raise_new(
                    TypeId::TypeError,
                    format!("can only concatenate list (not \"{}\") to list", type_name(b)),
                ))
            }
            (Some(ObjKind::Tuple), _) => {
                return Err(raise_new(
                    TypeId::TypeError,
                    format!("can only concatenate tuple (not \"{}\") to tuple", type_name(b)),
                ))
            }
            _ => {}
        },
        2 => {
            if is_sequence(a) {
                if let Some(r) = seq_repeat(a, b) {
                    return r;
                }
                if !is_sequence(b) {
                    return Err(raise_new(
                        TypeId::TypeError,
                        format!("can't multiply sequence by non-int of type '{}'", type_name(b)),
                    ));
                }
            }
            if is_sequence(b) {
                if let Some(r) = seq_repeat(b, a) {
                    return r;
                }
                return Err(raise_new(
                    TypeId::TypeError,
                    format!("can't multiply sequence by non-int of type '{}'", type_name(a)),
                ));
            }
        }
        5 => {
            if a.is_kind(ObjKind::Str) {
                let r = crate::format::percent_format(str_ref(a), b).map(new_string);
                return match crate::format::take_int_str_limit() {
                    Some(e) => Err(e),
                    None => r,
                };
            }
        }
        9 => {
            if a.is_kind(ObjKind::Dict) && b.is_kind(ObjKind::Dict) {
                let d = new_dict();
                rt_dict_update(d, a);
                rt_dict_update(d, b);
                return Ok(d);
            }
        }
        _ => {}
    }
    Err(unsupported(op, a, b, inplace))
}

/// `a op b` for the binary operators (see the module docs for the codes).
pub extern "C" fn rt_binop(op: u64, a: Value, b: Value) -> Value {
    match binop(op, a, b, false) {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// `a op= b`: like [`rt_binop`], but `list += iterable` extends in place (and `dict |=`
/// updates in place) and returns the same object.
pub extern "C" fn rt_inplace_op(op: u64, a: Value, b: Value) -> Value {
    if op == 0 && is_list(a) {
        if is_list(b) || b.is_kind(ObjKind::Tuple) {
            let items = seq_items(b).unwrap().to_vec();
            list_mut(a).extend_from_slice(&items);
            return a;
        }
        // `rt_inplace_op` is called without a trampoline (see `CollectionHold`).
        let _hold = crate::vm::CollectionHold::new();
        return match crate::iter::extend_list(a, b) {
            Ok(()) => a,
            Err(e) => e,
        };
    }
    if op == 2 && is_list(a) && is_int(b) {
        let n = match index_arg(b) {
            Ok(n) => n,
            Err(e) => return e,
        };
        let items = repeat(list_mut(a), n);
        *list_mut(a) = items;
        return a;
    }
    if op == 9 && a.is_kind(ObjKind::Dict) {
        // `d |= x` is `d.update(x)`: any iterable of pairs will do, unlike `d | x`.
        let _hold = crate::vm::CollectionHold::new();
        return match crate::builtins::dict_update_from(a, b) {
            Ok(()) => a,
            Err(e) => e,
        };
    }
    match binop(op, a, b, true) {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// Unary operators: 0 Neg, 1 Pos, 2 Not, 3 Invert.
pub extern "C" fn rt_unary(op: u64, a: Value) -> Value {
    if op == 2 {
        return Value::bool(!truthy(a));
    }
    if a.is_float() {
        let f = a.as_float();
        return match op {
            0 => Value::float(-f),
            1 => a,
            _ => raise_new(TypeId::TypeError, "bad operand type for unary ~: 'float'".into()),
        };
    }
    if let Some(i) = int_val(a) {
        return match (op, i) {
            (0, IntVal::Small(x)) => new_int(-x),
            (0, IntVal::Big(b)) => new_bigint(-b.clone()),
            (1, IntVal::Small(x)) => new_int(x),
            (1, IntVal::Big(_)) => a,
            (_, IntVal::Small(x)) => new_int(!x),
            (_, IntVal::Big(b)) => new_bigint(-b.clone() - 1),
        };
    }
    let sym = ["-", "+", "not", "~"].get(op as usize).copied().unwrap_or("?");
    raise_new(
        TypeId::TypeError,
        format!("bad operand type for unary {}: '{}'", sym, type_name(a)),
    )
}

// ---------------------------------------------------------------- subscripts

/// `slice(lo, hi, step)` (None where absent).
pub extern "C" fn rt_build_slice(lo: Value, hi: Value, step: Value) -> Value {
    let fix = |v: Value| if v == UNBOUND { NONE } else { v };
    new_slice(fix(lo), fix(hi), fix(step))
}

fn slice_index(v: Value) -> R<Option<i64>> {
    if v == NONE {
        return Ok(None);
    }
    match int_val(v) {
        Some(IntVal::Small(i)) => Ok(Some(i)),
        Some(IntVal::Big(b)) => Ok(Some(if b.is_negative() { i64::MIN / 2 } else { i64::MAX / 2 })),
        None => Err(raise_new(
            TypeId::TypeError,
            "slice indices must be integers or None or have an __index__ method".into(),
        )),
    }
}

/// Resolve a slice against a length: `(start, stop, step, count)` as PySlice_AdjustIndices.
pub fn slice_indices(s: Value, len: i64) -> R<(i64, i64, i64, i64)> {
    let sl = obj::<SliceObj>(s);
    let step = slice_index(sl.step)?.unwrap_or(1);
    if step == 0 {
        return Err(raise_new(TypeId::ValueError, "slice step cannot be zero".into()));
    }
    let (def_start, def_stop) = if step < 0 { (len - 1, -1) } else { (0, len) };
    let adjust = |v: Option<i64>, def: i64| -> i64 {
        match v {
            None => def,
            Some(mut i) => {
                if i < 0 {
                    i += len;
                    if i < 0 {
                        i = if step < 0 { -1 } else { 0 };
                    }
                } else if i >= len {
                    i = if step < 0 { len - 1 } else { len };
                }
                i
            }
        }
    };
    let start = adjust(slice_index(sl.start)?, def_start);
    let stop = adjust(slice_index(sl.stop)?, def_stop);
    let count = if step < 0 {
        if stop < start {
            (start - stop - 1) / (-step) + 1
        } else {
            0
        }
    } else if start < stop {
        (stop - start - 1) / step + 1
    } else {
        0
    };
    Ok((start, stop, step, count))
}

fn slice_vec(items: &[Value], s: Value) -> R<Vec<Value>> {
    let (start, _, step, count) = slice_indices(s, items.len() as i64)?;
    Ok((0..count).map(|k| items[(start + k * step) as usize]).collect())
}

fn seq_index(i: Value, len: usize, what: &str) -> R<usize> {
    let idx = match int_val(i) {
        Some(IntVal::Small(x)) => x,
        Some(IntVal::Big(_)) => {
            return Err(raise_new(
                TypeId::IndexError,
                format!("cannot fit 'int' into an index-sized integer"),
            ))
        }
        None => unreachable!(),
    };
    let j = if idx < 0 { idx + len as i64 } else { idx };
    if j < 0 || j >= len as i64 {
        return Err(raise_new(TypeId::IndexError, format!("{} index out of range", what)));
    }
    Ok(j as usize)
}

/// Raise `KeyError(key)`.
pub fn raise_key_error(key: Value) -> Value {
    let e = crate::exceptions::new_exception_args(TypeId::KeyError, vec![key]);
    crate::vm::raise(e)
}

/// `obj[key]`.
pub fn getitem(o: Value, key: Value) -> R<Value> {
    match o.kind() {
        Some(ObjKind::List) => {
            let items = list_mut(o);
            if is_int(key) {
                return Ok(items[seq_index(key, items.len(), "list")?]);
            }
            if key.is_kind(ObjKind::Slice) {
                return Ok(new_list(slice_vec(items, key)?));
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("list indices must be integers or slices, not {}", type_name(key)),
            ))
        }
        Some(ObjKind::Tuple) => {
            let items = tuple_items(o);
            if is_int(key) {
                return Ok(items[seq_index(key, items.len(), "tuple")?]);
            }
            if key.is_kind(ObjKind::Slice) {
                return Ok(new_tuple(slice_vec(items, key)?));
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("tuple indices must be integers or slices, not {}", type_name(key)),
            ))
        }
        Some(ObjKind::Str) => {
            let s = str_ref(o);
            if is_int(key) {
                if s.is_ascii() {
                    let i = seq_index(key, s.len(), "string")?;
                    return Ok(new_str(&s[i..i + 1]));
                }
                let chars: Vec<char> = s.chars().collect();
                let i = seq_index(key, chars.len(), "string")?;
                return Ok(new_string(chars[i].to_string()));
            }
            if key.is_kind(ObjKind::Slice) {
                let chars: Vec<char> = s.chars().collect();
                let (start, _, step, count) = slice_indices(key, chars.len() as i64)?;
                if step == 1 && s.is_ascii() {
                    return Ok(new_str(&s[start as usize..(start + count) as usize]));
                }
                let r: String = (0..count).map(|k| chars[(start + k * step) as usize]).collect();
                return Ok(new_string(r));
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("string indices must be integers, not '{}'", type_name(key)),
            ))
        }
        Some(ObjKind::Dict) => match dict_mut(o).get(key) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(raise_key_error(key)),
            Err(_) => Err(raise_unhashable(unhashable_part(key))),
        },
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(o);
            let len = range_len(r);
            if is_int(key) {
                let i = seq_index(key, len as usize, "range object")?;
                return Ok(new_int(r.start + i as i64 * r.step));
            }
            if key.is_kind(ObjKind::Slice) {
                let (start, _, step, count) = slice_indices(key, len)?;
                let nstart = r.start + start * r.step;
                let nstep = r.step * step;
                return Ok(new_range(nstart, nstart + count * nstep, nstep));
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("range indices must be integers or slices, not {}", type_name(key)),
            ))
        }
        _ => Err(raise_new(
            TypeId::TypeError,
            format!("'{}' object is not subscriptable", type_name(o)),
        )),
    }
}

/// `obj[key]`.
pub extern "C" fn rt_getitem(o: Value, key: Value) -> Value {
    // Fast path: list[int].
    if key.is_small_int() && is_list(o) {
        let items = list_mut(o);
        let i = key.as_small_int();
        let j = if i < 0 { i + items.len() as i64 } else { i };
        if j >= 0 && (j as usize) < items.len() {
            return items[j as usize];
        }
    }
    match getitem(o, key) {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// `obj[key] = val`; returns NONE or EXC.
pub extern "C" fn rt_setitem(o: Value, key: Value, val: Value) -> Value {
    match setitem(o, key, val) {
        Ok(()) => NONE,
        Err(e) => e,
    }
}

fn setitem(o: Value, key: Value, val: Value) -> R<()> {
    match o.kind() {
        Some(ObjKind::List) => {
            if is_int(key) {
                let items = list_mut(o);
                let i = seq_index(key, items.len(), "list assignment")?;
                items[i] = val;
                return Ok(());
            }
            if key.is_kind(ObjKind::Slice) {
                // `rt_setitem` is called without a trampoline (see `CollectionHold`).
                let _hold = crate::vm::CollectionHold::new();
                let new = crate::iter::collect(val).map_err(|e| {
                    if crate::exceptions::pending_is(TypeId::TypeError) {
                        crate::vm::take_exception();
                        raise_new(TypeId::TypeError, "can only assign an iterable".into())
                    } else {
                        e
                    }
                })?;
                let items = list_mut(o);
                let (start, stop, step, count) = slice_indices(key, items.len() as i64)?;
                if step == 1 {
                    let stop = stop.max(start);
                    items.splice(start as usize..stop as usize, new);
                    return Ok(());
                }
                if new.len() as i64 != count {
                    return Err(raise_new(
                        TypeId::ValueError,
                        format!(
                            "attempt to assign sequence of size {} to extended slice of size {}",
                            new.len(),
                            count
                        ),
                    ));
                }
                for (k, v) in new.into_iter().enumerate() {
                    items[(start + k as i64 * step) as usize] = v;
                }
                return Ok(());
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("list indices must be integers or slices, not {}", type_name(key)),
            ))
        }
        Some(ObjKind::Dict) => dict_mut(o)
            .insert(key, val)
            .map_err(|_| raise_unhashable(unhashable_part(key))),
        _ => Err(raise_new(
            TypeId::TypeError,
            format!("'{}' object does not support item assignment", type_name(o)),
        )),
    }
}

/// `del obj[key]`; returns NONE or EXC.
pub extern "C" fn rt_delitem(o: Value, key: Value) -> Value {
    let r: R<()> = (|| match o.kind() {
        Some(ObjKind::List) => {
            let items = list_mut(o);
            if is_int(key) {
                let i = seq_index(key, items.len(), "list assignment")?;
                items.remove(i);
                return Ok(());
            }
            if key.is_kind(ObjKind::Slice) {
                let (start, _, step, count) = slice_indices(key, items.len() as i64)?;
                let mut del: Vec<usize> = (0..count).map(|k| (start + k * step) as usize).collect();
                del.sort_unstable();
                let mut k = 0;
                let mut idx = 0usize;
                items.retain(|_| {
                    let keep = !(k < del.len() && del[k] == idx);
                    if !keep {
                        k += 1;
                    }
                    idx += 1;
                    keep
                });
                return Ok(());
            }
            Err(raise_new(
                TypeId::TypeError,
                format!("list indices must be integers or slices, not {}", type_name(key)),
            ))
        }
        Some(ObjKind::Dict) => match dict_mut(o).remove(key) {
            Ok(Some(_)) => Ok(()),
            Ok(None) => Err(raise_key_error(key)),
            Err(_) => Err(raise_unhashable(unhashable_part(key))),
        },
        _ => Err(raise_new(
            TypeId::TypeError,
            format!("'{}' object doesn't support item deletion", type_name(o)),
        )),
    })();
    match r {
        Ok(()) => NONE,
        Err(e) => e,
    }
}

// ---------------------------------------------------------------- attributes

fn no_attr(o: Value, name: &str) -> Value {
    if o.is_kind(ObjKind::Type) {
        return raise_new(
            TypeId::AttributeError,
            format!("type object '{}' has no attribute '{}'", type_obj_name(o), name),
        );
    }
    raise_new(
        TypeId::AttributeError,
        format!("'{}' object has no attribute '{}'", type_name(o), name),
    )
}

/// `obj.name` with `name` a Rust str.
pub fn getattr(o: Value, name: &str) -> R<Value> {
    if let Some((f, mname)) = crate::builtins::find_method(o, name) {
        return Ok(new_builtin(f, mname, o));
    }
    if let Some(r) = crate::introspect::getattr(o, name) {
        return r;
    }
    match o.kind() {
        Some(ObjKind::Builtin) => {
            let b = obj::<BuiltinObj>(o);
            match name {
                "__name__" | "__qualname__" => return Ok(new_str(b.name)),
                "__self__" => return Ok(if b.this == UNBOUND { NONE } else { b.this }),
                _ => {}
            }
        }
        Some(ObjKind::Type) => match name {
            "__name__" | "__qualname__" => return Ok(new_str(type_obj_name(o))),
            _ if crate::builtins::unbound_method(o, name).is_some() => {
                return Ok(crate::builtins::unbound_method(o, name).unwrap())
            }
            "__base__" => {
                let b = obj::<TypeObj>(o).base;
                return Ok(if b == UNBOUND { NONE } else { b });
            }
            _ => {}
        },
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(o);
            match name {
                "start" => return Ok(new_int(r.start)),
                "stop" => return Ok(new_int(r.stop)),
                "step" => return Ok(new_int(r.step)),
                _ => {}
            }
        }
        Some(ObjKind::Slice) => {
            let s = obj::<SliceObj>(o);
            match name {
                "start" => return Ok(s.start),
                "stop" => return Ok(s.stop),
                "step" => return Ok(s.step),
                _ => {}
            }
        }
        _ => {}
    }
    if name == "__class__" {
        return Ok(type_of(o));
    }
    if is_int(o) {
        match name {
            "real" | "numerator" => return Ok(if o.is_bool() { new_int((o == TRUE) as i64) } else { o }),
            "imag" => return Ok(new_int(0)),
            "denominator" => return Ok(new_int(1)),
            _ => {}
        }
    }
    if o.is_float() {
        match name {
            "real" => return Ok(o),
            "imag" => return Ok(Value::float(0.0)),
            _ => {}
        }
    }
    Err(no_attr(o, name))
}

/// `obj.name` (`name` is a str).
pub extern "C" fn rt_getattr(o: Value, name: Value) -> Value {
    match getattr(o, str_ref(name)) {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// `obj.name = val`; returns NONE or EXC. Functions and exceptions take new attributes
/// (see [`crate::introspect`]); everything else raises CPython's error.
pub extern "C" fn rt_setattr(o: Value, name: Value, val: Value) -> Value {
    setattr(o, str_ref(name), val)
}

/// `del obj.name`; returns NONE or EXC.
pub extern "C" fn rt_delattr(o: Value, name: Value) -> Value {
    setattr(o, str_ref(name), UNBOUND)
}

/// `obj.name = val`, or `del obj.name` when `val` is UNBOUND; returns NONE or EXC.
pub fn setattr(o: Value, n: &str, val: Value) -> Value {
    if o.is_kind(ObjKind::Type) {
        return raise_new(
            TypeId::TypeError,
            format!("cannot set '{n}' attribute of immutable type '{}'", type_obj_name(o)),
        );
    }
    if n == "__class__" {
        let msg = if val == UNBOUND {
            "can't delete __class__ attribute"
        } else {
            "__class__ assignment only supported for mutable types or ModuleType subclasses"
        };
        return raise_new(TypeId::TypeError, msg.into());
    }
    if let Some(r) = crate::introspect::setattr(o, n, val) {
        return r;
    }
    if crate::builtins::find_method(o, n).is_some() {
        return raise_new(
            TypeId::AttributeError,
            format!("'{}' object attribute '{n}' is read-only", type_name(o)),
        );
    }
    if getattr(o, n).is_ok() {
        // A read-only data attribute (`range.start`, `int.real`).
        if is_int(o) || o.is_float() {
            return raise_new(
                TypeId::AttributeError,
                format!("attribute '{n}' of '{}' objects is not writable", type_name(o)),
            );
        }
        return raise_new(TypeId::AttributeError, "readonly attribute".into());
    }
    crate::vm::take_exception();
    raise_new(
        TypeId::AttributeError,
        format!("'{}' object has no attribute '{n}'", type_name(o)),
    )
}

/// `str(v)` as a new str value.
pub fn to_str_value(v: Value) -> Value {
    if v.is_kind(ObjKind::Str) {
        return v;
    }
    new_string(str_string(v))
}

/// `repr(v)` as a new str value.
pub fn to_repr_value(v: Value) -> Value {
    new_string(repr_string(v))
}
