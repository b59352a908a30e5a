//! Built-in functions, type constructors and methods of the built-in types.
//!
//! - [`lookup_builtin`] returns a permanent (pushed on `vm().constants`) object per name:
//!   a `BuiltinObj` for functions, the type object for type names (`int`, `ValueError`).
//! - Calling a type object goes to [`construct`].
//! - Methods are found by [`find_method`] (by the receiver's type and the name);
//!   `obj.meth` allocates a bound `BuiltinObj`, `rt_call_method` calls directly.
//! - `dict.keys()/values()/items()` return live views ([`DictViewObj`]) that read the dict
//!   each time they are used, printed as `dict_keys([...])`.
//! - `map`, `filter`, `zip`, `enumerate`, `reversed` are evaluated eagerly into an
//!   `Items`-mode iterator (so their side effects happen at creation time).

use crate::call::call_value;
use crate::exceptions::{new_exception_args, raise_new};
use crate::format::{ascii_string, format_value, repr_string, round_float, str_string};
use crate::iter::{collect, extend_list, make_iter, next_item};
use crate::object::*;
use crate::objects::*;
use crate::ops::{binop, contains, py_cmp, py_eq, py_gt, py_hash_i64, py_lt, truthy, unhashable_part};
use crate::types::{type_object, TypeId, TYPES};
use crate::value::*;
use crate::vm::{push_root, vm, Roots};
use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::Write;

type KW<'a> = &'a [(Value, Value)];

fn err<T>(id: TypeId, msg: String) -> R<T> {
    Err(raise_new(id, msg))
}

fn ret(r: R<Value>) -> Value {
    match r {
        Ok(v) => v,
        Err(e) => e,
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn no_kw(name: &str, kw: KW) -> R<()> {
    if kw.is_empty() {
        Ok(())
    } else {
        err(TypeId::TypeError, format!("{}() takes no keyword arguments", name))
    }
}

fn exactly_one(name: &str, args: &[Value], kw: KW) -> R<Value> {
    no_kw(name, kw)?;
    if args.len() != 1 {
        return err(
            TypeId::TypeError,
            format!("{}() takes exactly one argument ({} given)", name, args.len()),
        );
    }
    Ok(args[0])
}

fn no_args(qual: &str, args: &[Value], kw: KW) -> R<()> {
    no_kw(qual, kw)?;
    if !args.is_empty() {
        return err(
            TypeId::TypeError,
            format!("{}() takes no arguments ({} given)", qual, args.len()),
        );
    }
    Ok(())
}

fn expect(name: &str, args: &[Value], min: usize, max: usize) -> R<()> {
    let n = args.len();
    if n < min {
        if min == max {
            return err(
                TypeId::TypeError,
                format!("{} expected {} argument{}, got {}", name, min, plural(min), n),
            );
        }
        return err(
            TypeId::TypeError,
            format!("{} expected at least {} argument{}, got {}", name, min, plural(min), n),
        );
    }
    if n > max {
        if min == max {
            return err(
                TypeId::TypeError,
                format!("{} expected {} argument{}, got {}", name, max, plural(max), n),
            );
        }
        return err(
            TypeId::TypeError,
            format!("{} expected at most {} argument{}, got {}", name, max, plural(max), n),
        );
    }
    Ok(())
}

/// Pick out allowed keyword arguments (`'foo' is an invalid keyword argument for f()`).
fn kwargs_pick<const N: usize>(fname: &str, kw: KW, allowed: [&str; N]) -> R<[Option<Value>; N]> {
    let mut out = [None; N];
    for &(k, v) in kw {
        let name = str_ref(k);
        match allowed.iter().position(|a| *a == name) {
            Some(i) => out[i] = Some(v),
            None => {
                return err(
                    TypeId::TypeError,
                    format!("'{}' is an invalid keyword argument for {}()", name, fname),
                )
            }
        }
    }
    Ok(out)
}

fn call1(f: Value, x: Value) -> R<Value> {
    match call_value(f, &[x], &[]) {
        EXC => Err(EXC),
        v => Ok(v),
    }
}

// ---------------------------------------------------------------- registry

type Entry = (&'static str, BuiltinFn);

const FUNCTIONS: &[Entry] = &[
    ("print", bi_print),
    ("len", bi_len),
    ("sum", bi_sum),
    ("min", bi_min),
    ("max", bi_max),
    ("abs", bi_abs),
    ("repr", bi_repr),
    ("ascii", bi_ascii),
    ("sorted", bi_sorted),
    ("isinstance", bi_isinstance),
    ("issubclass", bi_issubclass),
    ("round", bi_round),
    ("iter", bi_iter),
    ("next", bi_next),
    ("hash", bi_hash),
    ("divmod", bi_divmod),
    ("pow", bi_pow),
    ("any", bi_any),
    ("all", bi_all),
    ("id", bi_id),
    ("callable", bi_callable),
    ("chr", bi_chr),
    ("ord", bi_ord),
    ("bin", bi_bin),
    ("hex", bi_hex),
    ("oct", bi_oct),
    ("format", bi_format),
    ("getattr", bi_getattr),
    ("hasattr", bi_hasattr),
    ("setattr", bi_setattr),
    // Not a Python name (it starts with a dot): what a generator expression's `<genexpr>`
    // function calls (`cellar::syntax::lower`).
    (".generator", bi_generator),
];

fn cache() -> &'static mut HashMap<&'static str, Value> {
    static mut CACHE: Option<HashMap<&'static str, Value>> = None;
    #[allow(static_mut_refs)]
    unsafe {
        CACHE.get_or_insert_with(HashMap::new)
    }
}

/// The built-in named `name` (function or type object), or `None`.
pub fn lookup_builtin(name: &str) -> Option<Value> {
    if let Some(&v) = cache().get(name) {
        return Some(v);
    }
    if let Some(&(n, f)) = FUNCTIONS.iter().find(|(n, _)| *n == name) {
        let v = new_builtin(f, n, UNBOUND);
        vm().constants.push(v);
        cache().insert(n, v);
        return Some(v);
    }
    let tid = match name {
        "int" => Some(TypeId::Int),
        "float" => Some(TypeId::Float),
        "str" => Some(TypeId::Str),
        "bool" => Some(TypeId::Bool),
        "list" => Some(TypeId::List),
        "tuple" => Some(TypeId::Tuple),
        "dict" => Some(TypeId::Dict),
        "range" => Some(TypeId::Range),
        "type" => Some(TypeId::Type),
        "object" => Some(TypeId::Object),
        "slice" => Some(TypeId::Slice),
        "reversed" => Some(TypeId::Reversed),
        "enumerate" => Some(TypeId::Enumerate),
        "zip" => Some(TypeId::Zip),
        "map" => Some(TypeId::Map),
        "filter" => Some(TypeId::Filter),
        _ => TYPES
            .iter()
            .find(|(id, n, _)| *n == name && is_exception_type(type_object(*id)))
            .map(|t| t.0),
    }?;
    Some(type_object(tid))
}

// ---------------------------------------------------------------- constructors

/// Call a type object: construct an instance.
pub fn construct(t: Value, args: &[Value], kw: KW) -> Value {
    let id = obj::<TypeObj>(t).id;
    if is_exception_type(t) {
        if !kw.is_empty() {
            return raise_new(
                TypeId::TypeError,
                format!("{}() takes no keyword arguments", type_obj_name(t)),
            );
        }
        // CPython maps OSError(errno, strerror[, filename..]) to a subclass by errno and
        // keeps the filename out of `args`; rather than get that subtly wrong, say so.
        if args.len() >= 2 && is_subtype(t, type_object(TypeId::OSError)) {
            return raise_new(
                TypeId::NotImplementedError,
                format!("cellar does not support {}() with an errno argument", type_obj_name(t)),
            );
        }
        return new_exception_obj(t, args.to_vec());
    }
    // The lazy iterators are types, as in CPython (`isinstance(m, map)`).
    match id {
        TypeId::Reversed => return bi_reversed(UNBOUND, args, kw),
        TypeId::Enumerate => return bi_enumerate(UNBOUND, args, kw),
        TypeId::Zip => return bi_zip(UNBOUND, args, kw),
        TypeId::Map => return bi_map(UNBOUND, args, kw),
        TypeId::Filter => return bi_filter(UNBOUND, args, kw),
        _ => {}
    }
    ret(match id {
        TypeId::Int => make_int(args, kw),
        TypeId::Float => make_float(args, kw),
        TypeId::Str => make_str(args, kw),
        TypeId::Bool => (|| {
            no_kw("bool", kw)?;
            expect("bool", args, 0, 1)?;
            Ok(Value::bool(args.first().map(|&v| truthy(v)).unwrap_or(false)))
        })(),
        TypeId::List => (|| {
            no_kw("list", kw)?;
            expect("list", args, 0, 1)?;
            Ok(new_list(match args.first() {
                Some(&v) => collect(v)?,
                None => Vec::new(),
            }))
        })(),
        TypeId::Tuple => (|| {
            no_kw("tuple", kw)?;
            expect("tuple", args, 0, 1)?;
            if let Some(&v) = args.first() {
                if v.is_kind(ObjKind::Tuple) {
                    return Ok(v);
                }
            }
            Ok(new_tuple(match args.first() {
                Some(&v) => collect(v)?,
                None => Vec::new(),
            }))
        })(),
        TypeId::Dict => (|| {
            expect("dict", args, 0, 1)?;
            let d = new_dict();
            if let Some(&src) = args.first() {
                dict_update_from(d, src)?;
            }
            for &(k, v) in kw {
                let _ = dict_mut(d).insert(k, v);
            }
            Ok(d)
        })(),
        TypeId::Range => make_range(args, kw),
        TypeId::Type => (|| {
            if args.len() != 1 || !kw.is_empty() {
                return err(TypeId::TypeError, "type() takes 1 or 3 arguments".into());
            }
            Ok(type_of(args[0]))
        })(),
        TypeId::Slice => (|| {
            no_kw("slice", kw)?;
            expect("slice", args, 1, 3)?;
            Ok(match args.len() {
                1 => new_slice(NONE, args[0], NONE),
                2 => new_slice(args[0], args[1], NONE),
                _ => new_slice(args[0], args[1], args[2]),
            })
        })(),
        _ => err(
            TypeId::TypeError,
            format!("cannot create '{}' instances", type_obj_name(t)),
        ),
    })
}

fn make_int(args: &[Value], kw: KW) -> R<Value> {
    let [kbase] = kwargs_pick("int", kw, ["base"])?;
    if args.len() > 2 {
        return err(
            TypeId::TypeError,
            format!("int() takes at most 2 arguments ({} given)", args.len()),
        );
    }
    let base = match (args.get(1), kbase) {
        (Some(&b), _) | (None, Some(b)) => Some(b),
        _ => None,
    };
    let Some(&x) = args.first() else {
        return Ok(new_int(0));
    };
    if let Some(b) = base {
        let b = index_arg(b)?;
        if b != 0 && !(2..=36).contains(&b) {
            return err(TypeId::ValueError, "int() base must be >= 2 and <= 36, or 0".into());
        }
        let Some(s) = as_str(x) else {
            return err(
                TypeId::TypeError,
                "int() can't convert non-string with explicit base".into(),
            );
        };
        if let Some(n) = int_digits_over_limit(s, b as u32) {
            return Err(int_str_limit_error(Some(n)));
        }
        return match parse_int(s, b as u32) {
            Some(n) => Ok(new_bigint(n)),
            None => err(
                TypeId::ValueError,
                format!(
                    "invalid literal for int() with base {}: {}",
                    b,
                    crate::format::repr_str(s)
                ),
            ),
        };
    }
    if let Some(i) = int_val(x) {
        return Ok(match i {
            IntVal::Small(n) => new_int(n),
            IntVal::Big(_) => x,
        });
    }
    if x.is_float() {
        return float_to_int(x.as_float());
    }
    if let Some(s) = as_str(x) {
        if let Some(n) = int_digits_over_limit(s, 10) {
            return Err(int_str_limit_error(Some(n)));
        }
        return match parse_int(s, 10) {
            Some(n) => Ok(new_bigint(n)),
            None => err(
                TypeId::ValueError,
                format!("invalid literal for int() with base 10: {}", crate::format::repr_str(s)),
            ),
        };
    }
    err(
        TypeId::TypeError,
        format!(
            "int() argument must be a string, a bytes-like object or a real number, not '{}'",
            type_name(x)
        ),
    )
}

fn float_to_int(f: f64) -> R<Value> {
    if f.is_nan() {
        return err(TypeId::ValueError, "cannot convert float NaN to integer".into());
    }
    if f.is_infinite() {
        return err(TypeId::OverflowError, "cannot convert float infinity to integer".into());
    }
    let t = f.trunc();
    if t.abs() < 9.0e15 {
        return Ok(new_int(t as i64));
    }
    Ok(new_bigint(num_traits::FromPrimitive::from_f64(t).unwrap()))
}

/// Parse a Python float literal string (`float("1e5")`), `None` if malformed.
pub fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let (sign, body) = match lower.as_bytes().first() {
        Some(b'-') => (-1.0, &lower[1..]),
        Some(b'+') => (1.0, &lower[1..]),
        _ => (1.0, &lower[..]),
    };
    match body {
        "inf" | "infinity" => return Some(sign * f64::INFINITY),
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '+' | '-' | '_'))
    {
        return None;
    }
    let b = body.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'_' && (i == 0 || i + 1 == b.len() || !b[i - 1].is_ascii_digit() || !b[i + 1].is_ascii_digit()) {
            return None;
        }
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    if !clean.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    clean.parse::<f64>().ok().map(|f| sign * f)
}

fn make_float(args: &[Value], kw: KW) -> R<Value> {
    no_kw("float", kw)?;
    expect("float", args, 0, 1)?;
    let Some(&x) = args.first() else {
        return Ok(Value::float(0.0));
    };
    if x.is_float() {
        return Ok(x);
    }
    if let Some(i) = int_val(x) {
        return match i.to_f64() {
            Some(f) => Ok(Value::float(f)),
            None => err(TypeId::OverflowError, "int too large to convert to float".into()),
        };
    }
    if let Some(s) = as_str(x) {
        return match parse_float(s) {
            Some(f) => Ok(Value::float(f)),
            None => err(
                TypeId::ValueError,
                format!("could not convert string to float: {}", crate::format::repr_str(s)),
            ),
        };
    }
    err(
        TypeId::TypeError,
        format!(
            "float() argument must be a string or a real number, not '{}'",
            type_name(x)
        ),
    )
}

fn make_str(args: &[Value], kw: KW) -> R<Value> {
    if args.len() > 3 {
        return err(
            TypeId::TypeError,
            format!("str() takes at most 3 arguments ({} given)", args.len()),
        );
    }
    let [obj_kw] = kwargs_pick("str", kw, ["object"])?;
    let x = args.first().copied().or(obj_kw);
    Ok(match x {
        None => new_str(""),
        Some(v) if v.is_kind(ObjKind::Str) => v,
        Some(v) => new_string(str_string(v)),
    })
}

fn make_range(args: &[Value], kw: KW) -> R<Value> {
    no_kw("range", kw)?;
    if args.is_empty() {
        return err(TypeId::TypeError, "range expected at least 1 argument, got 0".into());
    }
    if args.len() > 3 {
        return err(
            TypeId::TypeError,
            format!("range expected at most 3 arguments, got {}", args.len()),
        );
    }
    let ints: Vec<i64> = args.iter().map(|&a| index_arg(a)).collect::<R<_>>()?;
    let (start, stop, step) = match ints.len() {
        1 => (0, ints[0], 1),
        2 => (ints[0], ints[1], 1),
        _ => (ints[0], ints[1], ints[2]),
    };
    if step == 0 {
        return err(TypeId::ValueError, "range() arg 3 must not be zero".into());
    }
    Ok(new_range(start, stop, step))
}

/// `dict.update(src)` and `d |= src`: the pairs of a dict, or of an iterable of pairs.
pub(crate) fn dict_update_from(d: Value, src: Value) -> R<()> {
    if src.is_kind(ObjKind::Dict) {
        let pairs: Vec<(Value, Value)> = dict_mut(src).iter().collect();
        for (k, v) in pairs {
            let _ = dict_mut(d).insert(k, v);
        }
        return Ok(());
    }
    // Pairs are inserted as they come, as CPython does (a bad element stops the iteration).
    let it = make_iter(src)?;
    let roots = Roots::new();
    roots.add(d);
    roots.add(it);
    let mut i = 0;
    while let Some(item) = next_item(it)? {
        let held = Roots::new();
        held.add(item);
        let pair = match seq_items(item) {
            Some(p) => p.to_vec(),
            None => {
                if item.is_kind(ObjKind::Str) || item.is_kind(ObjKind::Iterator) {
                    collect(item)?
                } else {
                    return err(
                        TypeId::TypeError,
                        format!("cannot convert dictionary update sequence element #{} to a sequence", i),
                    );
                }
            }
        };
        if pair.len() != 2 {
            return err(
                TypeId::ValueError,
                format!(
                    "dictionary update sequence element #{} has length {}; 2 is required",
                    i,
                    pair.len()
                ),
            );
        }
        if dict_mut(d).insert(pair[0], pair[1]).is_err() {
            return Err(raise_unhashable(unhashable_part(pair[0])));
        }
        i += 1;
    }
    Ok(())
}

// ---------------------------------------------------------------- functions

fn bi_print(_: Value, args: &[Value], kw: KW) -> Value {
    let r = (|| {
        let [sep, end, _file, _flush] = kwargs_pick("print", kw, ["sep", "end", "file", "flush"])?;
        let get = |v: Option<Value>, def: &'static str, what: &str| -> R<String> {
            match v {
                None => Ok(def.to_string()),
                Some(NONE) => Ok(def.to_string()),
                Some(s) if s.is_kind(ObjKind::Str) => Ok(str_ref(s).to_string()),
                Some(s) => err(
                    TypeId::TypeError,
                    format!("{} must be None or a string, not {}", what, type_name(s)),
                ),
            }
        };
        let sep = get(sep, " ", "sep")?;
        let end = get(end, "\n", "end")?;
        let mut s = String::new();
        for (i, &a) in args.iter().enumerate() {
            if i > 0 {
                s.push_str(&sep);
            }
            match as_str(a) {
                Some(t) => s.push_str(t),
                None => s.push_str(&str_string(a)),
            }
            if let Some(e) = crate::format::take_int_str_limit() {
                // CPython writes the arguments before the one that failed.
                write_stdout(s.as_bytes())?;
                return Err(e);
            }
        }
        s.push_str(&end);
        write_stdout(s.as_bytes())?;
        Ok(NONE)
    })();
    ret(r)
}

/// Write to the buffered standard output. A reader that closed the pipe makes it raise
/// `BrokenPipeError: [Errno 32] Broken pipe` when the buffer is written out, as CPython's
/// `print` does (other write errors are ignored, as before).
fn write_stdout(bytes: &[u8]) -> R<()> {
    match vm().out.write_all(bytes) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            let errno = Value::small_int(32).expect("a small int");
            let args = vec![errno, new_str("Broken pipe")];
            Err(crate::vm::raise(crate::exceptions::new_exception_args(
                TypeId::BrokenPipeError,
                args,
            )))
        }
        _ => Ok(()),
    }
}

/// `len(v)` as a Rust value.
pub fn py_len(v: Value) -> R<i64> {
    Ok(match v.kind() {
        Some(ObjKind::Str) => {
            let s = str_ref(v);
            if s.is_ascii() {
                s.len() as i64
            } else {
                s.chars().count() as i64
            }
        }
        Some(ObjKind::List) => list_mut(v).len() as i64,
        Some(ObjKind::Tuple) => tuple_items(v).len() as i64,
        Some(ObjKind::Dict) => dict_mut(v).len() as i64,
        Some(ObjKind::DictView) => dict_mut(obj::<DictViewObj>(v).dict).len() as i64,
        Some(ObjKind::Range) => crate::ops::range_len(obj::<RangeObj>(v)),
        _ => {
            return err(
                TypeId::TypeError,
                format!("object of type '{}' has no len()", type_name(v)),
            )
        }
    })
}

fn bi_len(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| Ok(new_int(py_len(exactly_one("len", args, kw)?)?)))())
}

fn bi_sum(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [kstart] = kwargs_pick("sum", kw, ["start"])?;
        if args.is_empty() {
            return err(
                TypeId::TypeError,
                "sum() takes at least 1 positional argument (0 given)".into(),
            );
        }
        if args.len() > 2 {
            return err(
                TypeId::TypeError,
                format!("sum() takes at most 2 arguments ({} given)", args.len()),
            );
        }
        let mut acc = args.get(1).copied().or(kstart).unwrap_or(Value::int_unchecked(0));
        if acc.is_kind(ObjKind::Str) {
            return err(
                TypeId::TypeError,
                "sum() can't sum strings [use ''.join(seq) instead]".into(),
            );
        }
        // Add as the items come, as CPython does: a failing addition stops the iteration.
        let it = make_iter(args[0])?;
        let roots = Roots::new();
        roots.add(it);
        let held = push_root(acc);
        while let Some(v) = next_item(it)? {
            acc = binop(0, acc, v, false)?;
            vm().roots[held] = acc;
        }
        Ok(acc)
    })())
}

fn min_max(args: &[Value], kw: KW, is_max: bool) -> R<Value> {
    let name = if is_max { "max" } else { "min" };
    let [key, default] = kwargs_pick(name, kw, ["key", "default"])?;
    if args.is_empty() {
        return err(
            TypeId::TypeError,
            format!("{} expected at least 1 argument, got 0", name),
        );
    }
    if args.len() > 1 && default.is_some() {
        return err(
            TypeId::TypeError,
            format!(
                "Cannot specify a default for {}() with multiple positional arguments",
                name
            ),
        );
    }
    // Items are taken, keyed and compared one at a time, as CPython does (a failing key or
    // comparison stops the iteration). The item, the best one and its key stay rooted across
    // the steps and key calls, which may collect.
    let roots = Roots::new();
    let it = match args {
        [one] => {
            let it = make_iter(*one)?;
            roots.add(it);
            Some(it)
        }
        _ => None,
    };
    let mut pos = 0;
    let mut next = || -> R<Option<Value>> {
        match it {
            Some(it) => next_item(it),
            None => {
                pos += 1;
                Ok(args.get(pos - 1).copied())
            }
        }
    };
    let key = key.filter(|k| *k != NONE);
    let keyof = |v: Value| -> R<Value> {
        match key {
            Some(k) => call1(k, v),
            None => Ok(v),
        }
    };
    let Some(mut best) = next()? else {
        return match default {
            Some(d) => Ok(d),
            None => err(TypeId::ValueError, format!("{}() arg is an empty sequence", name)),
        };
    };
    let best_slot = push_root(best);
    let mut best_key = keyof(best)?;
    let key_slot = push_root(best_key);
    let item_slot = push_root(best);
    while let Some(v) = next()? {
        vm().roots[item_slot] = v;
        let k = keyof(v)?;
        let better = if is_max {
            py_gt(k, best_key)?
        } else {
            py_lt(k, best_key)?
        };
        if better {
            best = v;
            best_key = k;
            vm().roots[best_slot] = v;
            vm().roots[key_slot] = k;
        }
    }
    Ok(best)
}

fn bi_min(_: Value, args: &[Value], kw: KW) -> Value {
    ret(min_max(args, kw, false))
}

fn bi_max(_: Value, args: &[Value], kw: KW) -> Value {
    ret(min_max(args, kw, true))
}

fn bi_abs(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("abs", args, kw)?;
        if x.is_float() {
            return Ok(Value::float(x.as_float().abs()));
        }
        match int_val(x) {
            Some(IntVal::Small(i)) => Ok(new_int(i.abs())),
            Some(IntVal::Big(b)) => Ok(new_bigint(b.abs())),
            None => err(
                TypeId::TypeError,
                format!("bad operand type for abs(): '{}'", type_name(x)),
            ),
        }
    })())
}

fn bi_repr(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| Ok(new_string(repr_string(exactly_one("repr", args, kw)?))))())
}

fn bi_ascii(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| Ok(new_string(ascii_string(exactly_one("ascii", args, kw)?))))())
}

/// Stable sort of `items` by `key` (a callable or None), optionally reversed.
pub fn sort_values(items: &mut Vec<Value>, key: Option<Value>, reverse: bool) -> R<()> {
    let roots = Roots::new();
    roots.add_all(items);
    let keys: Vec<Value> = match key.filter(|k| *k != NONE) {
        Some(k) => {
            roots.add(k);
            let mut ks = Vec::with_capacity(items.len());
            for &it in items.iter() {
                let r = call1(k, it)?;
                push_root(r);
                ks.push(r);
            }
            ks
        }
        None => items.clone(),
    };
    let mut idx: Vec<usize> = (0..items.len()).collect();
    let mut error: Option<Value> = None;
    let mut cmp = |a: &usize, b: &usize| -> Ordering {
        if error.is_some() {
            return Ordering::Equal;
        }
        let (x, y) = (keys[*a], keys[*b]);
        let (x, y) = if reverse { (y, x) } else { (x, y) };
        // Fast paths.
        if x.is_small_int() && y.is_small_int() {
            return x.as_small_int().cmp(&y.as_small_int());
        }
        if let (Some(s), Some(t)) = (as_str(x), as_str(y)) {
            return s.cmp(t);
        }
        match py_cmp(x, y, "<") {
            Ok(Some(o)) => o,
            Ok(None) => Ordering::Equal,
            Err(e) => {
                error = Some(e);
                Ordering::Equal
            }
        }
    };
    idx.sort_by(|a, b| cmp(a, b));
    if let Some(e) = error {
        return Err(e);
    }
    let sorted: Vec<Value> = idx.iter().map(|&i| items[i]).collect();
    *items = sorted;
    Ok(())
}

fn bi_sorted(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [key, reverse] = kwargs_pick("sort", kw, ["key", "reverse"])?;
        expect("sorted", args, 1, 1)?;
        let mut items = collect(args[0])?;
        sort_values(&mut items, key, reverse.map(truthy).unwrap_or(false))?;
        Ok(new_list(items))
    })())
}

fn bi_reversed(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("reversed", kw)?;
        expect("reversed", args, 1, 1)?;
        let x = args[0];
        let name = match x.kind() {
            Some(ObjKind::List) => IterName::ListReverse,
            Some(ObjKind::Dict) => IterName::DictReverseKeys,
            Some(ObjKind::DictView) => match obj::<DictViewObj>(x).which {
                ViewKind::Keys => IterName::DictReverseKeys,
                ViewKind::Values => IterName::DictReverseValues,
                ViewKind::Items => IterName::DictReverseItems,
            },
            _ => IterName::Reversed,
        };
        let mut items = match x.kind() {
            Some(
                ObjKind::List | ObjKind::Tuple | ObjKind::Str | ObjKind::Range | ObjKind::Dict | ObjKind::DictView,
            ) => collect(x)?,
            _ => {
                return err(
                    TypeId::TypeError,
                    format!("'{}' object is not reversible", type_name(x)),
                )
            }
        };
        items.reverse();
        Ok(new_items_iter(name, items))
    })())
}

fn bi_enumerate(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [kit, kstart] = kwargs_pick("enumerate", kw, ["iterable", "start"])?;
        if args.len() > 2 {
            return err(
                TypeId::TypeError,
                format!("enumerate() takes at most 2 arguments ({} given)", args.len()),
            );
        }
        let Some(it) = args.first().copied().or(kit) else {
            return err(
                TypeId::TypeError,
                "enumerate() missing required argument 'iterable'".into(),
            );
        };
        let start = match args.get(1).copied().or(kstart) {
            Some(s) => match int_val(s) {
                Some(i) => new_bigint(i.to_big()),
                None => {
                    return err(
                        TypeId::TypeError,
                        format!("'{}' object cannot be interpreted as an integer", type_name(s)),
                    )
                }
            },
            None => new_int(0),
        };
        let inner = make_iter(it)?;
        Ok(new_iter(
            IterMode::Enumerate,
            IterName::Enumerate,
            inner,
            0,
            0,
            0,
            vec![start],
        ))
    })())
}

fn bi_zip(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [strict] = kwargs_pick("zip", kw, ["strict"])?;
        let strict = strict.map(truthy).unwrap_or(false);
        let iters = inner_iters(args)?;
        Ok(new_iter(
            IterMode::Zip,
            IterName::Zip,
            UNBOUND,
            0,
            0,
            strict as i64,
            iters,
        ))
    })())
}

/// `iter()` of each of `args`, in order (the first that is not iterable raises).
fn inner_iters(args: &[Value]) -> R<Vec<Value>> {
    let roots = Roots::new();
    let mut iters = Vec::with_capacity(args.len());
    for &a in args {
        let it = make_iter(a)?;
        roots.add(it);
        iters.push(it);
    }
    Ok(iters)
}

fn bi_map(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("map", kw)?;
        if args.len() < 2 {
            return err(TypeId::TypeError, "map() must have at least two arguments.".into());
        }
        let iters = inner_iters(&args[1..])?;
        Ok(new_iter(IterMode::Map, IterName::Map, args[0], 0, 0, 0, iters))
    })())
}

fn bi_filter(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("filter", kw)?;
        expect("filter", args, 2, 2)?;
        let inner = make_iter(args[1])?;
        Ok(new_iter(
            IterMode::Filter,
            IterName::Filter,
            args[0],
            0,
            0,
            0,
            vec![inner],
        ))
    })())
}

fn isinstance_check(x: Value, t: Value, fname: &str) -> R<bool> {
    if t.is_kind(ObjKind::Type) {
        if fname == "issubclass" {
            return Ok(is_subtype(x, t));
        }
        return Ok(is_subtype(type_of(x), t));
    }
    if t.is_kind(ObjKind::Tuple) {
        for &u in tuple_items(t) {
            if isinstance_check(x, u, fname)? {
                return Ok(true);
            }
        }
        return Ok(false);
    }
    if fname == "issubclass" {
        return err(
            TypeId::TypeError,
            "issubclass() arg 2 must be a class, a tuple of classes, or a union".into(),
        );
    }
    err(
        TypeId::TypeError,
        "isinstance() arg 2 must be a type, a tuple of types, or a union".into(),
    )
}

fn bi_isinstance(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("isinstance", kw)?;
        expect("isinstance", args, 2, 2)?;
        Ok(Value::bool(isinstance_check(args[0], args[1], "isinstance")?))
    })())
}

fn bi_issubclass(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("issubclass", kw)?;
        expect("issubclass", args, 2, 2)?;
        if !args[0].is_kind(ObjKind::Type) {
            return err(TypeId::TypeError, "issubclass() arg 1 must be a class".into());
        }
        Ok(Value::bool(isinstance_check(args[0], args[1], "issubclass")?))
    })())
}

/// Round half to even for a float to an integer value.
fn round_half_even(f: f64) -> f64 {
    let r = f.round();
    if (f - f.trunc()).abs() == 0.5 {
        2.0 * (f / 2.0).round()
    } else {
        r
    }
}

fn bi_round(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [knum, knd] = kwargs_pick("round", kw, ["number", "ndigits"])?;
        let x = match args.first().copied().or(knum) {
            Some(x) => x,
            None => {
                return err(
                    TypeId::TypeError,
                    "round() missing required argument 'number' (pos 1)".into(),
                )
            }
        };
        if args.len() > 2 {
            return err(
                TypeId::TypeError,
                format!("round() takes at most 2 arguments ({} given)", args.len()),
            );
        }
        let nd = args.get(1).copied().or(knd).filter(|v| *v != NONE);
        if x.is_float() {
            let f = x.as_float();
            return match nd {
                None => float_to_int(round_half_even(f)),
                Some(n) => Ok(Value::float(round_float(f, index_arg(n)?))),
            };
        }
        if let Some(i) = int_val(x) {
            let n = match nd {
                None => return Ok(new_bigint(i.to_big())),
                Some(n) => index_arg(n)?,
            };
            if n >= 0 {
                return Ok(new_bigint(i.to_big()));
            }
            let v = i.to_big();
            let p = num_traits::pow::Pow::pow(BigInt::from(10), (-n) as u32);
            let (q, r) = v.div_mod_floor(&p);
            let twice: BigInt = &r * BigInt::from(2);
            let q = match twice.cmp(&p) {
                Ordering::Greater => q + 1,
                Ordering::Equal if q.is_odd() => q + 1,
                _ => q,
            };
            return Ok(new_bigint(q * p));
        }
        err(
            TypeId::TypeError,
            format!("type {} doesn't define __round__ method", type_name(x)),
        )
    })())
}

fn bi_iter(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("iter", kw)?;
        expect("iter", args, 1, 1)?;
        make_iter(args[0])
    })())
}

fn bi_next(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("next", kw)?;
        expect("next", args, 1, 2)?;
        let it = args[0];
        if !it.is_kind(ObjKind::Iterator) {
            return err(
                TypeId::TypeError,
                format!("'{}' object is not an iterator", type_name(it)),
            );
        }
        crate::iter::clear_ended_by();
        match next_item(it)? {
            Some(v) => Ok(v),
            None => match (args.get(1), crate::iter::take_ended_by()) {
                (Some(&d), _) => Ok(d),
                // A callback's own `StopIteration` goes on as it was raised.
                (None, UNBOUND) => Err(crate::vm::raise(new_exception_args(TypeId::StopIteration, vec![]))),
                (None, stop) => Err(crate::vm::raise(stop)),
            },
        }
    })())
}

fn bi_hash(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("hash", args, kw)?;
        match py_hash_i64(x) {
            Some(h) => Ok(new_int(h)),
            None => Err(raise_unhashable(unhashable_part(x))),
        }
    })())
}

fn bi_divmod(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("divmod", kw)?;
        expect("divmod", args, 2, 2)?;
        let (a, b) = (args[0], args[1]);
        if (a.is_float() || b.is_float()) && (a.is_float() || is_int(a)) && (b.is_float() || is_int(b)) {
            let x = if a.is_float() {
                a.as_float()
            } else {
                int_val(a).unwrap().to_f64().unwrap_or(f64::INFINITY)
            };
            let y = if b.is_float() {
                b.as_float()
            } else {
                int_val(b).unwrap().to_f64().unwrap_or(f64::INFINITY)
            };
            if y == 0.0 {
                return err(TypeId::ZeroDivisionError, "float divmod()".into());
            }
            let (q, m) = crate::ops::float_divmod(x, y);
            return Ok(new_tuple(vec![Value::float(q), Value::float(m)]));
        }
        if is_int(a) && is_int(b) {
            let q = binop(4, a, b, false)?;
            let m = binop(5, a, b, false)?;
            return Ok(new_tuple(vec![q, m]));
        }
        err(
            TypeId::TypeError,
            format!(
                "unsupported operand type(s) for divmod(): '{}' and '{}'",
                type_name(a),
                type_name(b)
            ),
        )
    })())
}

fn bi_pow(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [kb, ke, km] = kwargs_pick("pow", kw, ["base", "exp", "mod"])?;
        let base = args.first().copied().or(kb);
        let exp = args.get(1).copied().or(ke);
        let m = args.get(2).copied().or(km).filter(|v| *v != NONE);
        let Some(base) = base else {
            return err(
                TypeId::TypeError,
                "pow() missing required argument 'base' (pos 1)".into(),
            );
        };
        let Some(exp) = exp else {
            return err(
                TypeId::TypeError,
                "pow() missing required argument 'exp' (pos 2)".into(),
            );
        };
        let Some(m) = m else {
            return binop(6, base, exp, false);
        };
        let (Some(b), Some(e), Some(md)) = (int_val(base), int_val(exp), int_val(m)) else {
            return err(
                TypeId::TypeError,
                "pow() 3rd argument not allowed unless all arguments are integers".into(),
            );
        };
        let (b, e, md) = (b.to_big(), e.to_big(), md.to_big());
        if md.is_zero() {
            return err(TypeId::ValueError, "pow() 3rd argument cannot be 0".into());
        }
        let mabs = md.abs();
        let mut b = b.mod_floor(&mabs);
        let mut e = e;
        if e.is_negative() {
            // modular inverse
            let g = b.extended_gcd(&mabs);
            if !g.gcd.is_one() {
                return err(
                    TypeId::ValueError,
                    "base is not invertible for the given modulus".into(),
                );
            }
            b = g.x.mod_floor(&mabs);
            e = -e;
        }
        let mut r = b.modpow(&e, &mabs);
        if md.is_negative() && !r.is_zero() {
            r += &md;
        }
        Ok(new_bigint(r))
    })())
}

fn bi_any(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("any", args, kw)?;
        let it = make_iter(x)?;
        while let Some(v) = next_item(it)? {
            if truthy(v) {
                return Ok(TRUE);
            }
        }
        Ok(FALSE)
    })())
}

fn bi_all(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("all", args, kw)?;
        let it = make_iter(x)?;
        while let Some(v) = next_item(it)? {
            if !truthy(v) {
                return Ok(FALSE);
            }
        }
        Ok(TRUE)
    })())
}

fn bi_id(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("id", args, kw)?;
        Ok(new_int((x.0 & 0x3FFF_FFFF_FFFF) as i64))
    })())
}

fn bi_callable(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("callable", args, kw)?;
        Ok(Value::bool(matches!(
            x.kind(),
            Some(ObjKind::Function | ObjKind::Builtin | ObjKind::Type)
        )))
    })())
}

fn bi_chr(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("chr", args, kw)?;
        let n = index_arg(x)?;
        match u32::try_from(n).ok().and_then(char::from_u32) {
            Some(c) => Ok(new_string(c.to_string())),
            None => err(TypeId::ValueError, "chr() arg not in range(0x110000)".into()),
        }
    })())
}

fn bi_ord(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("ord", args, kw)?;
        let Some(s) = as_str(x) else {
            return err(
                TypeId::TypeError,
                format!("ord() expected string of length 1, but {} found", type_name(x)),
            );
        };
        let mut cs = s.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) => Ok(new_int(c as i64)),
            _ => err(
                TypeId::TypeError,
                format!(
                    "ord() expected a character, but string of length {} found",
                    s.chars().count()
                ),
            ),
        }
    })())
}

fn radix_fn(name: &str, args: &[Value], kw: KW, radix: u32, prefix: &str) -> R<Value> {
    let x = exactly_one(name, args, kw)?;
    let Some(i) = int_val(x) else {
        return err(
            TypeId::TypeError,
            format!("'{}' object cannot be interpreted as an integer", type_name(x)),
        );
    };
    let b = i.to_big();
    let sign = if b.is_negative() { "-" } else { "" };
    Ok(new_string(format!("{}{}{}", sign, prefix, b.abs().to_str_radix(radix))))
}

fn bi_bin(_: Value, args: &[Value], kw: KW) -> Value {
    ret(radix_fn("bin", args, kw, 2, "0b"))
}

fn bi_hex(_: Value, args: &[Value], kw: KW) -> Value {
    ret(radix_fn("hex", args, kw, 16, "0x"))
}

fn bi_oct(_: Value, args: &[Value], kw: KW) -> Value {
    ret(radix_fn("oct", args, kw, 8, "0o"))
}

fn bi_format(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("format", kw)?;
        expect("format", args, 1, 2)?;
        let spec = match args.get(1) {
            Some(&s) => match as_str(s) {
                Some(t) => t,
                None => {
                    return err(
                        TypeId::TypeError,
                        format!("format() argument 2 must be str, not {}", type_name(s)),
                    )
                }
            },
            None => "",
        };
        Ok(new_string(format_value(args[0], spec)?))
    })())
}

fn attr_name(v: Value) -> R<&'static str> {
    as_str(v).ok_or_else(|| {
        raise_new(
            TypeId::TypeError,
            format!("attribute name must be string, not '{}'", type_name(v)),
        )
    })
}

fn bi_getattr(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("getattr", kw)?;
        expect("getattr", args, 2, 3)?;
        let name = attr_name(args[1])?;
        match crate::ops::getattr(args[0], name) {
            Ok(v) => Ok(v),
            Err(e) => {
                if args.len() == 3 && crate::exceptions::pending_is(TypeId::AttributeError) {
                    crate::vm::take_exception();
                    Ok(args[2])
                } else {
                    Err(e)
                }
            }
        }
    })())
}

fn bi_hasattr(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("hasattr", kw)?;
        expect("hasattr", args, 2, 2)?;
        let name = attr_name(args[1])?;
        match crate::ops::getattr(args[0], name) {
            Ok(_) => Ok(TRUE),
            Err(e) => {
                if crate::exceptions::pending_is(TypeId::AttributeError) {
                    crate::vm::take_exception();
                    Ok(FALSE)
                } else {
                    Err(e)
                }
            }
        }
    })())
}

fn bi_setattr(_: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("setattr", kw)?;
        expect("setattr", args, 3, 3)?;
        attr_name(args[1])?;
        match crate::ops::rt_setattr(args[0], args[1], args[2]) {
            EXC => Err(EXC),
            _ => Ok(NONE),
        }
    })())
}

// ---------------------------------------------------------------- methods

/// The built-in method `name` of `o`'s type: `(implementation, name)`.
pub fn find_method(o: Value, name: &str) -> Option<(BuiltinFn, &'static str)> {
    let table: &[Entry] = match o.kind() {
        Some(ObjKind::List) => LIST_METHODS,
        Some(ObjKind::DictView) => {
            if obj::<DictViewObj>(o).which == ViewKind::Values {
                return None;
            }
            VIEW_METHODS
        }
        Some(ObjKind::Str) => STR_METHODS,
        Some(ObjKind::Dict) => DICT_METHODS,
        Some(ObjKind::Tuple) => TUPLE_METHODS,
        Some(ObjKind::Iterator) if obj::<IterObj>(o).mode == IterMode::Generator => GENERATOR_METHODS,
        Some(ObjKind::Type) => {
            if name == "fromkeys" && obj::<TypeObj>(o).id == TypeId::Dict {
                return Some((dict_fromkeys, "fromkeys"));
            }
            return None;
        }
        _ => {
            if o.is_float() {
                FLOAT_METHODS
            } else if is_int(o) {
                INT_METHODS
            } else {
                return None;
            }
        }
    };
    table.iter().find(|(n, _)| *n == name).map(|&(n, f)| (f, n))
}

/// Methods of a type looked up on the type object (`str.lower`), as an unbound method
/// callable with the receiver first. Represented as a BuiltinObj bound to the tuple
/// `(type, name)`.
pub fn unbound_method(t: Value, name: &str) -> Option<Value> {
    let id = obj::<TypeObj>(t).id;
    let table: &[Entry] = match id {
        TypeId::List => LIST_METHODS,
        TypeId::Str => STR_METHODS,
        TypeId::Dict => DICT_METHODS,
        TypeId::Tuple => TUPLE_METHODS,
        TypeId::Int | TypeId::Bool => INT_METHODS,
        TypeId::Float => FLOAT_METHODS,
        _ => return None,
    };
    let &(n, _) = table.iter().find(|(n, _)| *n == name)?;
    Some(new_builtin(call_unbound, n, new_tuple(vec![t, new_str(n)])))
}

/// Implementation of unbound methods made by [`unbound_method`].
pub fn call_unbound(this: Value, args: &[Value], kw: KW) -> Value {
    let items = tuple_items(this);
    let (t, name) = (items[0], str_ref(items[1]));
    let tname = type_obj_name(t);
    let Some(&recv) = args.first() else {
        return raise_new(
            TypeId::TypeError,
            format!("unbound method {}.{}() needs an argument", tname, name),
        );
    };
    if !is_subtype(type_of(recv), t) {
        return raise_new(
            TypeId::TypeError,
            format!(
                "descriptor '{}' for '{}' objects doesn't apply to a '{}' object",
                name,
                tname,
                type_name(recv)
            ),
        );
    }
    match find_method(recv, name) {
        Some((f, _)) => f(recv, &args[1..], kw),
        None => raise_new(
            TypeId::AttributeError,
            format!("'{}' object has no attribute '{}'", tname, name),
        ),
    }
}

const LIST_METHODS: &[Entry] = &[
    ("append", list_append),
    ("pop", list_pop),
    ("extend", list_extend),
    ("insert", list_insert),
    ("index", list_index),
    ("reverse", list_reverse),
    ("sort", list_sort),
    ("count", list_count),
    ("remove", list_remove),
    ("copy", list_copy),
    ("clear", list_clear),
];

const GENERATOR_METHODS: &[Entry] = &[
    ("send", generator_send),
    ("throw", generator_throw),
    ("close", generator_close),
];

fn bi_generator(_: Value, args: &[Value], _: KW) -> Value {
    ret(crate::iter::new_generator(args))
}

fn generator_send(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let v = exactly_one("send", args, kw)?;
        crate::iter::generator_send(this, v)
    })())
}

fn generator_throw(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("throw", kw)?;
        expect("throw", args, 1, 3)?;
        let (t, v) = (args[0], args.get(1).copied().unwrap_or(NONE));
        let exc = if t.is_kind(ObjKind::Exception) {
            if v != NONE {
                return err(
                    TypeId::TypeError,
                    "instance exception may not have a separate value".into(),
                );
            }
            t
        } else if is_exception_type(t) {
            if v.is_kind(ObjKind::Exception) && is_subtype(type_of(v), t) {
                v
            } else {
                let args = match v {
                    NONE => Vec::new(),
                    _ if v.is_kind(ObjKind::Tuple) => tuple_items(v).to_vec(),
                    _ => vec![v],
                };
                new_exception_obj(t, args)
            }
        } else {
            return err(
                TypeId::TypeError,
                format!(
                    "exceptions must be classes or instances deriving from BaseException, not {}",
                    type_name(t)
                ),
            );
        };
        crate::iter::generator_throw(this, exc)
    })())
}

fn generator_close(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("close", kw)?;
        expect("close", args, 0, 0)?;
        crate::iter::generator_close(this)
    })())
}

const TUPLE_METHODS: &[Entry] = &[("count", list_count), ("index", list_index)];

const DICT_METHODS: &[Entry] = &[
    ("get", dict_get),
    ("keys", dict_keys),
    ("values", dict_values),
    ("items", dict_items),
    ("pop", dict_pop),
    ("popitem", dict_popitem),
    ("setdefault", dict_setdefault),
    ("update", dict_update),
    ("copy", dict_copy),
    ("clear", dict_clear),
    ("fromkeys", dict_fromkeys),
];

const VIEW_METHODS: &[Entry] = &[("isdisjoint", view_isdisjoint)];

const INT_METHODS: &[Entry] = &[("bit_length", int_bit_length), ("conjugate", int_conjugate)];

const FLOAT_METHODS: &[Entry] = &[("is_integer", float_is_integer), ("conjugate", float_conjugate)];

const STR_METHODS: &[Entry] = &[
    ("join", str_join),
    ("split", str_split),
    ("rsplit", str_rsplit),
    ("splitlines", str_splitlines),
    ("upper", str_upper),
    ("lower", str_lower),
    ("casefold", str_lower),
    ("strip", str_strip),
    ("lstrip", str_lstrip),
    ("rstrip", str_rstrip),
    ("replace", str_replace),
    ("startswith", str_startswith),
    ("endswith", str_endswith),
    ("format", str_format_m),
    ("find", str_find),
    ("rfind", str_rfind),
    ("index", str_index),
    ("rindex", str_rindex),
    ("count", str_count),
    ("isdigit", str_isdigit),
    ("isdecimal", str_isdigit),
    ("isnumeric", str_isdigit),
    ("isalpha", str_isalpha),
    ("isalnum", str_isalnum),
    ("isspace", str_isspace),
    ("isupper", str_isupper),
    ("islower", str_islower),
    ("title", str_title),
    ("capitalize", str_capitalize),
    ("swapcase", str_swapcase),
    ("center", str_center),
    ("ljust", str_ljust),
    ("rjust", str_rjust),
    ("zfill", str_zfill),
    ("partition", str_partition),
    ("rpartition", str_rpartition),
    ("removeprefix", str_removeprefix),
    ("removesuffix", str_removesuffix),
];

// ---- list

fn list_append(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("list.append", args, kw)?;
        list_mut(this).push(x);
        Ok(NONE)
    })())
}

fn list_pop(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("list.pop", kw)?;
        expect("pop", args, 0, 1)?;
        let items = list_mut(this);
        if items.is_empty() {
            return err(TypeId::IndexError, "pop from empty list".into());
        }
        let i = match args.first() {
            Some(&a) => index_arg(a)?,
            None => -1,
        };
        let j = if i < 0 { i + items.len() as i64 } else { i };
        if j < 0 || j >= items.len() as i64 {
            return err(TypeId::IndexError, "pop index out of range".into());
        }
        Ok(items.remove(j as usize))
    })())
}

fn list_extend(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("list.extend", args, kw)?;
        extend_list(this, x)?;
        Ok(NONE)
    })())
}

fn list_insert(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("list.insert", kw)?;
        expect("insert", args, 2, 2)?;
        let items = list_mut(this);
        let n = items.len() as i64;
        let i = index_arg(args[0])?;
        let j = if i < 0 { (i + n).max(0) } else { i.min(n) };
        items.insert(j as usize, args[1]);
        Ok(NONE)
    })())
}

fn clamp_range(args: &[Value], len: usize) -> R<(usize, usize)> {
    let adj = |v: Option<&Value>, def: i64| -> R<i64> {
        match v {
            None => Ok(def),
            Some(&NONE) => Ok(def),
            Some(&x) => {
                let i = index_arg(x)?;
                let l = len as i64;
                Ok(if i < 0 { (i + l).max(0) } else { i.min(l) })
            }
        }
    };
    let s = adj(args.first(), 0)?;
    let e = adj(args.get(1), len as i64)?;
    Ok((s as usize, e.max(s) as usize))
}

fn list_index(this: Value, args: &[Value], kw: KW) -> Value {
    let is_tuple = this.is_kind(ObjKind::Tuple);
    ret((|| {
        no_kw(if is_tuple { "tuple.index" } else { "list.index" }, kw)?;
        expect("index", args, 1, 3)?;
        let items = seq_items(this).unwrap();
        let (s, e) = clamp_range(&args[1..], items.len())?;
        for (i, &v) in items[s..e].iter().enumerate() {
            if v == args[0] || py_eq(v, args[0]) {
                return Ok(new_int((s + i) as i64));
            }
        }
        if is_tuple {
            err(TypeId::ValueError, "tuple.index(x): x not in tuple".into())
        } else {
            err(TypeId::ValueError, format!("{} is not in list", repr_string(args[0])))
        }
    })())
}

fn list_count(this: Value, args: &[Value], kw: KW) -> Value {
    let q = if this.is_kind(ObjKind::Tuple) {
        "tuple.count"
    } else {
        "list.count"
    };
    ret((|| {
        let x = exactly_one(q, args, kw)?;
        let n = seq_items(this)
            .unwrap()
            .iter()
            .filter(|&&v| v == x || py_eq(v, x))
            .count();
        Ok(new_int(n as i64))
    })())
}

fn list_reverse(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("list.reverse", args, kw)?;
        list_mut(this).reverse();
        Ok(NONE)
    })())
}

fn list_sort(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        if !args.is_empty() {
            return err(TypeId::TypeError, "sort() takes no positional arguments".into());
        }
        let [key, reverse] = kwargs_pick("sort", kw, ["key", "reverse"])?;
        let mut items = std::mem::take(list_mut(this));
        let r = sort_values(&mut items, key, reverse.map(truthy).unwrap_or(false));
        let l = list_mut(this);
        let modified = !l.is_empty();
        *l = items;
        r?;
        if modified {
            return err(TypeId::ValueError, "list modified during sort".into());
        }
        Ok(NONE)
    })())
}

fn list_remove(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("list.remove", args, kw)?;
        let items = list_mut(this);
        match items.iter().position(|&v| v == x || py_eq(v, x)) {
            Some(i) => {
                items.remove(i);
                Ok(NONE)
            }
            None => err(TypeId::ValueError, "list.remove(x): x not in list".into()),
        }
    })())
}

fn list_copy(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("list.copy", args, kw)?;
        Ok(new_list(list_mut(this).clone()))
    })())
}

fn list_clear(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("list.clear", args, kw)?;
        list_mut(this).clear();
        Ok(NONE)
    })())
}

// ---- dict

fn dict_lookup(d: Value, k: Value) -> R<Option<Value>> {
    dict_mut(d).get(k).map_err(|_| raise_unhashable(unhashable_part(k)))
}

fn dict_get(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("dict.get", kw)?;
        expect("get", args, 1, 2)?;
        Ok(dict_lookup(this, args[0])?.unwrap_or(args.get(1).copied().unwrap_or(NONE)))
    })())
}

fn dict_keys(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.keys", args, kw)?;
        Ok(new_dict_view(this, ViewKind::Keys))
    })())
}

fn dict_values(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.values", args, kw)?;
        Ok(new_dict_view(this, ViewKind::Values))
    })())
}

fn dict_items(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.items", args, kw)?;
        Ok(new_dict_view(this, ViewKind::Items))
    })())
}

fn dict_pop(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("dict.pop", kw)?;
        expect("pop", args, 1, 2)?;
        match dict_mut(this).remove(args[0]) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => match args.get(1) {
                Some(&d) => Ok(d),
                None => Err(crate::ops::raise_key_error(args[0])),
            },
            Err(_) => Err(raise_unhashable(unhashable_part(args[0]))),
        }
    })())
}

fn dict_popitem(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.popitem", args, kw)?;
        let d = dict_mut(this);
        let last = d.iter().last();
        match last {
            Some((k, v)) => {
                let _ = d.remove(k);
                Ok(new_tuple(vec![k, v]))
            }
            None => Err(crate::vm::raise(new_exception_args(
                TypeId::KeyError,
                vec![new_str("popitem(): dictionary is empty")],
            ))),
        }
    })())
}

fn dict_setdefault(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("dict.setdefault", kw)?;
        expect("setdefault", args, 1, 2)?;
        if let Some(v) = dict_lookup(this, args[0])? {
            return Ok(v);
        }
        let d = args.get(1).copied().unwrap_or(NONE);
        let _ = dict_mut(this).insert(args[0], d);
        Ok(d)
    })())
}

fn dict_update(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        expect("update", args, 0, 1)?;
        if let Some(&src) = args.first() {
            dict_update_from(this, src)?;
        }
        for &(k, v) in kw {
            let _ = dict_mut(this).insert(k, v);
        }
        Ok(NONE)
    })())
}

fn dict_copy(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.copy", args, kw)?;
        let d = new_dict();
        dict_update_from(d, this)?;
        Ok(d)
    })())
}

fn dict_clear(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("dict.clear", args, kw)?;
        dict_mut(this).clear();
        Ok(NONE)
    })())
}

fn dict_fromkeys(_this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("dict.fromkeys", kw)?;
        expect("fromkeys", args, 1, 2)?;
        let v = args.get(1).copied().unwrap_or(NONE);
        let d = new_dict();
        for k in collect(args[0])? {
            if dict_mut(d).insert(k, v).is_err() {
                return Err(raise_unhashable(unhashable_part(k)));
            }
        }
        Ok(d)
    })())
}

// ---- dict views

fn view_isdisjoint(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let other = exactly_one(&format!("{}.isdisjoint", type_name(this)), args, kw)?;
        let it = make_iter(other)?;
        while let Some(x) = next_item(it)? {
            if crate::ops::view_contains(this, x)? {
                return Ok(FALSE);
            }
        }
        Ok(TRUE)
    })())
}

// ---- int / float

fn int_bit_length(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("int.bit_length", args, kw)?;
        Ok(new_int(int_val(this).unwrap().to_big().bits() as i64))
    })())
}

fn int_conjugate(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("int.conjugate", args, kw)?;
        Ok(new_bigint(int_val(this).unwrap().to_big()))
    })())
}

fn float_is_integer(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("float.is_integer", args, kw)?;
        let f = this.as_float();
        Ok(Value::bool(f.is_finite() && f == f.trunc()))
    })())
}

fn float_conjugate(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("float.conjugate", args, kw)?;
        Ok(this)
    })())
}

// ---- str

fn s(this: Value) -> &'static str {
    str_ref(this)
}

fn str_arg(v: Value, what: &str) -> R<&'static str> {
    as_str(v).ok_or_else(|| raise_new(TypeId::TypeError, format!("{} must be str, not {}", what, type_name(v))))
}

fn str_join(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let x = exactly_one("str.join", args, kw)?;
        let items = collect(x)?;
        let sep = s(this);
        let mut out = String::new();
        for (i, &it) in items.iter().enumerate() {
            let Some(t) = as_str(it) else {
                return err(
                    TypeId::TypeError,
                    format!("sequence item {}: expected str instance, {} found", i, type_name(it)),
                );
            };
            if i > 0 {
                out.push_str(sep);
            }
            out.push_str(t);
        }
        Ok(new_string(out))
    })())
}

fn split_args(fname: &str, args: &[Value], kw: KW) -> R<(Option<&'static str>, i64)> {
    let [ksep, kmax] = kwargs_pick(fname, kw, ["sep", "maxsplit"])?;
    if args.len() > 2 {
        return err(
            TypeId::TypeError,
            format!("{} expected at most 2 arguments, got {}", fname, args.len()),
        );
    }
    let sep = args.first().copied().or(ksep).filter(|v| *v != NONE);
    let sep = match sep {
        Some(v) => Some(str_arg(v, "must be str or None, not").map_err(|_| {
            crate::vm::take_exception();
            raise_new(TypeId::TypeError, format!("must be str or None, not {}", type_name(v)))
        })?),
        None => None,
    };
    if sep == Some("") {
        return err(TypeId::ValueError, "empty separator".into());
    }
    let max = match args.get(1).copied().or(kmax) {
        Some(m) => index_arg(m)?,
        None => -1,
    };
    Ok((sep, max))
}

fn str_split(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let (sep, max) = split_args("split", args, kw)?;
        let st = s(this);
        let parts: Vec<Value> = match sep {
            Some(sp) => {
                if max < 0 {
                    st.split(sp).map(new_str).collect()
                } else {
                    st.splitn(max as usize + 1, sp).map(new_str).collect()
                }
            }
            None => {
                let mut out = Vec::new();
                let mut rest = st.trim_start();
                while !rest.is_empty() {
                    if max >= 0 && out.len() as i64 == max {
                        out.push(new_str(rest));
                        break;
                    }
                    let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
                    out.push(new_str(&rest[..end]));
                    rest = rest[end..].trim_start();
                }
                out
            }
        };
        Ok(new_list(parts))
    })())
}

fn str_rsplit(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let (sep, max) = split_args("rsplit", args, kw)?;
        let st = s(this);
        let mut parts: Vec<Value> = match sep {
            Some(sp) => {
                if max < 0 {
                    st.rsplit(sp).map(new_str).collect()
                } else {
                    st.rsplitn(max as usize + 1, sp).map(new_str).collect()
                }
            }
            None => {
                let mut out = Vec::new();
                let mut rest = st.trim_end();
                while !rest.is_empty() {
                    if max >= 0 && out.len() as i64 == max {
                        out.push(new_str(rest));
                        break;
                    }
                    let start = rest
                        .rfind(char::is_whitespace)
                        .map(|i| i + rest[i..].chars().next().unwrap().len_utf8())
                        .unwrap_or(0);
                    out.push(new_str(&rest[start..]));
                    rest = rest[..start].trim_end();
                }
                out
            }
        };
        parts.reverse();
        Ok(new_list(parts))
    })())
}

fn str_splitlines(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let [kkeep] = kwargs_pick("splitlines", kw, ["keepends"])?;
        expect("splitlines", args, 0, 1)?;
        let keep = args.first().copied().or(kkeep).map(truthy).unwrap_or(false);
        let st = s(this);
        let mut out = Vec::new();
        let mut start = 0;
        let b: Vec<(usize, char)> = st.char_indices().collect();
        let mut i = 0;
        while i < b.len() {
            let (pos, c) = b[i];
            let is_break = matches!(
                c,
                '\n' | '\r' | '\x0b' | '\x0c' | '\x1c' | '\x1d' | '\x1e' | '\u{85}' | '\u{2028}' | '\u{2029}'
            );
            if is_break {
                let mut end = pos + c.len_utf8();
                if c == '\r' && i + 1 < b.len() && b[i + 1].1 == '\n' {
                    end += 1;
                    i += 1;
                }
                out.push(new_str(if keep { &st[start..end] } else { &st[start..pos] }));
                start = end;
            }
            i += 1;
        }
        if start < st.len() {
            out.push(new_str(&st[start..]));
        }
        Ok(new_list(out))
    })())
}

fn str_upper(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("str.upper", args, kw)?;
        Ok(new_string(s(this).to_uppercase()))
    })())
}

fn str_lower(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("str.lower", args, kw)?;
        Ok(new_string(s(this).to_lowercase()))
    })())
}

fn strip_impl(this: Value, args: &[Value], kw: KW, name: &str, left: bool, right: bool) -> R<Value> {
    no_kw(&format!("str.{}", name), kw)?;
    expect(name, args, 0, 1)?;
    let st = s(this);
    let chars = match args.first() {
        None | Some(&NONE) => None,
        Some(&v) => {
            Some(as_str(v).ok_or_else(|| raise_new(TypeId::TypeError, format!("{} arg must be None or str", name)))?)
        }
    };
    let pred = |c: char| match chars {
        None => c.is_whitespace(),
        Some(cs) => cs.contains(c),
    };
    let mut r = st;
    if left {
        r = r.trim_start_matches(pred);
    }
    if right {
        r = r.trim_end_matches(pred);
    }
    Ok(new_str(r))
}

fn str_strip(this: Value, args: &[Value], kw: KW) -> Value {
    ret(strip_impl(this, args, kw, "strip", true, true))
}

fn str_lstrip(this: Value, args: &[Value], kw: KW) -> Value {
    ret(strip_impl(this, args, kw, "lstrip", true, false))
}

fn str_rstrip(this: Value, args: &[Value], kw: KW) -> Value {
    ret(strip_impl(this, args, kw, "rstrip", false, true))
}

fn str_replace(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("str.replace", kw)?;
        expect("replace", args, 2, 3)?;
        let old = as_str(args[0]).ok_or_else(|| {
            raise_new(
                TypeId::TypeError,
                format!("replace() argument 1 must be str, not {}", type_name(args[0])),
            )
        })?;
        let new = as_str(args[1]).ok_or_else(|| {
            raise_new(
                TypeId::TypeError,
                format!("replace() argument 2 must be str, not {}", type_name(args[1])),
            )
        })?;
        let count = match args.get(2) {
            Some(&c) => index_arg(c)?,
            None => -1,
        };
        let st = s(this);
        Ok(new_string(if count < 0 {
            st.replace(old, new)
        } else {
            st.replacen(old, new, count as usize)
        }))
    })())
}

/// Byte range of the char range `[start, end)` given as Python indices (clamped).
fn char_window(st: &str, args: &[Value]) -> R<(usize, usize, usize)> {
    let n = if st.is_ascii() { st.len() } else { st.chars().count() };
    let (cs, ce) = clamp_range(args, n)?;
    let to_byte = |c: usize| -> usize {
        if st.is_ascii() {
            c
        } else {
            st.char_indices().nth(c).map(|(b, _)| b).unwrap_or(st.len())
        }
    };
    Ok((to_byte(cs), to_byte(ce), cs))
}

fn byte_to_char(st: &str, b: usize) -> usize {
    if st.is_ascii() {
        b
    } else {
        st[..b].chars().count()
    }
}

fn affix_impl(this: Value, args: &[Value], kw: KW, name: &str, ends: bool) -> R<Value> {
    no_kw(&format!("str.{}", name), kw)?;
    expect(name, args, 1, 3)?;
    let st = s(this);
    let (b0, b1, _) = char_window(st, &args[1..])?;
    if args.len() > 1 && b0 > b1 {
        return Ok(FALSE);
    }
    let sub = &st[b0..b1.max(b0)];
    let test = |p: &str| if ends { sub.ends_with(p) } else { sub.starts_with(p) };
    if let Some(p) = as_str(args[0]) {
        return Ok(Value::bool(test(p)));
    }
    if args[0].is_kind(ObjKind::Tuple) {
        for &p in tuple_items(args[0]) {
            let Some(p) = as_str(p) else {
                return err(
                    TypeId::TypeError,
                    format!("tuple for {} must only contain str, not {}", name, type_name(p)),
                );
            };
            if test(p) {
                return Ok(TRUE);
            }
        }
        return Ok(FALSE);
    }
    err(
        TypeId::TypeError,
        format!(
            "{} first arg must be str or a tuple of str, not {}",
            name,
            type_name(args[0])
        ),
    )
}

fn str_startswith(this: Value, args: &[Value], kw: KW) -> Value {
    ret(affix_impl(this, args, kw, "startswith", false))
}

fn str_endswith(this: Value, args: &[Value], kw: KW) -> Value {
    ret(affix_impl(this, args, kw, "endswith", true))
}

fn str_format_m(this: Value, args: &[Value], kw: KW) -> Value {
    ret(crate::format::str_format(s(this), args, kw).map(new_string))
}

fn find_impl(this: Value, args: &[Value], kw: KW, name: &str, rev: bool) -> R<Option<usize>> {
    no_kw(&format!("str.{}", name), kw)?;
    expect(name, args, 1, 3)?;
    let st = s(this);
    let sub = as_str(args[0])
        .ok_or_else(|| raise_new(TypeId::TypeError, format!("must be str, not {}", type_name(args[0]))))?;
    let (b0, b1, _) = char_window(st, &args[1..])?;
    if b0 > b1 || (b1 - b0) < sub.len() {
        if sub.is_empty() && b0 <= b1 {
            return Ok(Some(byte_to_char(st, if rev { b1 } else { b0 })));
        }
        return Ok(None);
    }
    let hay = &st[b0..b1];
    let r = if rev { hay.rfind(sub) } else { hay.find(sub) };
    Ok(r.map(|b| byte_to_char(st, b0 + b)))
}

fn str_find(this: Value, args: &[Value], kw: KW) -> Value {
    ret(find_impl(this, args, kw, "find", false).map(|r| new_int(r.map(|x| x as i64).unwrap_or(-1))))
}

fn str_rfind(this: Value, args: &[Value], kw: KW) -> Value {
    ret(find_impl(this, args, kw, "rfind", true).map(|r| new_int(r.map(|x| x as i64).unwrap_or(-1))))
}

fn str_index(this: Value, args: &[Value], kw: KW) -> Value {
    ret(find_impl(this, args, kw, "index", false).and_then(|r| match r {
        Some(x) => Ok(new_int(x as i64)),
        None => err(TypeId::ValueError, "substring not found".into()),
    }))
}

fn str_rindex(this: Value, args: &[Value], kw: KW) -> Value {
    ret(find_impl(this, args, kw, "rindex", true).and_then(|r| match r {
        Some(x) => Ok(new_int(x as i64)),
        None => err(TypeId::ValueError, "substring not found".into()),
    }))
}

fn str_count(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_kw("str.count", kw)?;
        expect("count", args, 1, 3)?;
        let st = s(this);
        let sub = as_str(args[0])
            .ok_or_else(|| raise_new(TypeId::TypeError, format!("must be str, not {}", type_name(args[0]))))?;
        let (b0, b1, _) = char_window(st, &args[1..])?;
        if b0 > b1 {
            return Ok(new_int(0));
        }
        let hay = &st[b0..b1];
        let n = if sub.is_empty() {
            hay.chars().count() + 1
        } else {
            hay.matches(sub).count()
        };
        Ok(new_int(n as i64))
    })())
}

fn pred_impl(this: Value, args: &[Value], kw: KW, name: &str, f: impl Fn(&str) -> bool) -> Value {
    ret((|| {
        no_args(&format!("str.{}", name), args, kw)?;
        Ok(Value::bool(f(s(this))))
    })())
}

fn str_isdigit(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "isdigit", |t| {
        !t.is_empty() && t.chars().all(|c| c.is_numeric())
    })
}

fn str_isalpha(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "isalpha", |t| {
        !t.is_empty() && t.chars().all(|c| c.is_alphabetic())
    })
}

fn str_isalnum(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "isalnum", |t| {
        !t.is_empty() && t.chars().all(|c| c.is_alphanumeric())
    })
}

fn str_isspace(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "isspace", |t| {
        !t.is_empty() && t.chars().all(|c| c.is_whitespace())
    })
}

fn str_isupper(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "isupper", |t| {
        t.chars().any(|c| c.is_uppercase()) && !t.chars().any(|c| c.is_lowercase())
    })
}

fn str_islower(this: Value, args: &[Value], kw: KW) -> Value {
    pred_impl(this, args, kw, "islower", |t| {
        t.chars().any(|c| c.is_lowercase()) && !t.chars().any(|c| c.is_uppercase())
    })
}

fn str_title(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("str.title", args, kw)?;
        let mut out = String::new();
        let mut prev_cased = false;
        for c in s(this).chars() {
            let cased = c.is_uppercase() || c.is_lowercase();
            if cased {
                if prev_cased {
                    out.extend(c.to_lowercase());
                } else {
                    out.extend(c.to_uppercase());
                }
            } else {
                out.push(c);
            }
            prev_cased = cased;
        }
        Ok(new_string(out))
    })())
}

fn str_capitalize(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("str.capitalize", args, kw)?;
        let mut cs = s(this).chars();
        let mut out = String::new();
        if let Some(c) = cs.next() {
            out.extend(c.to_uppercase());
        }
        for c in cs {
            out.extend(c.to_lowercase());
        }
        Ok(new_string(out))
    })())
}

fn str_swapcase(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        no_args("str.swapcase", args, kw)?;
        let mut out = String::new();
        for c in s(this).chars() {
            if c.is_uppercase() {
                out.extend(c.to_lowercase());
            } else if c.is_lowercase() {
                out.extend(c.to_uppercase());
            } else {
                out.push(c);
            }
        }
        Ok(new_string(out))
    })())
}

fn justify(this: Value, args: &[Value], kw: KW, name: &str, how: char) -> R<Value> {
    no_kw(&format!("str.{}", name), kw)?;
    expect(name, args, 1, 2)?;
    let width = index_arg(args[0])?;
    let fill = match args.get(1) {
        Some(&f) => {
            let t = as_str(f).filter(|t| t.chars().count() == 1).ok_or_else(|| {
                raise_new(
                    TypeId::TypeError,
                    "The fill character must be exactly one character long".into(),
                )
            })?;
            t.chars().next().unwrap()
        }
        None => ' ',
    };
    let st = s(this);
    let n = st.chars().count() as i64;
    if width <= n {
        return Ok(this);
    }
    let marg = (width - n) as usize;
    let (l, r) = match how {
        '<' => (0, marg),
        '>' => (marg, 0),
        _ => {
            let left = marg / 2 + (marg & width as usize & 1);
            (left, marg - left)
        }
    };
    let f = |k: usize| std::iter::repeat(fill).take(k).collect::<String>();
    Ok(new_string(format!("{}{}{}", f(l), st, f(r))))
}

fn str_center(this: Value, args: &[Value], kw: KW) -> Value {
    ret(justify(this, args, kw, "center", '^'))
}

fn str_ljust(this: Value, args: &[Value], kw: KW) -> Value {
    ret(justify(this, args, kw, "ljust", '<'))
}

fn str_rjust(this: Value, args: &[Value], kw: KW) -> Value {
    ret(justify(this, args, kw, "rjust", '>'))
}

fn str_zfill(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let w = index_arg(exactly_one("str.zfill", args, kw)?)?;
        let st = s(this);
        let n = st.chars().count() as i64;
        if w <= n {
            return Ok(this);
        }
        let pad = "0".repeat((w - n) as usize);
        let (sign, rest) = match st.chars().next() {
            Some(c @ ('+' | '-')) => (c.to_string(), &st[1..]),
            _ => (String::new(), st),
        };
        Ok(new_string(format!("{}{}{}", sign, pad, rest)))
    })())
}

fn partition_impl(this: Value, args: &[Value], kw: KW, name: &str, rev: bool) -> R<Value> {
    let sep = exactly_one(&format!("str.{}", name), args, kw)?;
    let sep =
        as_str(sep).ok_or_else(|| raise_new(TypeId::TypeError, format!("must be str, not {}", type_name(sep))))?;
    if sep.is_empty() {
        return err(TypeId::ValueError, "empty separator".into());
    }
    let st = s(this);
    let found = if rev { st.rfind(sep) } else { st.find(sep) };
    Ok(match found {
        Some(i) => new_tuple(vec![new_str(&st[..i]), new_str(sep), new_str(&st[i + sep.len()..])]),
        None => {
            if rev {
                new_tuple(vec![new_str(""), new_str(""), this])
            } else {
                new_tuple(vec![this, new_str(""), new_str("")])
            }
        }
    })
}

fn str_partition(this: Value, args: &[Value], kw: KW) -> Value {
    ret(partition_impl(this, args, kw, "partition", false))
}

fn str_rpartition(this: Value, args: &[Value], kw: KW) -> Value {
    ret(partition_impl(this, args, kw, "rpartition", true))
}

fn str_removeprefix(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let p = exactly_one("str.removeprefix", args, kw)?;
        let p = str_arg(p, "removeprefix() argument")?;
        Ok(match s(this).strip_prefix(p) {
            Some(r) => new_str(r),
            None => this,
        })
    })())
}

fn str_removesuffix(this: Value, args: &[Value], kw: KW) -> Value {
    ret((|| {
        let p = exactly_one("str.removesuffix", args, kw)?;
        let p = str_arg(p, "removesuffix() argument")?;
        Ok(match s(this).strip_suffix(p) {
            Some(r) => new_str(r),
            None => this,
        })
    })())
}

/// Is `x in container` (re-exported for built-ins that need it).
pub fn py_contains(container: Value, x: Value) -> R<bool> {
    contains(container, x)
}
