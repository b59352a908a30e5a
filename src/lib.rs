//! Cellar: a JIT-compiling closure runtime for a subset of Python.
//!
//! ```text
//! source → syntax (ruff parser → Cellar AST with spans) → scope (CPython's symtable rules)
//!        → jit (Cranelift IR → native code) → cellar-runtime (values, cells, GC, builtins)
//! ```

pub mod bench;
pub mod driver;
pub mod inspect;
pub mod interp;
pub mod jit;
pub mod program;
pub mod scope;
pub mod syntax;
