//! Closures that get code of their own: the runtime half of closure specialisation.
//!
//! The shared body of a specialisable function (one that calls a frozen capture; see
//! [`crate::object`]) counts its calls down in `FunctionObj::countdown` and, when it reaches
//! zero, hands the call to [`rt_specialize_call`], which calls [`rt_specialize`] and then
//! makes the call again. [`rt_specialize`] asks the compiler, through the hook it
//! registered with [`set_specializer`], for a body specialised to this closure object: its
//! captured values are constants there, and the closures among them are inlined. If the
//! compiler returns one, the closure's `code` points to it from then on. The compiler may
//! instead compile the body on another thread: it then keeps the closure alive in
//! `Vm::pinned`, sets its countdown again so that it asks again later, and installs the
//! body with [`install_body`] once it is ready. Otherwise the closure never asks again.
//!
//! The runtime only stores the hook: the compiler lives in the `cellar` crate, which this
//! crate does not depend on.

use crate::object::{FunctionObj, COUNTDOWN_NEVER};
use crate::value::Value;

/// The compiler's entry point: a native body for exactly this closure, or `None`.
pub type Specializer = fn(Value) -> Option<*const u8>;

static mut SPECIALIZER: Option<Specializer> = None;
static mut SPECIALIZED: u64 = 0;

/// Register (or, with `None`, remove) the compiler's hook.
pub fn set_specializer(hook: Option<Specializer>) {
    unsafe { SPECIALIZER = hook };
}

/// How many closures got a body of their own in this run.
pub fn specialized_count() -> u64 {
    unsafe { SPECIALIZED }
}

/// Called by a specialisable function's shared body when `func`'s countdown reaches zero,
/// in place of the rest of that call: ask for a specialised body (see [`rt_specialize`]),
/// then make the call again with the `nargs` arguments at `args` (at `Vm::depth`, which the
/// caller set to its own depth) and return its result.
pub extern "C" fn rt_specialize_call(func: Value, args: *const Value, nargs: u64) -> Value {
    rt_specialize(func);
    crate::call::rt_call(func, args, nargs, crate::value::UNBOUND)
}

/// Point `func` (a function object) at `code`, a body compiled for exactly it.
pub fn install_body(func: Value, code: *const u8) {
    let f = unsafe { &mut *(func.0 as *mut FunctionObj) };
    f.code = code;
    unsafe { SPECIALIZED += 1 };
}

/// Ask the compiler for a body specialised to `func`. The countdown is set to never
/// first; a compiler still busy with it (on another thread) sets it again, so that `func`
/// asks once more later. Compiles nothing that can collect or run Python.
pub extern "C" fn rt_specialize(func: Value) -> Value {
    let f = unsafe { &mut *(func.0 as *mut FunctionObj) };
    f.countdown = COUNTDOWN_NEVER;
    if let Some(hook) = unsafe { SPECIALIZER } {
        if let Some(code) = hook(func) {
            install_body(func, code);
        }
    }
    crate::value::NONE
}
