//! Narrow entry points for compiled code's fast paths: each does one thing for the common
//! case, skipping the general call dispatch (`len(x)`, `xs.append(v)`).

use crate::objects::{dict_mut, list_mut, new_int};
use crate::value::{Value, NONE};

/// `len(v)` for a `len` known to be the builtin.
pub extern "C" fn rt_len(v: Value) -> Value {
    match crate::builtins::py_len(v) {
        Ok(n) => new_int(n),
        Err(e) => e,
    }
}

/// `xs.append(v)` where `xs` is known to be a list.
pub extern "C" fn rt_list_append(xs: Value, v: Value) -> Value {
    list_mut(xs).push(v);
    NONE
}

/// `d[k]` where `d` is known to be a dict: the lookup, and the general path (which raises
/// `KeyError` or the unhashable-key `TypeError`) on a miss.
pub extern "C" fn rt_dict_getitem(d: Value, k: Value) -> Value {
    match dict_mut(d).get(k) {
        Ok(Some(v)) => v,
        _ => crate::ops::rt_getitem(d, k),
    }
}

/// `d[k] = v` where `d` is known to be a dict.
pub extern "C" fn rt_dict_setitem(d: Value, k: Value, v: Value) -> Value {
    match dict_mut(d).insert(k, v) {
        Ok(()) => NONE,
        Err(_) => crate::ops::rt_setitem(d, k, v),
    }
}
