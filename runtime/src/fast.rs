//! Narrow entry points for compiled code's fast paths: each does one thing for the common
//! case, skipping the general call dispatch (`len(x)`, `xs.append(v)`).

use crate::objects::{list_mut, new_int};
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
