//! Object constructors, accessors and type queries, plus the `rt_build_*` entry points.
//!
//! Accessors such as [`str_ref`] and [`list_mut`] hand out references with a `'static`
//! lifetime: objects never move and are only freed by a collection, which cannot happen
//! while Rust code runs (see [`crate::gc`]), so a reference is valid until the Rust caller
//! returns (or calls back into Python, after which it must re-borrow).

use crate::dict::Dict;
use crate::exceptions::raise_new;
use crate::gc::{alloc, alloc_function, header};
use crate::object::*;
use crate::types::{type_object, TypeId};
use crate::value::*;
use num_bigint::BigInt;
use num_traits::{ToPrimitive, Zero};

/// Result type of internal helpers: `Err(EXC)` after the exception was raised.
pub type R<T> = Result<T, Value>;

/// Iterator `flags`: which Python iterator type an [`IterObj`] stands for (repr/type name).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
#[repr(u16)]
pub enum IterName {
    /// `list_iterator`.
    List = 0,
    /// `tuple_iterator`.
    Tuple,
    /// `str_ascii_iterator`.
    Str,
    /// `dict_keyiterator`.
    DictKeys,
    /// `range_iterator`.
    Range,
    /// `list_reverseiterator`.
    ListReverse,
    /// `reversed`.
    Reversed,
    /// `map`.
    Map,
    /// `filter`.
    Filter,
    /// `zip`.
    Zip,
    /// `enumerate`.
    Enumerate,
    /// `dict_valueiterator`.
    DictValues,
    /// `dict_itemiterator`.
    DictItems,
    /// `dict_reversekeyiterator`.
    DictReverseKeys,
    /// `dict_reversevalueiterator`.
    DictReverseValues,
    /// `dict_reverseitemiterator`.
    DictReverseItems,
    /// `generator`.
    Generator,
}

impl IterName {
    /// The Python type name.
    pub fn name(self) -> &'static str {
        match self {
            IterName::List => "list_iterator",
            IterName::Tuple => "tuple_iterator",
            IterName::Str => "str_ascii_iterator",
            IterName::DictKeys => "dict_keyiterator",
            IterName::Range => "range_iterator",
            IterName::ListReverse => "list_reverseiterator",
            IterName::Reversed => "reversed",
            IterName::Map => "map",
            IterName::Filter => "filter",
            IterName::Zip => "zip",
            IterName::Enumerate => "enumerate",
            IterName::DictValues => "dict_valueiterator",
            IterName::DictItems => "dict_itemiterator",
            IterName::DictReverseKeys => "dict_reversekeyiterator",
            IterName::DictReverseValues => "dict_reversevalueiterator",
            IterName::DictReverseItems => "dict_reverseitemiterator",
            IterName::Generator => "generator",
        }
    }
    /// The type object's id (`type(iter([]))` is `list_iterator`).
    pub fn type_id(self) -> TypeId {
        match self {
            IterName::List => TypeId::ListIterator,
            IterName::Tuple => TypeId::TupleIterator,
            IterName::Str => TypeId::StrIterator,
            IterName::DictKeys => TypeId::DictKeyIterator,
            IterName::Range => TypeId::RangeIterator,
            IterName::ListReverse => TypeId::ListReverseIterator,
            IterName::Reversed => TypeId::Reversed,
            IterName::Map => TypeId::Map,
            IterName::Filter => TypeId::Filter,
            IterName::Zip => TypeId::Zip,
            IterName::Enumerate => TypeId::Enumerate,
            IterName::DictValues => TypeId::DictValueIterator,
            IterName::DictItems => TypeId::DictItemIterator,
            IterName::DictReverseKeys => TypeId::DictReverseKeyIterator,
            IterName::DictReverseValues => TypeId::DictReverseValueIterator,
            IterName::DictReverseItems => TypeId::DictReverseItemIterator,
            IterName::Generator => TypeId::Generator,
        }
    }
    fn from_flags(f: u16) -> IterName {
        use IterName::*;
        [
            List,
            Tuple,
            Str,
            DictKeys,
            Range,
            ListReverse,
            Reversed,
            Map,
            Filter,
            Zip,
            Enumerate,
            DictValues,
            DictItems,
            DictReverseKeys,
            DictReverseValues,
            DictReverseItems,
            Generator,
        ]
        .get(f as usize)
        .copied()
        .unwrap_or(List)
    }
}

// ---------------------------------------------------------------- constructors

/// A new `str`.
pub fn new_str(s: &str) -> Value {
    new_string(s.to_string())
}

/// A new `str` taking ownership of `s`.
pub fn new_string(s: String) -> Value {
    let extra = s.capacity();
    Value::from_ptr(alloc(
        StrObj {
            h: header(ObjKind::Str),
            s,
        },
        extra,
    ))
}

/// An `int` from an `i64` (small or big).
pub fn new_int(n: i64) -> Value {
    match Value::small_int(n) {
        Some(v) => v,
        None => new_bigint_raw(BigInt::from(n)),
    }
}

fn new_bigint_raw(n: BigInt) -> Value {
    Value::from_ptr(alloc(
        BigIntObj {
            h: header(ObjKind::BigInt),
            n,
        },
        16,
    ))
}

/// An `int` from a `BigInt`, small when it fits.
pub fn new_bigint(n: BigInt) -> Value {
    if let Some(i) = n.to_i64() {
        if let Some(v) = Value::small_int(i) {
            return v;
        }
    }
    new_bigint_raw(n)
}

/// CPython 3.11's default limit on the digits of an int converted from or to a string in a
/// base that is not a power of two (`sys.get_int_max_str_digits()`).
pub const INT_MAX_STR_DIGITS: usize = 4300;

/// The `ValueError` CPython raises for an int of `digits` digits (past
/// [`INT_MAX_STR_DIGITS`]) converted to a string, or from a string when `digits` is known.
pub fn int_str_limit_error(from_str_digits: Option<usize>) -> Value {
    let has = from_str_digits.map_or(String::new(), |n| format!(": value has {} digits", n));
    crate::exceptions::raise_new(
        crate::types::TypeId::ValueError,
        format!(
            "Exceeds the limit ({} digits) for integer string conversion{}; use sys.set_int_max_str_digits() to increase the limit",
            INT_MAX_STR_DIGITS, has
        ),
    )
}

/// The digits `int(s, base)` would read, if that is more than [`INT_MAX_STR_DIGITS`] in a
/// base that is not a power of two: CPython counts the leading run of digits (underscores
/// skipped) after the sign and prefix, and checks it before the rest of the literal.
pub fn int_digits_over_limit(s: &str, base: u32) -> Option<usize> {
    let t = s.trim_start();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    let lower = body.get(..2).map(|p| p.to_ascii_lowercase());
    let prefixed = matches!(lower.as_deref(), Some("0x" | "0o" | "0b"));
    let base = match base {
        0 if prefixed => return None,
        0 => 10,
        b => b,
    };
    if base.is_power_of_two() {
        return None;
    }
    let digits = body
        .chars()
        .take_while(|&c| c == '_' || c.is_digit(base))
        .filter(|&c| c != '_')
        .count();
    (digits > INT_MAX_STR_DIGITS).then_some(digits)
}

/// An `int` from decimal digits (optional sign, underscores allowed); `None` if malformed.
pub fn parse_int(s: &str, base: u32) -> Option<BigInt> {
    let t = s.trim();
    let (neg, mut body) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let mut base = base;
    let lower = body.to_ascii_lowercase();
    let pref = |p: &str| lower.starts_with(p);
    if (base == 16 && pref("0x")) || (base == 8 && pref("0o")) || (base == 2 && pref("0b")) {
        body = &body[2..];
    } else if base == 0 {
        if pref("0x") {
            base = 16;
            body = &body[2..];
        } else if pref("0o") {
            base = 8;
            body = &body[2..];
        } else if pref("0b") {
            base = 2;
            body = &body[2..];
        } else {
            base = 10;
            if body.len() > 1 && body.trim_start_matches(['0', '_']).is_empty() == false && body.starts_with('0') {
                return None;
            }
        }
    }
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_digit(base)) {
        return None;
    }
    let n = BigInt::parse_bytes(digits.as_bytes(), base)?;
    Some(if neg { -n } else { n })
}

/// An `int` from a decimal literal (small or big). Panics on malformed input (the front
/// end only passes valid literals).
pub fn new_int_from_decimal(s: &str) -> Value {
    new_bigint(parse_int(s, 10).expect("malformed int literal"))
}

/// A new `float`.
pub fn new_float(f: f64) -> Value {
    Value::float(f)
}

/// A new `list`.
pub fn new_list(items: Vec<Value>) -> Value {
    let extra = items.capacity() * 8;
    Value::from_ptr(alloc(
        ListObj {
            h: header(ObjKind::List),
            items,
        },
        extra,
    ))
}

/// A new live view of the dict `dict` (`dict.keys()`, `dict.values()`, `dict.items()`).
pub fn new_dict_view(dict: Value, which: ViewKind) -> Value {
    Value::from_ptr(alloc(
        DictViewObj {
            h: header(ObjKind::DictView),
            dict,
            which,
        },
        0,
    ))
}

/// A new `tuple`.
pub fn new_tuple(items: Vec<Value>) -> Value {
    let extra = items.capacity() * 8;
    Value::from_ptr(alloc(
        TupleObj {
            h: header(ObjKind::Tuple),
            items,
        },
        extra,
    ))
}

/// A new empty `dict`.
pub fn new_dict() -> Value {
    new_dict_from(Dict::new())
}

/// A new `dict` owning `d`.
pub fn new_dict_from(d: Dict) -> Value {
    let extra = d.entries.capacity() * 24;
    Value::from_ptr(alloc(
        DictObj {
            h: header(ObjKind::Dict),
            d,
        },
        extra,
    ))
}

/// A new `range`.
pub fn new_range(start: i64, stop: i64, step: i64) -> Value {
    Value::from_ptr(alloc(
        RangeObj {
            h: header(ObjKind::Range),
            start,
            stop,
            step,
        },
        0,
    ))
}

/// A new `slice`.
pub fn new_slice(start: Value, stop: Value, step: Value) -> Value {
    Value::from_ptr(alloc(
        SliceObj {
            h: header(ObjKind::Slice),
            start,
            stop,
            step,
        },
        0,
    ))
}

/// A new iterator object.
pub fn new_iter(mode: IterMode, name: IterName, src: Value, pos: i64, end: i64, step: i64, items: Vec<Value>) -> Value {
    let extra = items.capacity() * 8;
    let h = Header {
        flags: name as u16,
        ..header(ObjKind::Iterator)
    };
    Value::from_ptr(alloc(
        IterObj {
            h,
            src,
            pos,
            end,
            step,
            mode,
            items,
        },
        extra,
    ))
}

/// An iterator over already materialized items.
pub fn new_items_iter(name: IterName, items: Vec<Value>) -> Value {
    let end = items.len() as i64;
    new_iter(IterMode::Items, name, UNBOUND, 0, end, 1, items)
}

/// A new built-in function (`this` = UNBOUND) or bound built-in method.
pub fn new_builtin(func: BuiltinFn, name: &'static str, this: Value) -> Value {
    Value::from_ptr(alloc(
        BuiltinObj {
            h: header(ObjKind::Builtin),
            func,
            name,
            this,
        },
        0,
    ))
}

// ---------------------------------------------------------------- accessors

/// The text of a `str` (caller checked the kind).
#[inline]
pub fn str_ref(v: Value) -> &'static str {
    unsafe { &(*v.as_ptr::<StrObj>()).s }
}

/// The text of `v` if it is a `str`.
#[inline]
pub fn as_str(v: Value) -> Option<&'static str> {
    if v.is_kind(ObjKind::Str) {
        Some(str_ref(v))
    } else {
        None
    }
}

/// The items of a `list` (caller checked the kind).
#[inline]
pub fn list_mut(v: Value) -> &'static mut Vec<Value> {
    unsafe { &mut (*v.as_ptr::<ListObj>()).items }
}

/// The items of a `tuple` (caller checked the kind).
#[inline]
pub fn tuple_items(v: Value) -> &'static [Value] {
    unsafe { &(*v.as_ptr::<TupleObj>()).items }
}

/// The items of a list or tuple, if `v` is one.
#[inline]
pub fn seq_items(v: Value) -> Option<&'static [Value]> {
    match v.kind() {
        Some(ObjKind::List) => Some(list_mut(v)),
        Some(ObjKind::Tuple) => Some(tuple_items(v)),
        _ => None,
    }
}

/// The table of a `dict` (caller checked the kind).
#[inline]
pub fn dict_mut(v: Value) -> &'static mut Dict {
    unsafe { &mut (*v.as_ptr::<DictObj>()).d }
}

/// The big integer of a `BigInt` object (caller checked the kind).
#[inline]
pub fn bigint_ref(v: Value) -> &'static BigInt {
    unsafe { &(*v.as_ptr::<BigIntObj>()).n }
}

/// Any object as `&'static mut T` (caller checked the kind).
#[inline]
pub fn obj<T>(v: Value) -> &'static mut T {
    unsafe { &mut *v.as_ptr::<T>() }
}

/// The dict and the kind of a dict view, if `v` is one.
#[inline]
pub fn as_dict_view(v: Value) -> Option<(Value, ViewKind)> {
    if v.is_kind(ObjKind::DictView) {
        let dv = obj::<DictViewObj>(v);
        Some((dv.dict, dv.which))
    } else {
        None
    }
}

/// Is `v` a list?
#[inline]
pub fn is_list(v: Value) -> bool {
    v.is_kind(ObjKind::List)
}

/// An integer view of a value: bools, small ints and big ints.
pub enum IntVal {
    /// Fits an `i64`.
    Small(i64),
    /// A big integer.
    Big(&'static BigInt),
}

impl IntVal {
    /// As a `BigInt`.
    pub fn to_big(&self) -> BigInt {
        match self {
            IntVal::Small(i) => BigInt::from(*i),
            IntVal::Big(b) => (*b).clone(),
        }
    }
    /// As an `f64`, or `None` if it overflows.
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            IntVal::Small(i) => Some(*i as f64),
            IntVal::Big(b) => b.to_f64().filter(|f| f.is_finite()),
        }
    }
    /// Is it zero?
    pub fn is_zero(&self) -> bool {
        match self {
            IntVal::Small(i) => *i == 0,
            IntVal::Big(b) => b.is_zero(),
        }
    }
}

/// The integer value of an int or bool.
#[inline]
pub fn int_val(v: Value) -> Option<IntVal> {
    if v.is_small_int() {
        Some(IntVal::Small(v.as_small_int()))
    } else if v == TRUE {
        Some(IntVal::Small(1))
    } else if v == FALSE {
        Some(IntVal::Small(0))
    } else if v.is_kind(ObjKind::BigInt) {
        Some(IntVal::Big(bigint_ref(v)))
    } else {
        None
    }
}

/// Is `v` an int (or bool)?
#[inline]
pub fn is_int(v: Value) -> bool {
    v.is_small_int() || v.is_bool() || v.is_kind(ObjKind::BigInt)
}

/// The value as `i64` if it is an int or bool that fits.
#[inline]
pub fn as_i64(v: Value) -> Option<i64> {
    match int_val(v)? {
        IntVal::Small(i) => Some(i),
        IntVal::Big(b) => b.to_i64(),
    }
}

/// Convert an int-like value to an index (`'str' object cannot be interpreted as an integer`).
pub fn index_arg(v: Value) -> R<i64> {
    match int_val(v) {
        Some(IntVal::Small(i)) => Ok(i),
        Some(IntVal::Big(b)) => match b.to_i64() {
            Some(i) => Ok(i),
            None => Err(raise_new(
                TypeId::OverflowError,
                "Python int too large to convert to C ssize_t".into(),
            )),
        },
        None => Err(raise_new(
            TypeId::TypeError,
            format!("'{}' object cannot be interpreted as an integer", type_name(v)),
        )),
    }
}

// ---------------------------------------------------------------- types

/// The built-in type of a value (exceptions: their class's id).
pub fn type_id_of(v: Value) -> TypeId {
    if v.is_small_int() {
        return TypeId::Int;
    }
    if v.is_float() {
        return TypeId::Float;
    }
    match v {
        NONE => return TypeId::NoneType,
        TRUE | FALSE => return TypeId::Bool,
        _ => {}
    }
    match v.kind() {
        Some(ObjKind::Str) => TypeId::Str,
        Some(ObjKind::BigInt) => TypeId::Int,
        Some(ObjKind::Tuple) => TypeId::Tuple,
        Some(ObjKind::List) => TypeId::List,
        Some(ObjKind::Dict) => TypeId::Dict,
        Some(ObjKind::Cell) => TypeId::Cell,
        Some(ObjKind::Function) => TypeId::Function,
        Some(ObjKind::Builtin) => TypeId::BuiltinFunction,
        Some(ObjKind::Exception) => obj::<TypeObj>(obj::<ExceptionObj>(v).typ).id,
        Some(ObjKind::Type) => TypeId::Type,
        Some(ObjKind::Range) => TypeId::Range,
        Some(ObjKind::Iterator) => IterName::from_flags(unsafe { (*v.header()).flags }).type_id(),
        Some(ObjKind::Slice) => TypeId::Slice,
        Some(ObjKind::DictView) => match obj::<DictViewObj>(v).which {
            ViewKind::Keys => TypeId::DictKeys,
            ViewKind::Values => TypeId::DictValues,
            ViewKind::Items => TypeId::DictItems,
        },
        Some(ObjKind::Code) => TypeId::Code,
        None => TypeId::Object,
    }
}

/// The type object of a value (`type(v)`).
pub fn type_of(v: Value) -> Value {
    if v.is_kind(ObjKind::Exception) {
        return obj::<ExceptionObj>(v).typ;
    }
    type_object(type_id_of(v))
}

/// The `__name__` of a type object.
pub fn type_obj_name(t: Value) -> &'static str {
    obj::<TypeObj>(t).name
}

/// The Python type name of a value, as used in messages (`'int'`, `'list_iterator'`).
pub fn type_name(v: Value) -> &'static str {
    match v.kind() {
        Some(ObjKind::Iterator) => IterName::from_flags(unsafe { (*v.header()).flags }).name(),
        _ => type_obj_name(type_of(v)),
    }
}

/// Is the type object `t` the same as or a subclass of `base`?
pub fn is_subtype(t: Value, base: Value) -> bool {
    let mut cur = t;
    while cur != UNBOUND {
        if cur == base {
            return true;
        }
        cur = obj::<TypeObj>(cur).base;
    }
    false
}

/// Is the type object `t` an exception class?
pub fn is_exception_type(t: Value) -> bool {
    t.is_kind(ObjKind::Type) && is_subtype(t, type_object(TypeId::BaseException))
}

// ---------------------------------------------------------------- entry points

fn slice_of<'a>(p: *const Value, n: usize) -> &'a [Value] {
    if n == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(p, n) }
    }
}

/// `(a, b, ...)` from `n` values.
pub extern "C" fn rt_build_tuple(items: *const Value, n: usize) -> Value {
    new_tuple(slice_of(items, n).to_vec())
}

/// `[a, b, ...]` from `n` values.
pub extern "C" fn rt_build_list(items: *const Value, n: usize) -> Value {
    new_list(slice_of(items, n).to_vec())
}

/// Raise `TypeError: unhashable type: 'list'`.
pub fn raise_unhashable(k: Value) -> Value {
    raise_new(TypeId::TypeError, format!("unhashable type: '{}'", type_name(k)))
}

/// `{k0: v0, ...}` from `npairs` key/value pairs laid out `k0, v0, k1, v1, ...`.
pub extern "C" fn rt_build_dict(kv: *const Value, npairs: usize) -> Value {
    let s = slice_of(kv, npairs * 2);
    let mut d = Dict::new();
    for p in s.chunks(2) {
        if d.insert(p[0], p[1]).is_err() {
            return raise_unhashable(p[0]);
        }
    }
    new_dict_from(d)
}

/// `{**mapping}` into `dict`: returns NONE or EXC.
pub extern "C" fn rt_dict_update(dict: Value, mapping: Value) -> Value {
    if !mapping.is_kind(ObjKind::Dict) {
        return raise_new(
            TypeId::TypeError,
            format!("'{}' object is not a mapping", type_name(mapping)),
        );
    }
    let pairs: Vec<(Value, Value)> = dict_mut(mapping).iter().collect();
    let d = dict_mut(dict);
    for (k, v) in pairs {
        if d.insert(k, v).is_err() {
            return raise_unhashable(k);
        }
    }
    NONE
}

/// `[*iterable]`: extend `list` with the items of `iterable`. Returns NONE or EXC.
pub extern "C" fn rt_list_extend(list: Value, iterable: Value) -> Value {
    if crate::iter::make_iter(iterable).is_err() {
        crate::vm::take_exception();
        return raise_new(
            TypeId::TypeError,
            format!("Value after * must be an iterable, not {}", type_name(iterable)),
        );
    }
    match crate::iter::extend_list(list, iterable) {
        Ok(()) => NONE,
        Err(e) => e,
    }
}

/// `tuple(list)` for a list built by the compiler.
pub extern "C" fn rt_list_to_tuple(list: Value) -> Value {
    new_tuple(list_mut(list).clone())
}

/// Create a function object for `info`; the JIT fills the env slots afterwards.
/// `defaults` is a tuple or UNBOUND, `kwdefaults` a dict or UNBOUND.
pub extern "C" fn rt_make_function(info: *const CodeInfo, defaults: Value, kwdefaults: Value) -> Value {
    let info: &'static CodeInfo = unsafe { &*info };
    let f = alloc_function(info);
    unsafe {
        (*f).defaults = defaults;
        (*f).kwdefaults = kwdefaults;
    }
    Value::from_ptr(f)
}

/// Build an exception instance of type object `typ` with `args`.
pub fn new_exception_obj(typ: Value, args: Vec<Value>) -> Value {
    let args = new_tuple(args);
    Value::from_ptr(alloc(
        ExceptionObj {
            h: header(ObjKind::Exception),
            typ,
            args,
            traceback: Vec::new(),
        },
        0,
    ))
}
