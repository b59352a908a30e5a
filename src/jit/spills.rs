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
//! Only reloads inside loops are replaced, unless the function makes no call that
//! clobbers registers. A value that lives on in a register across a SystemV call needs a
//! callee-saved register, which every call of the function then saves and restores: a good
//! trade in a loop, where that cost is paid once for many iterations, and a bad one in a
//! short recursive function (fib measured 13% more instructions when every reload was
//! replaced). Calls to the slow paths' `preserve_all` wrappers (see `super::coldcalls`)
//! clobber nothing, so a function that makes no other call has its reloads replaced
//! everywhere. The pass runs after inlining and after the slow-path calls are rerouted,
//! so it sees the loops that inlined bodies sit in and the calls' conventions.
//! `CELLAR_KEEP_RELOADS=1` turns it off, for measuring.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{
    types::I64, Block, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, StackSlot, Value, ValueDef,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::loop_analysis::LoopAnalysis;
use rustc_hash::FxHashMap as HashMap;

/// What each tracked slot is known to hold (by slot index; `None`: unknown).
type Stored = Vec<Option<Value>>;

/// How an instruction touches a tracked stack slot (by slot index).
#[derive(Clone, Copy)]
pub enum Access {
    /// `store value, stack_addr(slot)`: the slot holds `value` from here on (`None`: a
    /// store whose value is not to be forwarded; the slot's content is unknown after it).
    Spill(usize, Option<Value>),
    /// `result = load stack_addr(slot)`.
    Reload(usize, Value),
}

/// The loads (in blocks `wanted` accepts) whose slot holds the same known value on every
/// path to them: `(load, result, value)`. A forward "last store" analysis over the
/// control-flow graph in reverse postorder, each block's accesses listed once; a
/// predecessor not reached yet counts as agreeing.
pub fn known_loads(
    cfg: &ControlFlowGraph,
    rpo: &[Block],
    func: &Function,
    accesses: &HashMap<Inst, Access>,
    slots: usize,
    wanted: &dyn Fn(Block) -> bool,
) -> Vec<(Inst, Value, Value)> {
    // Each block's accesses, in order.
    let mut in_block: SecondaryMap<Block, Vec<(Inst, Access)>> = SecondaryMap::new();
    for &b in rpo {
        in_block[b] = func
            .layout
            .block_insts(b)
            .filter_map(|inst| accesses.get(&inst).map(|&a| (inst, a)))
            .collect();
    }
    let transfer = |b: Block, state: &mut Stored, reload: &mut dyn FnMut(Inst, Value, Value)| {
        for &(inst, access) in &in_block[b] {
            match access {
                Access::Spill(slot, v) => state[slot] = v,
                Access::Reload(slot, result) => {
                    if let Some(v) = state[slot] {
                        reload(inst, result, v);
                    }
                }
            }
        }
    };

    // Fixed point: `entry[b]` is what is known at b's start (`None`: not reached yet).
    let mut entry: SecondaryMap<Block, Option<Stored>> = SecondaryMap::new();
    if let Some(&first) = rpo.first() {
        entry[first] = Some(vec![None; slots]);
    }
    let mut state: Stored = Vec::new();
    let mut changed = true;
    while changed {
        changed = false;
        for &b in rpo {
            let Some(start) = &entry[b] else { continue };
            state.clone_from(start);
            transfer(b, &mut state, &mut |_, _, _| {});
            for succ in cfg.succ_iter(b) {
                match &mut entry[succ] {
                    slot @ None => {
                        *slot = Some(state.clone());
                        changed = true;
                    }
                    Some(old) => {
                        for (a, b) in old.iter_mut().zip(&state) {
                            if a.is_some() && a != b {
                                *a = None;
                                changed = true;
                            }
                        }
                    }
                }
            }
        }
    }

    let mut found = Vec::new();
    for &b in rpo {
        if !wanted(b) {
            continue;
        }
        let Some(start) = &entry[b] else { continue };
        state.clone_from(start);
        transfer(b, &mut state, &mut |inst, result, stored| {
            found.push((inst, result, stored))
        });
    }
    found
}

/// Make each of `loads` (`(load, result, value)`) its value, and drop the load.
pub fn replace_loads(func: &mut Function, loads: &[(Inst, Value, Value)]) {
    for &(inst, result, stored) in loads {
        func.layout.remove_inst(inst);
        func.dfg.clear_results(inst);
        func.dfg.change_to_alias(result, stored);
    }
    func.dfg.resolve_all_aliases();
}

/// Replace the frontend's safepoint reloads inside loops in `func` by the values they
/// reload; returns how many were removed.
pub fn remove_reloads(func: &mut Function) -> usize {
    // Spill slots: the slots stack maps name, numbered densely.
    let mut slot_index: HashMap<StackSlot, usize> = HashMap::default();
    for b in func.layout.blocks() {
        for i in func.layout.block_insts(b) {
            for e in func.dfg.user_stack_map_entries(i).unwrap_or(&[]) {
                let n = slot_index.len();
                slot_index.entry(e.slot).or_insert(n);
            }
        }
    }
    if slot_index.is_empty() {
        return 0;
    }
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let mut loops = LoopAnalysis::new();
    loops.compute(func, &cfg, &domtree);
    // With no call that clobbers registers (every call goes to a `preserve_all` slow-path
    // wrapper), a value kept in a register costs no callee-saved register: replace
    // reloads everywhere, not only in loops.
    let everywhere = !clobbering_call(func);
    if !everywhere && loops.loops().next().is_none() {
        return 0;
    }
    let accesses = spill_accesses(func, &slot_index);
    if accesses.is_empty() {
        return 0;
    }
    let rpo: Vec<Block> = domtree.cfg_rpo().copied().collect();
    // Each reload inside a loop (or anywhere, see above) whose slot holds a known value
    // becomes that value.
    let wanted = |b: Block| everywhere || loops.innermost_loop(b).is_some();
    let mut reloads = known_loads(&cfg, &rpo, func, &accesses, slot_index.len(), &wanted);
    reloads.retain(|&(_, result, stored)| func.dfg.value_type(result) == func.dfg.value_type(stored));
    replace_loads(func, &reloads);
    reloads.len()
}

/// Does `func` make a call that clobbers registers (any call but to a `preserve_all`
/// function)?
pub fn clobbering_call(func: &Function) -> bool {
    func.layout.blocks().any(|b| {
        func.layout.block_insts(b).any(|inst| match func.dfg.insts[inst] {
            InstructionData::Call { func_ref, .. } => {
                let sig = func.dfg.ext_funcs[func_ref].signature;
                func.dfg.signatures[sig].call_conv != CallConv::PreserveAll
            }
            ref data => data.opcode().is_call(),
        })
    })
}

/// Every `stack_addr` of `func`: its result, slot and offset.
pub fn stack_addrs(func: &Function) -> Vec<(Value, StackSlot, i64)> {
    let mut found = Vec::new();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            if let InstructionData::StackAddr {
                opcode: Opcode::StackAddr,
                stack_slot,
                offset,
            } = func.dfg.insts[inst]
            {
                found.push((func.dfg.first_result(inst), stack_slot, i64::from(offset)));
            }
        }
    }
    found
}

/// The spills and reloads of `func`: loads and stores at offset 0 of a `stack_addr` of a
/// spill slot. A slot whose address is used any other way (which the frontend never
/// does) is left out altogether.
fn spill_accesses(func: &Function, slot_index: &HashMap<StackSlot, usize>) -> HashMap<Inst, Access> {
    let mut addr_slot: HashMap<Value, usize> = HashMap::default();
    let mut escaped = vec![false; slot_index.len()];
    for (addr, stack_slot, offset) in stack_addrs(func) {
        if let Some(&slot) = slot_index.get(&stack_slot) {
            addr_slot.insert(addr, slot);
            escaped[slot] |= offset != 0;
        }
    }
    let mut accesses = HashMap::default();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            // The access, and which operand is its address.
            let access = match func.dfg.insts[inst] {
                InstructionData::Store {
                    opcode: Opcode::Store,
                    args: [value, addr],
                    offset,
                    ..
                } if i64::from(offset) == 0 => addr_slot
                    .get(&addr)
                    .map(|&slot| (Access::Spill(slot, Some(func.dfg.resolve_aliases(value))), 1)),
                InstructionData::Load {
                    opcode: Opcode::Load,
                    arg,
                    offset,
                    ..
                } if i64::from(offset) == 0 => addr_slot
                    .get(&arg)
                    .map(|&slot| (Access::Reload(slot, func.dfg.first_result(inst)), 0)),
                _ => None,
            };
            // Any other use of a spill slot's address makes the slot escape.
            for (i, arg) in func.dfg.inst_args(inst).iter().enumerate() {
                if let Some(&slot) = addr_slot.get(arg) {
                    escaped[slot] |= access.map(|(_, addr)| addr) != Some(i);
                }
            }
            if func.dfg.insts[inst].opcode().is_branch() {
                for arg in func.dfg.inst_values(inst) {
                    if let Some(&slot) = addr_slot.get(&arg) {
                        escaped[slot] = true;
                    }
                }
            }
            if let Some((a, _)) = access {
                accesses.insert(inst, a);
            }
        }
    }
    accesses.retain(|_, a| match *a {
        Access::Spill(slot, _) | Access::Reload(slot, _) => !escaped[slot],
    });
    accesses
}

/// Move stores of loop-invariant values to spill slots out of innermost loops; returns how
/// many stores moved.
///
/// An inlined callee spills its parameters for its safepoints, so a loop that calls the
/// counter closure inline stores the closure (defined before the loop) to the same slot on
/// every iteration, and keeps it in a register to do so. When every access to a slot in
/// the loop stores that one value, a single store before the loop leaves the slot holding
/// it at every safepoint in the loop, as before (and earlier in the first iteration, which
/// only keeps alive a value that is live anyway: the frontend gives a slot to one value at
/// a time). Runs after Cranelift's optimiser, which hoisted the `stack_addr`s.
pub fn hoist_invariant_spills(func: &mut Function) -> usize {
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let mut loops = LoopAnalysis::new();
    loops.compute(func, &cfg, &domtree);
    let all: Vec<_> = loops.loops().collect();
    let mut moved = 0;
    // Which slot each `stack_addr` value addresses; slots also addressed at an offset
    // (which the frontend never does) are left alone.
    let addrs = stack_addrs(func);
    let offset_slots: Vec<StackSlot> = addrs.iter().filter(|a| a.2 != 0).map(|a| a.1).collect();
    let addr_slot: HashMap<Value, StackSlot> = addrs
        .into_iter()
        .filter(|(_, slot, _)| !offset_slots.contains(slot))
        .map(|(addr, slot, _)| (addr, slot))
        .collect();
    for &lp in &all {
        if all.iter().any(|&other| loops.loop_parent(other) == Some(lp)) {
            continue;
        }
        let header = loops.loop_header(lp);
        let entries: Vec<Inst> = cfg
            .pred_iter(header)
            .filter(|p| !loops.is_in_loop(p.block, lp))
            .map(|p| p.inst)
            .collect();
        let [entry] = entries[..] else { continue };
        // Per slot: the value every store in the loop writes (None: some other access).
        let mut stores: HashMap<StackSlot, (Option<Value>, Vec<Inst>)> = HashMap::default();
        let blocks: Vec<Block> = func.layout.blocks().filter(|&b| loops.is_in_loop(b, lp)).collect();
        for &b in &blocks {
            for inst in func.layout.block_insts(b) {
                let store = match func.dfg.insts[inst] {
                    InstructionData::Store {
                        opcode: Opcode::Store,
                        args: [v, addr],
                        offset,
                        ..
                    } if i64::from(offset) == 0 && addr_slot.contains_key(&addr) => Some((addr_slot[&addr], v)),
                    _ => None,
                };
                if let Some((slot, v)) = store {
                    let e = stores.entry(slot).or_insert((Some(v), Vec::new()));
                    if e.0 != Some(v) {
                        e.0 = None;
                    }
                    e.1.push(inst);
                    // The address operand is accounted for; the value may be an address too.
                    if let Some(&s) = addr_slot.get(&v) {
                        stores.insert(s, (None, Vec::new()));
                    }
                    continue;
                }
                for v in func.dfg.inst_values(inst) {
                    if let Some(&s) = addr_slot.get(&v) {
                        stores.insert(s, (None, Vec::new()));
                    }
                }
            }
        }
        let mut slots: Vec<_> = stores.into_iter().collect();
        slots.sort_by_key(|(s, _)| *s);
        for (slot, (value, insts)) in slots {
            let Some(v) = value else { continue };
            let invariant = match func.dfg.value_def(v) {
                ValueDef::Result(def, _) => {
                    func.layout.inst_block(def).is_some_and(|d| !loops.is_in_loop(d, lp))
                        && domtree.dominates(def, entry, &func.layout)
                }
                ValueDef::Param(d, _) => {
                    !loops.is_in_loop(d, lp)
                        && func
                            .layout
                            .inst_block(entry)
                            .is_some_and(|e| domtree.block_dominates(d, e))
                }
                _ => false,
            };
            if !invariant || insts.is_empty() {
                continue;
            }
            let mut cur = FuncCursor::new(func).at_inst(entry);
            let addr = cur.ins().stack_addr(I64, slot, 0);
            cur.ins().store(MemFlagsData::trusted(), v, addr, 0);
            for inst in insts {
                func.layout.remove_inst(inst);
            }
            moved += 1;
        }
    }
    moved
}
