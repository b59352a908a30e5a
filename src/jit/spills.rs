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
//! Inside loops every such reload is replaced. Outside loops, only a reload that no call
//! clobbering registers separates from its spill, on any path, and whose value is made
//! outside loops too; everywhere, if the function makes no such call. A value that lives on
//! in a register across a SystemV call needs a callee-saved register, which every call of
//! the function then saves and restores: a good trade in a loop, where that cost is paid
//! once for many iterations, and a bad one in a short recursive function (fib measured 13%
//! more instructions when every reload was replaced). Calls to the slow paths'
//! `preserve_all` wrappers (see `super::coldcalls`) clobber nothing, so between two
//! clobbering calls a value stays in a register (man_or_boy: the closure `A` makes is filled
//! field by field without being read back from its slot each time, 12.7% fewer
//! instructions). The pass runs after inlining and after the slow-path calls are rerouted,
//! so it sees the loops that inlined bodies sit in and the calls' conventions.
//! `CELLAR_KEEP_RELOADS=1` turns it off, for measuring.
//!
//! Once a slot's reloads are gone, only the collector reads it, at the safepoints whose
//! stack maps name it. [`sink_cold_spills`] then moves the stores of slots that only slow
//! paths' safepoints read, and that a loop's fast path stored on every iteration, onto
//! those slow paths (`CELLAR_KEEP_SPILLS=1` turns that off).

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{
    types::I64, Block, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, StackSlot,
    UserStackMapEntry, Value, ValueDef,
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
    /// A call that clobbers registers: what every slot holds becomes unknown (only in the
    /// analysis of [`remove_reloads`] that keeps values in registers between such calls).
    Clobber,
}

/// The loads (in blocks `wanted` accepts) whose slot holds the same known value on every
/// path to them: `(load, result, value)` (see [`slot_states`]).
pub fn known_loads(
    cfg: &ControlFlowGraph,
    rpo: &[Block],
    func: &Function,
    accesses: &HashMap<Inst, Access>,
    slots: usize,
    wanted: &dyn Fn(Block) -> bool,
) -> Vec<(Inst, Value, Value)> {
    let mut found = Vec::new();
    slot_states(
        cfg,
        rpo,
        func,
        accesses,
        slots,
        wanted,
        &|_| false,
        &mut |inst, state| {
            if let Some(&Access::Reload(slot, result)) = accesses.get(&inst) {
                if let Some(v) = state[slot] {
                    found.push((inst, result, v));
                }
            }
        },
    );
    found
}

/// What each slot holds just before each access, and before each other instruction `also`
/// accepts, in the blocks `wanted` accepts: `report(inst, state)`. A forward "last store"
/// analysis over the control-flow graph in reverse postorder, each block's accesses listed
/// once; a predecessor not reached yet counts as agreeing.
#[allow(clippy::too_many_arguments)]
fn slot_states(
    cfg: &ControlFlowGraph,
    rpo: &[Block],
    func: &Function,
    accesses: &HashMap<Inst, Access>,
    slots: usize,
    wanted: &dyn Fn(Block) -> bool,
    also: &dyn Fn(Inst) -> bool,
    report: &mut dyn FnMut(Inst, &Stored),
) {
    // Each block's accesses (`None`: an instruction only reported), in order.
    let mut in_block: SecondaryMap<Block, Vec<(Inst, Option<Access>)>> = SecondaryMap::new();
    for &b in rpo {
        in_block[b] = func
            .layout
            .block_insts(b)
            .filter_map(|inst| match accesses.get(&inst) {
                Some(&a) => Some((inst, Some(a))),
                None => also(inst).then_some((inst, None)),
            })
            .collect();
    }
    let transfer = |b: Block, state: &mut Stored, report: &mut dyn FnMut(Inst, &Stored)| {
        for &(inst, access) in &in_block[b] {
            report(inst, state);
            match access {
                Some(Access::Spill(slot, v)) => state[slot] = v,
                Some(Access::Clobber) => state.fill(None),
                _ => {}
            }
        }
    };

    // Fixed point: `entry[b]` is what is known at b's start (`None`: not reached yet). A
    // block is (re)visited only when its entry changed, the earliest in reverse postorder
    // first, so most blocks are visited once (sweeping every block until nothing changed
    // visited each at least twice: the last sweep only confirmed the fixed point).
    let mut entry: SecondaryMap<Block, Option<Stored>> = SecondaryMap::new();
    let mut order: SecondaryMap<Block, u32> = SecondaryMap::with_default(u32::MAX);
    for (i, &b) in rpo.iter().enumerate() {
        order[b] = i as u32;
    }
    let mut pending = std::collections::BTreeSet::new();
    if let Some(&first) = rpo.first() {
        entry[first] = Some(vec![None; slots]);
        pending.insert(0u32);
    }
    let mut state: Stored = Vec::new();
    while let Some(i) = pending.pop_first() {
        let b = rpo[i as usize];
        let Some(start) = &entry[b] else { continue };
        state.clone_from(start);
        transfer(b, &mut state, &mut |_, _| {});
        for succ in cfg.succ_iter(b) {
            let changed = match &mut entry[succ] {
                slot @ None => {
                    *slot = Some(state.clone());
                    true
                }
                Some(old) => {
                    let mut narrowed = false;
                    for (a, b) in old.iter_mut().zip(&state) {
                        if a.is_some() && a != b {
                            *a = None;
                            narrowed = true;
                        }
                    }
                    narrowed
                }
            };
            // (A block outside `rpo` is unreachable from the entry and never visited.)
            if changed && order[succ] != u32::MAX {
                pending.insert(order[succ]);
            }
        }
    }

    for &b in rpo {
        if !wanted(b) {
            continue;
        }
        let Some(start) = &entry[b] else { continue };
        state.clone_from(start);
        transfer(b, &mut state, report);
    }
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
    let slot_index = spill_slots(func);
    if slot_index.is_empty() {
        return 0;
    }
    let (cfg, domtree, loops) = loops_of(func);
    // With no call that clobbers registers (every call goes to a `preserve_all` slow-path
    // wrapper), a value kept in a register costs no callee-saved register: replace
    // reloads everywhere, not only in loops.
    let clobbering: Vec<Inst> = func
        .layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .filter(|&inst| clobbers(func, inst))
        .collect();
    let everywhere = clobbering.is_empty();
    let mut accesses = spill_accesses(func, &slot_index);
    if accesses.is_empty() {
        return 0;
    }
    let rpo: Vec<Block> = domtree.cfg_rpo().copied().collect();
    // Each reload inside a loop (or anywhere, see above) whose slot holds a known value
    // becomes that value.
    let wanted = |b: Block| everywhere || loops.innermost_loop(b).is_some();
    let mut reloads = known_loads(&cfg, &rpo, func, &accesses, slot_index.len(), &wanted);
    if !everywhere {
        // Outside loops, a reload that no clobbering call separates from its spill on any
        // path becomes the value too: the value then lives in a register only where no
        // such call is, so it needs no callee-saved register (and the slow paths'
        // `preserve_all` calls keep every register). A closure's fields written right
        // after its allocation no longer reload the closure from its slot one by one.
        accesses.extend(clobbering.iter().map(|&inst| (inst, Access::Clobber)));
        // The value must come from outside loops too: one made in a loop and read again on
        // a loop's exit path would otherwise stay live in a register through the loop.
        let outside = |b: Block| loops.innermost_loop(b).is_none();
        let mut straight = known_loads(&cfg, &rpo, func, &accesses, slot_index.len(), &outside);
        straight.retain(|&(_, _, v)| {
            let home = match func.dfg.value_def(v) {
                ValueDef::Result(inst, _) => func.layout.inst_block(inst),
                ValueDef::Param(b, _) => Some(b),
                _ => None,
            };
            home.is_some_and(outside)
        });
        reloads.extend(straight);
    }
    reloads.retain(|&(_, result, stored)| func.dfg.value_type(result) == func.dfg.value_type(stored));
    replace_loads(func, &reloads);
    reloads.len()
}

/// `func`'s control-flow graph, dominator tree and loops.
fn loops_of(func: &Function) -> (ControlFlowGraph, DominatorTree, LoopAnalysis) {
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    let mut loops = LoopAnalysis::new();
    loops.compute(func, &cfg, &domtree);
    (cfg, domtree, loops)
}

/// A function's control-flow graph, dominator tree and loops, current for its blocks and
/// branches. [`hoist_invariant_spills`] and [`sink_cold_spills`] move and add instructions
/// but no branch, so one computation serves both (and the back end after them).
pub struct Flow<'a> {
    /// Control-flow graph.
    pub cfg: &'a ControlFlowGraph,
    /// Dominator tree.
    pub domtree: &'a DominatorTree,
    /// Loops.
    pub loops: &'a LoopAnalysis,
}

/// The stack map entries of `inst` (none unless it is a call). Checks the opcode first:
/// the entries sit in a `BTreeMap` that a lookup per instruction made a hot spot.
fn stack_map(func: &Function, inst: Inst) -> &[UserStackMapEntry] {
    if !func.dfg.insts[inst].opcode().is_call() {
        return &[];
    }
    func.dfg.user_stack_map_entries(inst).unwrap_or(&[])
}

/// Spill slots: the slots stack maps name, numbered densely.
fn spill_slots(func: &Function) -> HashMap<StackSlot, usize> {
    let mut slot_index: HashMap<StackSlot, usize> = HashMap::default();
    for b in func.layout.blocks() {
        for i in func.layout.block_insts(b) {
            for e in stack_map(func, i) {
                let n = slot_index.len();
                slot_index.entry(e.slot).or_insert(n);
            }
        }
    }
    slot_index
}

/// Store the spills that only slow paths read on those slow paths; returns how many slots
/// moved.
///
/// The frontend stores a value to its spill slot right after the value is defined, on
/// whatever path that is. An inlined call spills its arguments, and a loop spills the
/// variables it carries, on every iteration, for the safepoints of slow paths that almost
/// never run. Once [`remove_reloads`] has removed a slot's reloads, only the collector
/// reads the slot, and only at the safepoints whose stack maps name it. When all of those
/// are in cold blocks, each gets a store, just before it, of the value the slot holds
/// there (the same value on every path to it; its definition dominates the safepoint),
/// and the slot's other stores go:
///
/// ```text
///   before                                   after
///   loop:  store v7, ss3      ; the spill    loop:  (no store)
///          brif v9, slow, fast                      brif v9, slow, fast
///   slow (cold):                             slow (cold):
///          call fn5(), stack_map=[ss3]              store v7, ss3
///                                                   call fn5(), stack_map=[ss3]
/// ```
///
/// Every safepoint that names the slot sees the same value in it as before. A slot with a
/// reload left, a safepoint in a hot block, or a safepoint where its value depends on the
/// path is left as it is.
pub fn sink_cold_spills(func: &mut Function, flow: &Flow) -> usize {
    let slot_index = spill_slots(func);
    if slot_index.is_empty() {
        return 0;
    }
    let Flow { cfg, domtree, loops } = *flow;
    let accesses = spill_accesses(func, &slot_index);
    let slots = slot_index.len();
    // Only slots stored on a loop's fast path are moved: a value stored once, before a
    // loop, would have to stay live through the loop for the slow paths' stores instead.
    // (A slot left out of `accesses`, whose address escapes, is never moved.)
    let mut movable = vec![false; slots];
    let mut reloaded = vec![false; slots];
    for (&inst, access) in &accesses {
        match *access {
            Access::Spill(slot, _) => {
                let b = func.layout.inst_block(inst).expect("an instruction in the layout");
                movable[slot] |= !func.layout.is_cold(b) && loops.innermost_loop(b).is_some();
            }
            Access::Reload(slot, _) => reloaded[slot] = true,
            Access::Clobber => {}
        }
    }
    for (m, r) in movable.iter_mut().zip(&reloaded) {
        *m &= !*r;
    }
    let mut safepoints: Vec<Inst> = Vec::new();
    for b in func.layout.blocks() {
        let cold = func.layout.is_cold(b);
        for inst in func.layout.block_insts(b) {
            let entries = stack_map(func, inst);
            if entries.is_empty() {
                continue;
            }
            safepoints.push(inst);
            if !cold {
                for e in entries {
                    movable[slot_index[&e.slot]] = false;
                }
            }
        }
    }
    if !movable.contains(&true) {
        return 0;
    }
    let rpo: Vec<Block> = domtree.cfg_rpo().copied().collect();
    // The stores to make before each safepoint: (safepoint, slot, value).
    let mut wanted: Vec<(Inst, StackSlot, Value)> = Vec::new();
    let mut reached: rustc_hash::FxHashSet<Inst> = Default::default();
    let is_safepoint = |inst: Inst| !stack_map(func, inst).is_empty();
    slot_states(
        &cfg,
        &rpo,
        func,
        &accesses,
        slots,
        &|_| true,
        &is_safepoint,
        &mut |inst, state| {
            reached.insert(inst);
            for e in stack_map(func, inst) {
                let slot = slot_index[&e.slot];
                if !movable[slot] {
                    continue;
                }
                match state[slot] {
                    Some(v) if e.offset == 0 && func.dfg.value_type(v) == e.ty => wanted.push((inst, e.slot, v)),
                    _ => movable[slot] = false,
                }
            }
        },
    );
    // A safepoint the analysis did not reach (in unreachable code) keeps its slots' stores.
    for &inst in &safepoints {
        if !reached.contains(&inst) {
            for e in stack_map(func, inst) {
                movable[slot_index[&e.slot]] = false;
            }
        }
    }
    let mut addrs = Vec::new();
    for (&inst, access) in &accesses {
        if let Access::Spill(slot, _) = *access {
            if movable[slot] {
                addrs.push(func.dfg.inst_args(inst)[1]);
                func.layout.remove_inst(inst);
            }
        }
    }
    remove_unused_addresses(func, addrs);
    for (inst, slot, v) in wanted {
        if movable[slot_index[&slot]] {
            let mut cur = FuncCursor::new(func).at_inst(inst);
            let addr = cur.ins().stack_addr(I64, slot, 0);
            cur.ins().store(MemFlagsData::trusted(), v, addr, 0);
        }
    }
    movable.iter().filter(|&&m| m).count()
}

/// Remove the `stack_addr`s among `addrs` that nothing uses any more.
fn remove_unused_addresses(func: &mut Function, mut addrs: Vec<Value>) {
    addrs.sort();
    addrs.dedup();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            for v in func.dfg.inst_values(inst) {
                if let Ok(i) = addrs.binary_search(&v) {
                    addrs.remove(i);
                }
            }
        }
    }
    for v in addrs {
        if let ValueDef::Result(inst, _) = func.dfg.value_def(v) {
            if func.layout.inst_block(inst).is_some() {
                func.layout.remove_inst(inst);
            }
        }
    }
}

/// Does `func` make a call that clobbers registers (any call but to a `preserve_all`
/// function)?
pub fn clobbering_call(func: &Function) -> bool {
    func.layout
        .blocks()
        .any(|b| func.layout.block_insts(b).any(|inst| clobbers(func, inst)))
}

/// Is `inst` a call that clobbers registers (any call but one to a `preserve_all` wrapper)?
fn clobbers(func: &Function, inst: Inst) -> bool {
    match func.dfg.insts[inst] {
        InstructionData::Call { func_ref, .. } => {
            let sig = func.dfg.ext_funcs[func_ref].signature;
            func.dfg.signatures[sig].call_conv != CallConv::PreserveAll
        }
        ref data => data.opcode().is_call(),
    }
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

/// A plain `store` or `load` at offset 0 through an address: the shape of every spill and
/// reload the frontend makes (through a `stack_addr` of the slot).
#[derive(Clone, Copy)]
pub enum WordAccess {
    /// `store value, addr` (`value` with aliases resolved).
    Store { value: Value, addr: Value },
    /// `result = load addr`.
    Load { addr: Value, result: Value },
}

/// `inst` as a [`WordAccess`], if it is one.
pub fn word_access(func: &Function, inst: Inst) -> Option<WordAccess> {
    match func.dfg.insts[inst] {
        InstructionData::Store {
            opcode: Opcode::Store,
            args: [value, addr],
            offset,
            ..
        } if i64::from(offset) == 0 => Some(WordAccess::Store {
            value: func.dfg.resolve_aliases(value),
            addr,
        }),
        InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            offset,
            ..
        } if i64::from(offset) == 0 => Some(WordAccess::Load {
            addr: arg,
            result: func.dfg.first_result(inst),
        }),
        _ => None,
    }
}

/// The stack slot whose start `addr` is (`stack_addr slot` at offset 0), if it is one.
pub fn slot_start(func: &Function, addr: Value) -> Option<StackSlot> {
    let inst = func.dfg.value_def(func.dfg.resolve_aliases(addr)).inst()?;
    match func.dfg.insts[inst] {
        InstructionData::StackAddr {
            opcode: Opcode::StackAddr,
            stack_slot,
            offset,
        } if i64::from(offset) == 0 => Some(stack_slot),
        _ => None,
    }
}

/// The spills and reloads of `func`: loads and stores at offset 0 of a `stack_addr` of a
/// spill slot. A slot whose address is used any other way (which the frontend never
/// does) is left out altogether.
fn spill_accesses(func: &Function, slot_index: &HashMap<StackSlot, usize>) -> HashMap<Inst, Access> {
    // The slot index each `stack_addr` result addresses (`NONE`: not a spill slot's). A
    // dense map: it is read for every operand of every instruction.
    const NONE: usize = usize::MAX;
    let mut slot_of: SecondaryMap<Value, usize> = SecondaryMap::with_default(NONE);
    let mut escaped = vec![false; slot_index.len()];
    for (addr, stack_slot, offset) in stack_addrs(func) {
        if let Some(&slot) = slot_index.get(&stack_slot) {
            slot_of[addr] = slot;
            escaped[slot] |= offset != 0;
        }
    }
    let addr_slot = |v: &Value| Some(slot_of[*v]).filter(|&s| s != NONE);
    let mut accesses = HashMap::default();
    for b in func.layout.blocks() {
        for inst in func.layout.block_insts(b) {
            // The access, and which operand is its address.
            let access = match word_access(func, inst) {
                Some(WordAccess::Store { value, addr }) => {
                    addr_slot(&addr).map(|slot| (Access::Spill(slot, Some(value)), 1))
                }
                Some(WordAccess::Load { addr, result }) => {
                    addr_slot(&addr).map(|slot| (Access::Reload(slot, result), 0))
                }
                None => None,
            };
            // Any other use of a spill slot's address makes the slot escape.
            for (i, arg) in func.dfg.inst_args(inst).iter().enumerate() {
                if let Some(slot) = addr_slot(arg) {
                    escaped[slot] |= access.map(|(_, addr)| addr) != Some(i);
                }
            }
            if func.dfg.insts[inst].opcode().is_branch() {
                for arg in func.dfg.inst_values(inst) {
                    if let Some(slot) = addr_slot(&arg) {
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
        Access::Clobber => true,
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
pub fn hoist_invariant_spills(func: &mut Function, flow: &Flow) -> usize {
    let Flow { cfg, domtree, loops } = *flow;
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

#[cfg(test)]
mod tests {
    use super::*;
    use cranelift_codegen::ir::{
        condcodes::IntCC, AbiParam, ExtFuncData, ExternalName, InstructionData, Signature, UserFuncName,
    };
    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    /// A loop whose body defines `v` (which needs a stack map) and calls out only on a cold
    /// path that `v` is live across, the way an inlined callee's argument is.
    fn loop_with_a_cold_call() -> Function {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
        sig.returns.push(AbiParam::new(I64));
        let mut func = Function::with_name_signature(UserFuncName::default(), sig);
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let callee_sig = b.import_signature(Signature::new(CallConv::SystemV));
        let callee = b.import_function(ExtFuncData {
            name: ExternalName::testcase("slow_path"),
            signature: callee_sig,
            colocated: false,
            patchable: false,
        });
        let [entry, header, body, slow, latch, exit] = [(); 6].map(|_| b.create_block());
        b.append_block_params_for_function_params(entry);
        b.append_block_param(header, I64);
        b.append_block_param(latch, I64);
        b.switch_to_block(entry);
        let (a, n) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let zero = b.ins().iconst(I64, 0);
        b.ins().jump(header, &[zero.into()]);
        b.switch_to_block(header);
        let i = b.block_params(header)[0];
        let more = b.ins().icmp(IntCC::SignedLessThan, i, n);
        b.ins().brif(more, body, &[], exit, &[]);
        b.switch_to_block(body);
        let v = b.ins().iadd(i, a);
        b.declare_value_needs_stack_map(v);
        let odd = b.ins().icmp_imm_s(IntCC::Equal, v, 14);
        b.ins().brif(odd, slow, &[], latch, &[v.into()]);
        b.set_cold_block(slow);
        b.switch_to_block(slow);
        b.ins().call(callee, &[]);
        b.ins().jump(latch, &[v.into()]);
        b.switch_to_block(latch);
        let w = b.block_params(latch)[0];
        let next = b.ins().iadd_imm_s(w, 1);
        b.ins().jump(header, &[next.into()]);
        b.switch_to_block(exit);
        b.ins().return_(&[i]);
        b.seal_all_blocks();
        b.finalize(crate::jit::tests::FRONTEND);
        func
    }

    /// The blocks (by cold flag) that store to a stack slot.
    fn slot_stores(func: &Function) -> Vec<(Block, bool)> {
        let addrs: Vec<Value> = stack_addrs(func).into_iter().map(|a| a.0).collect();
        let mut found = Vec::new();
        for b in func.layout.blocks() {
            for inst in func.layout.block_insts(b) {
                if let InstructionData::Store { args: [_, addr], .. } = func.dfg.insts[inst] {
                    if addrs.contains(&addr) {
                        found.push((b, func.layout.is_cold(b)));
                    }
                }
            }
        }
        found
    }

    #[test]
    fn a_spill_only_a_cold_call_reads_is_stored_on_the_cold_path() {
        let mut func = loop_with_a_cold_call();
        remove_reloads(&mut func);
        let before = slot_stores(&func);
        assert!(
            before.iter().any(|&(_, cold)| !cold),
            "the frontend spills v where it is defined:\n{}",
            func.display()
        );
        let (cfg, domtree, loops) = loops_of(&func);
        let flow = Flow {
            cfg: &cfg,
            domtree: &domtree,
            loops: &loops,
        };
        assert_eq!(sink_cold_spills(&mut func, &flow), 1, "{}", func.display());
        let after = slot_stores(&func);
        assert!(
            !after.is_empty() && after.iter().all(|&(_, cold)| cold),
            "{}",
            func.display()
        );
        // The store sits just before the call, and the call still names the slot.
        let (block, _) = after[0];
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        let call = insts
            .iter()
            .position(|&i| func.dfg.insts[i].opcode().is_call())
            .expect("the call");
        assert!(call > 0 && func.dfg.insts[insts[call - 1]].opcode() == Opcode::Store);
        assert_eq!(func.dfg.user_stack_map_entries(insts[call]).map_or(0, |e| e.len()), 1);
        let flags = cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder());
        cranelift_codegen::verify_function(&func, &flags).expect("valid SSA after sinking");
    }
}
