//! Raising, matching and printing exceptions.
//!
//! The traceback of an exception is a list of `(code, line)` entries appended by
//! [`rt_traceback_add`] as the exception unwinds (innermost first); it is printed reversed.
//! A bare `raise` ([`rt_reraise`]) keeps the traceback as it is: the next
//! `rt_traceback_add` (the frame doing the re-raise) is skipped, as in CPython, where a
//! re-raise does not add the re-raising line.

use crate::format::{exception_str, repr_string};
use crate::object::*;
use crate::objects::*;
use crate::types::{type_object, TypeId};
use crate::value::*;
use crate::vm::{raise, vm};
use std::io::Write;

static mut SKIP_NEXT_TB: bool = false;

fn set_skip(b: bool) {
    unsafe { SKIP_NEXT_TB = b }
}

fn take_skip() -> bool {
    unsafe { std::mem::replace(&mut *std::ptr::addr_of_mut!(SKIP_NEXT_TB), false) }
}

/// A new exception instance of built-in class `id` with `args`.
pub fn new_exception_args(id: TypeId, args: Vec<Value>) -> Value {
    new_exception_obj(type_object(id), args)
}

/// A new exception instance of built-in class `id` with one str argument.
pub fn new_exception(id: TypeId, msg: &str) -> Value {
    new_exception_args(id, vec![new_str(msg)])
}

/// Raise a new `id(msg)`; returns EXC.
pub fn raise_new(id: TypeId, msg: String) -> Value {
    set_skip(false);
    raise(new_exception_args(id, vec![new_string(msg)]))
}

/// Is the pending exception an instance of `id` (or a subclass)?
pub fn pending_is(id: TypeId) -> bool {
    let e = vm().exc;
    e.is_kind(ObjKind::Exception) && is_subtype(type_of(e), type_object(id))
}

/// `raise v`: `v` is an exception instance or class (instantiated with no args).
pub extern "C" fn rt_raise(v: Value) -> Value {
    set_skip(false);
    if v.is_kind(ObjKind::Exception) {
        return raise(v);
    }
    if is_exception_type(v) {
        return raise(new_exception_obj(v, Vec::new()));
    }
    raise_new(TypeId::TypeError, "exceptions must derive from BaseException".into())
}

/// Bare `raise`: re-raise `current` (the exception being handled), or
/// `RuntimeError: No active exception to reraise` when it is UNBOUND.
pub extern "C" fn rt_reraise(current: Value) -> Value {
    if current == UNBOUND || current == NONE {
        return raise_new(TypeId::RuntimeError, "No active exception to reraise".into());
    }
    raise(current);
    set_skip(true);
    EXC
}

/// Take the pending exception (for an `except` handler).
pub extern "C" fn rt_take_exception() -> Value {
    set_skip(false);
    crate::vm::take_exception()
}

/// Does exception `exc` match `typ` (a class or a tuple of classes)? 1 yes, 0 no, 2 when
/// `typ` is not an exception class (TypeError raised).
pub extern "C" fn rt_exc_matches(exc: Value, typ: Value) -> u64 {
    let check_one = |t: Value| -> Option<bool> {
        if is_exception_type(t) {
            Some(is_subtype(type_of(exc), t))
        } else {
            None
        }
    };
    let r = if typ.is_kind(ObjKind::Tuple) {
        let mut any = Some(false);
        for &t in tuple_items(typ) {
            match check_one(t) {
                Some(true) => {
                    if any == Some(false) {
                        any = Some(true)
                    }
                }
                Some(false) => {}
                None => {
                    any = None;
                    break;
                }
            }
        }
        any
    } else {
        check_one(typ)
    };
    match r {
        Some(b) => b as u64,
        None => {
            // The exception being matched stays referenced by the caller; replace the
            // pending one with the TypeError.
            raise_new(
                TypeId::TypeError,
                "catching classes that do not inherit from BaseException is not allowed".into(),
            );
            2
        }
    }
}

/// Append a frame (`info` null = module level) at `line` to the pending exception's
/// traceback.
pub extern "C" fn rt_traceback_add(info: *const CodeInfo, line: u64) {
    if take_skip() {
        return;
    }
    let e = vm().exc;
    if e.is_kind(ObjKind::Exception) {
        obj::<ExceptionObj>(e).traceback.push(TraceEntry {
            info,
            line: line as u32,
        });
    }
}

/// The value of the global `name` while its slot is empty: the builtin of that name, or
/// (returning EXC) `NameError: name 'x' is not defined`, as CPython's lookup falls back
/// from the module's dict to `builtins`.
pub extern "C" fn rt_global_fallback(name: Value) -> Value {
    match crate::builtins::lookup_builtin(str_ref(name)) {
        Some(b) => b,
        None => rt_raise_name_error(name),
    }
}

/// `NameError: name 'x' is not defined`.
pub extern "C" fn rt_raise_name_error(name: Value) -> Value {
    raise_new(TypeId::NameError, format!("name '{}' is not defined", str_ref(name)))
}

/// `UnboundLocalError: cannot access local variable 'x' where it is not associated with a value`.
pub extern "C" fn rt_raise_unbound_local(name: Value) -> Value {
    raise_new(
        TypeId::UnboundLocalError,
        format!(
            "cannot access local variable '{}' where it is not associated with a value",
            str_ref(name)
        ),
    )
}

/// `NameError: cannot access free variable 'x' where it is not associated with a value in
/// enclosing scope`.
pub extern "C" fn rt_raise_unbound_free(name: Value) -> Value {
    raise_new(
        TypeId::NameError,
        format!(
            "cannot access free variable '{}' where it is not associated with a value in enclosing scope",
            str_ref(name)
        ),
    )
}

/// `RecursionError: maximum recursion depth exceeded`.
pub extern "C" fn rt_raise_recursion() -> Value {
    raise_new(TypeId::RecursionError, "maximum recursion depth exceeded".into())
}

/// `assert` failure: `AssertionError(msg)`, or `AssertionError()` when `msg` is UNBOUND.
pub extern "C" fn rt_raise_assert(msg: Value) -> Value {
    set_skip(false);
    let args = if msg == UNBOUND { Vec::new() } else { vec![msg] };
    raise(new_exception_args(TypeId::AssertionError, args))
}

/// The last line of an uncaught exception's report: `ValueError: msg` or `ValueError`.
pub fn exception_summary(exc: Value) -> String {
    if !exc.is_kind(ObjKind::Exception) {
        return repr_string(exc);
    }
    let name = type_obj_name(obj::<ExceptionObj>(exc).typ);
    let msg = exception_str(exc);
    if msg.is_empty() {
        name.to_string()
    } else {
        format!("{}: {}", name, msg)
    }
}

/// The last line printed for an uncaught exception (with CPython's "Did you mean" hint).
pub fn uncaught_summary(exc: Value) -> String {
    let mut s = exception_summary(exc);
    if exc.is_kind(ObjKind::Exception) {
        let e = obj::<ExceptionObj>(exc);
        let tname = type_obj_name(e.typ);
        let args = tuple_items(e.args);
        if args.len() == 1 {
            if let Some(msg) = as_str(args[0]) {
                if let Some(sfx) = crate::suggest::suggestion_suffix(exc, tname, msg) {
                    s.push_str(&sfx);
                }
            }
        }
    }
    s
}

/// Is `exc` an exception of type `t` or a subclass?
pub fn is_instance_of(exc: Value, t: TypeId) -> bool {
    exc.is_kind(ObjKind::Exception) && is_subtype(obj::<ExceptionObj>(exc).typ, type_object(t))
}

/// If `exc` is a `SystemExit`, what CPython does with it at the top level: the exit status
/// its code gives (none or None: 0; an int: that int), or, for any other code, its `str` on
/// stderr and status 1. No traceback is printed. `None` for other exceptions.
pub fn system_exit_status(exc: Value) -> Option<i32> {
    if !is_instance_of(exc, TypeId::SystemExit) {
        return None;
    }
    let args = obj::<ExceptionObj>(exc).args;
    let code = match tuple_items(args) {
        [] => NONE,
        [one] => *one,
        _ => args,
    };
    if code == NONE {
        return Some(0);
    }
    if let Some(i) = int_val(code) {
        // The status is the int's low bits, as the C `exit()` CPython calls takes them.
        return Some(num_traits::ToPrimitive::to_i64(&i.to_big()).map_or(-1, |n| n as i32));
    }
    crate::vm::flush_stdout();
    eprintln!("{}", crate::format::str_string(code));
    Some(1)
}

/// Print an uncaught exception to stderr in CPython's shape (flushes stdout first).
pub fn print_uncaught(exc: Value) {
    crate::vm::flush_stdout();
    let mut s = String::new();
    if exc.is_kind(ObjKind::Exception) {
        let tb = &obj::<ExceptionObj>(exc).traceback;
        if !tb.is_empty() {
            s.push_str("Traceback (most recent call last):\n");
            let lines: Vec<&str> = vm().source.lines().collect();
            let entries: Vec<&TraceEntry> = tb.iter().rev().collect();
            let skip = entries.len().saturating_sub(1000);
            let mut last: Option<(String, u32, String)> = None;
            let mut cnt = 0usize;
            const CUTOFF: usize = 3;
            let repeated = |s: &mut String, cnt: usize| {
                let n = cnt - CUTOFF;
                s.push_str(&format!(
                    "  [Previous line repeated {} more time{}]\n",
                    n,
                    if n > 1 { "s" } else { "" }
                ));
            };
            for e in &entries[skip..] {
                let (file, name) = if e.info.is_null() {
                    (vm().filename.clone(), "<module>".to_string())
                } else {
                    let info = unsafe { &*e.info };
                    let f = if info.filename.is_empty() {
                        vm().filename.clone()
                    } else {
                        info.filename.clone()
                    };
                    (f, info.name.clone())
                };
                let key = (file.clone(), e.line, name.clone());
                if last.as_ref() != Some(&key) {
                    if cnt > CUTOFF {
                        repeated(&mut s, cnt);
                    }
                    last = Some(key);
                    cnt = 0;
                }
                cnt += 1;
                if cnt <= CUTOFF {
                    s.push_str(&format!("  File \"{}\", line {}, in {}\n", file, e.line, name));
                    if let Some(l) = lines.get((e.line as usize).wrapping_sub(1)) {
                        let t = l.trim();
                        if !t.is_empty() {
                            s.push_str(&format!("    {}\n", t));
                        }
                    }
                }
            }
            if cnt > CUTOFF {
                repeated(&mut s, cnt);
            }
        }
    }
    s.push_str(&uncaught_summary(exc));
    s.push('\n');
    let stderr = std::io::stderr();
    let mut h = stderr.lock();
    let _ = h.write_all(s.as_bytes());
    let _ = h.flush();
}
