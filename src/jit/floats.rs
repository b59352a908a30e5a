//! Known floats: the values a function can prove are boxed floats, and the type tests on
//! them that this decides.
//!
//! Every generic operation tests its operands' types, and boxes its result. After
//! inlining, a float often goes from one operation to the next through a merge that no
//! test looks through. In averager's loop, `a(x)` is `total / count` inlined, and its
//! result reaches `s + a(x)` through the merge of the division's three paths:
//!
//! ```text
//!   int / int:    q1 = fdiv (fcvt a), (fcvt b)         slow:  call rt_binop(3, a, b)
//!                 jump ret(box q1)                            r = vm.cold_result
//!   float path:   q2 = fdiv fa, fb                            brif (r == EXC), raise, ok
//!                 jump ret(box q2)                     ok:    jump ret(r)
//!
//!   ret(v):   brif (v & s >= INT_TAG), int_add, float_add    ; both small ints?  never
//!   float_add:  brif (v - 2^48 <u FLOAT_LIMIT), .., ..       ; a float?          always
//! ```
//!
//! `/` gives a float whenever it does not raise, so `v` is a float on every path, and both
//! tests are decided. This pass finds such values and turns the decided branches into
//! jumps; the paths they skipped go. Then [`super::unboxed_params`] can carry `v`'s f64
//! beside it, since every hot edge into `ret` passes a boxed float.
//!
//! A *fact* is known of each value (an optimistic fixpoint over the executable edges, as
//! in sparse conditional constant propagation: a loop's accumulator is a float if its
//! entry value is one and the loop body, with the tests that depend on it decided, keeps
//! it one):
//!
//! - an `i64` is [`Fact::Float`] if it is a boxed float: a float constant, `iadd (bitcast.i64
//!   f), 2^48` for a float `f`, a block parameter that every executable edge passes a float,
//!   or (on the edge past its `EXC` test) the result of a slow-path `rt_binop` /
//!   `rt_inplace_op` that gives a float whenever it returns: `/` always; `+ - * //` when
//!   either operand is a float, `%` when the left one is (`"%f" % x` formats a string);
//! - an `f64` is [`Fact::Float`] (*tame*) if its bits are below `FLOAT_LIMIT`, that is, if
//!   boxing it makes a float the runtime recognises: constants so, conversions from ints,
//!   arithmetic on tame operands (x86 gives its default NaN, `0xfff8...`, or passes a NaN
//!   operand on, and the runtime's NaN is `0x7ff8...`), and `bitcast.f64 (p - 2^48)` for a
//!   float `p`, or in the block a float test of that word leads to.
//!
//! The facts hold because the runtime has no user-defined operators: when classes come,
//! `float + obj` can call `obj.__radd__`, and the `+ - * // %` rule must look at both
//! operands. `CELLAR_NO_FLOAT_FACTS=1` turns the pass off, for measuring.

use super::unboxed_params::{boxed_float, constant, offset_operand};
use cellar_runtime::value::{DOUBLE_OFFSET, EXC, INT_TAG};
use cellar_runtime::vm::{VM_COLD_ARGS_OFFSET, VM_COLD_RESULT_OFFSET};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types::{F64, I64},
    Block, BlockArg, Function, Inst, InstructionData, Opcode, Value, ValueDef,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// The box offset of a float.
const BOX: i64 = DOUBLE_OFFSET as i64;

/// A boxed value is a float if it is below this once the offset is taken off.
const FLOAT_LIMIT: u64 = INT_TAG - DOUBLE_OFFSET;

/// What is known of a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Fact {
    /// Nothing yet (the optimistic start: it may still turn out a float).
    Unknown,
    /// A boxed float (an `i64`), or a tame `f64`.
    Float,
    /// Anything.
    Other,
}

impl Fact {
    /// What holds of a value that is one of `self` and `other`.
    fn meet(self, other: Fact) -> Fact {
        match (self, other) {
            (Fact::Unknown, x) | (x, Fact::Unknown) => x,
            (Fact::Float, Fact::Float) => Fact::Float,
            _ => Fact::Other,
        }
    }

    /// What holds of an operation's result that is tame when both operands are.
    fn of_operation(a: Fact, b: Fact) -> Fact {
        match (a, b) {
            (Fact::Other, _) | (_, Fact::Other) => Fact::Other,
            (Fact::Unknown, _) | (_, Fact::Unknown) => Fact::Unknown,
            _ => Fact::Float,
        }
    }
}

/// A type test that the lowering emits as a `brif` condition.
#[derive(Clone, Copy, Debug)]
enum Test {
    /// `icmp ult (iadd p, -2^48), FLOAT_LIMIT`: is `p` a float?
    IsFloat(Value),
    /// `icmp uge (band a, b), INT_TAG` or `icmp uge a, INT_TAG`: are both small ints?
    SmallInts(Value, Option<Value>),
}

/// How a `brif` goes, given the facts so far.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Outcome {
    /// Always this way (`true`: the `then` edge).
    Taken(bool),
    /// Either way.
    Both,
    /// Not known yet (a value it tests is still [`Fact::Unknown`]).
    Pending,
}

/// One edge into a block: the branch, which of its destinations, and the block it leaves.
#[derive(Clone, Copy)]
struct Edge {
    from: Block,
    branch: Inst,
    dest: usize,
}

/// A routed slow-path call of `rt_binop` or `rt_inplace_op`: the runtime's operator code
/// and operands, as `route_cold_calls` stored them.
#[derive(Clone, Copy)]
pub(super) struct SlowBinop {
    /// The operator code (`program::binop_code`).
    pub op: i64,
    /// The left operand.
    pub a: Value,
    /// The right operand.
    pub b: Value,
}

/// Turn into jumps the `brif`s of `func` whose type test the known floats decide, and drop
/// the blocks no longer reachable; returns how many branches went.
pub fn fold_float_tests(func: &mut Function) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let mut preds: HashMap<Block, Vec<Edge>> = HashMap::default();
    for block in func.layout.blocks() {
        let Some(term) = func.layout.last_inst(block) else {
            continue;
        };
        let dests = func.dfg.insts[term].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
        for (dest, call) in dests.iter().enumerate() {
            preds.entry(call.block(&func.dfg.value_lists)).or_default().push(Edge {
                from: block,
                branch: term,
                dest,
            });
        }
    }
    let floaty = slow_binops(func);
    let tests: HashMap<Inst, Test> = func
        .layout
        .blocks()
        .filter_map(|b| func.layout.last_inst(b))
        .filter_map(|t| match func.dfg.insts[t] {
            InstructionData::Brif { arg, .. } => test_of(func, arg).map(|x| (t, x)),
            _ => None,
        })
        .collect();
    if tests.is_empty() {
        return 0;
    }
    let mut a = Analysis {
        func,
        preds: &preds,
        floaty: &floaty,
        tests: &tests,
        facts: HashMap::default(),
        live_blocks: HashSet::default(),
        live_edges: HashSet::default(),
    };
    for &p in a.func.dfg.block_params(entry) {
        a.facts.insert(p, Fact::Other);
    }
    a.live_blocks.insert(entry);
    while a.round() {}
    // Every test in a live block must be decided one way or both: a pending one would have
    // left live code behind an edge not marked live.
    let mut folds: Vec<(Inst, usize)> = Vec::new();
    for (&term, &test) in &tests {
        let block = a.func.layout.inst_block(term).expect("in the layout");
        if !a.live_blocks.contains(&block) {
            continue;
        }
        match a.outcome(test) {
            Outcome::Taken(then) => folds.push((term, if then { 0 } else { 1 })),
            Outcome::Both => {}
            Outcome::Pending => return 0,
        }
    }
    if folds.is_empty() {
        return 0;
    }
    let live = a.live_blocks;
    for &(term, dest) in &folds {
        super::decided::take_branch(func, term, dest);
    }
    let dead: Vec<Block> = func.layout.blocks().filter(|b| !live.contains(b)).collect();
    for block in dead {
        while let Some(inst) = func.layout.last_inst(block) {
            func.layout.remove_inst(inst);
        }
        func.layout.remove_block(block);
    }
    folds.len()
}

/// The fixpoint's state.
struct Analysis<'a> {
    func: &'a Function,
    preds: &'a HashMap<Block, Vec<Edge>>,
    floaty: &'a HashMap<Value, SlowBinop>,
    tests: &'a HashMap<Inst, Test>,
    facts: HashMap<Value, Fact>,
    live_blocks: HashSet<Block>,
    /// `(branch, destination)` pairs that may be taken.
    live_edges: HashSet<(Inst, usize)>,
}

impl Analysis<'_> {
    fn fact(&self, v: Value) -> Fact {
        let v = self.func.dfg.resolve_aliases(v);
        self.facts.get(&v).copied().unwrap_or(Fact::Unknown)
    }

    /// Lower `v`'s fact to `f` (facts only go down: Unknown, Float, Other); true if it moved.
    fn set(&mut self, v: Value, f: Fact) -> bool {
        let old = self.fact(v);
        let new = match (old, f) {
            (Fact::Other, _) | (_, Fact::Other) => Fact::Other,
            (Fact::Float, _) | (_, Fact::Float) => Fact::Float,
            _ => Fact::Unknown,
        };
        if new != old {
            self.facts.insert(v, new);
            true
        } else {
            false
        }
    }

    /// One pass over the live blocks; true if anything changed.
    fn round(&mut self) -> bool {
        let mut changed = false;
        let blocks: Vec<Block> = self.func.layout.blocks().collect();
        for block in blocks {
            if !self.live_blocks.contains(&block) {
                continue;
            }
            if Some(block) != self.func.layout.entry_block() {
                for (i, &p) in self.func.dfg.block_params(block).iter().enumerate() {
                    let f = self.param_fact(block, i);
                    changed |= self.set(p, f);
                }
            }
            for inst in self.func.layout.block_insts(block) {
                if let [r] = self.func.dfg.inst_results(inst) {
                    let f = self.eval(inst, block);
                    changed |= self.set(*r, f);
                }
            }
            let term = self.func.layout.last_inst(block).expect("a terminated block");
            let n = self.func.dfg.insts[term]
                .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)
                .len();
            let dests: Vec<usize> = match self.tests.get(&term) {
                Some(&t) => match self.outcome(t) {
                    Outcome::Taken(true) => vec![0],
                    Outcome::Taken(false) => vec![1],
                    Outcome::Both => vec![0, 1],
                    Outcome::Pending => vec![],
                },
                None => (0..n).collect(),
            };
            for d in dests {
                if self.live_edges.insert((term, d)) {
                    changed = true;
                    let call = self.func.dfg.insts[term]
                        .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)[d];
                    self.live_blocks.insert(call.block(&self.func.dfg.value_lists));
                }
            }
        }
        changed
    }

    /// The meet of what the live edges into `block` pass as its parameter `i`.
    fn param_fact(&self, block: Block, i: usize) -> Fact {
        let mut f = Fact::Unknown;
        for e in self.preds.get(&block).map(Vec::as_slice).unwrap_or(&[]) {
            if !self.live_edges.contains(&(e.branch, e.dest)) {
                continue;
            }
            let call = self.func.dfg.insts[e.branch]
                .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)[e.dest];
            let Some(BlockArg::Value(v)) = call.args(&self.func.dfg.value_lists).nth(i) else {
                return Fact::Other;
            };
            f = f.meet(self.edge_fact(e.from, v));
        }
        f
    }

    /// What `v` is as an argument on an edge out of `from`: its fact, except that a floaty
    /// call's result is a float in the block its `EXC` test lets through.
    fn edge_fact(&self, from: Block, v: Value) -> Fact {
        let v = self.func.dfg.resolve_aliases(v);
        let Some(call) = self.floaty.get(&v) else {
            return self.fact(v);
        };
        if !self.past_exc_test(from, v) {
            return self.fact(v);
        }
        let (a, b) = (self.fact(call.a), self.fact(call.b));
        match call.op {
            // `/` (code 3) makes a float or raises.
            3 => Fact::Float,
            // `+ - * //`: a float operand makes the result a float.
            0 | 1 | 2 | 4 if a == Fact::Float || b == Fact::Float => Fact::Float,
            0 | 1 | 2 | 4 if a == Fact::Unknown || b == Fact::Unknown => Fact::Unknown,
            // `%`: only a float on the left (a string on the left formats).
            5 => a,
            _ => Fact::Other,
        }
    }

    /// Whether `block` is entered only from the `else` edge of `brif (icmp eq v, EXC)`.
    fn past_exc_test(&self, block: Block, v: Value) -> bool {
        let [e] = self.preds.get(&block).map(Vec::as_slice).unwrap_or(&[]) else {
            return false;
        };
        let InstructionData::Brif { arg, .. } = self.func.dfg.insts[e.branch] else {
            return false;
        };
        if e.dest != 1 {
            return false;
        }
        match compare(self.func, arg) {
            Some((IntCC::Equal, x, k)) => {
                self.func.dfg.resolve_aliases(x) == v && constant(self.func, k) == Some(EXC.0 as i64)
            }
            _ => false,
        }
    }

    /// The fact of `inst`'s one result, in `block`.
    fn eval(&self, inst: Inst, block: Block) -> Fact {
        let func = self.func;
        let r = func.dfg.first_result(inst);
        let ty = func.dfg.value_type(r);
        let float_if = |c: bool| if c { Fact::Float } else { Fact::Other };
        match func.dfg.insts[inst] {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } if ty == I64 => float_if((imm.bits().wrapping_sub(BOX) as u64) < FLOAT_LIMIT),
            InstructionData::UnaryIeee64 {
                opcode: Opcode::F64const,
                imm,
            } => float_if(imm.bits() < FLOAT_LIMIT),
            InstructionData::Binary {
                opcode: Opcode::Iadd, ..
            } if ty == I64 => match boxed_float(func, r) {
                Some(f) => self.fact(f),
                None => Fact::Other,
            },
            InstructionData::LoadNoOffset {
                opcode: Opcode::Bitcast,
                arg,
                ..
            } if ty == F64 => match offset_operand(func, arg, -BOX) {
                Some(_) if self.tested_float(block, arg) => Fact::Float,
                Some(p) => self.fact(p),
                None => Fact::Other,
            },
            InstructionData::Binary { opcode, args }
                if matches!(
                    opcode,
                    Opcode::Fadd | Opcode::Fsub | Opcode::Fmul | Opcode::Fdiv | Opcode::Fmin | Opcode::Fmax
                ) =>
            {
                Fact::of_operation(self.fact(args[0]), self.fact(args[1]))
            }
            InstructionData::Unary { opcode, arg }
                if matches!(
                    opcode,
                    Opcode::Fneg
                        | Opcode::Fabs
                        | Opcode::Sqrt
                        | Opcode::Ceil
                        | Opcode::Floor
                        | Opcode::Trunc
                        | Opcode::Nearest
                ) =>
            {
                self.fact(arg)
            }
            InstructionData::Unary {
                opcode: Opcode::FcvtFromSint | Opcode::FcvtFromUint,
                ..
            } => Fact::Float,
            _ => Fact::Other,
        }
    }

    /// Whether `block` is entered only from the `then` edge of a float test of `word`
    /// (`word` is `p - 2^48`, the unboxing the test compares).
    fn tested_float(&self, block: Block, word: Value) -> bool {
        let [e] = self.preds.get(&block).map(Vec::as_slice).unwrap_or(&[]) else {
            return false;
        };
        if e.dest != 0 {
            return false;
        }
        let InstructionData::Brif { arg, .. } = self.func.dfg.insts[e.branch] else {
            return false;
        };
        match compare(self.func, arg) {
            Some((IntCC::UnsignedLessThan, x, k)) => {
                self.func.dfg.resolve_aliases(x) == self.func.dfg.resolve_aliases(word)
                    && constant(self.func, k) == Some(FLOAT_LIMIT as i64)
            }
            _ => false,
        }
    }

    /// How the branch on `test` goes.
    fn outcome(&self, test: Test) -> Outcome {
        match test {
            Test::IsFloat(p) => match self.fact(p) {
                Fact::Float => Outcome::Taken(true),
                Fact::Unknown => Outcome::Pending,
                Fact::Other => Outcome::Both,
            },
            Test::SmallInts(a, b) => {
                let facts = [Some(self.fact(a)), b.map(|b| self.fact(b))];
                if facts.contains(&Some(Fact::Float)) {
                    Outcome::Taken(false)
                } else if facts.contains(&Some(Fact::Unknown)) {
                    Outcome::Pending
                } else {
                    Outcome::Both
                }
            }
        }
    }
}

/// The condition code and operands of `v` if an `icmp` defines it (an `icmp_imm`'s
/// constant is not an operand, so it does not match).
fn compare(func: &Function, v: Value) -> Option<(IntCC, Value, Value)> {
    let v = func.dfg.resolve_aliases(v);
    let ValueDef::Result(def, _) = func.dfg.value_def(v) else {
        return None;
    };
    match func.dfg.insts[def] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args,
        } => Some((cond, args[0], args[1])),
        _ => None,
    }
}

/// The type test `cond` is, if it is one.
fn test_of(func: &Function, cond: Value) -> Option<Test> {
    let (cc, x, k) = compare(func, cond)?;
    let k = constant(func, k)?;
    match cc {
        IntCC::UnsignedLessThan if k == FLOAT_LIMIT as i64 => offset_operand(func, x, -BOX).map(Test::IsFloat),
        IntCC::UnsignedGreaterThanOrEqual if k == INT_TAG as i64 => {
            let x = func.dfg.resolve_aliases(x);
            if let ValueDef::Result(def, _) = func.dfg.value_def(x) {
                if let InstructionData::Binary {
                    opcode: Opcode::Band,
                    args,
                } = func.dfg.insts[def]
                {
                    return Some(Test::SmallInts(args[0], Some(args[1])));
                }
            }
            Some(Test::SmallInts(x, None))
        }
        _ => None,
    }
}

/// The results of the routed slow-path calls to `rt_binop` and `rt_inplace_op` (see
/// `coldcalls::route_cold_calls`), by the value loaded from `Vm::cold_result`:
///
/// ```text
///   store &rt_binop -> vm+40; store op -> vm+48; store a -> vm+56; store b -> vm+64
///   call cold_call_3()
///   r = load vm+32
/// ```
fn slow_binops(func: &Function) -> HashMap<Value, SlowBinop> {
    let mut out = HashMap::default();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let Some(call) = slow_binop_at(func, inst) {
                out.insert(func.dfg.first_result(inst), call);
            }
        }
    }
    out
}

/// The slow-path operation whose result `inst` loads, if it is such a load (see
/// [`slow_binops`]).
pub(super) fn slow_binop_at(func: &Function, inst: Inst) -> Option<SlowBinop> {
    let InstructionData::Load {
        opcode: Opcode::Load,
        arg,
        offset,
        ..
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    if i32::from(offset) != VM_COLD_RESULT_OFFSET {
        return None;
    }
    let vm = constant(func, arg)?;
    // Back past the constants to the call, then back through its stores.
    let mut cur = func.layout.prev_inst(inst);
    while let Some(i) = cur.filter(|&i| func.dfg.insts[i].opcode() == Opcode::Iconst) {
        cur = func.layout.prev_inst(i);
    }
    let call = cur.filter(|&i| func.dfg.insts[i].opcode() == Opcode::Call)?;
    let mut args: [Option<Value>; 4] = [None; 4];
    let mut cur = func.layout.prev_inst(call);
    while let Some(i) = cur {
        match func.dfg.insts[i] {
            InstructionData::Store {
                opcode: Opcode::Store,
                args: [v, base],
                offset,
                ..
            } if constant(func, base) == Some(vm) => {
                let k = (i32::from(offset) - VM_COLD_ARGS_OFFSET) / 8;
                if let Some(slot) = usize::try_from(k).ok().and_then(|k| args.get_mut(k)) {
                    slot.get_or_insert(v);
                }
            }
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst, ..
            } => {}
            _ => break,
        }
        cur = func.layout.prev_inst(i);
    }
    let [Some(target), Some(op), Some(a), Some(b)] = args else {
        return None;
    };
    let target = constant(func, target);
    let binop = cellar_runtime::ops::rt_binop as *const () as i64;
    let inplace = cellar_runtime::ops::rt_inplace_op as *const () as i64;
    if target != Some(binop) && target != Some(inplace) {
        return None;
    }
    Some(SlowBinop {
        op: constant(func, op)?,
        a,
        b,
    })
}
