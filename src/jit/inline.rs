//! Which direct calls Cranelift inlines: calls of small, non-recursive Python functions whose
//! callee is known statically (nested `def`s, global functions, closure-holding locals; see
//! `jit::known`).
//!
//! Inlining keeps every semantic the out-of-line call has: the callee's depth count, its
//! traceback entries (they name the callee's code), and its GC roots (Cranelift appends the
//! call site's stack map to every safepoint of the inlined body).

use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, ExternalName, Function};
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Functions with more instructions than this are not inlined.
const MAX_INLINE_INSTS: usize = 400;

/// The callee's `FuncId` index, for a call to a function of this module.
pub fn callee_index(func: &Function, callee: ir::FuncRef) -> Option<u32> {
    match &func.dfg.ext_funcs[callee].name {
        ExternalName::User(r) => Some(func.params.user_named_funcs()[*r].index),
        _ => None,
    }
}

/// Is the body `fid` worth inlining: small, and not calling itself.
pub fn is_inlinable(fid: u32, body: &Function) -> bool {
    let mut n = 0;
    for block in body.layout.blocks() {
        for inst in body.layout.block_insts(block) {
            n += 1;
            if let ir::InstructionData::Call { func_ref, .. } = body.dfg.insts[inst] {
                if callee_index(body, func_ref) == Some(fid) {
                    return false;
                }
            }
        }
    }
    n <= MAX_INLINE_INSTS
}

/// The inlining policy for one caller.
pub struct Inliner<'a> {
    /// Lowered bodies of every Python function, by `FuncId` index.
    pub bodies: &'a HashMap<u32, Function>,
    /// The bodies small enough to inline.
    pub inlinable: &'a HashSet<u32>,
    /// The caller's `FuncId` index (never inlined into itself).
    pub caller: u32,
}

impl Inline for Inliner<'_> {
    fn inline(
        &mut self,
        caller: &Function,
        _inst: ir::Inst,
        _opcode: ir::Opcode,
        callee: ir::FuncRef,
        _args: &[ir::Value],
    ) -> InlineCommand<'_> {
        match callee_index(caller, callee) {
            Some(f) if f != self.caller && self.inlinable.contains(&f) => InlineCommand::Inline {
                callee: Cow::Borrowed(&self.bodies[&f]),
                visit_callee: false,
            },
            _ => InlineCommand::KeepCall,
        }
    }
}
