//! Slow paths call the runtime through `preserve_all` wrappers.
//!
//! A SystemV call clobbers nine integer registers and every float register, so a value
//! that is live across any call must sit in one of the five callee-saved registers (rbx,
//! r12-r15) or in a stack slot. A loop whose hot path makes no call at all (the counter
//! closure inlined into its caller's loop) still has calls on its slow paths: the generic
//! arithmetic, the pending-collection poll, the error exits. Each of them forces every
//! value live through the loop into those five registers, and the rest to the stack, where
//! the hot path then loads them every iteration.
//!
//! This pass sends every call to a runtime entry point from a cold block (see [`super::cold`])
//! through a wrapper instead. The wrappers use Cranelift's `preserve_all` convention: they
//! save whatever registers they and the target touch, so the call site clobbers nothing and
//! the register allocator may keep values in any register across it. Nor does the call site
//! pass anything in registers: it stores the target's address and the arguments in
//! `Vm::cold_args`, and `cold_call_N()` loads them and calls the target with the N
//! arguments. Argument registers are fixed registers; a value passed in one on a slow path
//! inside a loop made the register allocator split or spill it through the whole loop (with
//! the arguments in registers, fib_closure ran 10% more instructions, counter 5% more).
//! `preserve_all` functions cannot return a value either, so the wrapper stores the
//! target's result in `Vm::cold_result` and the call site loads it from there:
//!
//! ```text
//!   before (cold block)                     after
//!   v7 = call rt_binop(v1, v2, v3)          store &rt_binop -> vm.cold_args[0]
//!                                           store v1, v2, v3 -> vm.cold_args[1..4]
//!                                           call cold_call_3()         ; same stack map
//!                                           v7 = load vm.cold_result
//!
//!   cold_call_3():  preserve_all
//!   +------------------------------------------------+
//!   | push rbp; save every register it clobbers      |
//!   | target, a, b, c = load vm.cold_args[0..4]      |
//!   | r = call_indirect target(a, b, c)   (SystemV)  |
//!   | store r -> vm.cold_result                      |
//!   | restore; ret                                   |
//!   +------------------------------------------------+
//! ```
//!
//! One wrapper per arity (and a `cold_reentrant_N` for entry points that may call back
//! into Python), compiled only if used, keeps start-up cost small. A target that returns
//! nothing leaves a meaningless word in `cold_result`, which nothing reads. The wrapper
//! loads its arguments before it calls, and the call site loads the result right after the
//! call, so a nested slow-path call (Python code the target calls back) cannot overwrite
//! either in between, and no collection falls between a store and its load.
//! `cold_reentrant_N` pushes the ExitNode itself (it replaces `tramp_X`), so the collector
//! still finds the calling JIT frame from the node's frame pointer and return address.
//! Hot paths keep their direct SystemV calls: saving every register costs more than a call
//! that runs often.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    types::I64, ExternalName, FuncRef, Function, InstBuilder, InstructionData, MemFlagsData, Opcode,
};
use std::collections::HashMap;

/// The most arguments a slow path's runtime call passes through `Vm::cold_args`.
pub const MAX_COLD_ARGS: usize = 7;

/// How a slow path reaches one runtime entry point.
#[derive(Clone, Copy, Debug)]
pub struct ColdRoute {
    /// Address of the Rust function.
    pub addr: i64,
    /// Number of word arguments.
    pub arity: usize,
    /// It may call back into Python: the wrapper pushes an ExitNode.
    pub reentrant: bool,
}

/// Reroute the runtime calls of `func`'s cold blocks: `routes` maps a direct callee (an
/// import, or the `tramp_X` of a reentrant one) to its route, `wrapper(arity, reentrant,
/// func)` makes the matching `cold_call_N` wrapper callable from `func`, and `vm_addr` is
/// the VM's address. Returns how many calls moved.
///
/// `Vm::cold_args` holds the target and at most [`MAX_COLD_ARGS`] arguments.
pub fn route_cold_calls(
    func: &mut Function,
    routes: &HashMap<u32, ColdRoute>,
    vm_addr: i64,
    wrapper: &mut dyn FnMut(usize, bool, &mut Function) -> FuncRef,
) -> usize {
    let mut refs: HashMap<(usize, bool), FuncRef> = HashMap::new();
    let mut moved = 0;
    let blocks: Vec<_> = func.layout.blocks().filter(|&b| func.layout.is_cold(b)).collect();
    for block in blocks {
        let insts: Vec<_> = func.layout.block_insts(block).collect();
        for inst in insts {
            let InstructionData::Call {
                opcode: Opcode::Call,
                func_ref,
                ..
            } = func.dfg.insts[inst]
            else {
                continue;
            };
            let ExternalName::User(name) = func.dfg.ext_funcs[func_ref].name else {
                continue;
            };
            let callee = &func.params.user_named_funcs()[name];
            if callee.namespace != 0 {
                continue;
            }
            let Some(&route) = routes.get(&callee.index) else {
                continue;
            };
            let key = (route.arity, route.reentrant);
            let wrapper_ref = *refs.entry(key).or_insert_with(|| wrapper(key.0, key.1, func));
            let args: Vec<_> = func.dfg.inst_args(inst).to_vec();
            assert!(args.len() <= MAX_COLD_ARGS, "Vm::cold_args holds the arguments");
            {
                let mut cur = FuncCursor::new(func).at_inst(inst);
                let vm = cur.ins().iconst(I64, vm_addr);
                let target = cur.ins().iconst(I64, route.addr);
                let base = cellar_runtime::vm::VM_COLD_ARGS_OFFSET;
                cur.ins().store(MemFlagsData::trusted(), target, vm, base);
                for (k, &a) in args.iter().enumerate() {
                    cur.ins()
                        .store(MemFlagsData::trusted(), a, vm, base + 8 * (k as i32 + 1));
                }
            }
            let dfg = &mut func.dfg;
            if let InstructionData::Call { func_ref, args, .. } = &mut dfg.insts[inst] {
                *func_ref = wrapper_ref;
                args.clear(&mut dfg.value_lists);
            }
            let results = func.dfg.inst_results(inst).to_vec();
            func.dfg.detach_inst_results(inst);
            if let Some(&r) = results.first() {
                let mut cur = FuncCursor::new(func).after_inst(inst);
                let vm = cur.ins().iconst(I64, vm_addr);
                let loaded = cur.ins().load(
                    I64,
                    MemFlagsData::trusted(),
                    vm,
                    cellar_runtime::vm::VM_COLD_RESULT_OFFSET,
                );
                func.dfg.change_to_alias(r, loaded);
            }
            moved += 1;
        }
    }
    moved
}
