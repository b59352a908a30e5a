//! Tagged 64-bit values (NaN-boxing, the JavaScriptCore layout).
//!
//! ```text
//!  63        48 47                                             0
//! +------------+------------------------------------------------+
//! |   0x0000   |  pointer to a heap object (8-aligned, >= 4096) |  heap object
//! |   0x0000   |  0x0 UNBOUND, 0x2 None, 0x6 False, 0x7 True,   |  specials
//! |            |  0xE EXC (an exception is pending)             |
//! | 0x0001 ..  |  IEEE double bits + 2^48                       |  float
//! |   0xFFFE   |                                                |
//! |   0xFFFF   |  48-bit two's complement integer               |  small int
//! +------------+------------------------------------------------+
//! ```
//!
//! A small int is its own sign-extended value with the top 16 bits forced to one, so
//! unboxing is `(v << 16) >> 16` (arithmetic) and boxing is `n | 0xFFFF << 48`. Integers
//! outside `[-2^47, 2^47)` are heap big integers. Floats are unboxed: the double's bits plus
//! 2^48, so no NaN-boxed double can look like a pointer or an int (NaNs are canonical).

use crate::object::{Header, ObjKind};

/// A Python value in one machine word. See the module docs for the encoding.
#[repr(transparent)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Value(pub u64);

/// Tag bits of a small int (top 16 bits all ones).
pub const INT_TAG: u64 = 0xFFFF_0000_0000_0000;
/// Offset added to a double's bits.
pub const DOUBLE_OFFSET: u64 = 1 << 48;
/// Smallest small int.
pub const SMALL_INT_MIN: i64 = -(1 << 47);
/// Largest small int.
pub const SMALL_INT_MAX: i64 = (1 << 47) - 1;

/// An empty slot: an unbound local, an empty cell, "no value". Also "iterator exhausted".
pub const UNBOUND: Value = Value(0);
/// `None`.
pub const NONE: Value = Value(2);
/// `False`.
pub const FALSE: Value = Value(6);
/// `True`.
pub const TRUE: Value = Value(7);
/// Returned by any function when a Python exception is pending in the VM.
pub const EXC: Value = Value(0xE);

impl Value {
    /// A Python int; `None` if it does not fit a small int (the caller makes a big int).
    #[inline]
    pub fn small_int(n: i64) -> Option<Value> {
        if (SMALL_INT_MIN..=SMALL_INT_MAX).contains(&n) {
            Some(Value(n as u64 | INT_TAG))
        } else {
            None
        }
    }
    /// A small int; the caller guarantees range.
    #[inline]
    pub fn int_unchecked(n: i64) -> Value {
        debug_assert!((SMALL_INT_MIN..=SMALL_INT_MAX).contains(&n));
        Value(n as u64 | INT_TAG)
    }
    /// A float.
    #[inline]
    pub fn float(f: f64) -> Value {
        let f = if f.is_nan() { f64::NAN } else { f };
        Value(f.to_bits().wrapping_add(DOUBLE_OFFSET))
    }
    /// A bool.
    #[inline]
    pub fn bool(b: bool) -> Value {
        if b {
            TRUE
        } else {
            FALSE
        }
    }
    /// Is this a small int?
    #[inline]
    pub fn is_small_int(self) -> bool {
        self.0 >= INT_TAG
    }
    /// The small int's value (only valid if `is_small_int`).
    #[inline]
    pub fn as_small_int(self) -> i64 {
        ((self.0 << 16) as i64) >> 16
    }
    /// Is this a float?
    #[inline]
    pub fn is_float(self) -> bool {
        let t = self.0 >> 48;
        t != 0 && t != 0xFFFF
    }
    /// The float's value (only valid if `is_float`).
    #[inline]
    pub fn as_float(self) -> f64 {
        f64::from_bits(self.0.wrapping_sub(DOUBLE_OFFSET))
    }
    /// Is this a pointer to a heap object?
    #[inline]
    pub fn is_ptr(self) -> bool {
        self.0 >> 48 == 0 && self.0 >= 4096
    }
    /// The heap object header (only valid if `is_ptr`).
    #[inline]
    pub fn header(self) -> *mut Header {
        self.0 as *mut Header
    }
    /// The object kind, if this is a heap object.
    #[inline]
    pub fn kind(self) -> Option<ObjKind> {
        if self.is_ptr() {
            Some(unsafe { (*self.header()).kind })
        } else {
            None
        }
    }
    /// Is this a heap object of kind `k`?
    #[inline]
    pub fn is_kind(self, k: ObjKind) -> bool {
        self.kind() == Some(k)
    }
    /// Is this `None`?
    #[inline]
    pub fn is_none(self) -> bool {
        self == NONE
    }
    /// Is this `True` or `False`?
    #[inline]
    pub fn is_bool(self) -> bool {
        self == TRUE || self == FALSE
    }
    /// Pointer to the object as type `T` (caller checked the kind).
    #[inline]
    pub fn as_ptr<T>(self) -> *mut T {
        self.0 as *mut T
    }
    /// A value from an object pointer.
    #[inline]
    pub fn from_ptr<T>(p: *mut T) -> Value {
        Value(p as u64)
    }
}
