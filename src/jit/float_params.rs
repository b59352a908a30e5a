//! Loop-carried floats kept unboxed: an `f64` block parameter beside a boxed one.
//!
//! A variable is one `i64` value, boxed. A float is boxed as its bits plus
//! `DOUBLE_OFFSET` (2^48), and every float operation unboxes its operands first. So a float
//! accumulated in a loop (averager's `s = s + a(..) - b(..)`) goes around the loop boxed,
//! and each iteration's chain of dependent instructions carries the box and unbox moves
//! between the vector and integer registers, not only the arithmetic:
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
//! This pass gives such a header a second parameter `pf: f64`, and every edge into it
//! passes, beside the boxed value `a`, `bitcast.f64 (a - 2^48)`: that is `r` itself when `a`
//! is `r` boxed, a constant when `a` is a constant, and otherwise the two instructions.
//! So on entry `pf` always equals `bitcast.f64 (p - 2^48)`, whatever `p` holds (a float or
//! not: it is the same bit computation), and each `bitcast.f64 (iadd p, -2^48)` in the
//! function, dominated by the header as every use of `p` is, becomes `pf`. The float check
//! still reads `p`, which is still made from `r`, but off the chain: averager's `s` chain
//! is now `fadd`, `fsub` and nothing else.
//!
//! Only parameters of blocks entered from a block at or after them in the layout (a loop
//! back edge, as lowering lays loops out) are rewritten; elsewhere the extra parameter would
//! buy nothing. It runs before Cranelift's optimiser, which removes the `iadd`/`iadd` and
//! `bitcast` pairs the edges' values leave. `CELLAR_BOXED_FLOAT_PARAMS=1` turns it off,
//! for measuring.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::immediates::Ieee64;
use cranelift_codegen::ir::{
    types::{F64, I64},
    Block, BlockArg, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, Value, ValueDef,
};
use rustc_hash::FxHashMap as HashMap;

/// The box offset of a float (`cellar_runtime::value::DOUBLE_OFFSET`).
const BOX: i64 = cellar_runtime::value::DOUBLE_OFFSET as i64;

/// A boxed value is a float if it is below this once the offset is taken off (ints sit
/// above it, `0xffff` in the top 16 bits; see `cellar_runtime::value`).
const FLOAT_LIMIT: u64 = 0xfffe_0000_0000_0000;

/// Give the loop headers of `func` whose boxed `i64` parameters are unboxed as floats an
/// unboxed `f64` parameter beside each, and make those unboxings read it; returns how many
/// parameters got one.
pub fn unbox_float_params(func: &mut Function) -> usize {
    // Per block parameter: the `bitcast.f64 (iadd p, -2^48)` that unbox it.
    let mut unboxings: HashMap<Value, Vec<Inst>> = HashMap::default();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let Some(p) = unboxed_param(func, inst) {
                unboxings.entry(p).or_default().push(inst);
            }
        }
    }
    if unboxings.is_empty() {
        return 0;
    }
    let cfg = ControlFlowGraph::with_function(func);
    let position: HashMap<Block, usize> = func.layout.blocks().enumerate().map(|(i, b)| (b, i)).collect();
    let mut params: Vec<(Value, Vec<Inst>)> = unboxings.into_iter().collect();
    params.sort_by_key(|(p, _)| p.as_u32());
    let mut shadows = Shadows {
        cfg: &cfg,
        made: HashMap::default(),
        unfilled: Vec::new(),
    };
    let mut done = 0;
    for (p, casts) in params {
        let ValueDef::Param(header, _) = func.dfg.value_def(p) else {
            continue;
        };
        let looped = cfg.pred_iter(header).any(|pr| position[&pr.block] >= position[&header]);
        if !looped || !shadows.floats_on_hot_edges(func, p, &mut Vec::new()) {
            continue;
        }
        let pf = shadows.param(func, p);
        shadows.fill(func);
        for cast in casts {
            let r = func.dfg.first_result(cast);
            func.layout.remove_inst(cast);
            func.dfg.clear_results(cast);
            func.dfg.change_to_alias(r, pf);
        }
        done += 1;
    }
    if done > 0 {
        func.dfg.resolve_all_aliases();
    }
    done
}

/// The `f64` shadows made so far: each stands for `bitcast.f64 (v - 2^48)` of a boxed `v`.
struct Shadows<'a> {
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

    /// Whether every edge from a hot block into the block of parameter `p` passes a float
    /// boxed, a float constant, or a parameter for which the same holds (`visiting`: those
    /// being checked, taken to hold). A variable that is an int on its hot path (counter's
    /// `total`, which a generic `+`'s float path unboxes too) would only gain a shadow
    /// computed on every iteration and never read there.
    fn floats_on_hot_edges(&self, func: &Function, p: Value, visiting: &mut Vec<Value>) -> bool {
        let ValueDef::Param(block, index) = func.dfg.value_def(p) else {
            return false;
        };
        if !self.plain(func, block) {
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
                let float = boxed_float(func, a).is_some()
                    || constant(func, a).is_some_and(|k| (k.wrapping_sub(BOX) as u64) < FLOAT_LIMIT)
                    || visiting.contains(&a)
                    || (matches!(func.dfg.value_def(a), ValueDef::Param(..))
                        && self.floats_on_hot_edges(func, a, visiting));
                if !float {
                    return false;
                }
            }
        }
        true
    }

    /// The shadow parameter of block parameter `p`, made (to be filled) if new.
    fn param(&mut self, func: &mut Function, p: Value) -> Value {
        if let Some(&pf) = self.made.get(&p) {
            return pf;
        }
        let ValueDef::Param(block, _) = func.dfg.value_def(p) else {
            unreachable!("a block parameter")
        };
        let pf = func.dfg.append_block_param(block, F64);
        self.made.insert(p, pf);
        self.unfilled.push(p);
        pf
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
                    let fa = self.shadow_before(func, inst, a);
                    let dfg = &mut func.dfg;
                    let dests = dfg.insts[inst].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables);
                    dests[d].append_argument(fa, &mut dfg.value_lists);
                }
            }
        }
    }

    /// `bitcast.f64 (a - 2^48)` for an edge out of branch `inst`: the `f64` itself when `a`
    /// is a float boxed, an `f64const` for a constant, the shadow parameter of a merge's
    /// parameter, and otherwise the two instructions, made just before `inst`.
    fn shadow_before(&mut self, func: &mut Function, inst: Inst, a: Value) -> Value {
        let a = func.dfg.resolve_aliases(a);
        if let Some(f) = boxed_float(func, a) {
            return f;
        }
        if let ValueDef::Param(block, _) = func.dfg.value_def(a) {
            if self.made.contains_key(&a) || self.plain(func, block) {
                return self.param(func, a);
            }
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
}

/// `f` if `v` is `iadd (bitcast.i64 f), 2^48`, the float `f` boxed.
fn boxed_float(func: &Function, v: Value) -> Option<Value> {
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
fn offset_operand(func: &Function, v: Value, offset: i64) -> Option<Value> {
    let v = func.dfg.resolve_aliases(v);
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    let InstructionData::Binary {
        opcode: Opcode::Iadd,
        args,
    } = func.dfg.insts[def]
    else {
        return None;
    };
    let [a, b] = args.map(|x| func.dfg.resolve_aliases(x));
    if constant(func, b) == Some(offset) {
        Some(a)
    } else if constant(func, a) == Some(offset) {
        Some(b)
    } else {
        None
    }
}

/// The value of `v` if an `iconst` defines it.
fn constant(func: &Function, v: Value) -> Option<i64> {
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
