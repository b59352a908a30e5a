//! Arithmetic trees: `(total + x) % m`, `a * 3 + b - c`, `s + a(x) - b(y)`, ... lowered so
//! that the intermediate results stay raw machine ints or f64s.
//!
//! [`Lower::binop`] lowers one operation: tag tests, the int operation, boxing, and a merge
//! with its float and runtime paths. In a tree, every inner result then goes through that
//! merge, so the next operation tests and unboxes it again. Here a whole tree gets two
//! copies (drawn for an int tree):
//!
//! ```text
//!   fast copy (hot)                          generic copy (cold)
//!   leaves evaluated in order                G_p: stack from the variables
//!   each op: test the boxed leaves,  ──bail──▶    op p by Lower::binop
//!            raw int op, overflow?   ──bail──▶    the leaves after p
//!            result stays raw                     G_q: next op ... (fast bails enter too)
//!   root: box once ───────────────▶ join ◀──────  root result
//! ```
//!
//! The tree is flattened into its evaluation order (leaves left to right, each operation
//! after its operands, as CPython evaluates it). The fast copy runs it with raw ints; when a
//! leaf is not a small int, an operation overflows, or a divisor is zero, it *bails*: it
//! boxes the pending values into the stack variables (GC-mapped Cranelift variables) and
//! jumps to the generic copy's entry for that operation, which redoes it with the full
//! semantics (big ints, floats, errors, other types) and evaluates the remaining leaves
//! itself. Each leaf is evaluated exactly once at run time; a leaf after the first
//! operation is *lowered* twice (once per copy).
//!
//! Two kinds of fast copy, chosen statically:
//! - *int* trees (`+ - * % //`), in programs that cannot make floats at all (see
//!   `facts::may_make_floats`), where a bail is rare;
//! - *float* trees (`+ - * /`), in programs that make floats, for trees with a float hint: a
//!   float literal leaf, a `/`, or a local some statement assigns a float literal (`s =
//!   0.0`). Intermediate results stay raw f64s. An operation needs a float operand (the
//!   other may be a float or a small int, converted exactly as Python does); two ints keep
//!   int semantics, so they bail, as does a zero divisor.

use super::*;

/// One step of a tree in evaluation order.
enum Step<'a> {
    /// A sub-expression that is not an operation of the tree's mode.
    Leaf(&'a Expr),
    /// An operation on the top two values.
    Op(BinOp, Span),
}

/// Which fast copy a tree gets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum TreeMode {
    /// Raw small ints.
    Int,
    /// Raw f64s.
    Float,
}

/// The least multiple of `d` that is at least 2^47: added to a small int (at least
/// -2^47), it makes a dividend that is never negative and is below 2^49.
fn floor_bias(d: i64) -> i64 {
    ((1i64 << 47) + d - 1) / d * d
}

/// `(magic, shift)` such that `x / d == umulhi(x, magic) >> shift` for every `x` below
/// 2^49 (the biased small ints of [`Lowerer::raw_op`]), for `2 <= d < 2^47`. With
/// `magic = ceil(2^(64 + shift) / d) = (2^(64 + shift) + e) / d`, `0 <= e < d`, the product
/// overshoots `x / d` by `x * e / (d * 2^(64 + shift)) < 1 / d` when `d <= 2^(15 + shift)`,
/// too little to reach the next integer. (Cranelift's own unsigned magic numbers must
/// serve every 64-bit `x`, which for most divisors takes an add and two more shifts.)
pub(crate) fn floor_magic(d: i64) -> (u64, u32) {
    debug_assert!((2..1 << 47).contains(&d));
    let bits = 64 - d.leading_zeros();
    let shift = bits.saturating_sub(15);
    let magic = ((1u128 << (64 + shift)) + d as u128 - 1) / d as u128;
    debug_assert!(magic < 1 << 64);
    (magic as u64, shift)
}

impl TreeMode {
    /// The operations of a tree of this mode.
    fn has_op(self, op: BinOp) -> bool {
        match self {
            TreeMode::Int => matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Mod | BinOp::FloorDiv),
            TreeMode::Float => matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div),
        }
    }
}

/// A pending value of the fast copy (also an operand of [`Lower::raw_op`]).
#[derive(Clone, Copy)]
pub(super) enum Pending {
    /// A boxed value (a leaf).
    Boxed(Value),
    /// A raw small int (an int operation's result), sign-extended to 64 bits.
    Raw(Value),
    /// A raw f64 (a float operation's result).
    RawF(Value),
    /// A small int in the rotated form, value * 2^16 + 0xffff: the word of a boxed small int
    /// rotated left by 16. Adding another small int times 2^16 overflows exactly when the
    /// sum leaves the small ints, and rotating the sum back right by 16 boxes it: from a
    /// boxed operand to a boxed result, three dependent operations (an int `+` or `-`).
    Rot(Value),
}

/// Flatten `e` into evaluation order.
fn steps<'a>(e: &'a Expr, mode: TreeMode, out: &mut Vec<Step<'a>>) {
    match &e.kind {
        ExprKind::BinOp { left, op, right } if mode.has_op(*op) => {
            steps(left, mode, out);
            steps(right, mode, out);
            out.push(Step::Op(*op, e.span));
        }
        _ => out.push(Step::Leaf(e)),
    }
}

/// How many operations of `mode` the tree at `e` has, and whether a leaf or an operation
/// hints at floats (a float literal, `/`, a name in `hints`).
fn survey(e: &Expr, mode: TreeMode, hints: &std::collections::HashSet<String>) -> (usize, bool) {
    match &e.kind {
        ExprKind::BinOp { left, op, right } if mode.has_op(*op) => {
            let (a, fa) = survey(left, mode, hints);
            let (b, fb) = survey(right, mode, hints);
            (1 + a + b, fa || fb || *op == BinOp::Div)
        }
        ExprKind::Name(n) => (0, hints.contains(n)),
        _ => (0, crate::jit::facts::is_float_literal(e)),
    }
}

impl<'a> Lower<'a, '_, '_> {
    /// Does `e` get the two-copy lowering, and which: a tree with at least two operations
    /// of the mode (see the module comment)?
    pub(super) fn arith_tree_mode(&self, e: &Expr) -> Option<TreeMode> {
        if !matches!(e.kind, ExprKind::BinOp { .. }) {
            return None;
        }
        if self.prog.makes_no_floats {
            let (ops, _) = survey(e, TreeMode::Int, &self.facts.float_hints);
            return (ops >= 2).then_some(TreeMode::Int);
        }
        let (ops, floaty) = survey(e, TreeMode::Float, &self.facts.float_hints);
        (ops >= 2 && floaty).then_some(TreeMode::Float)
    }

    /// Lower the arithmetic tree `e` (see the module comment); returns its boxed value.
    pub(super) fn arith_tree(&mut self, e: &'a Expr, mode: TreeMode) -> Value {
        let mut seq = Vec::new();
        steps(e, mode, &mut seq);
        // Stack depth before each step, and the deepest stack.
        let mut depth = Vec::with_capacity(seq.len());
        let mut d = 0usize;
        let mut max = 0usize;
        for s in &seq {
            depth.push(d);
            d = match s {
                Step::Leaf(_) => d + 1,
                Step::Op(..) => d - 1,
            };
            max = max.max(d);
        }
        let stack_vars: Vec<Variable> = (0..max).map(|_| self.new_var()).collect();
        let res = self.new_var();
        let join = self.b.create_block();
        // The generic copy's entry before each operation.
        let entries: Vec<Option<Block>> = seq
            .iter()
            .map(|s| match s {
                Step::Op(..) => {
                    let g = self.b.create_block();
                    self.b.set_cold_block(g);
                    Some(g)
                }
                Step::Leaf(_) => None,
            })
            .collect();

        // The fast copy; its bail blocks, with what each one boxes, come after it.
        let mut bails: Vec<(Block, Vec<Pending>, Block)> = Vec::new();
        let mut stack: Vec<Pending> = Vec::with_capacity(max);
        for (p, s) in seq.iter().enumerate() {
            match *s {
                Step::Leaf(leaf) => {
                    let v = self.expr(leaf);
                    stack.push(Pending::Boxed(v));
                }
                Step::Op(op, _) => {
                    let entry = entries[p].expect("an op's entry");
                    let b = stack.pop().expect("operand");
                    let a = stack.pop().expect("operand");
                    // Bail with the stack as it was before this operation.
                    let mut before = stack.clone();
                    before.push(a);
                    before.push(b);
                    let bail = self.b.create_block();
                    let start = (self.b.current_block().expect("a block"), self.b.func.dfg.num_blocks());
                    let r = match mode {
                        TreeMode::Int => {
                            self.test_operands(a, b, bail);
                            self.int_op(op, a, b, bail)
                        }
                        TreeMode::Float => Pending::RawF(self.float_op(op, a, b, bail)),
                    };
                    // An operation that cannot fail (`%` of a known int by a positive
                    // constant) has no bail: its block stays out of the function, so that
                    // no variable looks up a value through a block nothing reaches.
                    if self.branches_to(bail, start) {
                        bails.push((bail, before, entry));
                    }
                    stack.push(r);
                }
            }
        }
        let root = stack.pop().expect("the tree's value");
        let v = self.boxed(root);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        // A bail boxes the pending values into the stack variables and enters the generic
        // copy at its operation.
        let bailing: Vec<Block> = bails.iter().map(|(_, _, entry)| *entry).collect();
        for (bail, before, entry) in bails {
            self.enter(bail);
            self.b.set_cold_block(bail);
            for (j, v) in before.into_iter().enumerate() {
                let boxed = self.boxed(v);
                self.b.def_var(stack_vars[j], boxed);
            }
            self.b.ins().jump(entry, &[]);
        }

        // The generic copy, from the first operation on, leaving out the parts no bail
        // reaches (up to the first operation that can bail).
        let first = seq.iter().position(|s| matches!(s, Step::Op(..))).expect("an op");
        let mut gstack: Vec<Value> = Vec::new();
        let mut reached = false;
        for (p, s) in seq.iter().enumerate().skip(first) {
            match *s {
                Step::Leaf(leaf) => {
                    if reached {
                        let v = self.expr(leaf);
                        gstack.push(v);
                    }
                }
                Step::Op(op, span) => {
                    let entry = entries[p].expect("an op's entry");
                    if reached {
                        for (j, v) in gstack.iter().enumerate() {
                            self.b.def_var(stack_vars[j], *v);
                        }
                        self.b.ins().jump(entry, &[]);
                    }
                    reached |= bailing.contains(&entry);
                    if !reached {
                        continue;
                    }
                    self.enter(entry);
                    gstack = (0..depth[p]).map(|j| self.b.use_var(stack_vars[j])).collect();
                    let b = gstack.pop().expect("operand");
                    let a = gstack.pop().expect("operand");
                    let r = self.binop(op, a, b, false, span);
                    gstack.push(r);
                }
            }
        }
        if reached {
            let r = gstack.pop().expect("the tree's value");
            self.b.def_var(res, r);
            self.b.ins().jump(join, &[]);
        }
        self.enter(join);
        self.b.use_var(res)
    }

    /// Does any branch emitted since `start` (the block current then, and the number of
    /// blocks then) go to `target`?
    fn branches_to(&self, target: Block, start: (Block, usize)) -> bool {
        let func = &self.b.func;
        func.layout
            .blocks()
            .filter(|&b| b == start.0 || b.as_u32() as usize >= start.1)
            .flat_map(|b| func.layout.block_insts(b))
            .any(|i| {
                func.dfg.insts[i]
                    .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                    .iter()
                    .any(|call| call.block(&func.dfg.value_lists) == target)
            })
    }

    /// A pending value as a boxed word.
    pub(super) fn boxed(&mut self, v: Pending) -> Value {
        match v {
            Pending::Boxed(v) => v,
            Pending::Raw(r) => self.b.ins().bor_imm_s(r, INT_TAG as i64),
            Pending::Rot(r) => self.b.ins().rotr_imm_s(r, 16),
            Pending::RawF(f) => {
                let bits = self.b.ins().bitcast(I64, MemFlagsData::new(), f);
                self.b.ins().iadd_imm_s(bits, DOUBLE_OFFSET as i64)
            }
        }
    }

    /// `a op b` in f64 with at least one float operand (the other a float or a small int),
    /// or `bail`.
    fn float_op(&mut self, op: BinOp, a: Pending, b: Pending, bail: Block) -> Value {
        // One operand must be a float (two ints make an int). Test the one that is not
        // known to be an int, or is known to be a float: `i * 0.5`, with `i` a range
        // counter, tests `0.5` (a constant, so no test) and converts `i`, rather than
        // testing `i` for a float and bailing on every iteration.
        let known_int = |l: &Self, v: Pending| matches!(v, Pending::Boxed(x) if l.is_known_int(x));
        let known_float = |l: &Self, v: Pending| matches!(v, Pending::Boxed(x) if l.float_const(x).is_some());
        let (fa, fb) = match (a, b) {
            (Pending::RawF(x), _) => (x, self.lenient_f64(b, bail)),
            (_, Pending::RawF(y)) => (self.lenient_f64(a, bail), y),
            _ if known_int(self, a) || known_float(self, b) => {
                let y = self.strict_f64(b, bail);
                (self.lenient_f64(a, bail), y)
            }
            _ => {
                let x = self.strict_f64(a, bail);
                (x, self.lenient_f64(b, bail))
            }
        };
        match op {
            BinOp::Add => self.b.ins().fadd(fa, fb),
            BinOp::Sub => self.b.ins().fsub(fa, fb),
            BinOp::Mul => self.b.ins().fmul(fa, fb),
            BinOp::Div => {
                let zero = self.b.ins().f64const(0.0);
                let nz = self.b.ins().fcmp(FloatCC::NotEqual, fb, zero);
                let ok = self.b.create_block();
                self.b.ins().brif(nz, ok, &[], bail, &[]);
                self.enter(ok);
                self.b.ins().fdiv(fa, fb)
            }
            _ => unreachable!("not a float operation: {op:?}"),
        }
    }

    /// A pending value that must be a float, as an f64; otherwise `bail`.
    fn strict_f64(&mut self, v: Pending, bail: Block) -> Value {
        match v {
            Pending::RawF(f) => f,
            Pending::Raw(_) | Pending::Rot(_) => unreachable!("an int in a float tree"),
            Pending::Boxed(x) => {
                if let Some(f) = self.float_const(x) {
                    return self.b.ins().f64const(f);
                }
                let off = self.b.ins().iadd_imm_s(x, -(DOUBLE_OFFSET as i64));
                let is_float = self
                    .b
                    .ins()
                    .icmp_imm_s(IntCC::UnsignedLessThan, off, (INT_TAG - DOUBLE_OFFSET) as i64);
                let ok = self.b.create_block();
                self.b.ins().brif(is_float, ok, &[], bail, &[]);
                self.enter(ok);
                self.b.ins().bitcast(F64, MemFlagsData::new(), off)
            }
        }
    }

    /// A pending float or small int as an f64; otherwise `bail`.
    fn lenient_f64(&mut self, v: Pending, bail: Block) -> Value {
        match v {
            Pending::RawF(f) => f,
            Pending::Raw(r) => self.b.ins().fcvt_from_sint(F64, r),
            Pending::Rot(_) => unreachable!("an int in a float tree"),
            Pending::Boxed(x) => {
                if let Some(n) = self.small_int_const(x) {
                    self.b.ins().f64const(n as f64)
                } else if let Some(r) = self.boxed_payload(x) {
                    self.b.ins().fcvt_from_sint(F64, r)
                } else if let Some(f) = self.float_const(x) {
                    self.b.ins().f64const(f)
                } else {
                    self.as_f64(x, bail)
                }
            }
        }
    }

    /// Go to `bail` unless both pending operands are small ints (one test for two boxed
    /// operands, none for raw or known ones).
    fn test_operands(&mut self, a: Pending, b: Pending, bail: Block) {
        let unknown = |l: &Self, v: Pending| match v {
            Pending::Boxed(x) if !l.is_known_int(x) => Some(x),
            _ => None,
        };
        let tested = match (unknown(self, a), unknown(self, b)) {
            (Some(x), Some(y)) => Some(self.b.ins().band(x, y)),
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        };
        if let Some(t) = tested {
            let ok = self.b.create_block();
            let is_int = self
                .b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, t, INT_TAG as i64);
            self.b.ins().brif(is_int, ok, &[], bail, &[]);
            self.enter(ok);
        }
    }

    /// The raw int of a pending small int.
    fn raw(&mut self, v: Pending) -> Value {
        match v {
            Pending::Raw(r) => r,
            Pending::Boxed(x) => self.unbox(x),
            // The arithmetic shift drops the 0xffff below the value.
            Pending::Rot(r) => self.b.ins().sshr_imm_s(r, 16),
            Pending::RawF(_) => unreachable!("a float in an int tree"),
        }
    }

    /// An int operation on tested small ints (a tree's, and [`Lower::binop`]'s int path):
    /// `+` and `-` whose left operand is a boxed word or already rotated stay in the
    /// rotated form (no shift back and forth between chained additions, one rotation to
    /// box the result); the others give raw ints.
    pub(super) fn int_op(&mut self, op: BinOp, a: Pending, b: Pending, bail: Block) -> Pending {
        let left = match a {
            Pending::Rot(r) => Some(r),
            Pending::Boxed(x) if self.boxed_payload(x).is_none() && self.small_int_const(x).is_none() => {
                Some(self.b.ins().rotl_imm_s(x, 16))
            }
            _ => None,
        };
        match (op, left) {
            (BinOp::Add | BinOp::Sub, Some(ra)) => {
                let sb = self.scaled(b);
                let (r, of) = if op == BinOp::Add {
                    self.b.ins().sadd_overflow(ra, sb)
                } else {
                    self.b.ins().ssub_overflow(ra, sb)
                };
                let ok = self.b.create_block();
                self.b.ins().brif(of, bail, &[], ok, &[]);
                self.enter(ok);
                Pending::Rot(r)
            }
            _ => Pending::Raw(self.raw_op(op, a, b, bail)),
        }
    }

    /// A pending small int times 2^16: a boxed one shifted as it is (the tag bits fall off
    /// the top), a raw one shifted.
    fn scaled(&mut self, v: Pending) -> Value {
        match v {
            Pending::Boxed(x) if self.boxed_payload(x).is_none() => self.b.ins().ishl_imm_s(x, 16),
            Pending::Rot(r) => self.b.ins().band_imm_s(r, !0xffff),
            _ => {
                let r = self.raw(v);
                self.b.ins().ishl_imm_s(r, 16)
            }
        }
    }

    /// `a op b` (`+ - * // %`) on small ints, as a raw int, or `bail` when the result
    /// leaves the small ints or the divisor is zero. The operands must be small ints (raw,
    /// or boxed and already tested).
    pub(super) fn raw_op(&mut self, op: BinOp, a: Pending, b: Pending, bail: Block) -> Value {
        let divisor = match b {
            Pending::Boxed(x) => self.small_int_const(x),
            Pending::Raw(_) | Pending::RawF(_) | Pending::Rot(_) => None,
        };
        match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul => {
                // Scaled: the i64 operation overflows exactly when the result leaves the
                // 48-bit small ints.
                let sa = self.scaled(a);
                let (r, of) = match op {
                    BinOp::Add => {
                        let sb = self.scaled(b);
                        self.b.ins().sadd_overflow(sa, sb)
                    }
                    BinOp::Sub => {
                        let sb = self.scaled(b);
                        self.b.ins().ssub_overflow(sa, sb)
                    }
                    _ => {
                        let ib = self.raw(b);
                        self.b.ins().smul_overflow(sa, ib)
                    }
                };
                let ok = self.b.create_block();
                self.b.ins().brif(of, bail, &[], ok, &[]);
                self.enter(ok);
                self.b.ins().sshr_imm_s(r, 16)
            }
            BinOp::Mod | BinOp::FloorDiv if divisor.is_some_and(|d| d > 0) => {
                let d = divisor.expect("a positive divisor");
                let ia = self.raw(a);
                if d & (d - 1) == 0 {
                    // A power of two: two's complement bits round toward minus infinity.
                    return if op == BinOp::Mod {
                        self.b.ins().band_imm_s(ia, d - 1)
                    } else {
                        self.b.ins().sshr_imm_s(ia, i64::from(d.trailing_zeros()))
                    };
                }
                // Bias `a` by `m`, the least multiple of `d` that is at least 2^47: small
                // ints are at least -2^47, so `a + m` is never negative, and below 2^49.
                // Then Python's floor rounding is the unsigned division's,
                // `a % d == (a + m) % d` and `a // d == (a + m) // d - m / d`, and the
                // division is one high multiply (see `floor_magic`), with none of the sign
                // fix-ups of a signed division.
                let m = floor_bias(d);
                let biased = self.b.ins().iadd_imm_s(ia, m);
                let (magic, shift) = floor_magic(d);
                let magic = self.b.ins().iconst(I64, magic as i64);
                let high = self.b.ins().umulhi(biased, magic);
                let q = if shift == 0 {
                    high
                } else {
                    self.b.ins().ushr_imm_s(high, i64::from(shift))
                };
                if op == BinOp::Mod {
                    let qd = self.b.ins().imul_imm_s(q, d);
                    self.b.ins().isub(biased, qd)
                } else {
                    self.b.ins().iadd_imm_s(q, -(m / d))
                }
            }
            BinOp::Mod | BinOp::FloorDiv => {
                let ia = self.raw(a);
                let ib = self.raw(b);
                if divisor.is_none_or(|d| d == 0) {
                    let nz = self.b.create_block();
                    self.b.ins().brif(ib, nz, &[], bail, &[]);
                    self.enter(nz);
                }
                let positive = divisor.is_some_and(|d| d > 0);
                // `a % b` by a variable `b`: when both are in 0..2^32, a 32-bit unsigned
                // division (much quicker than a 64-bit signed one) gives the same result.
                let narrow_join = (op == BinOp::Mod && divisor.is_none()).then(|| {
                    let narrow = self.b.create_block();
                    let wide = self.b.create_block();
                    let join = self.b.create_block();
                    self.b.append_block_param(join, I64);
                    let both = self.b.ins().bor(ia, ib);
                    let small = self.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, both, 1 << 32);
                    self.b.ins().brif(small, narrow, &[], wide, &[]);
                    self.enter(narrow);
                    let a32 = self.b.ins().ireduce(cranelift_codegen::ir::types::I32, ia);
                    let b32 = self.b.ins().ireduce(cranelift_codegen::ir::types::I32, ib);
                    let r32 = self.b.ins().urem(a32, b32);
                    let r = self.b.ins().uextend(I64, r32);
                    self.b.ins().jump(join, &[r.into()]);
                    self.enter(wide);
                    join
                });
                // One hardware division: `%` needs only the remainder, `//` gets the
                // remainder back from the quotient (divisions trap, so an unused one would
                // not be removed).
                let (q, r) = if op == BinOp::Mod {
                    (None, self.b.ins().srem(ia, ib))
                } else {
                    let q = self.b.ins().sdiv(ia, ib);
                    let qb = self.b.ins().imul(q, ib);
                    (Some(q), self.b.ins().isub(ia, qb))
                };
                // Python rounds toward minus infinity: a remainder of the other sign than
                // the divisor moves the quotient down and the remainder up by the divisor.
                let adj = if positive {
                    self.b.ins().icmp_imm_s(IntCC::SignedLessThan, r, 0)
                } else {
                    let rnz = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
                    let x = self.b.ins().bxor(r, ib);
                    let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, x, 0);
                    self.b.ins().band(rnz, neg)
                };
                match q {
                    None => {
                        let up = self.b.ins().iadd(r, ib);
                        let r = self.b.ins().select(adj, up, r);
                        // |a % b| < |b| <= 2^47: the remainder is always a small int.
                        match narrow_join {
                            Some(join) => {
                                self.b.ins().jump(join, &[r.into()]);
                                self.enter(join);
                                self.b.block_params(join)[0]
                            }
                            None => r,
                        }
                    }
                    Some(q) => {
                        let down = self.b.ins().iadd_imm_s(q, -1);
                        let q = self.b.ins().select(adj, down, q);
                        if positive {
                            q
                        } else {
                            // Only -2**47 // -1 leaves the small ints.
                            let s = self.b.ins().ishl_imm_s(q, 16);
                            let back = self.b.ins().sshr_imm_s(s, 16);
                            let fits = self.b.ins().icmp(IntCC::Equal, back, q);
                            let ok = self.b.create_block();
                            self.b.ins().brif(fits, ok, &[], bail, &[]);
                            self.enter(ok);
                            q
                        }
                    }
                }
            }
            _ => unreachable!("not an int operation: {op:?}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{floor_bias, floor_magic};

    /// `x // d` and `x % d` as `raw_op` computes them for a positive constant `d` that is
    /// not a power of two.
    fn biased_floor(x: i64, d: i64) -> (i64, i64) {
        let m = floor_bias(d);
        let biased = (x + m) as u64;
        let (magic, shift) = floor_magic(d);
        let q = (((biased as u128 * magic as u128) >> 64) as u64) >> shift;
        (q as i64 - m / d, biased.wrapping_sub(q.wrapping_mul(d as u64)) as i64)
    }

    #[test]
    fn floor_division_by_constants_matches_python() {
        let lo = -(1i64 << 47);
        let hi = (1i64 << 47) - 1;
        let mut divisors: Vec<i64> = vec![3, 5, 7, 10, 12, 13, 60, 97, 100, 1000, 32767, 32769, 65535, 65537];
        divisors.extend([
            999_983,
            1_000_003,
            1_000_000_007,
            (1 << 46) + 1,
            hi,
            hi - 2,
            (1 << 40) - 1,
        ]);
        for k in 2..47 {
            divisors.extend([(1i64 << k) - 1, (1i64 << k) + 1]);
        }
        // A small deterministic generator (xorshift) for the rest.
        let mut s = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..200 {
            divisors.push((next() % ((1 << 47) - 3)) as i64 + 3);
        }
        for &d in divisors.iter().filter(|d| d.count_ones() > 1) {
            let mut xs = vec![lo, lo + 1, hi, hi - 1, 0, 1, -1, d, -d, d - 1, 1 - d, d + 1, -d - 1];
            xs.extend([hi / d * d, hi / d * d - 1, lo / d * d, lo / d * d - 1, lo / d * d + 1]);
            for _ in 0..300 {
                xs.push(((next() % (1 << 48)) as i64) + lo);
            }
            for x in xs.into_iter().filter(|x| (lo..=hi).contains(x)) {
                assert_eq!(biased_floor(x, d), (x.div_euclid(d), x.rem_euclid(d)), "{x} by {d}");
            }
        }
    }
}
