//! `cellar-runtime`: values, heap objects, cells, closures, the GC, built-ins, and the
//! `extern "C"` entry points (`rt_*`) that compiled code calls.
//!
//! Conventions for every `rt_*` entry point:
//! - Arguments and results are [`Value`]s (tagged words, see [`value`]).
//! - A function that can fail returns [`value::EXC`] after setting the VM's pending
//!   exception ([`vm::raise`]).
//! - Allocation never collects; collection happens only at polls in compiled code
//!   ([`gc`]). Rust code that calls back into Python keeps what it still needs in
//!   [`vm::Vm::roots`].

pub mod alloc;
pub mod builtins;
pub mod call;
pub mod dict;
pub mod exceptions;
pub mod fast;
pub mod format;
pub mod gc;
pub mod introspect;
pub mod iter;
pub mod object;
pub mod objects;
pub mod ops;
pub mod specialize;
pub mod stack;
pub mod suggest;
pub mod types;
pub mod value;
pub mod vm;

pub use value::Value;

#[cfg(test)]
mod tests;
