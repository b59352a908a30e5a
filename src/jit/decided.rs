//! Branches that an earlier branch on the same condition has decided (after Cranelift's
//! optimiser, which gives equal conditions one value).
//!
//! Every inlined call checks the call depth at the callee's entry: `depth + 1 > 1000`
//! raises `RecursionError`. A function that calls two closures inline in a loop, after
//! calling one inline before it, tests the same value three times; the optimiser merges the
//! three compares into one value, but not the branches:
//!
//! ```text
//!   P:  brif deep, raise, T          ; make_counter(1), inline, before the loop
//!   T:  ...
//!   loop:
//!   B1: brif deep, raise', B1'       ; c1(), inline     -> jump B1'
//!   B2: brif deep, raise'', B2'      ; c2(), inline     -> jump B2'
//! ```
//!
//! `T`'s only predecessor is `P`, by its `else` edge, and `T` dominates `B1` and `B2`, so
//! every path to them took that edge with `deep` false: their branches become jumps to their
//! `else` targets, and the raising blocks behind them, now unreachable, go. Counter's loop
//! loses two compares and two branches per iteration.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, BlockArg, Function, Inst, InstBuilder, InstructionData, Value};
use rustc_hash::FxHashMap as HashMap;

/// Turn into jumps the `brif`s of `func` whose outcome a dominating `brif` on the same
/// value decides; returns how many. `cfg` and `domtree` must be current; after a change
/// both are stale (edges went, and blocks may be unreachable).
pub fn fold_decided_branches(func: &mut Function, cfg: &ControlFlowGraph, domtree: &DominatorTree) -> usize {
    // Per condition: the edges out of a `brif` on it into a block that has no other
    // predecessor, with the outcome they stand for.
    let mut deciders: HashMap<Value, Vec<(Block, bool)>> = HashMap::default();
    let mut brifs: Vec<(Inst, Block, Value)> = Vec::new();
    for block in func.layout.blocks() {
        if !domtree.is_reachable(block) {
            continue;
        }
        let Some(term) = func.layout.last_inst(block) else {
            continue;
        };
        let InstructionData::Brif { arg, blocks, .. } = func.dfg.insts[term] else {
            continue;
        };
        let cond = func.dfg.resolve_aliases(arg);
        brifs.push((term, block, cond));
        let then_b = blocks[0].block(&func.dfg.value_lists);
        let else_b = blocks[1].block(&func.dfg.value_lists);
        if then_b == else_b {
            continue;
        }
        for (target, outcome) in [(then_b, true), (else_b, false)] {
            let mut preds = cfg.pred_iter(target);
            if let (Some(p), None) = (preds.next(), preds.next()) {
                if p.block == block {
                    deciders.entry(cond).or_default().push((target, outcome));
                }
            }
        }
    }
    let mut folded = 0;
    for (term, block, cond) in brifs {
        let Some(ds) = deciders.get(&cond) else {
            continue;
        };
        let Some(&(_, outcome)) = ds.iter().find(|&&(t, _)| domtree.block_dominates(t, block)) else {
            continue;
        };
        take_branch(func, term, if outcome { 0 } else { 1 });
        folded += 1;
    }
    folded
}

/// Replace the `brif` `term` by a jump along its destination `dest` (0: `then`, 1: `else`),
/// with that edge's arguments.
pub fn take_branch(func: &mut Function, term: Inst, dest: usize) {
    let InstructionData::Brif { blocks, .. } = func.dfg.insts[term] else {
        unreachable!("not a brif: {}", func.dfg.display_inst(term))
    };
    let taken = blocks[dest];
    let target = taken.block(&func.dfg.value_lists);
    let args: Vec<BlockArg> = taken.args(&func.dfg.value_lists).collect();
    let mut pos = FuncCursor::new(func).at_inst(term);
    pos.ins().jump(target, &args);
    pos.func.layout.remove_inst(term);
}
