//! Which direct calls Cranelift inlines: calls of small, non-recursive Python functions whose
//! callee is known statically (nested `def`s, global functions, closure-holding locals; see
//! `jit::known`).
//!
//! Inlining keeps every semantic the out-of-line call has: the callee's depth count, its
//! traceback entries (they name the callee's code), and its GC roots (Cranelift appends the
//! call site's stack map to every safepoint of the inlined body).
//!
//! After inlining, the callee's exception exit goes straight to the caller's error path
//! ([`route_exception_returns`]). A compiled body returns `EXC` only from its unwind block,
//! as the constant `EXC`: every other `return` returns a value that an expression produced,
//! and expressions never produce `EXC` (each call's result is tested where it is made,
//! including the call that `rt_specialize_call` makes again). The caller tests the call's
//! result for `EXC`; inlined, that test sits in the block the returns meet in:
//!
//! ```text
//!   before                                     after
//!   unwind:  jump ret(EXC) --.                 unwind:  jump err ----------.
//!   normal:  jump ret(v) ----+-> ret(r):       normal:  jump ret(v) -> ret(r):   |
//!                                c = r == EXC                   jump ok(..)      |
//!                                brif c, err, ok                                 v
//!                                                               err: the caller's traceback entry
//! ```
//!
//! so the returned value takes no test on the way back (counter's loop: two tests of
//! `EXC` fewer per iteration; averager: 157 -> 150 instructions per iteration).

use super::spills::{slot_start, word_access, WordAccess};
use cellar_runtime::value::EXC;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{self, condcodes::IntCC, ExternalName, Function, InstBuilder, InstructionData, Opcode};
use cranelift_codegen::Context;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

/// Functions with more instructions than this are not inlined.
const MAX_INLINE_INSTS: usize = 400;

/// At most this many instructions (three callees of the largest inlinable size) are inlined
/// into one caller, in the order of its calls. A caller with many small known callees grew
/// without bound before: church's `main`, once its module-level lambdas were known, took
/// 19 bodies (1500 -> 2400 instructions), which cost ~1 ms of compiling for ~1.7% fewer
/// instructions run; with the budget it runs fewer instructions than either and compiles
/// as fast as before.
const CALLER_INLINE_BUDGET: usize = 3 * MAX_INLINE_INSTS;

/// The callee's `FuncId` index, for a call to a function of this module.
pub fn callee_index(func: &Function, callee: ir::FuncRef) -> Option<u32> {
    match &func.dfg.ext_funcs[callee].name {
        ExternalName::User(r) => Some(func.params.user_named_funcs()[*r].index),
        _ => None,
    }
}

/// The bodies worth inlining, with their instruction counts, by `FuncId` index.
pub type Inlinable = HashMap<u32, usize>;

/// The instruction count of body `fid` if it is worth inlining: small, and not calling
/// itself.
pub fn inlinable_size(fid: u32, body: &Function) -> Option<usize> {
    let mut n = 0;
    for block in body.layout.blocks() {
        for inst in body.layout.block_insts(block) {
            n += 1;
            if let ir::InstructionData::Call { func_ref, .. } = body.dfg.insts[inst] {
                if callee_index(body, func_ref) == Some(fid) {
                    return None;
                }
            }
        }
    }
    (n <= MAX_INLINE_INSTS).then_some(n)
}

/// Which bodies call which, directly, by `FuncId` index: enough to tell a call that
/// enters a recursion from outside it.
pub struct CallGraph {
    /// For each body, every body it reaches through one or more direct calls.
    reaches: HashMap<u32, HashSet<u32>>,
}

impl CallGraph {
    /// The graph of the direct calls between `bodies`.
    pub fn of(bodies: &HashMap<u32, Function>) -> Self {
        let callees: HashMap<u32, HashSet<u32>> = bodies
            .iter()
            .map(|(&f, body)| {
                let mut out = HashSet::new();
                for block in body.layout.blocks() {
                    for inst in body.layout.block_insts(block) {
                        if let InstructionData::Call { func_ref, .. } = body.dfg.insts[inst] {
                            out.extend(callee_index(body, func_ref).filter(|c| bodies.contains_key(c)));
                        }
                    }
                }
                (f, out)
            })
            .collect();
        let reaches = callees
            .keys()
            .map(|&f| {
                let mut seen = HashSet::new();
                let mut stack: Vec<u32> = callees[&f].iter().copied().collect();
                while let Some(g) = stack.pop() {
                    if seen.insert(g) {
                        stack.extend(callees[&g].iter().copied());
                    }
                }
                (f, seen)
            })
            .collect();
        CallGraph { reaches }
    }

    /// Does a call from `caller` to `callee` enter a recursion from outside it: `callee`
    /// calls itself again, directly or through others, and never `caller`? One inlined
    /// copy then saves one call of the many the recursion makes (man_or_boy's `main` took
    /// `A`, with `B` inlined in it: 610 -> 1060 instructions, ~1 ms more compiling).
    pub fn enters_recursion(&self, caller: u32, callee: u32) -> bool {
        self.reaches
            .get(&callee)
            .is_some_and(|r| r.contains(&callee) && !r.contains(&caller))
    }
}

/// The inlining policy for one caller.
pub struct Inliner<'a> {
    /// Lowered bodies of every Python function, by `FuncId` index.
    pub bodies: &'a HashMap<u32, Function>,
    /// The bodies small enough to inline, with their sizes.
    pub inlinable: &'a Inlinable,
    /// The caller's `FuncId` index (never inlined into itself).
    pub caller: u32,
    /// Instructions that may still be inlined into this caller.
    pub budget: usize,
    /// The results of the calls inlined so far (each becomes the parameter of the block
    /// the callee's returns jump to).
    pub results: Vec<ir::Value>,
    /// Start-up's limits, with the caller's calls inside loops when it runs once.
    pub startup: Option<(StartupPolicy<'a>, Option<HashSet<ir::Inst>>)>,
}

/// What start-up's inlining knows beyond sizes (the specialiser, which inlines into
/// closures called a thousand times, goes without).
#[derive(Clone, Copy)]
pub struct StartupPolicy<'a> {
    /// The caller runs once (see `facts::run_once_functions`): its calls outside loops
    /// run once, and a copy of the callee only costs compile time (memo's module body took
    /// a copy of `main`, ycomb's `main` two of `Y`); of those, only calls of makers are
    /// inlined.
    pub runs_once: bool,
    /// Bodies that always return a closure of one `def` (see `known::KnownCallees::returns`):
    /// inlined, their stores into the new closure's environment meet the caller's loads
    /// from it, so the caller's loops see the captured values (counter's `step` is the
    /// constant 1 in `main`'s loop once `make_counter(1)` is inlined: 9% fewer
    /// instructions run).
    pub makers: &'a HashSet<u32>,
    /// The direct calls between bodies: no call that enters a recursion is inlined.
    pub graph: &'a CallGraph,
}

/// The calls of `ctx.func` that sit inside one of its loops.
fn calls_in_loops(ctx: &mut Context) -> HashSet<ir::Inst> {
    ctx.flowgraph();
    ctx.compute_domtree();
    ctx.compute_loop_analysis();
    let func = &ctx.func;
    func.layout
        .blocks()
        .filter(|&b| ctx.loop_analysis.innermost_loop(b).is_some())
        .flat_map(|b| func.layout.block_insts(b))
        .filter(|&i| matches!(func.dfg.insts[i], InstructionData::Call { .. }))
        .collect()
}

/// Inline the calls the policy picks into `ctx.func`, the body of `caller`, then send each
/// inlined callee's exception exit straight to the caller's error path
/// ([`route_exception_returns`]). Returns how many `EXC` tests were dropped.
pub fn inline_calls(
    ctx: &mut Context,
    bodies: &HashMap<u32, Function>,
    inlinable: &Inlinable,
    caller: u32,
    startup: Option<StartupPolicy>,
) -> Result<usize, String> {
    let startup = startup.map(|p| (p, p.runs_once.then(|| calls_in_loops(ctx))));
    let mut policy = Inliner {
        bodies,
        inlinable,
        caller,
        budget: CALLER_INLINE_BUDGET,
        results: Vec::new(),
        startup,
    };
    let inlined = ctx.inline(&mut policy).map_err(|e| format!("{e:?}"))?;
    if !inlined || policy.results.is_empty() {
        return Ok(0);
    }
    Ok(route_exception_returns(&mut ctx.func, &policy.results))
}

/// The `EXC` test that ends block `ret`: `brif (icmp eq r, EXC), err, ok(..)` on its only
/// parameter `r`, where `err` takes no parameters. Returns `(brif, err)`.
fn exception_test(func: &Function, ret: ir::Block) -> Option<(ir::Inst, ir::Block)> {
    let [r] = func.dfg.block_params(ret) else { return None };
    let brif = func.layout.last_inst(ret)?;
    let InstructionData::Brif { arg, blocks, .. } = func.dfg.insts[brif] else {
        return None;
    };
    let err = blocks[0].block(&func.dfg.value_lists);
    if !blocks[0].args(&func.dfg.value_lists).next().is_none() || !func.dfg.block_params(err).is_empty() {
        return None;
    }
    let is_exc = |v: ir::Value| is_exc_const(func, v);
    let is_r = |v: ir::Value| holds(func, ret, v, *r);
    let tests_r = match func.dfg.insts[func.dfg.value_def(func.dfg.resolve_aliases(arg)).inst()?] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::Equal,
            args: [a, b],
        } => (is_r(a) && is_exc(b)) || (is_r(b) && is_exc(a)),
        _ => false,
    };
    tests_r.then_some((brif, err))
}

/// Is `v`, used in block `ret`, the value `r`: `r` itself, or a reload of the stack slot
/// that `ret` spilled `r` to (the frontend spills a call's result that stays live across a
/// safepoint right after the call, and reloads it for each later use)?
fn holds(func: &Function, ret: ir::Block, v: ir::Value, r: ir::Value) -> bool {
    let v = func.dfg.resolve_aliases(v);
    if v == r {
        return true;
    }
    let Some(load) = func
        .dfg
        .value_def(v)
        .inst()
        .filter(|&i| func.layout.inst_block(i) == Some(ret))
    else {
        return false;
    };
    let Some(WordAccess::Load { addr, .. }) = word_access(func, load) else {
        return false;
    };
    let Some(slot) = slot_start(func, addr) else {
        return false;
    };
    // What the slot holds when the load runs: the last store to it in `ret` before the load.
    let mut holds_r = false;
    for inst in func.layout.block_insts(ret) {
        if inst == load {
            return holds_r;
        }
        if let Some(WordAccess::Store { value, addr }) = word_access(func, inst) {
            if slot_start(func, addr) == Some(slot) {
                holds_r = value == r;
            }
        }
    }
    false
}

/// Is `v` the constant `EXC`?
fn is_exc_const(func: &Function, v: ir::Value) -> bool {
    let v = func.dfg.resolve_aliases(v);
    let Some(inst) = func.dfg.value_def(v).inst() else {
        return false;
    };
    matches!(func.dfg.insts[inst], InstructionData::UnaryImm { opcode: Opcode::Iconst, imm } if imm.bits() == EXC.0 as i64)
}

/// For each inlined call whose result `results` names and which the caller tests for
/// `EXC` right where the returns meet: point the edges that return `EXC` at the caller's
/// error block, and, once none is left, drop the test (see the module documentation).
/// The error block must not use what the meeting block computes. Returns how many tests
/// were dropped.
pub fn route_exception_returns(func: &mut Function, results: &[ir::Value]) -> usize {
    let cfg = ControlFlowGraph::with_function(func);
    let mut dropped = 0;
    for &result in results {
        let r = func.dfg.resolve_aliases(result);
        let ir::ValueDef::Param(ret, 0) = func.dfg.value_def(r) else {
            continue;
        };
        let Some((brif, err)) = exception_test(func, ret) else {
            continue;
        };
        // `err` may only use values from blocks that dominate `ret` (and so its
        // predecessors too), not `ret`'s own.
        let defined_in_ret = |v: ir::Value| match func.dfg.value_def(func.dfg.resolve_aliases(v)) {
            ir::ValueDef::Result(i, _) => func.layout.inst_block(i) == Some(ret),
            ir::ValueDef::Param(b, _) => b == ret,
            _ => false,
        };
        let err_uses_ret = func
            .layout
            .block_insts(err)
            .any(|i| func.dfg.inst_values(i).any(|v| defined_in_ret(v)));
        if err_uses_ret {
            continue;
        }
        // Edges that return `EXC` and could not move.
        let mut left = 0;
        let preds: Vec<ir::Inst> = cfg.pred_iter(ret).map(|p| p.inst).collect();
        for branch in preds {
            let dfg = &func.dfg;
            let dests = dfg.insts[branch].branch_destination(&dfg.jump_tables, &dfg.exception_tables);
            let mut moved = Vec::new();
            for (i, call) in dests.iter().enumerate() {
                if call.block(&dfg.value_lists) != ret {
                    continue;
                }
                let arg = call.args(&dfg.value_lists).next().and_then(|a| a.as_value());
                if !arg.is_some_and(|v| is_exc_const(func, v)) {
                    continue;
                }
                // A `brif` whose other edge already goes to `err` keeps its edge to `ret`.
                if dests
                    .iter()
                    .enumerate()
                    .any(|(j, c)| j != i && c.block(&dfg.value_lists) == err)
                {
                    left += 1;
                } else {
                    moved.push(i);
                }
            }
            for i in moved {
                let dfg = &mut func.dfg;
                let call = ir::BlockCall::new(err, std::iter::empty(), &mut dfg.value_lists);
                dfg.insts[branch].branch_destination_mut(&mut dfg.jump_tables, &mut dfg.exception_tables)[i] = call;
            }
        }
        if left == 0 {
            let InstructionData::Brif { blocks, .. } = func.dfg.insts[brif] else {
                unreachable!()
            };
            let ok = blocks[1].block(&func.dfg.value_lists);
            let args: Vec<ir::BlockArg> = blocks[1].args(&func.dfg.value_lists).collect();
            func.replace(brif).jump(ok, &args);
            dropped += 1;
        }
    }
    dropped
}

impl Inline for Inliner<'_> {
    fn inline(
        &mut self,
        caller: &Function,
        inst: ir::Inst,
        _opcode: ir::Opcode,
        callee: ir::FuncRef,
        _args: &[ir::Value],
    ) -> InlineCommand<'_> {
        let allowed = |f: u32| match &self.startup {
            None => true,
            Some((p, in_loops)) => {
                let call_runs_once = in_loops.as_ref().is_some_and(|l| !l.contains(&inst));
                (!call_runs_once || p.makers.contains(&f)) && !p.graph.enters_recursion(self.caller, f)
            }
        };
        match callee_index(caller, callee) {
            Some(f) if f != self.caller && self.inlinable.contains_key(&f) && allowed(f) => {
                let size = self.inlinable[&f];
                if size > self.budget {
                    return InlineCommand::KeepCall;
                }
                self.budget -= size;
                self.results.extend(caller.dfg.inst_results(inst).first().copied());
                InlineCommand::Inline {
                    callee: Cow::Borrowed(&self.bodies[&f]),
                    visit_callee: false,
                }
            }
            _ => InlineCommand::KeepCall,
        }
    }
}
