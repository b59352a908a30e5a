//! Loop exits pinned inside their loops while Cranelift's optimiser runs, so that it
//! hoists loop-invariant code out of the whole loop.
//!
//! Cranelift's optimiser places each pure value (loop-invariant code motion included) as it
//! walks the dominator tree in preorder, keeping a stack of the loops it is in. On entering
//! a block it pops every loop that block is not in, and it pushes a loop again only at the
//! loop's header. A block outside the loop that an in-loop block dominates therefore ends
//! the loop for the rest of the walk: every in-loop block visited after it is treated as
//! outside any loop, and nothing in it is hoisted.
//!
//! Error exits are such blocks. A slow path inside a loop checks the runtime's result for
//! `EXC` and branches to a block that adds a traceback entry and leaves the function. The
//! walk visits that block before the block where the slow path rejoins the fast path (a
//! later sibling of one of its dominators), so from there on the loop is gone. Before this
//! pass, nearly every loop of the ten benchmarks lost its loop this way, averager's
//! `main` in 234 of its 241 blocks:
//!
//! ```text
//!   loop:  ...  brif int?, fast, slow          walk (preorder): loop, fast?, slow,
//!   slow:  call rt_binop; brif EXC?, raise, ok                     ok, raise (pops loop),
//!   ok:    jump join                                               join, ...  <- not in
//!   raise: call traceback; jump unwind   <- outside the loop       the loop any more
//!   join:  ... (back to loop)
//! ```
//!
//! [`pin_exits`] replays that walk and, for each block where a loop ends too early, gives
//! the block an edge back into the loop: its `jump X` becomes `brif c, T, X`, where `T` is
//! another successor of the block's immediate dominator inside the loop (or the loop
//! header, passed its own parameters). The block is then in the loop, and the walk keeps
//! the loop. `T` keeps its immediate dominator, so every value stays defined where it is
//! used. [`unpin`] turns each such `brif` back into its `jump` once the optimiser is done,
//! so the register allocator and the machine code never see the extra edges, and the
//! condition `c` (the function's first parameter) is never tested.

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{Block, BlockArg, BlockCall, Function, InstructionData, Opcode};
use cranelift_codegen::loop_analysis::{Loop, LoopAnalysis};

/// Rounds of walk and pinning at most: pinning a block can expose the next one (a block
/// whose only way in is the block just pinned).
const MAX_ROUNDS: usize = 8;

/// The `brif`s [`pin_exits`] made, for [`unpin`] to turn back into `jump`s.
#[derive(Default, Debug)]
pub struct Pins {
    /// Each pinned block, with the target of the edge into the loop.
    branches: Vec<(Block, Block)>,
}

impl Pins {
    /// How many blocks were pinned.
    pub fn len(&self) -> usize {
        self.branches.len()
    }

    /// Whether no block was pinned.
    pub fn is_empty(&self) -> bool {
        self.branches.is_empty()
    }
}

/// Pin every block of `func` at which Cranelift's elaboration walk would leave a loop
/// before it has visited all of the loop's blocks (see the module documentation).
pub fn pin_exits(func: &mut Function) -> Pins {
    let mut pins = Pins::default();
    let Some(entry) = func.layout.entry_block() else {
        return pins;
    };
    let Some(&cond) = func.dfg.block_params(entry).first() else {
        return pins;
    };
    for _ in 0..MAX_ROUNDS {
        let cfg = ControlFlowGraph::with_function(func);
        let domtree = DominatorTree::with_function(func, &cfg);
        let mut loops = LoopAnalysis::new();
        loops.compute(func, &cfg, &domtree);
        if loops.loops().next().is_none() {
            break;
        }
        let early = early_exits(func, &domtree, &loops, entry);
        let mut pinned = 0;
        for (block, lp) in early {
            if let Some(target) = pin(func, &domtree, &loops, block, lp, cond) {
                pins.branches.push((block, target));
                pinned += 1;
            }
        }
        if pinned == 0 {
            break;
        }
    }
    if std::env::var_os("CELLAR_DEBUG_PINS").is_some() {
        let cfg = ControlFlowGraph::with_function(func);
        let domtree = DominatorTree::with_function(func, &cfg);
        for &(b, t) in &pins.branches {
            eprintln!("pinned {b} -> {t} reachable {} term {}", domtree.is_reachable(b), func.dfg.display_inst(func.layout.last_inst(b).unwrap()));
        }
    }
    pins
}

/// The blocks at which the elaboration walk pops a loop that still has blocks to visit,
/// each with the innermost such loop.
fn early_exits(func: &Function, domtree: &DominatorTree, loops: &LoopAnalysis, entry: Block) -> Vec<(Block, Loop)> {
    // Blocks of each loop (nested loops' blocks included) not visited yet.
    let mut left = SecondaryMap::<Loop, usize>::new();
    for block in func.layout.blocks() {
        if !domtree.is_reachable(block) {
            continue;
        }
        let mut lp = loops.innermost_loop(block);
        while let Some(l) = lp {
            left[l] += 1;
            lp = loops.loop_parent(l);
        }
    }
    let mut early = Vec::new();
    let mut stack: Vec<Loop> = Vec::new();
    let mut walk = vec![(entry, false)];
    while let Some((block, has_idom)) = walk.pop() {
        // Cranelift's `Elaborator::start_block`: pop the loops `block` is not in, then
        // push the loop `block` heads.
        let mut culprit = None;
        while let Some(&top) = stack.last() {
            if loops.is_in_loop(block, top) {
                break;
            }
            stack.pop();
            if culprit.is_none() && left[top] > 0 {
                culprit = Some(top);
            }
        }
        if let Some(lp) = culprit {
            early.push((block, lp));
        }
        if has_idom {
            if let Some(lp) = loops.is_loop_header(block) {
                stack.push(lp);
            }
        }
        let mut lp = loops.innermost_loop(block);
        while let Some(l) = lp {
            left[l] = left[l].saturating_sub(1);
            lp = loops.loop_parent(l);
        }
        // Children in the dominator tree's order, the first visited first.
        let first = walk.len();
        walk.extend(domtree.children(block).map(|c| (c, true)));
        walk[first..].reverse();
    }
    early
}

/// Give `block` (outside `lp`, dominated by a block of `lp`) an edge into `lp`; returns the
/// edge's target, or `None` when `block` does not end in a `jump` or has no dominator in `lp`.
fn pin(
    func: &mut Function,
    domtree: &DominatorTree,
    loops: &LoopAnalysis,
    block: Block,
    lp: Loop,
    cond: cranelift_codegen::ir::Value,
) -> Option<Block> {
    let idom = domtree.idom(block)?;
    if !loops.is_in_loop(idom, lp) {
        return None;
    }
    let term = func.layout.last_inst(block)?;
    let InstructionData::Jump { destination, .. } = func.dfg.insts[term] else {
        return None;
    };
    // A sibling in the loop without parameters, or else the header with its own.
    let sibling = func
        .block_successors(idom)
        .find(|&s| s != block && loops.is_in_loop(s, lp) && func.dfg.num_block_params(s) == 0);
    let (target, args): (Block, Vec<BlockArg>) = match sibling {
        Some(s) => (s, Vec::new()),
        None => {
            let header = loops.loop_header(lp);
            let args = func.dfg.block_params(header).iter().map(|&v| BlockArg::Value(v)).collect();
            (header, args)
        }
    };
    let into_loop = BlockCall::new(target, args, &mut func.dfg.value_lists);
    func.dfg.insts[term] = InstructionData::Brif {
        opcode: Opcode::Brif,
        arg: cond,
        blocks: [into_loop, destination],
    };
    Some(target)
}

/// Turn the `brif`s of `pins` back into the `jump`s they were (in the blocks the optimiser
/// kept). An error if one is no longer a `brif` of ours: compiled, it would test a
/// condition that means nothing.
pub fn unpin(func: &mut Function, pins: &Pins) -> Result<(), String> {
    for &(block, target) in &pins.branches {
        // The optimiser removes blocks it finds unreachable (after folding a branch).
        if !func.layout.is_block_inserted(block) {
            continue;
        }
        let term = func.layout.last_inst(block);
        match term.map(|t| func.dfg.insts[t]) {
            Some(InstructionData::Brif {
                opcode: Opcode::Brif,
                blocks: [into_loop, destination],
                ..
            }) if into_loop.block(&func.dfg.value_lists) == target => {
                func.dfg.insts[term.expect("a terminator")] = InstructionData::Jump {
                    opcode: Opcode::Jump,
                    destination,
                };
            }
            other => {
                return Err(format!(
                    "a pinned loop exit ({block}) changed under the optimiser: {other:?}"
                ))
            }
        }
    }
    Ok(())
}
