//! Values computed only for slow paths go back to the slow paths (after Cranelift's
//! optimiser, before register allocation).
//!
//! Cranelift's mid-end hoists every pure instruction out of loops as far as its operands
//! allow, whether or not its uses run. A slow path inside a loop (an int addition that
//! overflows into the float path, say) often computes from loop-invariant values: the float
//! conversion of a captured step, a tag test of a constant operand. Hoisted to the loop's
//! preheader, each such value stays live through the whole loop, in a register the hot path
//! needed or in a stack slot:
//!
//! ```text
//!   after the optimiser                    after this pass
//!   preheader: v9 = fcvt_from_sint v8      preheader: (nothing for the slow path)
//!              v12 = icmp uge v8, v3
//!   loop:      ... brif v5, hot, slow      loop: ... brif v5, hot, slow
//!   slow (cold): brif v12, ...             slow (cold): v12' = icmp uge v8, v3
//!                fadd v7, v9                             brif v12', ...
//!                                                        v9' = fcvt_from_sint v8 ...
//! ```
//!
//! So a pure instruction in a hot block whose every use sits in cold blocks is moved to
//! them: one copy per cold block, just before its first use there (its operands dominate
//! the original, which dominates every use, so they dominate the copies). Chains move
//! whole, operands after their users. `stack_addr` is also copied into every other block
//! that uses it, since x64 folds it into each load or store's address for free, while a
//! hoisted copy holds a register.

use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::{Block, Function, Inst, InstructionData, Opcode, Value, ValueDef};

/// Move `func`'s slow-path-only pure values to their cold uses and rematerialize
/// `stack_addr`s at their uses; returns how many instructions moved.
pub fn sink_to_uses(func: &mut Function) -> usize {
    let mut uses: SecondaryMap<Value, Vec<Inst>> = SecondaryMap::new();
    // Candidates, in layout order: the last is looked at first, so users move before the
    // values they use; a moved instruction's operands are looked at (again) after it.
    let mut work: Vec<Inst> = Vec::new();
    for block in func.layout.blocks() {
        let hot = !func.layout.is_cold(block);
        for inst in func.layout.block_insts(block) {
            for v in func.dfg.inst_values(inst) {
                uses[v].push(inst);
            }
            if hot && movable(func, inst) {
                work.push(inst);
            }
        }
    }
    let mut moved = 0;
    while let Some(inst) = work.pop() {
        let Some(home) = func.layout.inst_block(inst) else {
            continue;
        };
        if func.layout.is_cold(home) {
            continue;
        }
        let r = func.dfg.first_result(inst);
        let users = std::mem::take(&mut uses[r]);
        let mut blocks: Vec<Block> = users.iter().filter_map(|&u| func.layout.inst_block(u)).collect();
        blocks.sort();
        blocks.dedup();
        let targets: Vec<Block> = if func.dfg.insts[inst].opcode() == Opcode::StackAddr {
            blocks.into_iter().filter(|&b| b != home).collect()
        } else if !blocks.is_empty() && blocks.iter().all(|&b| func.layout.is_cold(b)) {
            blocks
        } else {
            Vec::new()
        };
        if targets.is_empty() {
            uses[r] = users;
            continue;
        }
        let operands: Vec<Value> = func.dfg.inst_values(inst).collect();
        for &t in &targets {
            let here: Vec<Inst> = users
                .iter()
                .copied()
                .filter(|&u| func.layout.inst_block(u) == Some(t))
                .collect();
            let first = func
                .layout
                .block_insts(t)
                .find(|i| here.contains(i))
                .expect("a use in the block");
            let copy = func.dfg.clone_inst(inst);
            func.layout.insert_inst(copy, first);
            let nr = func.dfg.first_result(copy);
            for &u in &here {
                func.dfg.map_inst_values(u, |v| if v == r { nr } else { v });
            }
            for &a in &operands {
                uses[a].push(copy);
            }
            uses[nr] = here;
        }
        let staying: Vec<Inst> = users
            .into_iter()
            .filter(|&u| func.layout.inst_block(u) == Some(home))
            .collect();
        if staying.is_empty() {
            func.layout.remove_inst(inst);
            for &a in &operands {
                uses[a].retain(|&u| u != inst);
                if let ValueDef::Result(d, _) = func.dfg.value_def(a) {
                    if movable(func, d) {
                        work.push(d);
                    }
                }
            }
        }
        uses[r] = staying;
        moved += 1;
    }
    moved
}

/// A pure instruction with one result: no memory access (but a `readonly can_move` load),
/// no trap, no call, no other effect.
pub(crate) fn movable(func: &Function, inst: Inst) -> bool {
    let data = &func.dfg.insts[inst];
    let op = data.opcode();
    if func.dfg.inst_results(inst).len() != 1 {
        return false;
    }
    if let InstructionData::Load {
        opcode: Opcode::Load,
        flags,
        ..
    } = data
    {
        let f = func.dfg.mem_flags[*flags];
        return f.readonly() && f.notrap() && f.can_move();
    }
    !(op.can_load()
        || op.can_store()
        || op.is_call()
        || op.is_branch()
        || op.is_terminator()
        || op.can_trap()
        || op.other_side_effects())
}
