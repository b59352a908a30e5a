//! Safepoint reloads removed: Cellar's collector never moves objects.
//!
//! Cranelift's frontend makes every value that needs a stack map and is live across a
//! safepoint (a call) survive the call through a stack slot: it stores the value to its
//! slot right after the definition, lists the slot in the stack map of every safepoint the
//! value is live across, and replaces *every* use of the value by a load from the slot.
//! Those loads exist for moving collectors, which may rewrite the slot during the call.
//!
//! Cellar's collector is non-moving (see `cellar_runtime::gc`): it reads the slots to mark
//! what they point to and never writes them. So a reload always yields the value that was
//! stored, and this pass replaces each reload by that value:
//!
//! ```text
//!   before                                   after
//!   v7 = call fn3(..)                        v7 = call fn3(..)
//!   v20 = stack_addr ss1                     v20 = stack_addr ss1
//!   store v7, v20          ; the spill       store v7, v20          ; kept: the map reads ss1
//!   ...                                      ...
//!   call fn5(), stack_map=[ss1]              call fn5(), stack_map=[ss1]
//!   v21 = stack_addr ss1                     (load removed, v22 is now v7)
//!   v22 = load v21         ; a reload
//!   v23 = iadd v22, v9                       v23 = iadd v7, v9
//! ```
//!
//! The spills stay, so stack maps stay exact; values then live in registers across calls
//! (callee-saved ones, or the register allocator's own spill slots), and hot paths whose
//! only safepoints are on cold paths read no slot at all.
//!
//! Which value a reload reads is found by a forward "last store to this slot" analysis
//! over the control-flow graph: the frontend shares a slot only between values that are
//! never live at the same time, so exactly one spill reaches each of its reloads. A reload
//! the analysis cannot pin down (none seen so far) is left as it is.
//!
//! Only reloads inside loops are replaced. A value that lives on in a register across a
//! call needs a callee-saved register, which every call of the function then saves and
//! restores: a good trade in a loop, where that cost is paid once for many iterations, and
//! a bad one in a short recursive function (fib measured 13% more instructions when every
//! reload was replaced). The pass runs after inlining, so it sees the loops that inlined
//! bodies sit in. `CELLAR_KEEP_RELOADS=1` turns it off, for measuring.

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, Function, Inst, InstructionData, Opcode, StackSlot, Value};
use cranelift_codegen::loop_analysis::LoopAnalysis;
use std::collections::{HashMap, HashSet};

/// A stack location: a slot and a byte offset inside it.
type Loc = (StackSlot, i64);

/// What is known to be stored at each spill location (a location that is absent holds an
/// unknown value).
type Stored = HashMap<Loc, Value>;

/// Replace the frontend's safepoint reloads in `func` by the values they reload; returns
/// how many were removed.
pub fn remove_reloads(func: &mut Function) -> usize {
    let spill_slots: HashSet<StackSlot> = func
        .layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .filter_map(|i| func.dfg.user_stack_map_entries(i))
        .flat_map(|entries| entries.iter().map(|e| e.slot))
        .collect();
    if spill_slots.is_empty() {
        return 0;
    }
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let rpo: Vec<Block> = domtree.cfg_rpo().copied().collect();
    let mut loops = LoopAnalysis::new();
    loops.compute(func, &cfg, &domtree);

    // Fixed point of the forward analysis: `entry[b]` is what is known at b's start.
    let mut entry: HashMap<Block, Stored> = HashMap::new();
    if let Some(&first) = rpo.first() {
        entry.insert(first, Stored::new());
    }
    let mut changed = true;
    while changed {
        changed = false;
        for &b in &rpo {
            let Some(mut state) = entry.get(&b).cloned() else {
                continue;
            };
            for inst in func.layout.block_insts(b) {
                transfer(func, &spill_slots, inst, &mut state, &mut |_, _| {});
            }
            for succ in cfg.succ_iter(b) {
                let merged = match entry.get(&succ) {
                    None => state.clone(),
                    Some(old) => meet(old, &state),
                };
                if entry.get(&succ) != Some(&merged) {
                    entry.insert(succ, merged);
                    changed = true;
                }
            }
        }
    }

    // Rewrite: each reload whose location holds a known value becomes that value.
    let mut reloads: Vec<(Inst, Value, Value)> = Vec::new();
    for &b in &rpo {
        let Some(mut state) = entry.get(&b).cloned() else {
            continue;
        };
        let in_loop = loops.innermost_loop(b).is_some();
        for inst in func.layout.block_insts(b) {
            transfer(func, &spill_slots, inst, &mut state, &mut |result, stored| {
                if in_loop {
                    reloads.push((inst, result, stored));
                }
            });
        }
    }
    for &(inst, result, stored) in &reloads {
        func.layout.remove_inst(inst);
        func.dfg.clear_results(inst);
        func.dfg.change_to_alias(result, stored);
    }
    func.dfg.resolve_all_aliases();
    reloads.len()
}

/// The location `addr` points to, when it is a `stack_addr` of a spill slot.
fn spill_loc(func: &Function, spill_slots: &HashSet<StackSlot>, addr: Value, offset: i64) -> Option<Loc> {
    let def = func.dfg.value_def(func.dfg.resolve_aliases(addr)).inst()?;
    match func.dfg.insts[def] {
        InstructionData::StackAddr {
            opcode: Opcode::StackAddr,
            stack_slot,
            offset: o,
        } if spill_slots.contains(&stack_slot) => Some((stack_slot, i64::from(o) + offset)),
        _ => None,
    }
}

/// Apply one instruction to `state`; `reload(result, value)` is told about each load from
/// a spill location whose content is known.
fn transfer(
    func: &Function,
    spill_slots: &HashSet<StackSlot>,
    inst: Inst,
    state: &mut Stored,
    reload: &mut dyn FnMut(Value, Value),
) {
    match func.dfg.insts[inst] {
        InstructionData::Store {
            opcode: Opcode::Store,
            args: [value, addr],
            offset,
            ..
        } => {
            if let Some(loc) = spill_loc(func, spill_slots, addr, i64::from(offset)) {
                state.insert(loc, func.dfg.resolve_aliases(value));
            } else if is_stack_addr(func, addr) {
                // A store through some other stack address: nothing is known any more
                // about the slot it may reach.
                forget_slot_of(func, addr, state);
            }
        }
        InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            offset,
            ..
        } => {
            if let Some(loc) = spill_loc(func, spill_slots, arg, i64::from(offset)) {
                let result = func.dfg.first_result(inst);
                if let Some(&stored) = state.get(&loc) {
                    if func.dfg.value_type(result) == func.dfg.value_type(stored) {
                        reload(result, stored);
                    }
                }
            }
        }
        _ => {
            // Anything else that could write a spill slot through its address (a call
            // given a `stack_addr` of one) makes that slot unknown.
            for &arg in func.dfg.inst_values(inst).collect::<Vec<_>>().iter() {
                if is_stack_addr(func, arg) {
                    forget_slot_of(func, arg, state);
                }
            }
        }
    }
}

fn is_stack_addr(func: &Function, v: Value) -> bool {
    func.dfg
        .value_def(func.dfg.resolve_aliases(v))
        .inst()
        .is_some_and(|i| func.dfg.insts[i].opcode() == Opcode::StackAddr)
}

fn forget_slot_of(func: &Function, addr: Value, state: &mut Stored) {
    let def = func.dfg.value_def(func.dfg.resolve_aliases(addr)).inst();
    if let Some(InstructionData::StackAddr { stack_slot, .. }) = def.map(|i| func.dfg.insts[i]) {
        state.retain(|(s, _), _| *s != stack_slot);
    }
}

/// What is known on both of two paths.
fn meet(a: &Stored, b: &Stored) -> Stored {
    a.iter()
        .filter(|(loc, v)| b.get(loc) == Some(v))
        .map(|(loc, v)| (*loc, *v))
        .collect()
}
