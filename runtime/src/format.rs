//! `repr`/`str` of every value, the format-spec mini-language, printf-style `%` formatting,
//! `str.format`, and the f-string entry points.

use crate::exceptions::raise_new;
use crate::object::*;
use crate::objects::*;
use crate::types::TypeId;
use crate::value::*;
use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive};
use std::cell::RefCell;

thread_local! {
    static REPR_STACK: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// Python's `repr(float)`: shortest round-trip digits, exponent outside `[1e-4, 1e16)`.
pub fn float_repr(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    let s = shortest_exp(f.abs());
    let (mant, exp) = s.split_once('e').unwrap();
    let exp: i32 = exp.parse().unwrap();
    let digits: String = mant.chars().filter(|c| *c != '.').collect();
    let sign = if f < 0.0 { "-" } else { "" };
    if (-4..16).contains(&exp) {
        format!("{}{}", sign, place_point(&digits, exp, true))
    } else {
        let mut r = String::from(sign);
        r.push_str(&digits[..1]);
        if digits.len() > 1 {
            r.push('.');
            r.push_str(&digits[1..]);
        }
        r.push_str(&exp_suffix(exp, 'e'));
        r
    }
}

/// The shortest `d.ddde±x` string that reads back as `f` (positive, finite), choosing as
/// Python does when two strings of that length both read back: the one nearer `f`, and of
/// two equally near the even one. Rust's shortest formatting can pick the other one of an
/// exact tie (`900719925474099.25` gives `...099.3`, Python `...099.2`), so the digits are
/// redone with exact, round-half-even formatting at the same length when that reads back.
fn shortest_exp(f: f64) -> String {
    let s = format!("{:e}", f);
    let digits = s
        .split_once('e')
        .map(|(m, _)| m.len() - m.contains('.') as usize)
        .unwrap_or(1);
    let exact = format!("{:.*e}", digits - 1, f);
    if exact != s && exact.parse::<f64>() == Ok(f) {
        exact
    } else {
        s
    }
}

/// Digits `d1d2d3...` with the decimal exponent of `d1` as a fixed-point number.
fn place_point(digits: &str, exp: i32, dot0: bool) -> String {
    let n = digits.len() as i32;
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else if exp + 1 >= n {
        let mut s = format!("{}{}", digits, "0".repeat((exp + 1 - n) as usize));
        if dot0 {
            s.push_str(".0");
        }
        s
    } else {
        format!("{}.{}", &digits[..(exp + 1) as usize], &digits[(exp + 1) as usize..])
    }
}

fn exp_suffix(exp: i32, e: char) -> String {
    format!("{}{}{:02}", e, if exp < 0 { '-' } else { '+' }, exp.abs())
}

/// Repr of a `str` with Python's quote choice and escapes.
pub fn repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut r = String::with_capacity(s.len() + 2);
    r.push(quote);
    for c in s.chars() {
        match c {
            '\\' => r.push_str("\\\\"),
            '\n' => r.push_str("\\n"),
            '\r' => r.push_str("\\r"),
            '\t' => r.push_str("\\t"),
            c if c == quote => {
                r.push('\\');
                r.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => r.push_str(&format!("\\x{:02x}", c as u32)),
            c if (c as u32) < 0x7f => r.push(c),
            c if !is_printable(c) => {
                let n = c as u32;
                if n < 0x100 {
                    r.push_str(&format!("\\x{:02x}", n));
                } else if n < 0x10000 {
                    r.push_str(&format!("\\u{:04x}", n));
                } else {
                    r.push_str(&format!("\\U{:08x}", n));
                }
            }
            c => r.push(c),
        }
    }
    r.push(quote);
    r
}

/// Approximation of `str.isprintable` for one non-ASCII character.
pub fn is_printable(c: char) -> bool {
    let n = c as u32;
    !matches!(n,
        0x80..=0xa0 | 0xad | 0x34f | 0x61c | 0x115f | 0x1160 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f
        | 0x205f..=0x206f | 0x3000 | 0x3164 | 0xd800..=0xf8ff | 0xfe00..=0xfe0f | 0xfeff | 0xfff0..=0xfffb
        | 0xe0000..=0xe0fff | 0xf0000..=0x10ffff)
}

/// `ascii(v)`: the repr with non-ASCII characters escaped.
pub fn ascii_string(v: Value) -> String {
    let r = repr_string(v);
    let mut out = String::with_capacity(r.len());
    for c in r.chars() {
        let n = c as u32;
        if n < 0x80 {
            out.push(c);
        } else if n < 0x100 {
            out.push_str(&format!("\\x{:02x}", n));
        } else if n < 0x10000 {
            out.push_str(&format!("\\u{:04x}", n));
        } else {
            out.push_str(&format!("\\U{:08x}", n));
        }
    }
    out
}

fn addr(v: Value) -> String {
    format!("{:#x}", v.0)
}

fn join_reprs(items: &[Value]) -> String {
    let mut s = String::new();
    for (i, &v) in items.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&repr_string(v));
    }
    s
}

fn guarded(v: Value, busy: &str, f: impl FnOnce() -> String) -> String {
    let again = REPR_STACK.with(|st| {
        let mut st = st.borrow_mut();
        if st.contains(&v.0) {
            true
        } else {
            st.push(v.0);
            false
        }
    });
    if again {
        return busy.to_string();
    }
    let r = f();
    REPR_STACK.with(|st| {
        st.borrow_mut().pop();
    });
    r
}

/// `repr(v)`, exactly as CPython prints it.
pub fn repr_string(v: Value) -> String {
    if v.is_small_int() {
        return v.as_small_int().to_string();
    }
    if v.is_float() {
        return float_repr(v.as_float());
    }
    match v {
        NONE => return "None".into(),
        TRUE => return "True".into(),
        FALSE => return "False".into(),
        UNBOUND => return "<NULL>".into(),
        _ => {}
    }
    match v.kind() {
        Some(ObjKind::Str) => repr_str(str_ref(v)),
        Some(ObjKind::BigInt) => big_decimal(bigint_ref(v)),
        Some(ObjKind::List) => guarded(v, "[...]", || format!("[{}]", join_reprs(list_mut(v)))),
        Some(ObjKind::DictView) => guarded(v, "...", || {
            let dv = obj::<DictViewObj>(v);
            let pairs: Vec<(Value, Value)> = dict_mut(dv.dict).iter().collect();
            let parts: Vec<String> = pairs
                .into_iter()
                .map(|(k, val)| match dv.which {
                    ViewKind::Keys => repr_string(k),
                    ViewKind::Values => repr_string(val),
                    ViewKind::Items => format!("({}, {})", repr_string(k), repr_string(val)),
                })
                .collect();
            format!("{}([{}])", type_name(v), parts.join(", "))
        }),
        Some(ObjKind::Tuple) => {
            let items = tuple_items(v);
            if items.len() == 1 {
                return guarded(v, "(...)", || format!("({},)", repr_string(items[0])));
            }
            guarded(v, "(...)", || format!("({})", join_reprs(items)))
        }
        Some(ObjKind::Dict) => guarded(v, "{...}", || {
            let mut s = String::from("{");
            for (i, (k, val)) in dict_mut(v).iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                s.push_str(&repr_string(k));
                s.push_str(": ");
                s.push_str(&repr_string(val));
            }
            s.push('}');
            s
        }),
        Some(ObjKind::Cell) => {
            let c = obj::<CellObj>(v);
            if c.value == UNBOUND {
                format!("<cell at {}: empty>", addr(v))
            } else {
                format!(
                    "<cell at {}: {} object at {}>",
                    addr(v),
                    type_name(c.value),
                    addr(c.value)
                )
            }
        }
        Some(ObjKind::Function) => {
            format!("<function {} at {}>", crate::introspect::function_qualname(v), addr(v))
        }
        Some(ObjKind::Builtin) => {
            let b = obj::<BuiltinObj>(v);
            if b.func as usize
                == crate::builtins::call_unbound as fn(Value, &[Value], &[(Value, Value)]) -> Value as usize
            {
                let t = tuple_items(b.this)[0];
                format!("<method '{}' of '{}' objects>", b.name, type_obj_name(t))
            } else if b.this == UNBOUND {
                format!("<built-in function {}>", b.name)
            } else if b.this.is_kind(ObjKind::Type) {
                format!("<built-in method {} of type object at {}>", b.name, addr(b.this))
            } else {
                format!(
                    "<built-in method {} of {} object at {}>",
                    b.name,
                    type_name(b.this),
                    addr(b.this)
                )
            }
        }
        Some(ObjKind::Exception) => {
            let e = obj::<ExceptionObj>(v);
            let args = tuple_items(e.args);
            let name = type_obj_name(e.typ);
            if args.len() == 1 {
                format!("{}({})", name, repr_string(args[0]))
            } else {
                format!("{}({})", name, join_reprs(args))
            }
        }
        Some(ObjKind::Type) => format!("<class '{}'>", type_obj_name(v)),
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(v);
            if r.step == 1 {
                format!("range({}, {})", r.start, r.stop)
            } else {
                format!("range({}, {}, {})", r.start, r.stop, r.step)
            }
        }
        Some(ObjKind::Iterator) if obj::<IterObj>(v).mode == IterMode::Generator => {
            format!(
                "<generator object {} at {}>",
                crate::iter::generator_qualname(v),
                addr(v)
            )
        }
        Some(ObjKind::Iterator) => format!("<{} object at {}>", type_name(v), addr(v)),
        Some(ObjKind::Code) => crate::introspect::code_repr(v),
        Some(ObjKind::Slice) => {
            let s = obj::<SliceObj>(v);
            format!(
                "slice({}, {}, {})",
                repr_string(s.start),
                repr_string(s.stop),
                repr_string(s.step)
            )
        }
        None => format!("<value {:#x}>", v.0),
    }
}

/// `str(v)`.
pub fn str_string(v: Value) -> String {
    match v.kind() {
        Some(ObjKind::Str) => str_ref(v).to_string(),
        Some(ObjKind::Exception) => exception_str(v),
        _ => repr_string(v),
    }
}

/// `str(exc)`: '' with no args, `str(arg)` with one (KeyError: `repr(arg)`), else the
/// args tuple's repr; an `OSError` made with `(errno, strerror)` reads
/// `[Errno errno] strerror`.
pub fn exception_str(v: Value) -> String {
    let e = obj::<ExceptionObj>(v);
    let args = tuple_items(e.args);
    if args.len() == 2 && crate::objects::is_subtype(e.typ, crate::types::type_object(TypeId::OSError)) {
        return format!("[Errno {}] {}", str_string(args[0]), str_string(args[1]));
    }
    match args.len() {
        0 => String::new(),
        1 => {
            if obj::<TypeObj>(e.typ).id == TypeId::KeyError {
                repr_string(args[0])
            } else {
                str_string(args[0])
            }
        }
        _ => repr_string(e.args),
    }
}

// ---------------------------------------------------------------- format specs

/// A parsed format spec (`[[fill]align][sign][z][#][0][width][grouping][.precision][type]`).
#[derive(Clone, Debug, Default)]
pub struct Spec {
    /// Fill character.
    pub fill: Option<char>,
    /// `<`, `>`, `^` or `=`.
    pub align: Option<char>,
    /// `+`, `-` or ` `.
    pub sign: Option<char>,
    /// `#`.
    pub alt: bool,
    /// `0` before the width.
    pub zero: bool,
    /// Minimum width.
    pub width: usize,
    /// `,` or `_`.
    pub grouping: Option<char>,
    /// Precision.
    pub precision: Option<usize>,
    /// Presentation type.
    pub ty: Option<char>,
}

/// Parse a format spec; `type_name` is used in error messages.
pub fn parse_spec(s: &str, type_name: &str) -> R<Spec> {
    let c: Vec<char> = s.chars().collect();
    let mut sp = Spec::default();
    let mut i = 0;
    let is_align = |ch: char| matches!(ch, '<' | '>' | '=' | '^');
    if c.len() >= 2 && is_align(c[1]) {
        sp.fill = Some(c[0]);
        sp.align = Some(c[1]);
        i = 2;
    } else if !c.is_empty() && is_align(c[0]) {
        sp.align = Some(c[0]);
        i = 1;
    }
    if i < c.len() && matches!(c[i], '+' | '-' | ' ') {
        sp.sign = Some(c[i]);
        i += 1;
    }
    if i < c.len() && c[i] == 'z' {
        i += 1;
    }
    if i < c.len() && c[i] == '#' {
        sp.alt = true;
        i += 1;
    }
    if i < c.len() && c[i] == '0' {
        sp.zero = true;
        i += 1;
    }
    let mut w = String::new();
    while i < c.len() && c[i].is_ascii_digit() {
        w.push(c[i]);
        i += 1;
    }
    if !w.is_empty() {
        sp.width = w.parse().unwrap_or(usize::MAX);
    }
    if i < c.len() && (c[i] == ',' || c[i] == '_') {
        sp.grouping = Some(c[i]);
        i += 1;
        if i < c.len() && (c[i] == ',' || c[i] == '_') {
            return Err(raise_new(TypeId::ValueError, "Cannot specify both ',' and '_'.".into()));
        }
    }
    if i < c.len() && c[i] == '.' {
        i += 1;
        let mut p = String::new();
        while i < c.len() && c[i].is_ascii_digit() {
            p.push(c[i]);
            i += 1;
        }
        if p.is_empty() {
            return Err(raise_new(
                TypeId::ValueError,
                "Format specifier missing precision".into(),
            ));
        }
        sp.precision = Some(p.parse().unwrap_or(usize::MAX));
    }
    if c.len() - i > 1 {
        return Err(raise_new(
            TypeId::ValueError,
            format!("Invalid format specifier '{}' for object of type '{}'", s, type_name),
        ));
    }
    if i < c.len() {
        sp.ty = Some(c[i]);
    }
    if sp.zero && sp.fill.is_none() {
        sp.fill = Some('0');
        if sp.align.is_none() {
            sp.align = Some('=');
        }
    }
    Ok(sp)
}

fn pad(sign_prefix: &str, body: &str, sp: &Spec, default_align: char) -> String {
    let len = sign_prefix.chars().count() + body.chars().count();
    if sp.width <= len {
        return format!("{}{}", sign_prefix, body);
    }
    let n = sp.width - len;
    let fill = sp.fill.unwrap_or(' ');
    let f = |k: usize| std::iter::repeat(fill).take(k).collect::<String>();
    match sp.align.unwrap_or(default_align) {
        '<' => format!("{}{}{}", sign_prefix, body, f(n)),
        '^' => format!("{}{}{}{}", f(n / 2), sign_prefix, body, f(n - n / 2)),
        '=' => format!("{}{}{}", sign_prefix, f(n), body),
        _ => format!("{}{}{}", f(n), sign_prefix, body),
    }
}

fn group(digits: &str, sep: char, every: usize) -> String {
    let n = digits.len();
    let mut s = String::with_capacity(n + n / every);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (n - i) % every == 0 {
            s.push(sep);
        }
        s.push(ch);
    }
    s
}

/// Group the integer digits `digits`, zero-padding them first when the spec pads with
/// `0` and `=` alignment so that the result reaches `min_len` characters.
fn group_padded(digits: &str, sp: &Spec, every: usize, min_len: usize) -> String {
    let Some(sep) = sp.grouping else {
        return digits.to_string();
    };
    let mut d = digits.to_string();
    let mut g = group(&d, sep, every);
    if sp.fill == Some('0') && sp.align == Some('=') {
        while g.len() < min_len {
            d.insert(0, '0');
            g = group(&d, sep, every);
        }
    }
    g
}

fn sign_str(neg: bool, sp: &Spec) -> &'static str {
    if neg {
        "-"
    } else {
        match sp.sign {
            Some('+') => "+",
            Some(' ') => " ",
            _ => "",
        }
    }
}

thread_local! {
    /// Set when [`repr_string`] or [`str_string`] met an int too long to convert (they
    /// cannot fail); see [`take_int_str_limit`].
    static INT_STR_TOO_LONG: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The decimal text of `n`, or `None` past [`INT_MAX_STR_DIGITS`] digits.
fn decimal_within_limit(n: &BigInt) -> Option<String> {
    let s = n.to_string();
    (s.trim_start_matches('-').len() <= INT_MAX_STR_DIGITS).then_some(s)
}

/// The decimal digits of `n`, or CPython's `ValueError` past [`INT_MAX_STR_DIGITS`] digits.
fn checked_decimal(n: &BigInt) -> R<String> {
    decimal_within_limit(n).ok_or_else(|| int_str_limit_error(None))
}

/// `str(n)` for the infallible [`repr_string`]: past the limit it gives "" and leaves a
/// flag that the entry point that asked (a built-in call, an f-string, `%`) turns into the
/// `ValueError` with [`take_int_str_limit`].
fn big_decimal(n: &BigInt) -> String {
    decimal_within_limit(n).unwrap_or_else(|| {
        INT_STR_TOO_LONG.with(|f| f.set(true));
        String::new()
    })
}

/// If a conversion since the last call met an int past the digit limit: clear the flag,
/// raise CPython's `ValueError` and return EXC.
pub fn take_int_str_limit() -> Option<Value> {
    INT_STR_TOO_LONG
        .with(|f| f.replace(false))
        .then(|| int_str_limit_error(None))
}

/// Format an int with a parsed spec.
pub fn format_int(n: &BigInt, sp: &Spec) -> R<String> {
    let ty = sp.ty.unwrap_or('d');
    let (radix, prefix) = match ty {
        'd' | 'n' => (10, ""),
        'x' => (16, "0x"),
        'X' => (16, "0X"),
        'o' => (8, "0o"),
        'b' => (2, "0b"),
        'c' => {
            if sp.sign.is_some() {
                return Err(raise_new(
                    TypeId::ValueError,
                    "Sign not allowed with integer format specifier 'c'".into(),
                ));
            }
            let ch = n
                .to_u32()
                .and_then(char::from_u32)
                .ok_or_else(|| raise_new(TypeId::OverflowError, "%c arg not in range(0x110000)".into()))?;
            return Ok(pad("", &ch.to_string(), sp, '<'));
        }
        'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' => {
            let f = n
                .to_f64()
                .filter(|f| f.is_finite())
                .ok_or_else(|| raise_new(TypeId::OverflowError, "int too large to convert to float".into()))?;
            return format_float(f, sp);
        }
        _ => {
            return Err(raise_new(
                TypeId::ValueError,
                format!("Unknown format code '{}' for object of type 'int'", ty),
            ))
        }
    };
    if sp.precision.is_some() {
        return Err(raise_new(
            TypeId::ValueError,
            "Precision not allowed in integer format specifier".into(),
        ));
    }
    if sp.grouping == Some(',') && radix != 10 {
        return Err(raise_new(
            TypeId::ValueError,
            format!("Cannot specify ',' with '{}'.", ty),
        ));
    }
    let mut digits = if radix == 10 {
        checked_decimal(&n.abs())?
    } else {
        n.abs().to_str_radix(radix)
    };
    if ty == 'X' {
        digits = digits.to_uppercase();
    }
    let sign = sign_str(n.is_negative(), sp);
    let prefix = if sp.alt { prefix } else { "" };
    let head = format!("{}{}", sign, prefix);
    let every = if radix == 10 { 3 } else { 4 };
    let body = group_padded(&digits, sp, every, sp.width.saturating_sub(head.len()));
    Ok(pad(&head, &body, sp, '>'))
}

/// Digits of `x` (finite, >= 0) rounded to `p` significant digits: (digits, exponent).
fn sci_parts(x: f64, p: usize) -> (String, i32) {
    let s = format!("{:.*e}", p.saturating_sub(1), x);
    let (m, e) = s.split_once('e').unwrap();
    (m.replace('.', ""), e.parse().unwrap())
}

fn strip_zeros(s: &str) -> String {
    if let Some((m, e)) = s.split_once('e') {
        let m = if m.contains('.') {
            m.trim_end_matches('0').trim_end_matches('.')
        } else {
            m
        };
        return format!("{}e{}", m, e);
    }
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

fn fmt_sci(x: f64, prec: usize, alt: bool) -> String {
    let s = format!("{:.*e}", prec, x);
    let (m, e) = s.split_once('e').unwrap();
    let e: i32 = e.parse().unwrap();
    let m = if alt && prec == 0 {
        format!("{}.", m)
    } else {
        m.to_string()
    };
    format!("{}{}", m, exp_suffix(e, 'e'))
}

/// Format a float with a parsed spec.
pub fn format_float(f: f64, sp: &Spec) -> R<String> {
    let ty = sp.ty;
    if let Some(t) = ty {
        if !matches!(t, 'e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%' | 'n') {
            return Err(raise_new(
                TypeId::ValueError,
                format!("Unknown format code '{}' for object of type 'float'", t),
            ));
        }
    }
    let upper = matches!(ty, Some('E' | 'F' | 'G'));
    let neg = f.is_sign_negative() && !f.is_nan();
    let x = f.abs();
    let mut body = if !x.is_finite() {
        let s = if x.is_nan() { "nan" } else { "inf" };
        if ty == Some('%') {
            format!("{}%", s)
        } else {
            s.to_string()
        }
    } else {
        match ty {
            None => match sp.precision {
                None => {
                    let r = float_repr(x);
                    r
                }
                Some(p) => {
                    let p = p.max(1);
                    let (_, exp) = sci_parts(x, p);
                    if exp < -4 || exp >= p as i32 - 1 {
                        strip_zeros(&fmt_sci(x, p - 1, false))
                    } else {
                        let s = strip_zeros(&format!("{:.*}", (p as i32 - 1 - exp).max(0) as usize, x));
                        if s.contains('.') {
                            s
                        } else {
                            format!("{}.0", s)
                        }
                    }
                }
            },
            Some('f' | 'F') => format!("{:.*}", sp.precision.unwrap_or(6), x),
            Some('%') => format!("{:.*}%", sp.precision.unwrap_or(6), x * 100.0),
            Some('e' | 'E') => fmt_sci(x, sp.precision.unwrap_or(6), sp.alt),
            _ => {
                // 'g', 'G', 'n'
                let p = sp.precision.unwrap_or(6).max(1);
                let exp = if x == 0.0 { 0 } else { sci_parts(x, p).1 };
                let s = if -4 <= exp && exp < p as i32 {
                    let s = format!("{:.*}", (p as i32 - 1 - exp) as usize, x);
                    if sp.alt && !s.contains('.') {
                        format!("{}.", s)
                    } else {
                        s
                    }
                } else {
                    fmt_sci(x, p - 1, sp.alt)
                };
                if sp.alt {
                    s
                } else {
                    strip_zeros(&s)
                }
            }
        }
    };
    if upper {
        body = body.to_uppercase();
    }
    let sign = sign_str(neg, sp);
    if sp.grouping.is_some() && x.is_finite() {
        let split = body
            .find(|c: char| c == '.' || c == 'e' || c == 'E' || c == '%')
            .unwrap_or(body.len());
        let (int_part, rest) = body.split_at(split);
        let min = sp.width.saturating_sub(sign.len() + rest.chars().count());
        body = format!("{}{}", group_padded(int_part, sp, 3, min), rest);
    }
    Ok(pad(sign, &body, sp, '>'))
}

/// Format a str with a parsed spec.
pub fn format_str(s: &str, sp: &Spec) -> R<String> {
    if let Some(t) = sp.ty {
        if t != 's' {
            return Err(raise_new(
                TypeId::ValueError,
                format!("Unknown format code '{}' for object of type 'str'", t),
            ));
        }
    }
    if sp.sign.is_some() {
        return Err(raise_new(
            TypeId::ValueError,
            "Sign not allowed in string format specifier".into(),
        ));
    }
    if sp.alt {
        return Err(raise_new(
            TypeId::ValueError,
            "Alternate form (#) not allowed in string format specifier".into(),
        ));
    }
    if let Some(g) = sp.grouping {
        return Err(raise_new(
            TypeId::ValueError,
            format!("Cannot specify '{}' with 's'.", g),
        ));
    }
    if sp.align == Some('=') && !sp.zero {
        return Err(raise_new(
            TypeId::ValueError,
            "'=' alignment not allowed in string format specifier".into(),
        ));
    }
    let body: String = match sp.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    let mut sp2 = sp.clone();
    if sp2.align == Some('=') {
        sp2.align = Some('<');
    }
    Ok(pad("", &body, &sp2, '<'))
}

/// `format(v, spec)`.
pub fn format_value(v: Value, spec: &str) -> R<String> {
    if spec.is_empty() {
        return Ok(str_string(v));
    }
    if let Some(i) = int_val(v) {
        let sp = parse_spec(spec, "int")?;
        return format_int(&i.to_big(), &sp);
    }
    if v.is_float() {
        let sp = parse_spec(spec, "float")?;
        return format_float(v.as_float(), &sp);
    }
    if let Some(s) = as_str(v) {
        let sp = parse_spec(spec, "str")?;
        return format_str(s, &sp);
    }
    Err(raise_new(
        TypeId::TypeError,
        format!("unsupported format string passed to {}.__format__", type_name(v)),
    ))
}

/// f-string replacement field: apply conversion `conv` (0, or `'r'`, `'s'`, `'a'` as u64)
/// then the format spec `spec` (a str, or UNBOUND for none). Returns a str or EXC.
pub extern "C" fn rt_format_value(v: Value, conv: u64, spec: Value) -> Value {
    let r = format_value_unchecked(v, conv, spec);
    take_int_str_limit().unwrap_or(r)
}

fn format_value_unchecked(v: Value, conv: u64, spec: Value) -> Value {
    let v = match conv as u8 {
        b'r' => new_string(repr_string(v)),
        b's' => new_string(str_string(v)),
        b'a' => new_string(ascii_string(v)),
        _ => v,
    };
    let spec = if spec == UNBOUND { "" } else { str_ref(spec) };
    if spec.is_empty() && v.is_kind(ObjKind::Str) {
        return v;
    }
    match format_value(v, spec) {
        Ok(s) => new_string(s),
        Err(e) => e,
    }
}

/// Concatenate `n` strs (the pieces of an f-string).
pub extern "C" fn rt_concat_strs(parts: *const Value, n: usize) -> Value {
    let parts = if n == 0 {
        &[][..]
    } else {
        unsafe { std::slice::from_raw_parts(parts, n) }
    };
    let mut s = String::new();
    for &p in parts {
        match as_str(p) {
            Some(t) => s.push_str(t),
            None => s.push_str(&str_string(p)),
        }
    }
    new_string(s)
}

// ---------------------------------------------------------------- printf-style

/// `fmt % args` for a str `fmt`.
pub fn percent_format(fmt: &str, args: Value) -> R<String> {
    let (list, mapping): (Vec<Value>, Option<Value>) = if args.is_kind(ObjKind::Tuple) {
        (tuple_items(args).to_vec(), None)
    } else if args.is_kind(ObjKind::Dict) {
        (vec![args], Some(args))
    } else {
        (vec![args], None)
    };
    let is_tuple = args.is_kind(ObjKind::Tuple);
    let mut ai = 0usize;
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut used_mapping = false;
    let next_arg = |ai: &mut usize| -> R<Value> {
        if *ai < list.len() {
            *ai += 1;
            Ok(list[*ai - 1])
        } else {
            Err(raise_new(
                TypeId::TypeError,
                "not enough arguments for format string".into(),
            ))
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        if i >= chars.len() {
            return Err(raise_new(TypeId::ValueError, "incomplete format".into()));
        }
        let mut key_val: Option<Value> = None;
        if chars[i] == '(' {
            let mut depth = 1;
            let ks = i + 1;
            i += 1;
            while i < chars.len() && depth > 0 {
                if chars[i] == '(' {
                    depth += 1;
                } else if chars[i] == ')' {
                    depth -= 1;
                }
                i += 1;
            }
            if depth > 0 {
                return Err(raise_new(TypeId::ValueError, "incomplete format key".into()));
            }
            let key: String = chars[ks..i - 1].iter().collect();
            let Some(m) = mapping else {
                return Err(raise_new(TypeId::TypeError, "format requires a mapping".into()));
            };
            used_mapping = true;
            key_val = Some(crate::ops::getitem(m, new_string(key))?);
        }
        let mut sp = Spec::default();
        let mut left = false;
        while i < chars.len() && matches!(chars[i], '-' | '+' | ' ' | '#' | '0') {
            match chars[i] {
                '-' => left = true,
                '+' => sp.sign = Some('+'),
                ' ' => {
                    if sp.sign.is_none() {
                        sp.sign = Some(' ')
                    }
                }
                '#' => sp.alt = true,
                _ => sp.zero = true,
            }
            i += 1;
        }
        if i < chars.len() && chars[i] == '*' {
            let w = next_arg(&mut ai)?;
            let w = as_i64(w).ok_or_else(|| raise_new(TypeId::TypeError, "* wants int".into()))?;
            if w < 0 {
                left = true;
            }
            sp.width = w.unsigned_abs() as usize;
            i += 1;
        } else {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_ascii_digit() {
                w.push(chars[i]);
                i += 1;
            }
            if !w.is_empty() {
                sp.width = w.parse().unwrap_or(0);
            }
        }
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            if i < chars.len() && chars[i] == '*' {
                let p = next_arg(&mut ai)?;
                sp.precision = Some(as_i64(p).unwrap_or(0).max(0) as usize);
                i += 1;
            } else {
                let mut p = String::new();
                while i < chars.len() && chars[i].is_ascii_digit() {
                    p.push(chars[i]);
                    i += 1;
                }
                sp.precision = Some(p.parse().unwrap_or(0));
            }
        }
        if i >= chars.len() {
            return Err(raise_new(TypeId::ValueError, "incomplete format".into()));
        }
        let ty = chars[i];
        i += 1;
        if ty == '%' {
            out.push('%');
            continue;
        }
        let arg = match key_val {
            Some(v) => v,
            None => next_arg(&mut ai)?,
        };
        if left {
            sp.align = Some('<');
            sp.zero = false;
        } else {
            sp.align = Some('>');
        }
        let numeric_zero = sp.zero && !left;
        let s = match ty {
            's' | 'r' | 'a' => {
                let s = match ty {
                    's' => str_string(arg),
                    'r' => repr_string(arg),
                    _ => ascii_string(arg),
                };
                let body: String = match sp.precision {
                    Some(p) => s.chars().take(p).collect(),
                    None => s,
                };
                pad("", &body, &sp, '>')
            }
            'd' | 'i' | 'u' => {
                let n = if let Some(iv) = int_val(arg) {
                    iv.to_big()
                } else if arg.is_float() {
                    let f = arg.as_float();
                    if !f.is_finite() {
                        return Err(raise_new(
                            TypeId::OverflowError,
                            "cannot convert float infinity to integer".into(),
                        ));
                    }
                    num_traits::FromPrimitive::from_f64(f.trunc()).unwrap()
                } else {
                    return Err(raise_new(
                        TypeId::TypeError,
                        format!("%{} format: a real number is required, not {}", ty, type_name(arg)),
                    ));
                };
                let mut digits = checked_decimal(&n.abs())?;
                if let Some(p) = sp.precision {
                    while digits.len() < p {
                        digits.insert(0, '0');
                    }
                }
                zero_pad_num(sign_str(n.is_negative(), &sp), "", &digits, &sp, numeric_zero)
            }
            'x' | 'X' | 'o' => {
                let Some(iv) = int_val(arg) else {
                    return Err(raise_new(
                        TypeId::TypeError,
                        format!("%{} format: an integer is required, not {}", ty, type_name(arg)),
                    ));
                };
                let n = iv.to_big();
                let radix = if ty == 'o' { 8 } else { 16 };
                let mut digits = n.abs().to_str_radix(radix);
                if ty == 'X' {
                    digits = digits.to_uppercase();
                }
                let prefix = if sp.alt {
                    match ty {
                        'x' => "0x",
                        'X' => "0X",
                        _ => "0o",
                    }
                } else {
                    ""
                };
                zero_pad_num(sign_str(n.is_negative(), &sp), prefix, &digits, &sp, numeric_zero)
            }
            'e' | 'E' | 'f' | 'F' | 'g' | 'G' => {
                let f = if arg.is_float() {
                    arg.as_float()
                } else if let Some(iv) = int_val(arg) {
                    iv.to_f64()
                        .ok_or_else(|| raise_new(TypeId::OverflowError, "int too large to convert to float".into()))?
                } else {
                    return Err(raise_new(
                        TypeId::TypeError,
                        format!("must be real number, not {}", type_name(arg)),
                    ));
                };
                let mut fs = sp.clone();
                fs.ty = Some(ty);
                fs.width = 0;
                fs.sign = None;
                let body = format_float(f.abs(), &fs)?;
                let neg = f.is_sign_negative() && !f.is_nan();
                zero_pad_num(sign_str(neg, &sp), "", &body, &sp, numeric_zero && f.is_finite())
            }
            'c' => {
                let ch = if let Some(s) = as_str(arg) {
                    if s.chars().count() != 1 {
                        return Err(raise_new(TypeId::TypeError, "%c requires int or char".into()));
                    }
                    s.to_string()
                } else if let Some(n) = as_i64(arg) {
                    match u32::try_from(n).ok().and_then(char::from_u32) {
                        Some(c) => c.to_string(),
                        None => return Err(raise_new(TypeId::OverflowError, "%c arg not in range(0x110000)".into())),
                    }
                } else {
                    return Err(raise_new(TypeId::TypeError, "%c requires int or char".into()));
                };
                pad("", &ch, &sp, '>')
            }
            _ => {
                let idx = fmt[..].char_indices().nth(i - 1).map(|(b, _)| b).unwrap_or(0);
                let _ = start;
                return Err(raise_new(
                    TypeId::ValueError,
                    format!(
                        "unsupported format character '{}' ({:#x}) at index {}",
                        ty,
                        ty as u32,
                        fmt[..idx].chars().count()
                    ),
                ));
            }
        };
        out.push_str(&s);
    }
    if ai < list.len() && !used_mapping && (is_tuple || mapping.is_none()) {
        return Err(raise_new(
            TypeId::TypeError,
            "not all arguments converted during string formatting".into(),
        ));
    }
    Ok(out)
}

fn zero_pad_num(sign: &str, prefix: &str, digits: &str, sp: &Spec, zero: bool) -> String {
    let head = format!("{}{}", sign, prefix);
    if zero {
        let mut s2 = sp.clone();
        s2.fill = Some('0');
        s2.align = Some('=');
        pad(&head, digits, &s2, '>')
    } else {
        pad(&head, digits, sp, '>')
    }
}

// ---------------------------------------------------------------- str.format

/// `fmt.format(*args, **kwargs)`.
pub fn str_format(fmt: &str, args: &[Value], kwargs: &[(Value, Value)]) -> R<String> {
    let mut out = String::new();
    let chars: Vec<char> = fmt.chars().collect();
    let mut i = 0;
    let mut auto: Option<usize> = None; // Some(next) when automatic numbering is used
    let mut manual = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            if i + 1 < chars.len() && chars[i + 1] == '{' {
                out.push('{');
                i += 2;
                continue;
            }
            // find matching '}' allowing one level of nesting in the spec
            let mut depth = 1;
            let mut j = i + 1;
            while j < chars.len() {
                if chars[j] == '{' {
                    depth += 1;
                } else if chars[j] == '}' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                j += 1;
            }
            if j >= chars.len() {
                return Err(raise_new(
                    TypeId::ValueError,
                    "expected '}' before end of string".into(),
                ));
            }
            let field: String = chars[i + 1..j].iter().collect();
            i = j + 1;
            // split field into name, conversion, spec
            let (name_conv, spec) = match field.find(':') {
                Some(p) => (&field[..p], &field[p + 1..]),
                None => (&field[..], ""),
            };
            let (name, conv) = match name_conv.find('!') {
                Some(p) => (&name_conv[..p], Some(&name_conv[p + 1..])),
                None => (name_conv, None),
            };
            // first component of the name
            let end = name.find(['.', '[']).unwrap_or(name.len());
            let first = &name[..end];
            let mut val = if first.is_empty() {
                if manual {
                    return Err(raise_new(
                        TypeId::ValueError,
                        "cannot switch from manual field specification to automatic field numbering".into(),
                    ));
                }
                let k = auto.unwrap_or(0);
                auto = Some(k + 1);
                *args.get(k).ok_or_else(|| {
                    raise_new(
                        TypeId::IndexError,
                        format!("Replacement index {} out of range for positional args tuple", k),
                    )
                })?
            } else if let Ok(k) = first.parse::<usize>() {
                if auto.is_some() {
                    return Err(raise_new(
                        TypeId::ValueError,
                        "cannot switch from automatic field numbering to manual field specification".into(),
                    ));
                }
                manual = true;
                *args.get(k).ok_or_else(|| {
                    raise_new(
                        TypeId::IndexError,
                        format!("Replacement index {} out of range for positional args tuple", k),
                    )
                })?
            } else {
                match kwargs.iter().find(|(k, _)| str_ref(*k) == first) {
                    Some(&(_, v)) => v,
                    None => return Err(crate::ops::raise_key_error(new_str(first))),
                }
            };
            // attribute / index chain
            let mut rest = &name[end..];
            while !rest.is_empty() {
                if let Some(r) = rest.strip_prefix('.') {
                    let e = r.find(['.', '[']).unwrap_or(r.len());
                    val = crate::ops::getattr(val, &r[..e])?;
                    rest = &r[e..];
                } else if let Some(r) = rest.strip_prefix('[') {
                    let e = r
                        .find(']')
                        .ok_or_else(|| raise_new(TypeId::ValueError, "Missing ']' in format string".into()))?;
                    let key_s = &r[..e];
                    let key = match key_s.parse::<i64>() {
                        Ok(n) => new_int(n),
                        Err(_) => new_str(key_s),
                    };
                    val = crate::ops::getitem(val, key)?;
                    rest = &r[e + 1..];
                } else {
                    return Err(raise_new(
                        TypeId::ValueError,
                        "Only '.' or '[' may follow ']' in format field specifier".into(),
                    ));
                }
            }
            let val = match conv {
                None => val,
                Some("r") => new_string(repr_string(val)),
                Some("s") => new_string(str_string(val)),
                Some("a") => new_string(ascii_string(val)),
                Some(_) => return Err(raise_new(TypeId::ValueError, "Unknown conversion specifier".into())),
            };
            // nested fields in the spec
            let spec = if spec.contains('{') {
                let mut sub_auto = auto;
                let r = str_format_nested(spec, args, kwargs, &mut sub_auto)?;
                auto = sub_auto;
                r
            } else {
                spec.to_string()
            };
            out.push_str(&format_value(val, &spec)?);
        } else if c == '}' {
            if i + 1 < chars.len() && chars[i + 1] == '}' {
                out.push('}');
                i += 2;
                continue;
            }
            return Err(raise_new(
                TypeId::ValueError,
                "Single '}' encountered in format string".into(),
            ));
        } else {
            out.push(c);
            i += 1;
        }
    }
    Ok(out)
}

fn str_format_nested(spec: &str, args: &[Value], kwargs: &[(Value, Value)], auto: &mut Option<usize>) -> R<String> {
    // Replace `{}`/`{n}`/`{name}` inside a spec.
    let mut out = String::new();
    let mut rest = spec;
    while let Some(p) = rest.find('{') {
        out.push_str(&rest[..p]);
        let e = rest[p..]
            .find('}')
            .map(|e| e + p)
            .ok_or_else(|| raise_new(TypeId::ValueError, "unmatched '{' in format spec".into()))?;
        let name = &rest[p + 1..e];
        let v = if name.is_empty() {
            let k = auto.unwrap_or(0);
            *auto = Some(k + 1);
            *args.get(k).ok_or_else(|| {
                raise_new(
                    TypeId::IndexError,
                    format!("Replacement index {} out of range for positional args tuple", k),
                )
            })?
        } else if let Ok(k) = name.parse::<usize>() {
            *args.get(k).ok_or_else(|| {
                raise_new(
                    TypeId::IndexError,
                    format!("Replacement index {} out of range for positional args tuple", k),
                )
            })?
        } else {
            match kwargs.iter().find(|(k, _)| str_ref(*k) == name) {
                Some(&(_, v)) => v,
                None => return Err(crate::ops::raise_key_error(new_str(name))),
            }
        };
        out.push_str(&str_string(v));
        rest = &rest[e + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Python's `round(f, ndigits)` for floats (correctly rounded, half to even).
pub fn round_float(f: f64, nd: i64) -> f64 {
    if !f.is_finite() || f == 0.0 {
        return f;
    }
    if nd > 330 {
        return f;
    }
    if nd < -330 {
        return 0.0f64.copysign(f);
    }
    if nd >= 0 {
        // Format with exact decimal rounding (round-half-even on the exact binary value).
        let s = format!("{:.*}", nd as usize, f);
        let r: f64 = s.parse().unwrap();
        // Rust rounds half-to-even on exact ties, which matches CPython's dtoa-based round.
        r
    } else {
        use num_integer::Integer;
        // Exact: f = m * 2^e; round f / 10^k half to even.
        let bits = f.abs().to_bits();
        let exp = ((bits >> 52) & 0x7ff) as i64;
        let frac = bits & ((1u64 << 52) - 1);
        let (m, e) = if exp == 0 {
            (frac, -1074)
        } else {
            (frac | (1u64 << 52), exp - 1075)
        };
        let p10 = num_traits::pow::Pow::pow(BigInt::from(10), (-nd) as u32);
        let (num, den) = if e >= 0 {
            (BigInt::from(m) << (e as usize), p10.clone())
        } else {
            (BigInt::from(m), p10.clone() << ((-e) as usize))
        };
        let (q, r) = num.div_mod_floor(&den);
        let twice: BigInt = r * BigInt::from(2);
        let q = match twice.cmp(&den) {
            std::cmp::Ordering::Greater => q + 1,
            std::cmp::Ordering::Equal if q.is_odd() => q + 1,
            _ => q,
        };
        let r = (q * p10).to_f64().unwrap_or(f64::INFINITY);
        if r.is_infinite() {
            return f;
        }
        if f < 0.0 {
            -r
        } else {
            r
        }
    }
}
