//! Branches decided by known bits: folded where they stand, and threaded past the blocks
//! that test them where only some predecessors decide them.
//!
//! Inlining leaves chains of tests that a value passes by construction. An inlined callee's
//! result reaches the caller through a block parameter that merges the fast path (a fresh
//! small int) with the slow paths (whatever the runtime returned, or `EXC`). The caller then
//! tests that parameter for `EXC`, and the next operation tests it for the int tag:
//!
//! ```text
//!   fast:  r = rotr (rotl x 16) + (k << 16), 16        slow:  s = call rt_binop(..)
//!          jump ret(r)                                        jump ret(s)
//!            \                                               /
//!             ret(v):  c = icmp eq v, EXC   ; brif c, unwind, next(v)
//!             next(w): t = icmp uge w, INT_TAG ; brif t, int_op(w), slow_op
//! ```
//!
//! Along `fast`, both tests are decided: `x` passed the int-tag test on the way in (its top
//! 16 bits are ones), so `r`'s top 16 bits are ones too, and `r` is neither `EXC` nor
//! anything but a small int. This pass finds that out and sends `fast` straight to
//! `int_op(r)`; only the slow path still goes through the tests.
//!
//! - [`Bits`] are the bits of a 64-bit word known to be one or zero. They follow constants,
//!   `band`/`bor`/`bxor`, shifts and rotations by constants, additions whose low bits are
//!   exact, `select`, and block parameters (the meet over the predecessors' arguments).
//!   Facts from branches add to them: past `brif (icmp uge x, K)` the top bits that are
//!   ones in `K` are ones in `x` (and in both operands when `x = band a, b`). A fact holds
//!   in the blocks its edge's target dominates, when that target has no other predecessor.
//! - A compare whose outcome the bits decide becomes a constant, and a `brif` on a constant
//!   a `jump` ([`fold_decided`]).
//! - A block that only computes a compare and branches on it is *threaded* for each
//!   predecessor `P` whose arguments decide the branch: `P` jumps to the decided target
//!   `X` itself ([`step`]). When code under `X` used the test block's parameters, `X` gets
//!   them as parameters of its own first (the test block passes them; `P` passes its
//!   arguments), and what both ways in know of them is kept as a fact of `X`. Constants the
//!   test block makes are copied to the blocks that use them ([`copy_constants_out`]). A
//!   parameter used where the two ways part meet again (the slow path that an int
//!   operation's overflow and its not-an-int case share) becomes a parameter of that
//!   block, passed by its predecessors ([`merges_for`]). A block that only jumps on is
//!   skipped the same way. Each moved edge is
//!   followed on from its new target, so a fast path passes a whole chain of tests in one
//!   round.
//! - Straight lines of blocks (a jump to a block nothing else reaches) are merged, and
//!   effect-free instructions nothing uses are removed, so that tests sit alone in their
//!   blocks.
//!
//! Soundness: an edge only ever moves past a block, to where that block would have sent it
//! on the same branch outcome. So the facts stay true, and every block but the ones jumped
//! past still dominates what the (stale) dominator tree says; a block jumped past is not
//! threaded again until the next round recomputes the tree. The control-flow graph is
//! updated as edges move, so block parameters meet over their real predecessors. Loop
//! headers are never jumped past, and a function with a loop is left alone: moving edges
//! around counter's loop made Cranelift hoist less out of it (+6% instructions).
//!
//! The pass runs on specialised bodies (see [`super::specialize`]), where inlining makes
//! long chains of such tests (compose: 429M -> 388M instructions; with merges and facts
//! of lifted parameters, 391M -> 369M). On start-up code it
//! measured no gain and cost compile time, so it runs there only under
//! `CELLAR_THREAD_ALL=1`, which the corpus uses to check the pass on every function.
//! `CELLAR_NO_THREADING=1` turns it off in specialised bodies.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::{
    condcodes::{CondCode, IntCC},
    types::I64,
    Block, BlockArg, BlockCall, Function, Inst, InstBuilder, InstBuilderBase, InstructionData, Opcode, Value, ValueDef,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

/// Rounds of folding and threading at most.
const MAX_ROUNDS: usize = 64;

/// How deep [`Analysis::bits`] looks through operands and block parameters.
const MAX_DEPTH: u32 = 6;

/// How many nested block parameters [`Analysis::bits`] looks through.
const MAX_PARAM_LOOKS: u32 = 2;

/// A block parameter with more predecessors than this is not looked through.
const MAX_MEET_PREDS: usize = 8;

/// At most this many instructions besides the branch in a block that is threaded.
const MAX_TEST_INSTS: usize = 8;

/// Bits of a 64-bit word known to be one (`ones`) and known to be zero (`zeros`).
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
pub struct Bits {
    /// Bits known to be one.
    pub ones: u64,
    /// Bits known to be zero.
    pub zeros: u64,
}

impl Bits {
    /// Nothing known.
    pub const UNKNOWN: Bits = Bits { ones: 0, zeros: 0 };

    /// Every bit known: the word `v`.
    pub fn exact(v: u64) -> Bits {
        Bits { ones: v, zeros: !v }
    }

    /// The word, if every bit is known.
    pub fn constant(self) -> Option<u64> {
        (self.ones | self.zeros == !0).then_some(self.ones)
    }

    /// Both facts about one word.
    fn and(self, o: Bits) -> Bits {
        Bits {
            ones: self.ones | o.ones,
            zeros: self.zeros | o.zeros,
        }
    }

    /// What holds of a word that is one or the other.
    fn meet(self, o: Bits) -> Bits {
        Bits {
            ones: self.ones & o.ones,
            zeros: self.zeros & o.zeros,
        }
    }

    fn rotl(self, k: u32) -> Bits {
        Bits {
            ones: self.ones.rotate_left(k),
            zeros: self.zeros.rotate_left(k),
        }
    }

    /// The low bits known to be zero, as a count.
    fn low_zeros(self) -> u32 {
        self.zeros.trailing_ones()
    }

    /// `self + o` or `self - o`: the low bits below the lowest bit that may be one in
    /// either operand are exact (no carry or borrow reaches them).
    fn add_like(self, o: Bits) -> Bits {
        let exact_a = self.low_zeros();
        let exact_b = o.low_zeros();
        // Below `o`'s lowest possible one, the result is `self`'s bits; and vice versa.
        let mask = |n: u32| if n >= 64 { !0 } else { (1u64 << n) - 1 };
        let from_a = mask(exact_b);
        let from_b = mask(exact_a);
        Bits {
            ones: (self.ones & from_a) | (o.ones & from_b),
            zeros: (self.zeros & from_a) | (o.zeros & from_b),
        }
    }
}

/// The outcome of `x cond y`, if the known bits decide it.
pub fn decide(cond: IntCC, x: Bits, y: Bits) -> Option<bool> {
    if (x.ones & y.zeros) | (x.zeros & y.ones) != 0 {
        match cond {
            IntCC::Equal => return Some(false),
            IntCC::NotEqual => return Some(true),
            _ => {}
        }
    }
    // Unsigned ranges; the signed order is the unsigned one with the sign bit flipped.
    let flip = |b: Bits| Bits {
        ones: (b.ones & !(1 << 63)) | (b.zeros & (1 << 63)),
        zeros: (b.zeros & !(1 << 63)) | (b.ones & (1 << 63)),
    };
    let (x, y, cond) = match cond {
        IntCC::SignedLessThan => (flip(x), flip(y), IntCC::UnsignedLessThan),
        IntCC::SignedGreaterThanOrEqual => (flip(x), flip(y), IntCC::UnsignedGreaterThanOrEqual),
        IntCC::SignedGreaterThan => (flip(x), flip(y), IntCC::UnsignedGreaterThan),
        IntCC::SignedLessThanOrEqual => (flip(x), flip(y), IntCC::UnsignedLessThanOrEqual),
        c => (x, y, c),
    };
    let (xmin, xmax, ymin, ymax) = (x.ones, !x.zeros, y.ones, !y.zeros);
    match cond {
        IntCC::Equal => (xmin == xmax && ymin == ymax).then_some(xmin == ymin),
        IntCC::NotEqual => (xmin == xmax && ymin == ymax).then_some(xmin != ymin),
        IntCC::UnsignedGreaterThanOrEqual if xmin >= ymax => Some(true),
        IntCC::UnsignedGreaterThanOrEqual if xmax < ymin => Some(false),
        IntCC::UnsignedLessThan if xmin >= ymax => Some(false),
        IntCC::UnsignedLessThan if xmax < ymin => Some(true),
        IntCC::UnsignedGreaterThan if xmin > ymax => Some(true),
        IntCC::UnsignedGreaterThan if xmax <= ymin => Some(false),
        IntCC::UnsignedLessThanOrEqual if xmin > ymax => Some(false),
        IntCC::UnsignedLessThanOrEqual if xmax <= ymin => Some(true),
        _ => None,
    }
}

/// What `x cond k` (for a constant `k`) says about the bits of `x`.
fn fact_of(cond: IntCC, k: u64) -> Option<Bits> {
    let top_ones = |m: u64| Bits {
        ones: !(!0u64).checked_shr(m.leading_ones()).unwrap_or(0),
        zeros: 0,
    };
    let top_zeros = |m: u64| Bits {
        ones: 0,
        zeros: !(!0u64).checked_shr(m.leading_zeros()).unwrap_or(0),
    };
    match cond {
        IntCC::Equal => Some(Bits::exact(k)),
        // x >= k: every leading one of k is a one of x.
        IntCC::UnsignedGreaterThanOrEqual => Some(top_ones(k)),
        IntCC::UnsignedGreaterThan => k.checked_add(1).map(top_ones),
        // x <= m: every leading zero of m is a zero of x.
        IntCC::UnsignedLessThanOrEqual => Some(top_zeros(k)),
        IntCC::UnsignedLessThan => k.checked_sub(1).map(top_zeros),
        _ => None,
    }
}

/// The constant `v` is, if it is an `iconst` (zero-extended from its type).
fn iconst(func: &Function, v: Value) -> Option<u64> {
    let bits = func.dfg.value_type(func.dfg.resolve_aliases(v)).bits();
    super::specialize::constant(func, v).map(|k| super::specialize::zext(k, bits))
}

/// The compare `c` is, as `(cond, x, y)`, if `c` is an `icmp` of 64-bit words.
fn compare_of(func: &Function, c: Value) -> Option<(IntCC, Value, Value)> {
    let inst = func.dfg.value_def(func.dfg.resolve_aliases(c)).inst()?;
    match func.dfg.insts[inst] {
        InstructionData::IntCompare { cond, args, .. } if func.dfg.value_type(args[0]) == I64 => {
            Some((cond, args[0], args[1]))
        }
        _ => None,
    }
}

/// The branch `inst` ends its block with, and its targets.
fn targets(func: &Function, inst: Inst) -> &[BlockCall] {
    func.dfg.insts[inst].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
}

/// Known bits of values, given the function's control flow.
struct Analysis {
    cfg: ControlFlowGraph,
    domtree: DominatorTree,
    /// Facts from branches: `(block, bits)` holds of the value in `block` and every block
    /// it dominates.
    facts: HashMap<Value, Vec<(Block, Bits)>>,
    /// Blocks some predecessor now jumps past: what they dominate is smaller than the
    /// dominator tree says, so they are not threaded again in this round.
    bypassed: HashSet<Block>,
    loop_headers: HashSet<Block>,
    /// Known bits already worked out, by value and block. Cleared at every change.
    memo: RefCell<HashMap<(Value, Block), Bits>>,
}

impl Analysis {
    fn of(func: &Function) -> Self {
        let cfg = ControlFlowGraph::with_function(func);
        let domtree = DominatorTree::with_function(func, &cfg);
        let mut a = Analysis {
            cfg,
            domtree,
            facts: HashMap::default(),
            bypassed: HashSet::default(),
            loop_headers: HashSet::default(),
            memo: RefCell::new(HashMap::default()),
        };
        for block in func.layout.blocks() {
            if !a.domtree.is_reachable(block) {
                continue;
            }
            if a.cfg
                .pred_iter(block)
                .any(|p| a.domtree.block_dominates(block, p.block))
            {
                a.loop_headers.insert(block);
            }
            let Some(branch) = a.single_pred(func, block) else {
                continue;
            };
            for (v, bits) in edge_facts(func, branch, block) {
                a.facts.entry(v).or_default().push((block, bits));
            }
        }
        a
    }

    /// Record that an edge now jumps past `block`. Edges only move past a block, so every
    /// other block dominates what the tree says (an edge into a block does not change what
    /// it dominates), and facts stay true: a moved edge leaves the same branch on the same
    /// outcome.
    fn bypass(&mut self, block: Block) {
        self.bypassed.insert(block);
        self.memo.borrow_mut().clear();
    }

    /// The branch that is `block`'s only way in, if it has one.
    fn single_pred(&self, func: &Function, block: Block) -> Option<Inst> {
        let mut preds = self.cfg.pred_iter(block);
        let (Some(p), None) = (preds.next(), preds.next()) else {
            return None;
        };
        let edges = targets(func, p.inst)
            .iter()
            .filter(|c| c.block(&func.dfg.value_lists) == block)
            .count();
        (edges == 1).then_some(p.inst)
    }

    /// Known bits of `v` at `ctx` (a block where `v` is available).
    fn bits(&self, func: &Function, v: Value, ctx: Block, depth: u32) -> Bits {
        let v = func.dfg.resolve_aliases(v);
        if func.dfg.value_type(v) != I64 {
            return iconst(func, v).map_or(Bits::UNKNOWN, Bits::exact);
        }
        if let Some(&b) = self.memo.borrow().get(&(v, ctx)) {
            return b;
        }
        let mut b = self.structural(func, v, ctx, depth);
        if let Some(fs) = self.facts.get(&v) {
            for &(at, f) in fs {
                if self.domtree.block_dominates(at, ctx) {
                    b = b.and(f);
                }
            }
        }
        self.memo.borrow_mut().insert((v, ctx), b);
        b
    }

    fn structural(&self, func: &Function, v: Value, ctx: Block, depth: u32) -> Bits {
        if let Some(k) = iconst(func, v) {
            return Bits::exact(k);
        }
        if depth == 0 {
            return Bits::UNKNOWN;
        }
        let sub = |x: Value| self.bits(func, x, ctx, depth - 1);
        match func.dfg.value_def(v) {
            ValueDef::Result(inst, 0) => match func.dfg.insts[inst] {
                InstructionData::Binary { opcode, args: [a, b] } => {
                    let amount = || iconst(func, b).map(|k| (k & 63) as u32);
                    match opcode {
                        Opcode::Bor => {
                            let (a, b) = (sub(a), sub(b));
                            Bits {
                                ones: a.ones | b.ones,
                                zeros: a.zeros & b.zeros,
                            }
                        }
                        Opcode::Band => {
                            let (a, b) = (sub(a), sub(b));
                            Bits {
                                ones: a.ones & b.ones,
                                zeros: a.zeros | b.zeros,
                            }
                        }
                        Opcode::Bxor => {
                            let (a, b) = (sub(a), sub(b));
                            Bits {
                                ones: (a.ones & b.zeros) | (a.zeros & b.ones),
                                zeros: (a.ones & b.ones) | (a.zeros & b.zeros),
                            }
                        }
                        Opcode::Rotl => amount().map_or(Bits::UNKNOWN, |k| sub(a).rotl(k)),
                        Opcode::Rotr => amount().map_or(Bits::UNKNOWN, |k| sub(a).rotl((64 - k) % 64)),
                        Opcode::Ishl => amount().map_or(Bits::UNKNOWN, |k| {
                            let a = sub(a);
                            Bits {
                                ones: a.ones << k,
                                zeros: (a.zeros << k) | ((1u64 << k) - 1),
                            }
                        }),
                        Opcode::Ushr => amount().map_or(Bits::UNKNOWN, |k| {
                            let a = sub(a);
                            Bits {
                                ones: a.ones >> k,
                                zeros: (a.zeros >> k) | !(!0u64 >> k),
                            }
                        }),
                        Opcode::Sshr => amount().map_or(Bits::UNKNOWN, |k| {
                            let a = sub(a);
                            Bits {
                                ones: ((a.ones as i64) >> k) as u64,
                                zeros: ((a.zeros as i64) >> k) as u64,
                            }
                        }),
                        Opcode::Iadd | Opcode::Isub | Opcode::SaddOverflow | Opcode::SsubOverflow => {
                            sub(a).add_like(sub(b))
                        }
                        _ => Bits::UNKNOWN,
                    }
                }
                InstructionData::Ternary {
                    opcode: Opcode::Select,
                    args: [_, a, b],
                } => sub(a).meet(sub(b)),
                _ => Bits::UNKNOWN,
            },
            ValueDef::Param(block, i) => {
                // Parameters are looked through at most twice on the way down: each look
                // visits every predecessor.
                if depth + MAX_PARAM_LOOKS <= MAX_DEPTH || self.cfg.pred_iter(block).count() > MAX_MEET_PREDS {
                    return Bits::UNKNOWN;
                }
                let mut acc: Option<Bits> = None;
                for p in self.cfg.pred_iter(block) {
                    for call in targets(func, p.inst) {
                        if call.block(&func.dfg.value_lists) != block {
                            continue;
                        }
                        let Some(BlockArg::Value(arg)) = call.args(&func.dfg.value_lists).nth(i) else {
                            return Bits::UNKNOWN;
                        };
                        let mut b = self.bits(func, arg, p.block, depth - 1);
                        for (fv, f) in edge_facts(func, p.inst, block) {
                            if fv == func.dfg.resolve_aliases(arg) {
                                b = b.and(f);
                            }
                        }
                        acc = Some(acc.map_or(b, |a| a.meet(b)));
                    }
                }
                acc.unwrap_or(Bits::UNKNOWN)
            }
            _ => Bits::UNKNOWN,
        }
    }
}

/// What taking the edge from `branch` to `to` says about values: the branch's compare
/// holds (or fails) there. Nothing when both of a `brif`'s targets are `to`.
fn edge_facts(func: &Function, branch: Inst, to: Block) -> Vec<(Value, Bits)> {
    let InstructionData::Brif { arg, blocks, .. } = func.dfg.insts[branch] else {
        return Vec::new();
    };
    let pool = &func.dfg.value_lists;
    let taken = match (blocks[0].block(pool) == to, blocks[1].block(pool) == to) {
        (true, false) => true,
        (false, true) => false,
        _ => return Vec::new(),
    };
    let Some((cond, x, y)) = compare_of(func, arg) else {
        return Vec::new();
    };
    let Some(k) = iconst(func, y) else {
        return Vec::new();
    };
    let cond = if taken { cond } else { cond.complement() };
    let Some(f) = fact_of(cond, k) else {
        return Vec::new();
    };
    let x = func.dfg.resolve_aliases(x);
    let mut out = vec![(x, f)];
    // Ones of `a & b` are ones of both; zeros of `a | b` are zeros of both.
    if let Some(inst) = func.dfg.value_def(x).inst() {
        if let InstructionData::Binary { opcode, args } = func.dfg.insts[inst] {
            let passed = match opcode {
                Opcode::Band => Bits { ones: f.ones, zeros: 0 },
                Opcode::Bor => Bits {
                    ones: 0,
                    zeros: f.zeros,
                },
                _ => Bits::UNKNOWN,
            };
            if passed != Bits::UNKNOWN {
                for a in args {
                    out.push((func.dfg.resolve_aliases(a), passed));
                }
            }
        }
    }
    out
}

/// Fold every compare the known bits decide, and every `brif` on a constant. Returns how
/// many instructions changed.
fn fold_decided(func: &mut Function, a: &Analysis) -> usize {
    let mut changed = 0;
    for block in func.layout.blocks().collect::<Vec<_>>() {
        if !a.domtree.is_reachable(block) {
            continue;
        }
        for inst in func.layout.block_insts(block).collect::<Vec<_>>() {
            match func.dfg.insts[inst] {
                InstructionData::IntCompare { cond, args, .. } if func.dfg.value_type(args[0]) == I64 => {
                    if iconst(func, args[0]).is_some() && iconst(func, args[1]).is_some() {
                        // Both constant: Cranelift's own folding sees to it.
                        continue;
                    }
                    let x = a.bits(func, args[0], block, MAX_DEPTH);
                    let y = a.bits(func, args[1], block, MAX_DEPTH);
                    if let Some(t) = decide(cond, x, y) {
                        let ty = func.dfg.value_type(func.dfg.first_result(inst));
                        func.replace(inst).iconst(ty, t as i64);
                        changed += 1;
                    }
                }
                InstructionData::Brif { arg, blocks, .. } => {
                    if let Some(k) = iconst(func, arg) {
                        let taken = blocks[if k != 0 { 0 } else { 1 }];
                        func.dfg.insts[inst] = InstructionData::Jump {
                            opcode: Opcode::Jump,
                            destination: taken,
                        };
                        changed += 1;
                    }
                }
                _ => {}
            }
        }
    }
    changed
}

/// Is `block` a test: a few pure instructions, then `brif` on a compare made here?
fn is_test(func: &Function, block: Block) -> Option<Inst> {
    let term = func.layout.last_inst(block)?;
    let InstructionData::Brif { arg, .. } = func.dfg.insts[term] else {
        return None;
    };
    let c = func.dfg.value_def(func.dfg.resolve_aliases(arg)).inst()?;
    if func.layout.inst_block(c) != Some(block) || compare_of(func, arg).is_none() {
        return None;
    }
    let mut n = 0;
    for inst in func.layout.block_insts(block) {
        if inst == term {
            break;
        }
        n += 1;
        let pure = is_pure(func.dfg.insts[inst].opcode());
        if !pure || n > MAX_TEST_INSTS {
            return None;
        }
    }
    Some(term)
}

/// Where the values `block` defines are used outside it (only blocks it dominates can).
fn uses_below(func: &Function, a: &Analysis, block: Block) -> Vec<(Value, Block, Inst)> {
    let mut defs: HashSet<Value> = func.dfg.block_params(block).iter().copied().collect();
    for inst in func.layout.block_insts(block) {
        defs.extend(func.dfg.inst_results(inst).iter().copied());
    }
    let mut out = Vec::new();
    let mut stack: Vec<Block> = a.domtree.children(block).collect();
    while let Some(u) = stack.pop() {
        stack.extend(a.domtree.children(u));
        for inst in func.layout.block_insts(u) {
            for v in func.dfg.inst_values(inst) {
                let v = func.dfg.resolve_aliases(v);
                if defs.contains(&v) {
                    out.push((v, u, inst));
                }
            }
        }
    }
    out
}

/// Is `block` only a jump?
fn is_forward(func: &Function, block: Block) -> Option<Inst> {
    let first = func.layout.first_inst(block)?;
    matches!(func.dfg.insts[first], InstructionData::Jump { .. }).then_some(first)
}

/// The edge of `branch` to `to`, if exactly one of its targets is `to`.
fn edge_index(func: &Function, branch: Inst, to: Block) -> Option<usize> {
    let ts = targets(func, branch);
    let mut found = None;
    for (i, c) in ts.iter().enumerate() {
        if c.block(&func.dfg.value_lists) == to {
            if found.is_some() {
                return None;
            }
            found = Some(i);
        }
    }
    found
}

/// Point edge `idx` of `branch` at `to` with `args`, unless a `brif`'s other edge goes there.
fn retarget(func: &mut Function, branch: Inst, idx: usize, to: Block, args: &[Value]) -> bool {
    if targets(func, branch)
        .iter()
        .enumerate()
        .any(|(i, c)| i != idx && c.block(&func.dfg.value_lists) == to)
    {
        return false;
    }
    let call = BlockCall::new(to, args.iter().map(|&v| BlockArg::Value(v)), &mut func.dfg.value_lists);
    set_destination(func, branch, idx, call);
    true
}

/// Replace edge `idx` of `branch`.
fn set_destination(func: &mut Function, branch: Inst, idx: usize, call: BlockCall) {
    let dfg = &mut func.dfg;
    let dests = dfg.insts[branch].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables);
    dests[idx] = call;
}

/// The value arguments of a block call, or `None` if one is not a plain value.
fn call_args(func: &Function, call: BlockCall) -> Option<Vec<Value>> {
    call.args(&func.dfg.value_lists)
        .map(|a| a.as_value().map(|v| func.dfg.resolve_aliases(v)))
        .collect()
}

/// Thread every test and forwarding block past the predecessors that decide it, and
/// follow each moved edge on as far as it goes. Returns how many edges moved.
fn thread(func: &mut Function, a: &mut Analysis) -> usize {
    let mut moved = 0;
    for b in func.layout.blocks().collect::<Vec<_>>() {
        if is_test(func, b).is_none() && is_forward(func, b).is_none() {
            continue;
        }
        let preds: Vec<_> = a.cfg.pred_iter(b).collect();
        for p in preds {
            let mut cur = b;
            for _ in 0..MAX_ROUNDS {
                match step(func, a, p.block, p.inst, cur) {
                    Some(to) => {
                        moved += 1;
                        cur = to;
                    }
                    None => break,
                }
            }
        }
    }
    moved
}

/// Move the edge of `p`'s `branch` into `b` past `b`, if `b` only jumps on, or tests
/// something `p`'s arguments decide. Returns where the edge goes now.
fn step(func: &mut Function, a: &mut Analysis, p: Block, branch: Inst, b: Block) -> Option<Block> {
    if Some(b) == func.layout.entry_block() || p == b || !a.domtree.is_reachable(b) || a.loop_headers.contains(&b) {
        return None;
    }
    if a.bypassed.contains(&b) {
        return None;
    }
    let idx = edge_index(func, branch, b)?;
    let args = call_args(func, targets(func, branch)[idx])?;
    let params: Vec<Value> = func.dfg.block_params(b).to_vec();
    if args.len() != params.len() {
        return None;
    }
    let subst = |v: Value| params.iter().position(|&q| q == v).map_or(v, |i| args[i]);

    if let Some(jump) = is_forward(func, b) {
        // A block that only jumps on: its parameters must not be used past it.
        if !params.is_empty() && uses_below(func, a, b).iter().any(|&(v, _, _)| params.contains(&v)) {
            return None;
        }
        let InstructionData::Jump { destination, .. } = func.dfg.insts[jump] else {
            return None;
        };
        let to = destination.block(&func.dfg.value_lists);
        if to == b {
            return None;
        }
        let new_args: Vec<Value> = call_args(func, destination)?.into_iter().map(subst).collect();
        if !retarget(func, branch, idx, to, &new_args) {
            return None;
        }
        a.cfg.recompute_block(func, p);
        a.bypass(b);
        return Some(to);
    }

    let term = is_test(func, b)?;
    let InstructionData::Brif { arg, blocks, .. } = func.dfg.insts[term] else {
        return None;
    };
    let (cond, x, y) = compare_of(func, arg)?;
    let xb = substituted_bits(func, a, x, b, &params, &args, p)?;
    let yb = substituted_bits(func, a, y, b, &params, &args, p)?;
    let taken = decide(cond, xb, yb)?;
    let target = blocks[if taken { 0 } else { 1 }];
    let to = target.block(&func.dfg.value_lists);
    if to == b {
        return None;
    }
    let defined_here = |v: Value| match func.dfg.value_def(v) {
        ValueDef::Param(pb, _) => pb == b,
        ValueDef::Result(i, _) => func.layout.inst_block(i) == Some(b),
        _ => false,
    };
    // `p` passes the target's arguments, with `b`'s parameters replaced; it cannot pass
    // what `b` computes.
    let targs = call_args(func, target)?;
    if targs.iter().any(|&v| !params.contains(&v) && defined_here(v)) {
        return None;
    }
    let mut new_args: Vec<Value> = targs.into_iter().map(subst).collect();
    let mut uses = uses_below(func, a, b);
    // Constants `b` makes are copied to where they are used, so they do not stop the move.
    if copy_constants_out(func, &uses) {
        uses = uses_below(func, a, b);
    }
    // Uses of `b`'s values past it: under `to` (which then takes them as parameters), or
    // under another target whose only way in is `b`.
    let single_succs: Vec<Block> = blocks
        .iter()
        .map(|c| c.block(&func.dfg.value_lists))
        .filter(|&s| a.single_pred(func, s) == Some(term) && !a.bypassed.contains(&s))
        .collect();
    let to_single = single_succs.contains(&to);
    let covered = |ub: Block| {
        (to_single && a.domtree.block_dominates(to, ub))
            || single_succs
                .iter()
                .any(|&s| s != to && a.domtree.block_dominates(s, ub))
    };
    // A parameter used where both ways meet again (a slow path that the tested case and
    // the other one share) is passed there as a parameter of that block instead.
    let merges = merges_for(a, b, &params, &uses, &covered)?;
    if !merges.is_empty() {
        pass_as_parameters(func, a, &merges);
        uses = uses_below(func, a, b);
    }
    let mut lift: Vec<Value> = Vec::new();
    for &(v, ub, _) in &uses {
        if to_single && a.domtree.block_dominates(to, ub) {
            if !params.contains(&v) {
                return None;
            }
            if !lift.contains(&v) {
                lift.push(v);
            }
        } else if !single_succs
            .iter()
            .any(|&s| s != to && a.domtree.block_dominates(s, ub))
        {
            return None;
        }
    }
    if !lift.is_empty() && a.bypassed.contains(&to) {
        return None;
    }
    // What the lifted parameters are known to be in `to`: from `b` past its test, or from `p`.
    let lifted_bits: Vec<Bits> = lift
        .iter()
        .map(|&v| {
            let mut via_b = a.bits(func, v, b, MAX_DEPTH);
            for (fv, f) in edge_facts(func, term, to) {
                if fv == v {
                    via_b = via_b.and(f);
                }
            }
            via_b.meet(a.bits(func, subst(v), p, MAX_DEPTH))
        })
        .collect();
    new_args.extend(lift.iter().map(|&v| subst(v)));
    if !retarget(func, branch, idx, to, &new_args) {
        return None;
    }
    if !lift.is_empty() {
        // `to` takes the lifted values as parameters; `b` passes its own.
        let bidx = if taken { 0 } else { 1 };
        let mut renamed = HashMap::default();
        for (&v, &bits) in lift.iter().zip(&lifted_bits) {
            let ty = func.dfg.value_type(v);
            let q = func.dfg.append_block_param(to, ty);
            renamed.insert(v, q);
            // A fact of `to`'s (which the moved edge leaves dominating what it did).
            a.facts.entry(q).or_default().push((to, bits));
            let mut call = targets(func, term)[bidx];
            call.append_argument(v, &mut func.dfg.value_lists);
            set_destination(func, term, bidx, call);
        }
        for &(v, ub, ui) in &uses {
            if let Some(&q) = renamed.get(&v) {
                if a.domtree.block_dominates(to, ub) {
                    replace_uses(func, ui, v, q);
                }
            }
        }
    }
    a.cfg.recompute_block(func, p);
    a.bypass(b);
    Some(to)
}

/// Give every block in `uses` (uses of a test block's values past it) that uses a
/// constant the test block makes a copy of its own. Returns whether any was made.
/// (Cranelift materialises constants where they are used anyway.)
fn copy_constants_out(func: &mut Function, uses: &[(Value, Block, Inst)]) -> bool {
    let mut copies: HashMap<(Value, Block), Value> = HashMap::default();
    for &(v, ub, ui) in uses {
        let ValueDef::Result(def, 0) = func.dfg.value_def(v) else {
            continue;
        };
        let data = func.dfg.insts[def];
        if !matches!(data.opcode(), Opcode::Iconst | Opcode::F64const | Opcode::F32const) {
            continue;
        }
        let copy = *copies.entry((v, ub)).or_insert_with(|| {
            let ty = func.dfg.value_type(v);
            let mut cur = FuncCursor::new(func);
            cur.goto_first_insertion_point(ub);
            let inst = cur.ins().build(data, ty).0;
            cur.func.dfg.first_result(inst)
        });
        replace_uses(func, ui, v, copy);
    }
    !copies.is_empty()
}

/// Make `inst` use `q` wherever it uses `v` (or an alias of it).
fn replace_uses(func: &mut Function, inst: Inst, v: Value, q: Value) {
    let raw: Vec<Value> = func
        .dfg
        .inst_values(inst)
        .filter(|&w| func.dfg.resolve_aliases(w) == v)
        .collect();
    if !raw.is_empty() {
        func.dfg.map_inst_values(inst, |w| if raw.contains(&w) { q } else { w });
    }
}

/// At most this many blocks take a test block's parameter as their own in one step.
const MAX_MERGES: usize = 16;

/// The blocks past test block `b` that must take one of its parameters as their own, so
/// that an edge can move past `b`: each `(v, u)` says that `u` uses parameter `v` (itself,
/// or through a block it jumps to that does) but lies under no target of `b` that the move
/// leaves with one way in (`covered` says which blocks do). After the move, `u` can be
/// reached along the moved edge and along `b`, so `v` has to come in from `u`'s
/// predecessors. `None` if a value `b` computes (not a parameter) is used there, or if
/// there are too many such blocks.
fn merges_for(
    a: &Analysis,
    b: Block,
    params: &[Value],
    uses: &[(Value, Block, Inst)],
    covered: &dyn Fn(Block) -> bool,
) -> Option<Vec<(Value, Block)>> {
    let mut out: Vec<(Value, Block)> = Vec::new();
    let mut work: Vec<(Value, Block)> = uses
        .iter()
        .filter(|&&(_, ub, _)| !covered(ub))
        .map(|&(v, ub, _)| (v, ub))
        .collect();
    while let Some((v, u)) = work.pop() {
        if out.contains(&(v, u)) {
            continue;
        }
        if !params.contains(&v) || u == b || out.len() == MAX_MERGES || a.loop_headers.contains(&u) {
            return None;
        }
        out.push((v, u));
        for pred in a.cfg.pred_iter(u) {
            if pred.block != b && !covered(pred.block) {
                work.push((v, pred.block));
            }
        }
    }
    Some(out)
}

/// Give each block `u` of `merges` a parameter for `v`, passed by every predecessor, and
/// make `u`'s own uses of `v` use it.
fn pass_as_parameters(func: &mut Function, a: &mut Analysis, merges: &[(Value, Block)]) {
    let mut renamed = Vec::with_capacity(merges.len());
    for &(v, u) in merges {
        let ty = func.dfg.value_type(v);
        renamed.push(func.dfg.append_block_param(u, ty));
        let preds: Vec<Inst> = a.cfg.pred_iter(u).map(|p| p.inst).collect();
        for inst in preds {
            for idx in 0..targets(func, inst).len() {
                let mut call = targets(func, inst)[idx];
                if call.block(&func.dfg.value_lists) == u {
                    call.append_argument(v, &mut func.dfg.value_lists);
                    set_destination(func, inst, idx, call);
                }
            }
        }
    }
    for (&(v, u), &q) in merges.iter().zip(&renamed) {
        let insts: Vec<Inst> = func.layout.block_insts(u).collect();
        for inst in insts {
            replace_uses(func, inst, v, q);
        }
    }
    a.memo.borrow_mut().clear();
}

/// Known bits of `v`, an instruction result of test block `b`, when `b` is entered with
/// `args` for `params` from `ctx`.
fn substituted_bits(
    func: &Function,
    a: &Analysis,
    v: Value,
    b: Block,
    params: &[Value],
    args: &[Value],
    ctx: Block,
) -> Option<Bits> {
    let v = func.dfg.resolve_aliases(v);
    if let Some(i) = params.iter().position(|&q| q == v) {
        return Some(a.bits(func, args[i], ctx, MAX_DEPTH));
    }
    let ValueDef::Result(inst, 0) = func.dfg.value_def(v) else {
        return None;
    };
    if func.layout.inst_block(inst) != Some(b) {
        return Some(a.bits(func, v, ctx, MAX_DEPTH));
    }
    if let Some(k) = iconst(func, v) {
        return Some(Bits::exact(k));
    }
    let InstructionData::Binary { opcode, args: [x, y] } = func.dfg.insts[inst] else {
        return None;
    };
    let xb = substituted_bits(func, a, x, b, params, args, ctx)?;
    let yb = substituted_bits(func, a, y, b, params, args, ctx)?;
    match opcode {
        Opcode::Band => Some(Bits {
            ones: xb.ones & yb.ones,
            zeros: xb.zeros | yb.zeros,
        }),
        Opcode::Bor => Some(Bits {
            ones: xb.ones | yb.ones,
            zeros: xb.zeros & yb.zeros,
        }),
        _ => None,
    }
}

/// Merge each block that only one jump reaches into the block that jumps to it, so tests
/// that the frontend left a chain of empty blocks below a merge sit in the merge block.
/// Returns how many blocks merged.
fn merge_straight_lines(func: &mut Function) -> usize {
    let cfg = ControlFlowGraph::with_function(func);
    let entry = func.layout.entry_block();
    let mut merged = 0;
    for a in func.layout.blocks().collect::<Vec<_>>() {
        if !func.layout.is_block_inserted(a) {
            continue;
        }
        loop {
            let Some(jump) = func.layout.last_inst(a) else { break };
            let InstructionData::Jump { destination, .. } = func.dfg.insts[jump] else {
                break;
            };
            let b = destination.block(&func.dfg.value_lists);
            let mut preds = cfg.pred_iter(b);
            let single = matches!((preds.next(), preds.next()), (Some(p), None) if p.inst == jump);
            if b == a || Some(b) == entry || !single || func.layout.is_cold(b) != func.layout.is_cold(a) {
                break;
            }
            let Some(args) = call_args(func, destination) else {
                break;
            };
            func.layout.remove_inst(jump);
            let params = func.dfg.detach_block_params(b);
            for (i, &arg) in args.iter().enumerate() {
                let param = params.get(i, &func.dfg.value_lists).expect("a parameter per argument");
                func.dfg.change_to_alias(param, arg);
            }
            while let Some(i) = func.layout.first_inst(b) {
                func.layout.remove_inst(i);
                func.layout.append_inst(i, a);
            }
            func.layout.remove_block(b);
            merged += 1;
        }
    }
    merged
}

/// Is `op` free of effects (so an unused result means an unneeded instruction)?
fn is_pure(op: Opcode) -> bool {
    matches!(
        op,
        Opcode::Iconst
            | Opcode::F64const
            | Opcode::StackAddr
            | Opcode::Icmp
            | Opcode::Band
            | Opcode::Bor
            | Opcode::Bxor
            | Opcode::Iadd
            | Opcode::Isub
            | Opcode::Ishl
            | Opcode::Ushr
            | Opcode::Sshr
            | Opcode::Rotl
            | Opcode::Rotr
            | Opcode::Bitcast
    )
}

/// Remove effect-free instructions whose results nothing uses (folding leaves many; they
/// would hide the tests they sit before). Returns how many went.
fn remove_dead(func: &mut Function) -> usize {
    remove_unused(func, |func, inst| is_pure(func.dfg.insts[inst].opcode()))
}

/// Remove every instruction with one result that nothing uses and that `removable`
/// accepts, until none is left. Returns how many went.
pub(super) fn remove_unused(func: &mut Function, removable: impl Fn(&Function, Inst) -> bool) -> usize {
    let mut removed = 0;
    loop {
        let mut used: HashSet<Value> = HashSet::default();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                used.extend(func.dfg.inst_values(inst).map(|v| func.dfg.resolve_aliases(v)));
            }
        }
        let mut dead = Vec::new();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                let results = func.dfg.inst_results(inst);
                if results.len() == 1 && !used.contains(&results[0]) && removable(func, inst) {
                    dead.push(inst);
                }
            }
        }
        if dead.is_empty() {
            return removed;
        }
        removed += dead.len();
        for inst in dead {
            func.layout.remove_inst(inst);
        }
    }
}

/// Remove the blocks no path from the entry reaches.
fn remove_unreachable(func: &mut Function) {
    let Some(entry) = func.layout.entry_block() else { return };
    let mut seen = HashSet::default();
    seen.insert(entry);
    let mut work = vec![entry];
    while let Some(b) = work.pop() {
        if let Some(term) = func.layout.last_inst(b) {
            for c in targets(func, term) {
                let s = c.block(&func.dfg.value_lists);
                if seen.insert(s) {
                    work.push(s);
                }
            }
        }
    }
    for b in func.layout.blocks().collect::<Vec<_>>() {
        if !seen.contains(&b) {
            while let Some(i) = func.layout.first_inst(b) {
                func.layout.remove_inst(i);
            }
            func.layout.remove_block(b);
        }
    }
}

/// Fold and thread the branches known bits decide, until nothing changes (see the module
/// documentation). Returns how many branches, compares and edges changed.
pub fn thread_known_branches(func: &mut Function) -> usize {
    let mut total = 0;
    for _ in 0..MAX_ROUNDS {
        merge_straight_lines(func);
        let a = Analysis::of(func);
        if !a.loop_headers.is_empty() {
            // Moving edges in and around loops measured worse: Cranelift then hoisted
            // less out of counter's loop.
            break;
        }
        let mut changed = fold_decided(func, &a);
        if changed > 0 {
            remove_unreachable(func);
            merge_straight_lines(func);
        }
        remove_dead(func);
        let mut a = Analysis::of(func);
        changed += thread(func, &mut a);
        if changed == 0 {
            break;
        }
        remove_unreachable(func);
        total += changed;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    const INT_TAG: u64 = 0xffff_0000_0000_0000;

    #[test]
    fn a_tagged_int_is_never_the_exception_marker() {
        let x = Bits {
            ones: INT_TAG,
            zeros: 0,
        };
        assert_eq!(decide(IntCC::Equal, x, Bits::exact(14)), Some(false));
        assert_eq!(
            decide(IntCC::UnsignedGreaterThanOrEqual, x, Bits::exact(INT_TAG)),
            Some(true)
        );
        assert_eq!(decide(IntCC::UnsignedLessThan, x, Bits::exact(INT_TAG)), Some(false));
        // Nothing known: nothing decided.
        assert_eq!(decide(IntCC::Equal, Bits::UNKNOWN, Bits::exact(14)), None);
    }

    #[test]
    fn facts_from_compares() {
        assert_eq!(
            fact_of(IntCC::UnsignedGreaterThanOrEqual, INT_TAG).unwrap().ones,
            INT_TAG
        );
        // x < INT_TAG says only that not all of the top 16 bits are ones: nothing per bit.
        assert_eq!(fact_of(IntCC::UnsignedLessThan, INT_TAG).unwrap(), Bits::UNKNOWN);
        // x <= 0xff: the top 56 bits are zeros.
        assert_eq!(fact_of(IntCC::UnsignedLessThanOrEqual, 0xff).unwrap().zeros, !0xff);
        assert_eq!(fact_of(IntCC::Equal, 7).unwrap().constant(), Some(7));
    }

    use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

    /// An empty function of two words returning one.
    fn two_word_function() -> Function {
        use cranelift_codegen::ir::{AbiParam, Signature};
        let mut sig = Signature::new(cranelift_codegen::isa::CallConv::SystemV);
        sig.params.extend([AbiParam::new(I64), AbiParam::new(I64)]);
        sig.returns.push(AbiParam::new(I64));
        Function::with_name_signature(Default::default(), sig)
    }

    /// End the current block with a test of `v` for `EXC`: `done` returns `v`, `unwind`
    /// returns `EXC`. Then seal and finish the function.
    fn return_unless_exception(mut b: FunctionBuilder, v: Value, done: Block, unwind: Block) {
        let is_exc = b.ins().icmp_imm_s(IntCC::Equal, v, 14);
        b.ins().brif(is_exc, unwind, &[], done, &[]);
        b.switch_to_block(done);
        b.ins().return_(&[v]);
        b.switch_to_block(unwind);
        let exc = b.ins().iconst(I64, 14);
        b.ins().return_(&[exc]);
        b.seal_all_blocks();
        let isa = cranelift_native::builder()
            .expect("a host ISA")
            .finish(cranelift_codegen::settings::Flags::new(
                cranelift_codegen::settings::builder(),
            ))
            .expect("an ISA");
        b.finalize(isa.frontend_config());
    }

    /// Run the pass on `func`, which must change something and leave valid SSA.
    fn thread_and_verify(func: &mut Function) {
        assert!(thread_known_branches(func) > 0);
        let flags = cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder());
        cranelift_codegen::verify_function(func, &flags).expect("valid SSA after threading");
    }

    /// `fast` makes a tagged int, `slow` passes an unknown word; both reach `ret`, which
    /// tests for `EXC`. After the pass, `fast` jumps straight to `done`.
    #[test]
    fn the_fast_path_skips_the_exception_test() {
        let mut func = two_word_function();
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let (entry, fast, slow, ret, done, unwind) = (
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
            b.create_block(),
        );
        b.append_block_params_for_function_params(entry);
        b.append_block_param(ret, I64);
        b.switch_to_block(entry);
        let (x, y) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let is_int = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, x, INT_TAG as i64);
        b.ins().brif(is_int, fast, &[], slow, &[]);
        b.switch_to_block(fast);
        // rotr(rotl(x, 16) + (7 << 16), 16): x + 7, still tagged.
        let r = b.ins().rotl_imm_s(x, 16);
        let r = b.ins().iadd_imm_s(r, 7 << 16);
        let r = b.ins().rotr_imm_s(r, 16);
        b.ins().jump(ret, &[BlockArg::Value(r)]);
        b.switch_to_block(slow);
        b.ins().jump(ret, &[BlockArg::Value(y)]);
        b.switch_to_block(ret);
        let v = b.block_params(ret)[0];
        return_unless_exception(b, v, done, unwind);
        thread_and_verify(&mut func);
        let fast_term = func.layout.last_inst(fast).unwrap();
        let dest = targets(&func, fast_term)[0].block(&func.dfg.value_lists);
        assert_eq!(dest, done, "the fast path goes straight to `done`:\n{}", func.display());
        // The slow path still tests for EXC (it skips `slow`, which only jumped on).
        let entry_term = func.layout.last_inst(entry).unwrap();
        assert_eq!(targets(&func, entry_term)[1].block(&func.dfg.value_lists), ret);
        assert!(is_test(&func, ret).is_some());
    }

    /// The shape an inlined `x + 7` takes after a call that returned `v`: `ret` tests `v`
    /// for the int tag; the int path's overflow and the not-an-int path share the slow
    /// block `generic`, which uses `v` and a constant `ret` makes. The fast path into `ret`
    /// still moves past the test (`generic` takes `v` as a parameter of its own), and what
    /// the moved edge knows about `v` decides the `EXC` test after the addition too.
    #[test]
    fn a_fast_path_passes_a_tag_test_whose_slow_paths_meet_again() {
        let mut func = two_word_function();
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let [entry, fast, called, ret, int_op, no_overflow, not_int, generic, join, done, unwind] =
            std::array::from_fn(|_| b.create_block());
        b.append_block_params_for_function_params(entry);
        b.append_block_param(ret, I64);
        b.append_block_param(join, I64);
        b.switch_to_block(entry);
        let (x, y) = (b.block_params(entry)[0], b.block_params(entry)[1]);
        let is_int = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, x, INT_TAG as i64);
        b.ins().brif(is_int, fast, &[], called, &[]);
        b.switch_to_block(fast);
        let boxed = b.ins().bor_imm_s(x, INT_TAG as i64);
        b.ins().jump(ret, &[BlockArg::Value(boxed)]);
        b.switch_to_block(called);
        b.ins().jump(ret, &[BlockArg::Value(y)]);
        b.switch_to_block(ret);
        let v = b.block_params(ret)[0];
        let seven = b.ins().iconst(I64, 7 << 16);
        let tagged = b.ins().icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, v, INT_TAG as i64);
        b.ins().brif(tagged, int_op, &[], not_int, &[]);
        b.switch_to_block(int_op);
        let r = b.ins().rotl_imm_s(v, 16);
        let (sum, overflow) = b.ins().sadd_overflow(r, seven);
        b.ins().brif(overflow, generic, &[], no_overflow, &[]);
        b.switch_to_block(no_overflow);
        let sum = b.ins().rotr_imm_s(sum, 16);
        b.ins().jump(join, &[BlockArg::Value(sum)]);
        b.switch_to_block(not_int);
        b.ins().jump(generic, &[]);
        b.switch_to_block(generic);
        // Stands for the runtime call on the operands.
        let w = b.ins().bxor(v, seven);
        b.ins().jump(join, &[BlockArg::Value(w)]);
        b.switch_to_block(join);
        let z = b.block_params(join)[0];
        return_unless_exception(b, z, done, unwind);
        thread_and_verify(&mut func);
        let dest = |func: &Function, block: Block| {
            let term = func.layout.last_inst(block).unwrap();
            targets(func, term)[0].block(&func.dfg.value_lists)
        };
        assert_eq!(dest(&func, fast), int_op, "past the tag test:\n{}", func.display());
        assert_eq!(dest(&func, no_overflow), done, "past the EXC test:\n{}", func.display());
        assert_eq!(func.dfg.block_params(generic).len(), 1, "{}", func.display());
        // The value from the call is still tested.
        assert!(is_test(&func, ret).is_some());
    }

    #[test]
    fn a_rotated_int_keeps_its_tag_through_an_addition_of_shifted_bits() {
        // rotr(rotl(x, 16) + (k << 16), 16) for an int x: the low 16 bits of the sum are
        // those of rotl(x, 16), which are x's tag.
        let x = Bits {
            ones: INT_TAG,
            zeros: 0,
        };
        let shifted = Bits { ones: 0, zeros: 0xffff };
        let sum = x.rotl(16).add_like(shifted);
        assert_eq!(sum.ones & 0xffff, 0xffff);
        assert_eq!(sum.rotl(48).ones & INT_TAG, INT_TAG);
    }
}
