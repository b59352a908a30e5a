//! Int ranges: the bounds a function can prove of its ints, and the overflow tests they
//! decide.
//!
//! Every int `+ - *` on small ints tests whether its result left the 48-bit small ints
//! (`sadd_overflow` and a branch to the slow path). After a `%` by a constant the operand
//! is small, and so are the results of a few more operations on it. compose's specialised
//! body is eight inlined lambdas, `x % 999983`, `+ 7`, `* 5`, `- 11`, `% 1000003`, `+ 5`,
//! `* 3`, `- 2`: after the first `%` no operation can overflow, but each one tests:
//!
//! ```text
//!   fast path of `%`:  r = (x + bias) - q * 999983     ; in [0, 999982]
//!                      jump j(box r)
//!   slow path:         v = rt_binop(%, x, 999983)      ; an int from it is in [0, 999982] too
//!                      jump j(v)
//!   j(y):  y small int?  no -> slow path of `+`
//!          s, of = sadd_overflow (rotl y, 16), 7 << 16  ; `of` is never set: y + 7 < 2^47
//!          brif of, slow, ok                            ; -> jump ok
//! ```
//!
//! Two kinds of fact, both intervals:
//! - of a machine word, its value as an `i64` (raw ints, the rotated form `n * 2^16 +
//!   0xffff`, the scaled form `n * 2^16`);
//! - of a boxed Python value, *if it is an int, its value*: a small int constant, a boxed
//!   raw int (`bor r, INT_TAG`, `rotr s, 16`), and the result of a slow-path `rt_binop` /
//!   `rt_inplace_op`, which is an int only when both operands are (there are no user-defined
//!   operators yet), so its range follows from theirs: `a % c` for a constant `c > 0` is in
//!   `[0, c)` whatever `a` is, `a + b` in the sum of theirs, and so on.
//!
//! Facts are worked out on demand, backwards from the operands of the overflow tests (a
//! few dozen values in a function of thousands of instructions). A block parameter takes the
//! union of what its edges pass; a parameter met again while its own facts are being worked
//! out (around a loop) counts as unknown there, which is sound, and loses nothing for `%`,
//! whose range does not depend on its dividend. A reload of a spill slot takes the union of
//! what is stored to it (the collector does not move objects). An overflow test whose
//! operands' ranges cannot overflow becomes the plain operation, and its branch a jump.
//!
//! The unboxing rules (`ishl`, `rotl` of a boxed value) take the value to be a small int:
//! the lowering unboxes only on the path where a type test found one (`arith::int_op`),
//! so a range derived that way is only ever used there. `CELLAR_NO_RANGES=1` turns the pass
//! off, for measuring; `CELLAR_DEBUG_RANGES=1` prints the ranges found.

use super::floats::slow_binop_at;
use super::spills::{slot_start, word_access, WordAccess};
use super::unboxed_params::{boxed_float, constant};
use cellar_runtime::value::{Value as PyValue, INT_TAG, SMALL_INT_MAX, SMALL_INT_MIN};
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    types::I8, Block, BlockArg, Function, Inst, InstBuilder, InstructionData, Opcode, StackSlot, Value, ValueDef,
};
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

/// Values further back than this from an overflow test are taken as unknown (a bound on
/// the recursion).
const MAX_DEPTH: usize = 400;

/// A closed interval `[lo, hi]`; empty when `lo > hi`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Range {
    /// The least value.
    pub lo: i128,
    /// The greatest value.
    pub hi: i128,
}

/// Any `i64`.
const WORD: Range = Range {
    lo: i64::MIN as i128,
    hi: i64::MAX as i128,
};

/// Any Python int (bounds far beyond any product of two words, so they never wrap).
const ANY_INT: Range = Range {
    lo: -(1 << 120),
    hi: 1 << 120,
};

/// The small ints.
const SMALL: Range = Range {
    lo: SMALL_INT_MIN as i128,
    hi: SMALL_INT_MAX as i128,
};

/// Nothing yet (or never an int).
const EMPTY: Range = Range { lo: 1, hi: 0 };

/// `2^16`, the factor of the rotated and scaled forms.
const SCALE: i128 = 1 << 16;

impl Range {
    /// The one value `n`.
    fn exact(n: i128) -> Range {
        Range { lo: n, hi: n }
    }

    fn is_empty(self) -> bool {
        self.lo > self.hi
    }

    /// The smallest interval holding both.
    fn union(self, o: Range) -> Range {
        if self.is_empty() {
            return o;
        }
        if o.is_empty() {
            return self;
        }
        Range {
            lo: self.lo.min(o.lo),
            hi: self.hi.max(o.hi),
        }
    }

    fn intersect(self, o: Range) -> Range {
        Range {
            lo: self.lo.max(o.lo),
            hi: self.hi.min(o.hi),
        }
    }

    fn within(self, o: Range) -> bool {
        self.is_empty() || (o.lo <= self.lo && self.hi <= o.hi)
    }

    /// Apply `f` to both bounds of a monotone (non-decreasing) function.
    fn map(self, f: impl Fn(i128) -> i128) -> Range {
        if self.is_empty() {
            return self;
        }
        Range {
            lo: f(self.lo),
            hi: f(self.hi),
        }
    }

    /// The range of `a op b` over both ranges, for `+ - *` (exact in `i128` for operands
    /// within [`ANY_INT`]).
    fn arith(self, o: Range, op: Arith) -> Range {
        if self.is_empty() || o.is_empty() {
            return EMPTY;
        }
        match op {
            Arith::Add => Range {
                lo: self.lo + o.lo,
                hi: self.hi + o.hi,
            },
            Arith::Sub => Range {
                lo: self.lo - o.hi,
                hi: self.hi - o.lo,
            },
            Arith::Mul => {
                let corners = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi];
                Range {
                    lo: *corners.iter().min().expect("four corners"),
                    hi: *corners.iter().max().expect("four corners"),
                }
            }
        }
    }

    /// This range as a machine word's: unbounded if it does not fit an `i64` (the
    /// operation may have wrapped).
    fn as_word(self) -> Range {
        if self.within(WORD) {
            self
        } else {
            WORD
        }
    }

    /// This range as a Python int's: unbounded past [`ANY_INT`].
    fn as_int(self) -> Range {
        if self.within(ANY_INT) {
            self
        } else {
            ANY_INT
        }
    }
}

/// The operations whose ranges [`Range::arith`] computes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Arith {
    Add,
    Sub,
    Mul,
}

/// The range of Python's `a op b` when it is an int, for the runtime's operator code `op`
/// (`program::binop_code`), from the int ranges of the operands.
fn python_binop(op: i64, a: Range, b: Range) -> Range {
    let r = match op {
        0 => a.arith(b, Arith::Add),
        1 => a.arith(b, Arith::Sub),
        2 => a.arith(b, Arith::Mul),
        // `//` by a positive constant: floor division is monotone in the dividend.
        4 if b.lo == b.hi && b.lo >= 1 && !a.is_empty() && a != ANY_INT => a.map(|x| x.div_euclid(b.lo)),
        // `%` by a positive divisor is in `[0, divisor)` whatever the dividend (and no more
        // than a non-negative dividend); by a negative one, in `(divisor, 0]`.
        5 if b.is_empty() => EMPTY,
        5 if b.lo >= 1 => {
            let r = Range { lo: 0, hi: b.hi - 1 };
            if !a.is_empty() && a.lo >= 0 {
                r.intersect(Range { lo: 0, hi: a.hi })
            } else {
                r
            }
        }
        5 if b.hi <= -1 => Range { lo: b.lo + 1, hi: 0 },
        _ => ANY_INT,
    };
    r.as_int()
}

/// Both facts of a value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Facts {
    /// As a machine word.
    word: Range,
    /// As a Python value: its value if it is an int.
    int: Range,
}

/// Nothing known.
const UNKNOWN: Facts = Facts {
    word: WORD,
    int: ANY_INT,
};

/// Not reached yet.
const NOTHING: Facts = Facts {
    word: EMPTY,
    int: EMPTY,
};

impl Facts {
    fn union(self, o: Facts) -> Facts {
        Facts {
            word: self.word.union(o.word),
            int: self.int.union(o.int),
        }
    }
}

/// The analysis's state: facts found so far, worked out on demand, backwards from the
/// operands of the overflow tests.
struct Analysis<'a> {
    func: &'a Function,
    /// The facts of the values visited (a value being worked out is unknown meanwhile, so a
    /// loop's parameter is unknown inside its own loop's computation: sound, and enough for
    /// `%`, whose range does not depend on its dividend).
    facts: HashMap<Value, Facts>,
    /// The edges into each block (`(branch, destination index)`), once needed.
    preds: Option<HashMap<Block, Vec<(Inst, usize)>>>,
    /// The values stored to each spill slot that is only stored to and loaded from, once
    /// needed.
    slot_stores: Option<HashMap<StackSlot, Vec<Value>>>,
    /// How deep the demand currently is.
    depth: usize,
}

impl Analysis<'_> {
    fn facts(&mut self, v: Value) -> Facts {
        let func = self.func;
        let v = func.dfg.resolve_aliases(v);
        if let Some(k) = constant(func, v) {
            let w = PyValue(k as u64);
            return Facts {
                word: Range::exact(i128::from(k)),
                int: if w.is_small_int() {
                    Range::exact(i128::from(w.as_small_int()))
                } else {
                    ANY_INT
                },
            };
        }
        if let Some(&f) = self.facts.get(&v) {
            return f;
        }
        if self.depth >= MAX_DEPTH {
            return UNKNOWN;
        }
        self.facts.insert(v, UNKNOWN);
        self.depth += 1;
        let f = match func.dfg.value_def(v) {
            ValueDef::Result(inst, 0) => self.eval(inst),
            ValueDef::Param(block, i) if Some(block) != func.layout.entry_block() => self.param(block, i),
            _ => UNKNOWN,
        };
        self.depth -= 1;
        self.facts.insert(v, f);
        f
    }

    fn word(&mut self, v: Value) -> Range {
        self.facts(v).word
    }

    fn int(&mut self, v: Value) -> Range {
        self.facts(v).int
    }

    /// The union of what the edges into `block` pass its parameter `i`.
    fn param(&mut self, block: Block, i: usize) -> Facts {
        let func = self.func;
        let preds = self.preds.get_or_insert_with(|| {
            let mut preds: HashMap<Block, Vec<(Inst, usize)>> = HashMap::default();
            for b in func.layout.blocks() {
                let Some(term) = func.layout.last_inst(b) else {
                    continue;
                };
                let dests = func.dfg.insts[term].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables);
                for (d, call) in dests.iter().enumerate() {
                    preds
                        .entry(call.block(&func.dfg.value_lists))
                        .or_default()
                        .push((term, d));
                }
            }
            preds
        });
        // Parameters no branch passes (exception landing pads') are unknown.
        let Some(edges) = preds.get(&block).cloned() else {
            return UNKNOWN;
        };
        let mut f = NOTHING;
        for (term, d) in edges {
            let call = func.dfg.insts[term].branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)[d];
            let arg = match call.args(&func.dfg.value_lists).nth(i) {
                Some(BlockArg::Value(v)) => self.facts(v),
                _ => UNKNOWN,
            };
            f = f.union(arg);
            if f == UNKNOWN {
                break;
            }
        }
        f
    }

    /// The facts of `inst`'s first result.
    fn eval(&mut self, inst: Inst) -> Facts {
        let dfg = &self.func.dfg;
        let word = |w: Range| Facts {
            word: w.as_word(),
            int: ANY_INT,
        };
        let (op, args) = match dfg.insts[inst] {
            InstructionData::Binary { opcode, args } => (opcode, args),
            InstructionData::Load { .. } => return self.load(inst),
            _ => return UNKNOWN,
        };
        let [a, b] = args;
        let k = constant(self.func, b);
        let (wa, wb) = (self.word(a), self.word(b));
        match op {
            // A boxed float (`iadd (bitcast.i64 f), 2^48`) is never an int: compiled code
            // only boxes f64s whose boxes are floats (see `jit::floats`).
            Opcode::Iadd if boxed_float(self.func, dfg.first_result(inst)).is_some() => {
                Facts { word: WORD, int: EMPTY }
            }
            Opcode::Iadd => word(wa.arith(wb, Arith::Add)),
            Opcode::Isub => match self.floor_mod(a, b) {
                Some(r) => word(r),
                None => word(wa.arith(wb, Arith::Sub)),
            },
            Opcode::Imul => word(wa.arith(wb, Arith::Mul)),
            Opcode::SaddOverflow => word(wa.arith(wb, Arith::Add)),
            Opcode::SsubOverflow => word(wa.arith(wb, Arith::Sub)),
            Opcode::SmulOverflow => word(wa.arith(wb, Arith::Mul)),
            // A boxed small int shifted: its value scaled (the tag falls off the top).
            Opcode::Ishl if k == Some(16) && wa == WORD => word(self.int(a).intersect(SMALL).map(|n| n * SCALE)),
            Opcode::Ishl => match k {
                // A constant shifts exactly, wrapping (a boxed constant loses its tag).
                Some(s @ 0..=63) if wa.lo == wa.hi => word(Range::exact(i128::from((wa.lo as i64) << s))),
                Some(s @ 0..=63) => word(wa.map(|x| x << s)),
                _ => UNKNOWN,
            },
            Opcode::Sshr => match k {
                Some(s @ 0..=63) => word(wa.map(|x| x >> s)),
                _ => UNKNOWN,
            },
            Opcode::Ushr => match k {
                Some(s @ 0..=63) if wa.lo >= 0 => word(wa.map(|x| x >> s)),
                Some(s @ 1..=63) => word(Range {
                    lo: 0,
                    hi: i128::from(u64::MAX >> s),
                }),
                _ => UNKNOWN,
            },
            Opcode::Umulhi => match k {
                Some(m) if wa.lo >= 0 => word(wa.map(|x| (x as u128 * u128::from(m as u64) >> 64) as i128)),
                _ => UNKNOWN,
            },
            // The scaled form of a rotated small int (the low 16 bits cleared).
            Opcode::Band if k == Some(!0xffff) => word(wa.map(|x| x.div_euclid(SCALE) * SCALE)),
            Opcode::Band => match k {
                Some(m) if m >= 0 => word(Range {
                    lo: 0,
                    hi: if wa.lo >= 0 {
                        wa.hi.min(i128::from(m))
                    } else {
                        i128::from(m)
                    },
                }),
                _ => UNKNOWN,
            },
            // Boxing a raw small int.
            Opcode::Bor if k == Some(INT_TAG as i64) && wa.within(SMALL) => Facts { word: WORD, int: wa },
            // A scaled small int made rotated.
            Opcode::Bor if k == Some(0xffff) => word(wa.map(|x| x.div_euclid(SCALE) * SCALE + 0xffff)),
            // Unboxing to the rotated form, and boxing from it.
            Opcode::Rotl if k == Some(16) => word(self.int(a).intersect(SMALL).map(|n| n * SCALE + 0xffff)),
            Opcode::Rotr if k == Some(16) && wa != WORD => {
                let n = wa.map(|x| x.div_euclid(SCALE));
                if n.within(SMALL) {
                    Facts { word: WORD, int: n }
                } else {
                    UNKNOWN
                }
            }
            _ => UNKNOWN,
        }
    }

    /// `t - q * d` where `q = umulhi(t, magic) >> shift` is the lowering's floor division of
    /// a non-negative `t` below 2^49 by the constant `d` (see `arith::floor_magic`): the
    /// remainder, in `[0, d)`.
    fn floor_mod(&mut self, t: Value, qd: Value) -> Option<Range> {
        let dfg = &self.func.dfg;
        let t = dfg.resolve_aliases(t);
        let (q, d) = self.binary(qd, Opcode::Imul)?;
        let d = constant(self.func, d)?;
        if !(2..1 << 47).contains(&d) {
            return None;
        }
        let (magic, shift) = super::lower::floor_magic(d);
        let high = match self.binary(q, Opcode::Ushr) {
            Some((h, s)) if constant(self.func, s) == Some(i64::from(shift)) => h,
            _ if shift == 0 => q,
            _ => return None,
        };
        let (t2, m) = self.binary(high, Opcode::Umulhi)?;
        if dfg.resolve_aliases(t2) != t || constant(self.func, m) != Some(magic as i64) {
            return None;
        }
        let wt = self.word(t);
        if !wt.within(Range {
            lo: 0,
            hi: (1 << 49) - 1,
        }) {
            return None;
        }
        let d = i128::from(d);
        Some(if wt.hi < d { wt } else { Range { lo: 0, hi: d - 1 } })
    }

    /// The operands of `v` if an instruction `op` made it.
    fn binary(&self, v: Value, op: Opcode) -> Option<(Value, Value)> {
        let dfg = &self.func.dfg;
        let ValueDef::Result(inst, 0) = dfg.value_def(dfg.resolve_aliases(v)) else {
            return None;
        };
        match dfg.insts[inst] {
            InstructionData::Binary { opcode, args: [x, y] } if opcode == op => Some((x, y)),
            _ => None,
        }
    }

    /// A load: a slow-path operation's result, a reload of a spill slot, or unknown.
    fn load(&mut self, inst: Inst) -> Facts {
        let func = self.func;
        if let Some(call) = slow_binop_at(func, inst) {
            let (a, b) = (self.int(call.a), self.int(call.b));
            return Facts {
                word: WORD,
                int: python_binop(call.op, a, b),
            };
        }
        let Some(WordAccess::Load { addr, .. }) = word_access(func, inst) else {
            return UNKNOWN;
        };
        let Some(slot) = slot_start(func, addr) else {
            return UNKNOWN;
        };
        let slots = self.slot_stores.get_or_insert_with(|| slot_stores(func));
        let Some(stores) = slots.get(&slot).cloned() else {
            return UNKNOWN;
        };
        let mut f = NOTHING;
        for v in stores {
            f = f.union(self.facts(v));
        }
        f
    }
}

/// The values stored to each stack slot whose address is only ever used to store a word
/// to it or load one from it, at offset 0.
fn slot_stores(func: &Function) -> HashMap<StackSlot, Vec<Value>> {
    let mut stores: HashMap<StackSlot, Vec<Value>> = HashMap::default();
    let mut escaped: Vec<StackSlot> = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            match (word_access(func, inst), func.dfg.insts[inst]) {
                (Some(WordAccess::Store { value, addr }), _) => {
                    if let Some(s) = slot_start(func, addr) {
                        stores.entry(s).or_default().push(value);
                    }
                    // A slot's address stored somewhere escapes.
                    escaped.extend(slot_start(func, value));
                }
                (Some(WordAccess::Load { .. }), _) => {}
                (None, InstructionData::StackAddr { stack_slot, offset, .. }) if i64::from(offset) != 0 => {
                    escaped.push(stack_slot);
                }
                (None, data) => {
                    escaped.extend(func.dfg.inst_args(inst).iter().filter_map(|&v| slot_start(func, v)));
                    for call in data.branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables) {
                        for arg in call.args(&func.dfg.value_lists) {
                            if let BlockArg::Value(v) = arg {
                                escaped.extend(slot_start(func, v));
                            }
                        }
                    }
                }
            }
        }
    }
    for s in escaped {
        stores.remove(&s);
    }
    stores
}

/// Turn the overflow tests of `func` that its int ranges decide into plain arithmetic,
/// and their branches into jumps; returns how many.
pub fn drop_impossible_overflow_tests(func: &mut Function) -> usize {
    if std::env::var_os("CELLAR_NO_RANGES").is_some() {
        return 0;
    }
    let tests: Vec<Inst> = func
        .layout
        .blocks()
        .flat_map(|b| func.layout.block_insts(b))
        .filter(|&i| {
            matches!(
                func.dfg.insts[i].opcode(),
                Opcode::SaddOverflow | Opcode::SsubOverflow | Opcode::SmulOverflow
            )
        })
        .collect();
    if tests.is_empty() {
        return 0;
    }
    let mut a = Analysis {
        func,
        facts: HashMap::default(),
        preds: None,
        slot_stores: None,
        depth: 0,
    };
    let safe: Vec<(Inst, Range)> = tests
        .into_iter()
        .filter_map(|inst| {
            let InstructionData::Binary { opcode, args: [x, y] } = func.dfg.insts[inst] else {
                return None;
            };
            let op = match opcode {
                Opcode::SaddOverflow => Arith::Add,
                Opcode::SsubOverflow => Arith::Sub,
                _ => Arith::Mul,
            };
            let r = a.word(x).arith(a.word(y), op);
            r.within(WORD).then_some((inst, r))
        })
        .collect();
    if std::env::var_os("CELLAR_DEBUG_RANGES").is_some() {
        let mut vs: Vec<_> = a.facts.iter().filter(|(_, f)| **f != UNKNOWN).collect();
        vs.sort_by_key(|(v, _)| v.as_u32());
        for (v, f) in vs {
            eprintln!("{v}: word {:?} int {:?}", f.word, f.int);
        }
    }
    drop(a);
    let mut never_set: HashSet<Value> = HashSet::default();
    for &(inst, _) in &safe {
        let InstructionData::Binary { opcode, args: [x, y] } = func.dfg.insts[inst] else {
            unreachable!("an overflow test")
        };
        let (value, flag) = {
            let rs = func.dfg.inst_results(inst);
            (rs[0], rs[1])
        };
        let mut pos = FuncCursor::new(func).at_inst(inst);
        let plain = match opcode {
            Opcode::SaddOverflow => pos.ins().iadd(x, y),
            Opcode::SsubOverflow => pos.ins().isub(x, y),
            _ => pos.ins().imul(x, y),
        };
        let never = pos.ins().iconst(I8, 0);
        pos.func.layout.remove_inst(inst);
        pos.func.dfg.detach_inst_results(inst);
        pos.func.dfg.change_to_alias(value, plain);
        pos.func.dfg.change_to_alias(flag, never);
        never_set.insert(never);
    }
    // The branches on the flags: always their `else` edges.
    let brifs: Vec<Inst> = func
        .layout
        .blocks()
        .filter_map(|b| func.layout.last_inst(b))
        .filter(|&t| matches!(func.dfg.insts[t], InstructionData::Brif { arg, .. } if never_set.contains(&func.dfg.resolve_aliases(arg))))
        .collect();
    for t in brifs {
        super::decided::take_branch(func, t, 1);
    }
    safe.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(lo: i128, hi: i128) -> Range {
        Range { lo, hi }
    }

    /// Python's `%` and `//` (floor rounding), for checking the ranges against.
    fn py_mod(a: i128, b: i128) -> i128 {
        a.rem_euclid(b) + if b < 0 && a.rem_euclid(b) != 0 { b } else { 0 }
    }

    #[test]
    fn modulo_by_a_positive_constant_is_below_it_whatever_the_dividend() {
        assert_eq!(python_binop(5, ANY_INT, r(1000, 1000)), r(0, 999));
        assert_eq!(python_binop(5, EMPTY, r(7, 7)), r(0, 6));
        // A non-negative dividend smaller than the divisor is itself.
        assert_eq!(python_binop(5, r(3, 20), r(1000, 1000)), r(0, 20));
        for a in -50..50 {
            for b in [1, 2, 7, 13] {
                let (m, range) = (py_mod(a, b), python_binop(5, ANY_INT, r(b, b)));
                assert!(range.lo <= m && m <= range.hi, "{a} % {b} = {m}, outside {range:?}");
            }
        }
    }

    #[test]
    fn modulo_by_a_negative_constant_is_above_it() {
        assert_eq!(python_binop(5, ANY_INT, r(-7, -7)), r(-6, 0));
        let range = python_binop(5, ANY_INT, r(-7, -7));
        for a in -50..50 {
            let m = py_mod(a, -7);
            assert!(range.lo <= m && m <= range.hi, "{a} % -7 = {m}");
        }
    }

    #[test]
    fn sums_products_and_floor_division_follow_their_operands() {
        assert_eq!(python_binop(0, r(0, 999), r(7, 7)), r(7, 1006));
        assert_eq!(python_binop(1, r(0, 999), r(11, 11)), r(-11, 988));
        assert_eq!(python_binop(2, r(-3, 2), r(-5, 4)), r(-12, 15));
        assert_eq!(python_binop(4, r(-15, 15), r(7, 7)), r(-3, 2));
        // Unknown operands, unknown operators, and results past any int bound.
        assert_eq!(python_binop(0, ANY_INT, r(1, 1)), ANY_INT);
        assert_eq!(python_binop(6, r(2, 2), r(3, 3)), ANY_INT);
        assert_eq!(python_binop(4, ANY_INT, r(7, 7)), ANY_INT);
        // An operand that is never an int makes a result that is never one.
        assert!(python_binop(0, EMPTY, r(1, 1)).is_empty());
    }

    #[test]
    fn word_ranges_that_may_wrap_are_unbounded() {
        let near = r(i128::from(i64::MAX) - 10, i128::from(i64::MAX));
        assert_eq!(near.arith(r(11, 11), Arith::Add).as_word(), WORD);
        assert_eq!(near.arith(r(0, 0), Arith::Add).as_word(), near);
        assert_eq!(r(0, 10).arith(r(5, 5), Arith::Add).as_word(), r(5, 15));
        assert_eq!(r(0, 3).arith(r(5, 6), Arith::Sub), r(-6, -2));
    }
}
