//! Operators, hashing, equality, truthiness, reprs (stub: filled in by the runtime work).

use crate::value::Value;

/// Python hash of a hashable value; `None` if unhashable.
pub fn py_hash(v: Value) -> Option<u64> {
    Some(v.0)
}

/// Python `==` for dict keys of the supported types.
pub fn py_eq(a: Value, b: Value) -> bool {
    a == b
}
