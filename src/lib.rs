//! Cellar: a JIT-compiling closure runtime for a subset of Python.
//!
//! ```text
//! source → syntax (ruff parser → Cellar AST with spans) → scope (CPython's symtable rules)
//!        → jit (Cranelift IR → native code) → cellar-runtime (values, cells, GC, builtins)
//! ```

pub mod driver;
pub mod jit;
pub mod scope;
pub mod syntax;
