//! Boxed block parameters given an unboxed shadow beside them: loop-carried floats, and
//! small ints through any merge.
//!
//! A variable is one `i64` value, boxed, and every operation unboxes its operands first. So
//! a value that goes from one operation to the next through a block parameter (a loop's
//! accumulator, or the merge after an operation's fast path and its cold slow path) carries
//! the box and unbox moves on its chain of dependent instructions, not only the arithmetic.
//!
//! **Floats** (`Kind::Float`) are boxed as their bits plus `DOUBLE_OFFSET` (2^48):
//!
//! ```text
//!   header(p: i64):                 ; p: s, boxed
//!     u  = iadd p, -2^48            ; unbox
//!     ok = icmp ult u, FLOAT_LIMIT  ; is it a float? (a branch: not on the chain)
//!     f  = bitcast.f64 u
//!     r  = fadd f, ..
//!     p' = iadd (bitcast.i64 r), 2^48
//!     jump header(p')
//! ```
//!
//! Such a header gets a second parameter `pf: f64`, and every edge into it passes, beside
//! the boxed value `a`, `bitcast.f64 (a - 2^48)`: that is `r` itself when `a` is `r` boxed,
//! a constant when `a` is a constant, and otherwise the two instructions. So on entry `pf`
//! always equals `bitcast.f64 (p - 2^48)`, whatever `p` holds (a float or not: it is the
//! same bit computation), and each `bitcast.f64 (iadd p, -2^48)` in the function, dominated
//! by the header as every use of `p` is, becomes `pf`: averager's `s` chain is now `fadd`,
//! `fsub` and nothing else. Any merge gets a float shadow, not only a loop header: the
//! merge after an inlined `/` passes its quotient on as an `f64` too.
//!
//! Then `p` itself goes: since `p` is always `bitcast.i64 pf + 2^48`, bit for bit, each use
//! of `p` left (a float test [`super::floats`] did not decide, a slow path's argument, a
//! store) reads that box, made again from `pf` at the top of the block, and the edges stop
//! passing `p`. A loop no longer carries the float twice, once boxed for its exit; the box
//! is made where it is used, mostly on cold paths.
//!
//! **Small ints** (`Kind::Int`) are boxed as `0xffff` in the top 16 bits above a 48-bit
//! payload. Operations unbox them three ways, and box results two ways (see
//! `lower::arith`), so the shadow is the *rotated* form `rotl p, 16` (payload above,
//! `0xffff` below), from which each unboxing is at most one instruction:
//!
//! ```text
//!   boxed p:   | 0xffff | payload (48)      |     shadow s = rotl p, 16:
//!              63     48 47               0                | payload (48)     | 0xffff |
//!
//!   unboxing in the body          becomes      boxing on an edge          shadow passed
//!   rotl p, 16          (+ -)     s            rotr r, 16     (+ -)       r
//!   ishl p, 16          (*)       band s, !0xffff
//!   sshr (ishl p, 16), 16 (raw)   sshr s, 16   bor (sshr y, 16), TAG (*)  bor y, 0xffff
//!                                              bor x, TAG     (others)    bor (ishl x, 16), 0xffff
//! ```
//!
//! compose's specialised body chains eight operations through the merges after their slow
//! paths, and a `+` after a `*` went `imul, sar, or, rorx, add`; now it goes `imul, or,
//! add`. Any merge gets an int shadow, not only a loop header.
//!
//! For both kinds the rewrite assumes no type: the shadow is the same bit computation as
//! the unboxing it replaces. A parameter gets one only when every edge from a hot block
//! passes a value boxed as that kind there (or a constant of it, or a parameter for which
//! the same holds): otherwise its hot path would compute a shadow it may not read (counter's
//! `total` is an int, but a generic `+`'s float path unboxes it as a float too). Both run
//! before Cranelift's optimiser, which removes the box and unbox pairs the edges' values
//! leave. `CELLAR_BOXED_FLOAT_PARAMS=1` and `CELLAR_BOXED_INT_PARAMS=1` turn them off, for
//! measuring.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::immediates::Ieee64;
use cranelift_codegen::ir::{
    types::{F64, I64},
    Block, BlockArg, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, Type, Value, ValueDef,
};
use rustc_hash::FxHashMap as HashMap;

/// The box offset of a float (`cellar_runtime::value::DOUBLE_OFFSET`).
const BOX: i64 = cellar_runtime::value::DOUBLE_OFFSET as i64;

/// A boxed value is a float if it is below this once the offset is taken off (ints sit
/// above it, `0xffff` in the top 16 bits; see `cellar_runtime::value`).
const FLOAT_LIMIT: u64 = 0xfffe_0000_0000_0000;

/// The tag of a boxed small int (`cellar_runtime::value::INT_TAG`).
const INT_TAG: i64 = cellar_runtime::value::INT_TAG as i64;

/// The low 16 bits of an int's rotated form: its tag.
const ROTATED_TAG: i64 = 0xffff;

/// Which unboxed form a shadow parameter holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// `bitcast.f64 (p - 2^48)`, an `f64`.
    Float,
    /// `rotl p, 16`, an `i64`.
    Int,
}

impl Kind {
    /// The shadow parameter's type.
    fn ty(self) -> Type {
        match self {
            Kind::Float => F64,
            Kind::Int => I64,
        }
    }
}

/// One instruction that unboxes a block parameter, and what it becomes given the shadow.
#[derive(Clone, Copy, Debug)]
enum Unboxing {
    /// `bitcast.f64 (iadd p, -2^48)` or `rotl p, 16`: the shadow itself.
    Whole(Inst),
    /// `ishl p, 16`: `band s, !0xffff`.
    Scaled(Inst),
    /// `sshr (ishl p, 16), 16`: `sshr s, 16`.
    Payload(Inst),
}

/// Give the blocks of `func` whose boxed `i64` parameters are unboxed as floats an unboxed
/// `f64` parameter in place of each, and make those unboxings read it (and the other uses
/// box it again); returns how many parameters got one.
pub fn unbox_float_params(func: &mut Function) -> usize {
    unbox_params(func, Kind::Float)
}

/// Give the blocks of `func` whose boxed `i64` parameters are unboxed as small ints a
/// rotated `i64` parameter beside each, and make those unboxings read it; returns how many
/// parameters got one.
pub fn unbox_int_params(func: &mut Function) -> usize {
    unbox_params(func, Kind::Int)
}

/// [`unbox_float_params`] or [`unbox_int_params`], by `kind`.
fn unbox_params(func: &mut Function, kind: Kind) -> usize {
    // Per block parameter: the instructions that unbox it.
    let mut unboxings: HashMap<Value, Vec<Unboxing>> = HashMap::default();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let Some((p, u)) = unboxing(func, kind, inst) {
                unboxings.entry(p).or_default().push(u);
            }
        }
    }
    if unboxings.is_empty() {
        return 0;
    }
    let cfg = ControlFlowGraph::with_function(func);
    let mut params: Vec<(Value, Vec<Unboxing>)> = unboxings.into_iter().collect();
    params.sort_by_key(|(p, _)| p.as_u32());
    let mut shadows = Shadows {
        kind,
        cfg: &cfg,
        made: HashMap::default(),
        unfilled: Vec::new(),
    };
    let mut done = 0;
    for (p, uses) in params {
        let ValueDef::Param(..) = func.dfg.value_def(p) else {
            continue;
        };
        if !shadows.boxed_on_hot_edges(func, p, &mut Vec::new()) {
            continue;
        }
        let s = shadows.param(func, p);
        shadows.fill(func);
        for u in uses {
            let (inst, from) = match u {
                Unboxing::Whole(inst) => (inst, s),
                Unboxing::Scaled(inst) => {
                    let mut pos = FuncCursor::new(func).at_inst(inst);
                    (inst, pos.ins().band_imm_s(s, !ROTATED_TAG))
                }
                Unboxing::Payload(inst) => {
                    let mut pos = FuncCursor::new(func).at_inst(inst);
                    (inst, pos.ins().sshr_imm_s(s, 16))
                }
            };
            let r = func.dfg.first_result(inst);
            func.layout.remove_inst(inst);
            func.dfg.clear_results(inst);
            func.dfg.change_to_alias(r, from);
        }
        done += 1;
    }
    if kind == Kind::Float && done > 0 {
        let mut made: Vec<(Value, Value)> = shadows.made.iter().map(|(&p, &s)| (p, s)).collect();
        made.sort_by_key(|(p, _)| p.as_u32());
        for (p, s) in made {
            box_from_shadow(func, &cfg, p, s);
        }
    }
    if done > 0 {
        func.dfg.resolve_all_aliases();
    }
    done
}

/// Replace float parameter `p` by its shadow `s` boxed again where `p` was used: `p` is
/// always `bitcast.i64 s + 2^48`, bit for bit, so the edges stop passing the boxed word.
fn box_from_shadow(func: &mut Function, cfg: &ControlFlowGraph, p: Value, s: Value) {
    let ValueDef::Param(block, index) = func.dfg.value_def(p) else {
        unreachable!("a block parameter")
    };
    let preds: Vec<Inst> = cfg.pred_iter(block).map(|pr| pr.inst).collect();
    for inst in preds {
        let dfg = &mut func.dfg;
        for call in dfg.insts[inst].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables) {
            if call.block(&dfg.value_lists) == block {
                call.remove(index, &mut dfg.value_lists);
            }
        }
    }
    func.dfg.remove_block_param(p);
    let mut pos = FuncCursor::new(func).at_first_insertion_point(block);
    let bits = pos.ins().bitcast(I64, MemFlagsData::new(), s);
    let boxed = pos.ins().iadd_imm_s(bits, BOX);
    pos.func.dfg.change_to_alias(p, boxed);
}

/// The shadows of one kind made so far.
struct Shadows<'a> {
    /// What they hold.
    kind: Kind,
    /// The function's control-flow graph (adding parameters and arguments keeps it current).
    cfg: &'a ControlFlowGraph,
    /// Per boxed block parameter, its shadow parameter.
    made: HashMap<Value, Value>,
    /// The boxed parameters whose block's incoming edges do not pass their shadows yet.
    unfilled: Vec<Value>,
}

impl Shadows<'_> {
    /// Whether `block` can take a new parameter: it is not the entry block (whose
    /// parameters are the function's), and every edge into it passes plain values (not a
    /// call's results).
    fn plain(&self, func: &Function, block: Block) -> bool {
        if func.layout.entry_block() == Some(block) {
            return false;
        }
        self.cfg.pred_iter(block).all(|pr| {
            func.dfg.insts[pr.inst]
                .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                .iter()
                .filter(|c| c.block(&func.dfg.value_lists) == block)
                .all(|c| c.args(&func.dfg.value_lists).all(|a| matches!(a, BlockArg::Value(_))))
        })
    }

    /// Whether parameter `p` of a hot block has or should get a shadow: every edge from a
    /// hot block into its block passes a value boxed as this kind, a constant of it, or a
    /// parameter for which the same holds (`visiting`: those being checked, taken to hold).
    /// A parameter passed on any edge gets a shadow only if it qualifies itself: one that
    /// does not (a cold block's, or one an unboxed value reaches) would make its hot edges
    /// compute shadows nothing may read.
    fn boxed_on_hot_edges(&self, func: &Function, p: Value, visiting: &mut Vec<Value>) -> bool {
        let ValueDef::Param(block, index) = func.dfg.value_def(p) else {
            return false;
        };
        if self.made.contains_key(&p) {
            return true;
        }
        if func.dfg.value_type(p) != I64 || func.layout.is_cold(block) || !self.plain(func, block) {
            return false;
        }
        visiting.push(p);
        for pr in self.cfg.pred_iter(block) {
            if func.layout.is_cold(pr.block) {
                continue;
            }
            let dests = func.dfg.insts[pr.inst].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
            for call in dests.iter().filter(|c| c.block(&func.dfg.value_lists) == block) {
                let Some(BlockArg::Value(a)) = call.args(&func.dfg.value_lists).nth(index) else {
                    return false;
                };
                let a = func.dfg.resolve_aliases(a);
                let boxed = match self.kind {
                    Kind::Float => {
                        boxed_float(func, a).is_some()
                            || constant(func, a).is_some_and(|k| (k.wrapping_sub(BOX) as u64) < FLOAT_LIMIT)
                    }
                    Kind::Int => {
                        cheap_int_shadow(func, a) || constant(func, a).is_some_and(|k| k as u64 >= INT_TAG as u64)
                    }
                } || visiting.contains(&a)
                    || (matches!(func.dfg.value_def(a), ValueDef::Param(..))
                        && self.boxed_on_hot_edges(func, a, visiting));
                if !boxed {
                    return false;
                }
            }
        }
        true
    }

    /// The shadow parameter of block parameter `p`, made (to be filled) if new.
    fn param(&mut self, func: &mut Function, p: Value) -> Value {
        if let Some(&s) = self.made.get(&p) {
            return s;
        }
        let ValueDef::Param(block, _) = func.dfg.value_def(p) else {
            unreachable!("a block parameter")
        };
        let s = func.dfg.append_block_param(block, self.kind.ty());
        self.made.insert(p, s);
        self.unfilled.push(p);
        s
    }

    /// Make every edge into the blocks of new shadow parameters pass their shadows, making
    /// more (for a boxed argument that is itself a merge's parameter) as needed.
    fn fill(&mut self, func: &mut Function) {
        while let Some(p) = self.unfilled.pop() {
            let ValueDef::Param(block, index) = func.dfg.value_def(p) else {
                unreachable!("a block parameter")
            };
            let preds: Vec<Inst> = self.cfg.pred_iter(block).map(|pr| pr.inst).collect();
            for inst in preds {
                let n = func.dfg.insts[inst]
                    .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                    .len();
                for d in 0..n {
                    let call =
                        func.dfg.insts[inst].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)[d];
                    if call.block(&func.dfg.value_lists) != block {
                        continue;
                    }
                    let Some(BlockArg::Value(a)) = call.args(&func.dfg.value_lists).nth(index) else {
                        unreachable!("edges checked plain")
                    };
                    let sa = self.shadow_before(func, inst, a);
                    let dfg = &mut func.dfg;
                    let dests = dfg.insts[inst].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables);
                    dests[d].append_argument(sa, &mut dfg.value_lists);
                }
            }
        }
    }

    /// The shadow of `a` for an edge out of branch `inst`: the shadow parameter of a merge's
    /// parameter, a constant for a constant, the unboxed value itself (or one instruction
    /// from it) when `a` is one boxed, and otherwise the unboxing, made just before `inst`.
    fn shadow_before(&mut self, func: &mut Function, inst: Inst, a: Value) -> Value {
        let a = func.dfg.resolve_aliases(a);
        if matches!(func.dfg.value_def(a), ValueDef::Param(..)) && self.boxed_on_hot_edges(func, a, &mut Vec::new()) {
            return self.param(func, a);
        }
        match self.kind {
            Kind::Float => {
                if let Some(f) = boxed_float(func, a) {
                    return f;
                }
                let known = constant(func, a);
                let mut pos = FuncCursor::new(func).at_inst(inst);
                match known {
                    Some(k) => pos.ins().f64const(Ieee64::with_bits(k.wrapping_sub(BOX) as u64)),
                    None => {
                        let u = pos.ins().iadd_imm_s(a, -BOX);
                        pos.ins().bitcast(F64, MemFlagsData::new(), u)
                    }
                }
            }
            Kind::Int => {
                let boxed = boxed_int(func, a);
                let known = constant(func, a);
                if let Some(IntBox::Rotated(r)) = boxed {
                    return r;
                }
                let mut pos = FuncCursor::new(func).at_inst(inst);
                match (boxed, known) {
                    (_, Some(k)) => pos.ins().iconst(I64, k.rotate_left(16)),
                    (Some(IntBox::Tagged(x)), None) => {
                        let scaled = match shifted_operand(pos.func, x, Opcode::Sshr) {
                            Some(y) => y,
                            None => pos.ins().ishl_imm_s(x, 16),
                        };
                        pos.ins().bor_imm_s(scaled, ROTATED_TAG)
                    }
                    _ => pos.ins().rotl_imm_s(a, 16),
                }
            }
        }
    }
}

/// How a small int was boxed.
#[derive(Clone, Copy, Debug)]
enum IntBox {
    /// `rotr r, 16`: `r` is the rotated form.
    Rotated(Value),
    /// `bor x, INT_TAG`: `x` is the payload (its top 16 bits do not matter).
    Tagged(Value),
}

/// How `v` was boxed if it is a small int made by `rotr r, 16` or `bor x, INT_TAG`.
fn boxed_int(func: &Function, v: Value) -> Option<IntBox> {
    if let Some(r) = shifted_operand(func, v, Opcode::Rotr) {
        return Some(IntBox::Rotated(r));
    }
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    let (x, k) = binary_with_constant(func, def, Opcode::Bor)?;
    (k == INT_TAG).then_some(IntBox::Tagged(x))
}

/// Whether `v` is a small int boxed so that its rotated form costs nothing or less than
/// unboxing it: `rotr r, 16` (it is `r`) or `bor (sshr y, 16), INT_TAG` (it is
/// `bor y, 0xffff`, one instruction rather than two and a shorter chain). A payload boxed
/// any other way takes two instructions, no fewer than a `rotl` at each use.
fn cheap_int_shadow(func: &Function, v: Value) -> bool {
    match boxed_int(func, v) {
        Some(IntBox::Rotated(_)) => true,
        Some(IntBox::Tagged(x)) => shifted_operand(func, x, Opcode::Sshr).is_some(),
        None => false,
    }
}

/// `x` if `v` is `op x, 16` (a shift or rotation by 16).
fn shifted_operand(func: &Function, v: Value, op: Opcode) -> Option<Value> {
    let v = func.dfg.resolve_aliases(v);
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    match binary_with_constant(func, def, op)? {
        (x, 16) => Some(x),
        _ => None,
    }
}

/// The operand and constant of `inst` if it is `op x, k` with `k` an `iconst` (either way
/// round for `bor` and `iadd`).
fn binary_with_constant(func: &Function, inst: Inst, op: Opcode) -> Option<(Value, i64)> {
    match func.dfg.insts[inst] {
        InstructionData::Binary { opcode, args } if opcode == op => {
            let [a, b] = args.map(|x| func.dfg.resolve_aliases(x));
            if let Some(k) = constant(func, b) {
                Some((a, k))
            } else if matches!(op, Opcode::Bor | Opcode::Iadd) {
                constant(func, a).map(|k| (b, k))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The block parameter `inst` unboxes and how, if it unboxes one as `kind`.
fn unboxing(func: &Function, kind: Kind, inst: Inst) -> Option<(Value, Unboxing)> {
    let is_param = |p: Value| matches!(func.dfg.value_def(p), ValueDef::Param(..)) && func.dfg.value_type(p) == I64;
    let result = func.dfg.inst_results(inst).first().copied()?;
    match kind {
        Kind::Float => unboxed_param(func, inst).map(|p| (p, Unboxing::Whole(inst))),
        Kind::Int => {
            if let Some(p) = shifted_operand(func, result, Opcode::Rotl).filter(|&p| is_param(p)) {
                return Some((p, Unboxing::Whole(inst)));
            }
            if let Some(p) = shifted_operand(func, result, Opcode::Ishl).filter(|&p| is_param(p)) {
                return Some((p, Unboxing::Scaled(inst)));
            }
            let scaled = shifted_operand(func, result, Opcode::Sshr)?;
            let p = shifted_operand(func, scaled, Opcode::Ishl).filter(|&p| is_param(p))?;
            Some((p, Unboxing::Payload(inst)))
        }
    }
}

/// `f` if `v` is `iadd (bitcast.i64 f), 2^48`, the float `f` boxed.
pub(super) fn boxed_float(func: &Function, v: Value) -> Option<Value> {
    let bits = offset_operand(func, v, BOX)?;
    let ValueDef::Result(def, _) = func.dfg.value_def(bits) else {
        return None;
    };
    bitcast_operand(func, def).filter(|&f| func.dfg.value_type(f) == F64)
}

/// The operand of `inst` if it is a `bitcast`.
fn bitcast_operand(func: &Function, inst: Inst) -> Option<Value> {
    match func.dfg.insts[inst] {
        InstructionData::LoadNoOffset {
            opcode: Opcode::Bitcast,
            arg,
            ..
        } => Some(arg),
        _ => None,
    }
}

/// The `i64` block parameter `p` if `inst` is `bitcast.f64 (iadd p, -2^48)`.
fn unboxed_param(func: &Function, inst: Inst) -> Option<Value> {
    let arg = bitcast_operand(func, inst)?;
    if func.dfg.value_type(func.dfg.first_result(inst)) != F64 {
        return None;
    }
    let p = offset_operand(func, arg, -BOX)?;
    let is_param = matches!(func.dfg.value_def(p), ValueDef::Param(..)) && func.dfg.value_type(p) == I64;
    is_param.then_some(p)
}

/// `x` if `v` is `iadd x, k` (either way round) with `k` the constant `offset`.
pub(super) fn offset_operand(func: &Function, v: Value, offset: i64) -> Option<Value> {
    let v = func.dfg.resolve_aliases(v);
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    binary_with_constant(func, def, Opcode::Iadd).and_then(|(x, k)| (k == offset).then_some(x))
}

/// The value of `v` if an `iconst` defines it.
pub(super) fn constant(func: &Function, v: Value) -> Option<i64> {
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    match func.dfg.insts[def] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } => Some(imm.bits()),
        _ => None,
    }
}
