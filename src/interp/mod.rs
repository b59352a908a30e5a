//! The interpreter baseline (`cellar run --interp`): the same front end, scope analysis and
//! runtime as the JIT (objects, builtins, GC, exceptions, messages), without native code.
//!
//! Before running, [`compile`] turns the AST into a tree ([`tree`]) whose names are resolved
//! to storage exactly as the JIT resolves them:
//!
//! ```text
//! ScopeKind::Local      a word of the frame              frame[slot]
//! ScopeKind::Cell       a frame word holding the CellObj  frame[slot] -> CellObj.value
//! ScopeKind::Free       the function's env record        FunctionObj.env[i] -> CellObj.value
//! Global*               vm().globals[slot]               (same slots as the JIT)
//! ```
//!
//! Frames live on the VM's value stack (`cellar_runtime::stack`), which the collector scans:
//!
//! ```text
//! caller frame                              callee frame (starts at the caller's call block)
//! +------+--------+--------+-------------+  +------+------+------+--------+--------+
//! | func | params | locals | temporaries |  | func | arg0 | arg1 | locals | temps  |
//! +------+--------+--------+-----+-------+  +------+------+------+--------+--------+
//!                                  ^ call block: callee, arg0, arg1 = the callee's words 0..3
//! ```
//!
//! Functions are ordinary runtime `FunctionObj`s: `CodeInfo::engine` points to their
//! [`tree::Code`] and `CodeInfo::array_entry` is [`eval::array_entry`], so the runtime's
//! general call path (`call::call_value`, used by builtins such as `sorted(key=)`) works
//! unchanged. A call from interpreted code to an interpreted function of matching arity
//! runs it directly in a frame that starts at the call's own words (no argument vector).
//!
//! Recursion depth uses `vm().depth` and `depth_limit` (RecursionError, as the JIT), plus a
//! native stack budget so deep recursion never overflows the Rust stack. The collector only
//! runs at function entry and loop heads (polls of `vm().gc_pending`), as under the JIT.

pub mod compile;
pub mod eval;
pub mod tree;

use crate::scope::ScopeTable;
use crate::syntax::ast::{Module, ScopeId};
use crate::syntax::SourceText;
use cellar_runtime::value::Value;
use std::collections::HashMap;

/// A program compiled for the interpreter.
pub struct Program {
    module: &'static tree::Code,
}

/// Compile a module for the interpreter. The VM must be initialised (global slots, str
/// constants and code infos are created in it).
pub fn compile(ast: &Module, scopes: &ScopeTable, source: &SourceText, filename: &str) -> Program {
    let globals = crate::program::install_globals(scopes);
    let mut cx = compile::Cx {
        scopes,
        source,
        filename,
        globals,
        strs: HashMap::new(),
    };
    let code = cx.code(ScopeId(0), &ast.body, std::ptr::null());
    Program {
        module: Box::leak(Box::new(code)),
    }
}

impl Program {
    /// Run the module body on the current thread, which must have `stack_bytes` of native
    /// stack left below this call. Returns `NONE`, or `EXC` with the exception pending.
    pub fn run(&self, stack_bytes: usize) -> Value {
        eval::setup(stack_bytes);
        eval::run_module(self.module)
    }
}
