//! Lowering of one Python scope to Cranelift IR.
//!
//! Storage of names (decided by scope analysis):
//!
//! ```text
//! ScopeKind::Local          a Cranelift variable (SSA, in registers; stack-mapped)
//! ScopeKind::Cell           a Cranelift variable holding the CellObj pointer;
//!                           the value is at [cell + 16]
//! ScopeKind::Free           [func + 56 + 8*i] is the cell (i = index in co_freevars),
//!                           the value is at [cell + 16]
//! Global*                   [globals + 8*slot] (module names, builtins pre-bound)
//! frozen Cell (a captured   a Cranelift variable, like a local; closures get the
//!   parameter never rebound) value itself in their env record, so inside them
//!                           [func + 56 + 8*i] is the value, with no cell between
//! ```
//!
//! Every variable and temporary that holds a Python value is declared as needing a stack
//! map, so at each call Cranelift spills it to a slot the collector can find (and
//! `super::spills` then drops the reloads a non-moving collector does not need). Errors: every
//! operation that can fail is followed by a check for `EXC`; the error edge records a
//! traceback entry (function, line) and jumps to the innermost `try` handler, or to the
//! unwind block, which leaves the function returning `EXC`.

mod arith;

pub(crate) use arith::floor_magic;

use super::facts::BindingFacts;
use super::ProgramInfo;
use crate::scope::{Scope, ScopeKind};
use crate::syntax::ast::*;
use cellar_runtime::object::{
    ObjKind, CELL_VALUE_OFFSET, FUNCTION_CODE_OFFSET, FUNCTION_COUNTDOWN_OFFSET, FUNCTION_ENV_OFFSET, KIND_FUNCTION,
};
use cellar_runtime::value::{Value as PyValue, DOUBLE_OFFSET, EXC, FALSE, INT_TAG, NONE, TRUE, UNBOUND};
use cellar_runtime::vm::{VM_DEPTH_OFFSET, VM_GC_PENDING_OFFSET};
use cranelift_codegen::ir::{
    condcodes::{FloatCC, IntCC},
    types::{F64, I64},
    AliasRegionData, Block, FuncRef, Function, InstBuilder, MemFlagsData, SigRef, SourceLoc, StackSlot, StackSlotData,
    StackSlotKind, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::JITModule;
use cranelift_module::Module as _;
use std::collections::{HashMap, HashSet};

/// Where a name lives in the function being lowered.
#[derive(Clone, Copy, Debug)]
enum Slot {
    Local(Variable),
    Cell(Variable),
    Free(usize),
    /// A captured parameter that nothing rebinds (see `ProgramInfo::frozen`): a plain
    /// variable here; closures get its value, not a cell.
    Frozen(Variable),
    /// A free variable whose binding is frozen: `env[i]` holds the value itself.
    FrozenFree(usize),
    Global(usize),
    /// Not a global slot and not a builtin: reading raises NameError.
    Missing,
}

/// A word an inline allocation stores in its new object on every path (see
/// `Lower::alloc_inline`).
#[derive(Clone, Copy)]
enum Word {
    /// This value.
    Value(Value),
    /// The new object's own address (a closure whose record holds itself).
    Itself,
}

/// Control-flow context for break/continue/return/raise.
enum Frame<'a> {
    Loop {
        brk: Block,
        cont: Block,
    },
    /// Errors inside go to `handler`.
    TryExcept {
        handler: Block,
    },
    /// Errors inside go to `on_error` (runs the finally body, re-raises); return, break and
    /// continue crossing it run `body` inline first.
    TryFinally {
        body: &'a [Stmt],
        on_error: Block,
    },
    /// Inside an `except` clause: the exception being handled (for bare `raise`).
    /// `name` is the `except ... as name` target, unbound when control leaves the clause.
    Handling {
        exc: Variable,
        name: Option<&'a str>,
    },
}

struct Lower<'a, 'b, 'm> {
    b: FunctionBuilder<'b>,
    module: &'m mut JITModule,
    prog: &'a ProgramInfo<'a>,
    scope: &'a Scope,
    slots: HashMap<String, Slot>,
    func_var: Variable,
    frames: Vec<Frame<'a>>,
    unwind: Block,
    funcs: HashMap<&'static str, FuncRef>,
    direct: HashMap<ScopeId, FuncRef>,
    sigs: HashMap<usize, SigRef>,
    scratch: StackSlot,
    scratch_words: u32,
    info_ptr: i64,
    /// Values of str constants (names for messages, attribute names).
    strs: HashMap<String, PyValue>,
    /// Binding facts of this function.
    facts: BindingFacts,
    /// Offsets of a list's/tuple's item pointer and length (see `vec_field_offsets`).
    vec_offsets: (i32, i32),
    /// Offsets, from a dict object's start, of what a dense lookup reads (`DenseLayout`).
    dict_layout: cellar_runtime::dict::DenseLayout,
    /// The heap's budget word, for inline allocation.
    inline_alloc: cellar_runtime::gc::InlineAlloc,
    /// Local and cell names definitely bound at the current point (reads skip the check).
    bound: HashSet<String>,
    /// This frame's Python call depth, the function's second parameter. Compiled code
    /// passes the depth in the call, not in memory: a call passes `depth + 1` and the
    /// callee only compares it with the limit, so nothing is stored, nothing is undone on
    /// return or unwinding, and a frame that calls nothing touches no memory for it. Only a
    /// call into the runtime that can run Python code (`sorted(key=...)`, `map`, a call the
    /// JIT cannot make directly) first stores `depth + 1` in `Vm::depth`, which the
    /// runtime's entry into compiled code (`arr_N`) passes on.
    depth: Value,
    /// `depth + 1`: what calls from this frame pass, and what a call into the runtime
    /// leaves in `Vm::depth` (only this value stays live across calls).
    callee_depth: Value,
    /// While lowering a loop's test: the loop body, the branch target to lay out on the
    /// fall-through side (see [`Lower::brif_likely`]).
    likely: Option<Block>,
    /// Per error target (a handler, or `unwind`), the cold block every raising site that
    /// goes there jumps to with its line (see [`Lower::raise_here`]).
    raise_exits: HashMap<Block, Block>,
    /// The function runs at most once (`ProgramInfo::run_once`).
    runs_once: bool,
    /// How many loops (`while` with its test, `for`) enclose the point being lowered.
    loops: u32,
}

/// The `user_id` of the alias region of the values of cells whose variable has no region of
/// its own (see `Lower::cell_flags`).
pub const CELL_REGION: u32 = 1;

/// The first `user_id` of the alias regions of single variables' cells: variable `k` of
/// scope `s` (its index in `Scope::symbols`) has `CELL_REGIONS_BASE + s * MAX_SYMBOLS + k`.
pub const CELL_REGIONS_BASE: u32 = 1 << 16;

/// Symbols per scope that get a cell region of their own; the rest share [`CELL_REGION`].
const MAX_SYMBOLS: u32 = 1 << 10;

fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Lower scope `id` (0 = the module body) into `func`, whose signature is already set.
pub fn lower_function<'a>(
    module: &mut JITModule,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    prog: &'a ProgramInfo<'a>,
    id: ScopeId,
) {
    let scope = prog.scopes.get(id);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let unwind = b.create_block();
    let scratch = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
    let func_var = b.declare_var(I64);
    b.declare_var_needs_stack_map(func_var);
    let info_ptr = if id.0 == 0 { 0 } else { prog.infos[&id] as i64 };
    let body: &'a [Stmt] = if id.0 == 0 {
        prog.module_body
    } else {
        &prog.defs[&id].body
    };
    let facts = BindingFacts::of(body, scope, crate::program::is_builtin_name(prog.scopes, id, "len"));
    let mut l = Lower {
        b,
        module,
        prog,
        scope,
        slots: HashMap::new(),
        func_var,
        frames: Vec::new(),
        unwind,
        funcs: HashMap::new(),
        direct: HashMap::new(),
        sigs: HashMap::new(),
        scratch,
        scratch_words: 1,
        info_ptr,
        strs: HashMap::new(),
        facts,
        vec_offsets: cellar_runtime::object::vec_field_offsets(),
        dict_layout: cellar_runtime::dict::DenseLayout::get()
            .within(std::mem::offset_of!(cellar_runtime::object::DictObj, d) as i32),
        inline_alloc: cellar_runtime::gc::inline_alloc(),
        bound: HashSet::new(),
        likely: None,
        raise_exits: HashMap::new(),
        depth: Value::from_u32(0),
        callee_depth: Value::from_u32(0),
        runs_once: prog.run_once.contains(&id),
        loops: 0,
    };
    l.prologue(entry);
    l.stmts(body);
    if !l.terminated() {
        let none = l.b.ins().iconst(I64, NONE.0 as i64);
        l.ret(none);
    }
    l.finish();
}

impl<'a, 'b, 'm> Lower<'a, 'b, 'm> {
    // ---------------------------------------------------------------- plumbing

    /// Continue lowering in `block`, whose predecessors are all known (seal it).
    fn enter(&mut self, block: Block) {
        self.b.switch_to_block(block);
        self.b.seal_block(block);
    }

    fn new_var(&mut self) -> Variable {
        let v = self.b.declare_var(I64);
        self.b.declare_var_needs_stack_map(v);
        v
    }

    fn iconst(&mut self, v: i64) -> Value {
        self.b.ins().iconst(I64, v)
    }

    fn pyconst(&mut self, v: PyValue) -> Value {
        self.b.ins().iconst(I64, v.0 as i64)
    }

    fn terminated(&self) -> bool {
        match self.b.current_block() {
            None => true,
            Some(blk) => self
                .b
                .func
                .layout
                .last_inst(blk)
                .map(|i| self.b.func.dfg.insts[i].opcode().is_terminator())
                .unwrap_or(false),
        }
    }

    /// Start a fresh block for code that follows a terminator (it is unreachable).
    fn dead_block(&mut self) {
        let blk = self.b.create_block();
        self.b.switch_to_block(blk);
    }

    fn rt(&mut self, name: &'static str) -> FuncRef {
        if let Some(&f) = self.funcs.get(name) {
            return f;
        }
        let id = match self.prog.trampolines.get(name) {
            Some(&t) => t,
            None => self.prog.imports[name].0,
        };
        let f = self.module.declare_func_in_func(id, self.b.func);
        self.funcs.insert(name, f);
        f
    }

    /// Call a runtime entry point; returns its result (marked as a GC reference). If the
    /// entry point may allocate, poll for a pending collection right after it: allocation
    /// only happens in the runtime, so these polls (on slow paths) are the only safepoints
    /// compiled code needs, and fast paths carry none.
    fn call_rt(&mut self, name: &'static str, args: &[Value]) -> Value {
        let f = self.rt(name);
        if self.prog.trampolines.contains_key(name) {
            // It may call back into compiled code: leave the depth of a frame we would call
            // where `arr_N` reads it.
            let vm = self.vm_addr();
            self.b.ins().store(flags(), self.callee_depth, vm, VM_DEPTH_OFFSET);
        }
        let inst = self.b.ins().call(f, args);
        let r = match self.b.inst_results(inst).first().copied() {
            Some(r) => {
                self.b.declare_value_needs_stack_map(r);
                r
            }
            None => self.iconst(0),
        };
        if may_allocate(name) && !writes_scratch(name) {
            self.gc_poll();
        }
        r
    }

    /// A new cell holding `v` (inline allocation, then a safepoint).
    fn new_cell(&mut self, v: Value) -> Value {
        self.alloc_inline(
            24,
            ObjKind::Cell as i64,
            &[(CELL_VALUE_OFFSET, v)],
            &[],
            cellar_runtime::gc::cell_spend,
            &[v],
            "rt_new_cell",
        )
    }

    /// Allocate a pooled object inline: pop a slot from its size class's free list, write
    /// header word 0, `fields` and `words`, and subtract `spend(size)` from the budget word
    /// (the size in bytes, and a count of one closure or cell: see
    /// `cellar_runtime::gc::BUDGET_SHIFT`). When the free list is empty, call the runtime
    /// allocator `slow` with `slow_args` instead (it writes header word 0 and `fields`
    /// itself, and counts; `words` are stored after it returns).
    ///
    /// The object is complete before any safepoint. Only the two cold paths poll for a
    /// collection: `Vm::gc_pending` is only ever set when a budget runs out, so the fast
    /// path, which spent from a budget that had room, cannot find it set (and one left set
    /// by a collection hold is seen at the next poll anywhere):
    ///
    /// ```text
    ///   p = *free_list ; brif p, fast, slow
    ///   fast:      pop p, store header and words, budget -= spend(size)
    ///              brif budget < 0, overdrawn, join(p)
    ///   overdrawn: call rt_budget_exhausted ; poll ; jump join(p)      (cold)
    ///   slow:      r = call slow(slow_args) ; store words ; poll ; jump join(r)   (cold)
    /// ```
    #[allow(clippy::too_many_arguments)]
    fn alloc_inline(
        &mut self,
        size: usize,
        word0: i64,
        fields: &[(i32, Value)],
        words: &[(i32, Word)],
        spend: fn(usize) -> i64,
        slow_args: &[Value],
        slow: &'static str,
    ) -> Value {
        // Code that runs once gains nothing from the fast path, and its compile time is on
        // the way to `main`'s first instruction.
        let head = cellar_runtime::gc::free_list_head(size).filter(|_| !self.runs_once_here());
        let Some(head) = head else {
            let r = self.call_slow_alloc(slow, slow_args, words);
            let cont = self.b.create_block();
            self.poll_then(cont);
            self.enter(cont);
            return r;
        };
        let res = self.new_var();
        let fast = self.b.create_block();
        let slowb = self.b.create_block();
        let overdrawn = self.b.create_block();
        let join = self.b.create_block();
        let head = self.iconst(head as i64);
        let p = self.b.ins().load(I64, flags(), head, 0);
        self.b.ins().brif(p, fast, &[], slowb, &[]);
        self.enter(fast);
        let next = self.b.ins().load(I64, flags(), p, 8);
        self.b.ins().store(flags(), next, head, 0);
        let w0 = self.iconst(word0);
        self.b.ins().store(flags(), w0, p, 0);
        for &(off, v) in fields {
            self.b.ins().store(flags(), v, p, off);
        }
        self.store_words(p, words);
        self.b.declare_value_needs_stack_map(p);
        self.b.def_var(res, p);
        let budget = self.iconst(self.inline_alloc.budget as i64);
        let b = self.b.ins().load(I64, flags(), budget, 0);
        let b = self.b.ins().iadd_imm_s(b, -spend(size));
        self.b.ins().store(flags(), b, budget, 0);
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, b, 0);
        self.b.ins().brif(neg, overdrawn, &[], join, &[]);
        self.enter(overdrawn);
        self.b.set_cold_block(overdrawn);
        let f = self.rt("rt_budget_exhausted");
        self.b.ins().call(f, &[]);
        self.poll_then(join);
        self.enter(slowb);
        self.b.set_cold_block(slowb);
        let r = self.call_slow_alloc(slow, slow_args, words);
        self.b.def_var(res, r);
        self.poll_then(join);
        self.enter(join);
        self.b.use_var(res)
    }

    /// Does the code being lowered run at most once per run of the program: outside every
    /// loop of a function that runs once?
    fn runs_once_here(&self) -> bool {
        self.runs_once && self.loops == 0
    }

    /// Call the runtime allocator `slow` and store `words` in what it returns.
    fn call_slow_alloc(&mut self, slow: &'static str, slow_args: &[Value], words: &[(i32, Word)]) -> Value {
        let f = self.rt(slow);
        let inst = self.b.ins().call(f, slow_args);
        let r = self.b.inst_results(inst)[0];
        self.b.declare_value_needs_stack_map(r);
        self.store_words(r, words);
        r
    }

    /// Store `words` in the object `obj`.
    fn store_words(&mut self, obj: Value, words: &[(i32, Word)]) {
        for &(off, w) in words {
            let v = match w {
                Word::Value(v) => v,
                Word::Itself => obj,
            };
            self.b.ins().store(flags(), v, obj, off);
        }
    }

    /// Poll for a collection, then jump to `cont`; the call to the poll trampoline is in a
    /// cold block.
    fn poll_then(&mut self, cont: Block) {
        let vm = self.vm_addr();
        let pending = self.b.ins().load(I64, flags(), vm, VM_GC_PENDING_OFFSET);
        let poll = self.b.create_block();
        self.b.ins().brif(pending, poll, &[], cont, &[]);
        self.b.set_cold_block(poll);
        self.enter(poll);
        let f = match self.funcs.get("gc_poll") {
            Some(&f) => f,
            None => {
                let f = self.module.declare_func_in_func(self.prog.gc_poll, self.b.func);
                self.funcs.insert("gc_poll", f);
                f
            }
        };
        self.b.ins().call(f, &[]);
        self.b.ins().jump(cont, &[]);
    }

    fn line_of(&self, span: Span) -> u32 {
        self.prog.source.line(span.start)
    }

    fn set_line(&mut self, span: Span) {
        let line = self.line_of(span);
        self.b.set_srcloc(SourceLoc::new(line));
    }

    fn error_target(&self) -> Block {
        for f in self.frames.iter().rev() {
            match f {
                Frame::TryExcept { handler } => return *handler,
                Frame::TryFinally { on_error, .. } => return *on_error,
                _ => {}
            }
        }
        self.unwind
    }

    /// Jump to the error path: record (function, line) in the traceback, then go to the
    /// innermost handler. The recording is one cold block per handler, shared by every
    /// site that raises to it, which passes its line:
    ///
    /// ```text
    /// site:  jump raise_exit(line)
    /// raise_exit(line) cold:  call rt_traceback_add(&code, line); jump handler
    /// ```
    ///
    /// (A copy per site made 40 `rt_traceback_add` calls in counter's `main`; 12 now, one
    /// per inlined callee and one of its own.)
    fn raise_here(&mut self, span: Span) {
        let line = self.line_of(span);
        let l = self.iconst(line as i64);
        let target = self.error_target();
        let (exit, first) = match self.raise_exits.get(&target) {
            Some(&exit) => (exit, false),
            None => {
                let exit = self.b.create_block();
                self.b.set_cold_block(exit);
                self.b.append_block_param(exit, I64);
                self.raise_exits.insert(target, exit);
                (exit, true)
            }
        };
        self.b.ins().jump(exit, &[l.into()]);
        if first {
            // Filled now; sealed with the rest at the end, once every site is known.
            self.b.switch_to_block(exit);
            let line = self.b.block_params(exit)[0];
            let info = self.iconst(self.info_ptr);
            self.call_rt("rt_traceback_add", &[info, line]);
            self.b.ins().jump(target, &[]);
        }
    }

    /// If `v` is EXC, take the error path.
    fn check(&mut self, v: Value, span: Span) {
        let is_exc = self.b.ins().icmp_imm_s(IntCC::Equal, v, EXC.0 as i64);
        let err = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(is_exc, err, &[], ok, &[]);
        self.b.set_cold_block(err);
        self.enter(err);
        self.raise_here(span);
        self.enter(ok);
    }

    fn str_const(&mut self, s: &str) -> PyValue {
        if let Some(&v) = self.strs.get(s) {
            return v;
        }
        let v = cellar_runtime::objects::new_str(s);
        cellar_runtime::vm::vm().constants.push(v);
        self.strs.insert(s.to_string(), v);
        v
    }

    fn store_scratch(&mut self, vals: &[Value]) -> Value {
        self.scratch_words = self.scratch_words.max(vals.len() as u32).max(1);
        for (i, &v) in vals.iter().enumerate() {
            self.b.ins().stack_store(I64, v, self.scratch, (8 * i) as i32);
        }
        self.b.ins().stack_addr(I64, self.scratch, 0)
    }

    fn sig(&mut self, nargs: usize) -> SigRef {
        if let Some(&s) = self.sigs.get(&nargs) {
            return s;
        }
        let sig = super::word_sig(self.module, nargs + 2, true);
        let s = self.b.import_signature(sig);
        self.sigs.insert(nargs, s);
        s
    }

    fn vm_addr(&mut self) -> Value {
        self.iconst(self.prog.vm_addr)
    }

    /// Poll for a collection (a safepoint), then go on.
    fn gc_poll(&mut self) {
        let cont = self.b.create_block();
        self.poll_then(cont);
        self.enter(cont);
    }

    fn ret(&mut self, v: Value) {
        self.b.ins().return_(&[v]);
    }

    // ---------------------------------------------------------------- prologue / epilogue

    fn prologue(&mut self, entry: Block) {
        self.enter(entry);
        let params = self.b.block_params(entry).to_vec();
        for (i, &p) in params.iter().enumerate() {
            // Arguments stay live across the cell allocations below (the depth is a plain
            // integer, no GC reference).
            if i != 1 {
                self.b.declare_value_needs_stack_map(p);
            }
        }
        self.b.def_var(self.func_var, params[0]);
        // Depth check: the caller passed our depth (see `Lower::depth`; keeping it in
        // memory cost a load, an add and a store on entry and again on return, and keeping
        // it in Cranelift's pinned register measured slower still).
        self.depth = params[1];
        self.callee_depth = self.b.ins().iadd_imm_s(self.depth, 1);
        let limit = cellar_runtime::vm::vm().depth_limit as i64;
        let over = self.b.ins().icmp_imm_s(IntCC::UnsignedGreaterThan, self.depth, limit);
        let deep = self.b.create_block();
        let body = self.b.create_block();
        self.b.ins().brif(over, deep, &[], body, &[]);
        self.b.set_cold_block(deep);
        self.enter(deep);
        self.call_rt("rt_raise_recursion", &[]);
        self.b.ins().jump(self.unwind, &[]);
        self.enter(body);
        if self.prog.specializable.contains(&self.scope.id) {
            self.count_down_to_specialization(&params);
        }

        // Name slots.
        let scope = self.scope;
        for y in &scope.symbols {
            let slot = if scope.is_module {
                self.global_slot(&y.name)
            } else {
                match y.kind {
                    ScopeKind::Local if self.facts.range_only.contains(&y.name) && self.is_builtin_name("range") => {
                        // Always a small int: no stack map needed.
                        Slot::Local(self.b.declare_var(I64))
                    }
                    ScopeKind::Local => Slot::Local(self.new_var()),
                    ScopeKind::Cell if self.prog.frozen.contains(&(scope.id, y.name.clone())) => {
                        Slot::Frozen(self.new_var())
                    }
                    ScopeKind::Cell => Slot::Cell(self.new_var()),
                    ScopeKind::Free if self.binding_is_frozen(&y.name) => {
                        Slot::FrozenFree(scope.freevars.iter().position(|f| *f == y.name).expect("free var"))
                    }
                    ScopeKind::Free => Slot::Free(scope.freevars.iter().position(|f| *f == y.name).expect("free var")),
                    ScopeKind::GlobalExplicit | ScopeKind::GlobalImplicit => self.global_slot(&y.name),
                }
            };
            self.slots.insert(y.name.clone(), slot);
        }
        let unbound = self.pyconst(UNBOUND);
        for y in &scope.symbols {
            if let Some(Slot::Local(v) | Slot::Frozen(v)) = self.slots.get(&y.name).copied() {
                self.b.def_var(v, unbound);
            }
        }
        for (i, p) in scope.params.iter().enumerate() {
            let arg = params[i + 2];
            self.note_bound(p);
            match self.slots[p] {
                Slot::Local(v) | Slot::Frozen(v) => self.b.def_var(v, arg),
                Slot::Cell(v) => {
                    let c = self.new_cell(arg);
                    self.b.def_var(v, c);
                }
                _ => {}
            }
        }
        for name in &scope.cellvars {
            if !scope.params.contains(name) {
                if let Slot::Cell(v) = self.slots[name] {
                    let c = self.new_cell(unbound);
                    self.b.def_var(v, c);
                }
            }
        }
    }

    /// A specialisable function's countdown (see `jit::specialize`): one call fewer before
    /// the closure asks for a body of its own. At zero (a cold block), this frame's call is
    /// made again by `rt_specialize_call`, which first asks for that body, and its result is
    /// returned as this frame's. The closure and the arguments are not live across that
    /// call, so the countdown costs the hot path no spill.
    fn count_down_to_specialization(&mut self, params: &[Value]) {
        let closure = params[0];
        let left = self.b.ins().load(I64, flags(), closure, FUNCTION_COUNTDOWN_OFFSET);
        let left = self.b.ins().iadd_imm_s(left, -1);
        self.b.ins().store(flags(), left, closure, FUNCTION_COUNTDOWN_OFFSET);
        let due = self.b.ins().icmp_imm_s(IntCC::Equal, left, 0);
        let ask = self.b.create_block();
        let cont = self.b.create_block();
        self.b.ins().brif(due, ask, &[], cont, &[]);
        self.b.set_cold_block(ask);
        self.enter(ask);
        let argv = self.store_scratch(&params[2..]);
        let n = self.iconst((params.len() - 2) as i64);
        // The call made again runs at this frame's depth.
        let vm = self.iconst(self.prog.vm_addr);
        self.b.ins().store(flags(), params[1], vm, VM_DEPTH_OFFSET);
        let r = self.call_rt("rt_specialize_call", &[closure, argv, n]);
        // `EXC` leaves through the unwind block (the frame made again has added its own
        // traceback entry): a body returns `EXC` from nowhere else, which inlining relies
        // on (see `jit::inline`).
        let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, EXC.0 as i64);
        let done = self.b.create_block();
        self.b.set_cold_block(done);
        self.b.ins().brif(failed, self.unwind, &[], done, &[]);
        self.enter(done);
        self.b.ins().return_(&[r]);
        self.enter(cont);
    }

    /// Is the variable that free name `name` refers to frozen?
    fn binding_is_frozen(&self, name: &str) -> bool {
        self.cell_owner(name)
            .is_some_and(|id| self.prog.frozen.contains(&(id, name.to_string())))
    }

    /// The nearest enclosing function that holds the free name `name` in a cell.
    fn cell_owner(&self, name: &str) -> Option<ScopeId> {
        let mut s = self.scope.parent;
        while let Some(id) = s {
            let sc = self.prog.scopes.get(id);
            if !sc.is_module && sc.symbol(name).map(|y| y.kind == ScopeKind::Cell).unwrap_or(false) {
                return Some(id);
            }
            s = sc.parent;
        }
        None
    }

    fn global_slot(&self, name: &str) -> Slot {
        match self.prog.global_slots.get(name) {
            Some(&s) => Slot::Global(s),
            None => Slot::Missing,
        }
    }

    fn finish(mut self) {
        // The unwind block: leave with EXC.
        self.b.switch_to_block(self.unwind);
        let exc = self.pyconst(EXC);
        self.ret(exc);
        let words = self.scratch_words;
        self.b.func.sized_stack_slots[self.scratch].size = 8 * words;
        self.b.seal_all_blocks();
        let cfg = self.module.target_config();
        self.b.finalize(cfg);
    }

    // ---------------------------------------------------------------- names

    fn load_name(&mut self, name: &str, span: Span) -> Value {
        let slot = self.slots.get(name).copied().unwrap_or_else(|| self.global_slot(name));
        let nameval = self.str_const(name);
        let (v, raiser) = match slot {
            Slot::Local(var) => {
                let v = self.b.use_var(var);
                if self.bound.contains(name) {
                    return v;
                }
                (v, "rt_raise_unbound_local")
            }
            Slot::Cell(var) => {
                let c = self.b.use_var(var);
                let cf = self.cell_flags(name);
                let v = self.b.ins().load(I64, cf, c, CELL_VALUE_OFFSET);
                self.b.declare_value_needs_stack_map(v);
                if self.bound.contains(name) {
                    return v;
                }
                (v, "rt_raise_unbound_local")
            }
            Slot::Free(i) => {
                let c = self.free_cell(i);
                let cf = self.cell_flags(name);
                let v = self.b.ins().load(I64, cf, c, CELL_VALUE_OFFSET);
                self.b.declare_value_needs_stack_map(v);
                if self
                    .cell_owner(name)
                    .is_some_and(|o| self.prog.always_bound.contains(&(o, name.to_string())))
                {
                    return v;
                }
                (v, "rt_raise_unbound_free")
            }
            // A parameter (bound by the call), or a local frozen once assigned.
            Slot::Frozen(var) => {
                let v = self.b.use_var(var);
                if self.bound.contains(name) {
                    return v;
                }
                (v, "rt_raise_unbound_local")
            }
            Slot::FrozenFree(i) => return self.free_cell(i),
            Slot::Global(s) => {
                let v = self.load_global(s);
                if self.prog.shadowed_builtins.contains(name) {
                    // Empty: the builtin of that name (or NameError).
                    let ok = self.b.create_block();
                    let p = self.b.append_block_param(ok, I64);
                    self.b.declare_value_needs_stack_map(p);
                    let bad = self.b.create_block();
                    self.b.ins().brif(v, ok, &[v.into()], bad, &[]);
                    self.b.set_cold_block(bad);
                    self.enter(bad);
                    let n = self.pyconst(nameval);
                    let r = self.call_rt("rt_global_fallback", &[n]);
                    self.check(r, span);
                    self.b.ins().jump(ok, &[r.into()]);
                    self.enter(ok);
                    return p;
                }
                if !self.scope.is_module && self.prog.globals_bound.contains(name) {
                    return v;
                }
                (v, "rt_raise_name_error")
            }
            Slot::Missing => {
                let n = self.pyconst(nameval);
                self.call_rt("rt_raise_name_error", &[n]);
                self.raise_here(span);
                self.dead_block();
                return self.pyconst(NONE);
            }
        };
        self.bound_or_raise(v, raiser, nameval, span)
    }

    /// `v`, after a test that raises with `raiser(name)` (on a cold path) if it is unbound.
    fn bound_or_raise(&mut self, v: Value, raiser: &'static str, nameval: PyValue, span: Span) -> Value {
        let bad = self.b.create_block();
        let ok = self.b.create_block();
        self.b.ins().brif(v, ok, &[], bad, &[]);
        self.b.set_cold_block(bad);
        self.enter(bad);
        let n = self.pyconst(nameval);
        self.call_rt(raiser, &[n]);
        self.raise_here(span);
        self.enter(ok);
        v
    }

    /// Flags of a read or write of the value of the cell of variable `name` (a cell
    /// variable of this scope, or a free variable of it).
    ///
    /// Each variable's cells have an alias region of their own: a cell is made for one
    /// variable of one scope (`make_counter`'s `count`) and only ever read and written as
    /// that variable, so a store to one variable's cell leaves every other variable's cell
    /// as it was, and a store to a list, a dict or a stack slot (no region) leaves all of
    /// them. Cranelift's alias analysis then keeps `count` in a register across a store
    /// to `total`. Calls (the runtime, `cell_contents`) still observe every region. The
    /// `user_id` is the same in every function, so inlining merges the regions of caller
    /// and callee.
    fn cell_flags(&mut self, name: &str) -> MemFlagsData {
        let owner = if self.scope.symbol(name).is_some_and(|y| y.kind == ScopeKind::Cell) {
            Some(self.scope.id)
        } else {
            self.cell_owner(name)
        };
        let own = owner.and_then(|o| {
            let k = self.prog.scopes.get(o).symbols.iter().position(|y| y.name == name)? as u32;
            let id = o.0.checked_mul(MAX_SYMBOLS)?.checked_add(CELL_REGIONS_BASE)?;
            (k < MAX_SYMBOLS).then(|| id.checked_add(k)).flatten()
        });
        let data = match own {
            Some(user_id) => AliasRegionData {
                user_id,
                description: format!("cell {name}").into(),
            },
            None => AliasRegionData {
                user_id: CELL_REGION,
                description: "cell value".into(),
            },
        };
        let region = self.b.func.dfg.alias_regions.insert(data);
        flags().with_alias_region(Some(region))
    }

    /// Entry `i` of the running closure's environment record (a cell, or a frozen value).
    /// The record never changes after the closure is made and the running closure is
    /// always a function with this record, so the load may be merged with others and moved
    /// (`readonly`, `can_move`): a loop reads each entry once.
    fn free_cell(&mut self, i: usize) -> Value {
        let f = self.b.use_var(self.func_var);
        let c = self.b.ins().load(
            I64,
            flags().with_readonly().with_can_move(),
            f,
            FUNCTION_ENV_OFFSET + 8 * i as i32,
        );
        self.b.declare_value_needs_stack_map(c);
        c
    }

    /// Record that `name` is bound here, if nothing can unbind it behind our back.
    fn note_bound(&mut self, name: &str) {
        let stable = match self.slots.get(name) {
            // A frozen variable is bound once and never rebound (`ProgramInfo::frozen`).
            Some(Slot::Local(_)) | Some(Slot::Frozen(_)) => true,
            // Unless the program can empty cells through introspection (`del
            // g.__closure__[i].cell_contents`).
            Some(Slot::Cell(_)) => {
                !self.prog.cells_writable && self.scope.symbol(name).is_some_and(|y| !y.rebound_by_inner)
            }
            _ => false,
        };
        if stable && !self.facts.unbindable.contains(name) {
            self.bound.insert(name.to_string());
        }
    }

    fn store_name(&mut self, name: &str, v: Value) {
        self.note_bound(name);
        self.store_unnoted(name, v);
    }

    /// Store `v` in `name`'s slot without recording it as bound: for `:=`, which can sit
    /// in a branch of an expression (`a and (b := f())`) that the statement-level tracking
    /// of bound names does not see.
    fn store_unnoted(&mut self, name: &str, v: Value) {
        let slot = self.slots.get(name).copied().unwrap_or_else(|| self.global_slot(name));
        match slot {
            Slot::Local(var) | Slot::Frozen(var) => self.b.def_var(var, v),
            Slot::FrozenFree(_) => unreachable!("a frozen variable is never rebound: {name}"),
            Slot::Cell(var) => {
                let c = self.b.use_var(var);
                let cf = self.cell_flags(name);
                self.b.ins().store(cf, v, c, CELL_VALUE_OFFSET);
            }
            Slot::Free(i) => {
                let c = self.free_cell(i);
                let cf = self.cell_flags(name);
                self.b.ins().store(cf, v, c, CELL_VALUE_OFFSET);
            }
            Slot::Global(s) => {
                let g = self.iconst(self.prog.globals_addr);
                self.b.ins().store(flags(), v, g, (8 * s) as i32);
            }
            Slot::Missing => unreachable!("binding of a name without a slot: {name}"),
        }
    }

    /// The word in global slot `s` (UNBOUND when the module does not bind the name).
    fn load_global(&mut self, s: usize) -> Value {
        let g = self.iconst(self.prog.globals_addr);
        let v = self.b.ins().load(I64, flags(), g, (8 * s) as i32);
        self.b.declare_value_needs_stack_map(v);
        v
    }

    fn delete_name(&mut self, name: &str, span: Span) {
        // Reading first raises the right error when unbound. A global is unbound when its
        // slot is empty, even if a read would find a builtin of that name.
        let slot = self.slots.get(name).copied().unwrap_or_else(|| self.global_slot(name));
        if let Slot::Global(s) = slot {
            let v = self.load_global(s);
            let nameval = self.str_const(name);
            self.bound_or_raise(v, "rt_raise_name_error", nameval, span);
        } else {
            self.load_name(name, span);
        }
        let u = self.pyconst(UNBOUND);
        self.store_name(name, u);
    }

    /// What a new closure's env record holds for a captured variable: its cell, or for a
    /// frozen variable its value.
    fn cell_of(&mut self, name: &str) -> Value {
        match self.slots.get(name).copied() {
            Some(Slot::Cell(var)) | Some(Slot::Frozen(var)) => self.b.use_var(var),
            Some(Slot::Free(i)) | Some(Slot::FrozenFree(i)) => self.free_cell(i),
            other => panic!("captured variable {name} is not a cell here: {other:?}"),
        }
    }

    // ---------------------------------------------------------------- statements

    fn stmts(&mut self, body: &'a [Stmt]) {
        for s in body {
            if self.terminated() {
                self.dead_block();
            }
            self.stmt(s);
        }
    }

    fn stmt(&mut self, s: &'a Stmt) {
        self.set_line(s.span);
        match &s.kind {
            StmtKind::Expr(e) => {
                self.expr(e);
            }
            StmtKind::Assign { targets, value } => {
                if targets.len() == 1 {
                    if let (ExprKind::Tuple(ts) | ExprKind::List(ts), ExprKind::Tuple(vs)) =
                        (&targets[0].kind, &value.kind)
                    {
                        if ts.len() == vs.len() && !ts.iter().chain(vs).any(|e| matches!(e.kind, ExprKind::Starred(_)))
                        {
                            let vals: Vec<Value> = vs.iter().map(|v| self.expr(v)).collect();
                            for (t, v) in ts.iter().zip(vals) {
                                self.assign(t, v);
                            }
                            return;
                        }
                    }
                }
                let v = self.expr(value);
                for t in targets {
                    self.assign(t, v);
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(target, *op, value, s.span),
            StmtKind::FunctionDef(f) => {
                let v = self.make_function(f);
                self.store_name(&f.name, v);
            }
            StmtKind::Return(v) => {
                let v = match v {
                    Some(e) => self.expr(e),
                    None => self.pyconst(NONE),
                };
                self.unwind_to(None);
                if !self.terminated() {
                    self.ret(v);
                }
            }
            StmtKind::If { test, body, orelse } => {
                let then = self.b.create_block();
                let els = self.b.create_block();
                let join = self.b.create_block();
                self.cond(test, then, els);
                let before = self.bound.clone();
                self.enter(then);
                self.stmts(body);
                let then_live = !self.terminated();
                if then_live {
                    self.b.ins().jump(join, &[]);
                }
                let then_bound = std::mem::replace(&mut self.bound, before.clone());
                self.enter(els);
                self.stmts(orelse);
                let else_live = !self.terminated();
                if else_live {
                    self.b.ins().jump(join, &[]);
                }
                self.bound = match (then_live, else_live) {
                    (true, true) => then_bound.intersection(&self.bound).cloned().collect(),
                    (true, false) => then_bound,
                    (false, true) => std::mem::take(&mut self.bound),
                    (false, false) => before,
                };
                self.enter(join);
            }
            StmtKind::While { test, body, orelse } => {
                self.loops += 1;
                let head = self.b.create_block();
                let bodyb = self.b.create_block();
                let elseb = self.b.create_block();
                let exit = self.b.create_block();
                self.b.ins().jump(head, &[]);
                let before = self.bound.clone();
                self.b.switch_to_block(head);
                self.likely = Some(bodyb);
                self.cond(test, bodyb, elseb);
                self.likely = None;
                self.enter(bodyb);
                self.loop_rest(head, exit, elseb, body, orelse, &before);
                self.bound = before;
                self.loops -= 1;
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => self.for_loop(target, iter, body, orelse, s.span),
            StmtKind::Break | StmtKind::Continue => {
                let is_break = matches!(s.kind, StmtKind::Break);
                let idx = self
                    .frames
                    .iter()
                    .rposition(|f| matches!(f, Frame::Loop { .. }))
                    .expect("loop");
                let target = match self.frames[idx] {
                    Frame::Loop { brk, cont } => {
                        if is_break {
                            brk
                        } else {
                            cont
                        }
                    }
                    _ => unreachable!(),
                };
                self.unwind_to(Some(idx));
                if !self.terminated() {
                    self.b.ins().jump(target, &[]);
                }
            }
            StmtKind::Pass | StmtKind::Global(_) | StmtKind::Nonlocal(_) => {}
            StmtKind::Delete(targets) => {
                for t in targets {
                    match &t.kind {
                        ExprKind::Name(n) => self.delete_name(n, t.span),
                        ExprKind::Subscript { value, index } => {
                            let o = self.expr(value);
                            let k = self.expr(index);
                            let r = self.call_rt("rt_delitem", &[o, k]);
                            self.check(r, t.span);
                        }
                        ExprKind::Attribute { value, attr } => {
                            let o = self.expr(value);
                            let n = self.str_const(&attr.name);
                            let n = self.pyconst(n);
                            let r = self.call_rt("rt_delattr", &[o, n]);
                            self.check(r, t.span);
                        }
                        ExprKind::Tuple(ts) | ExprKind::List(ts) => {
                            for t in ts {
                                if let ExprKind::Name(n) = &t.kind {
                                    self.delete_name(n, t.span);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            StmtKind::Assert { test, msg } => {
                let fail = self.b.create_block();
                let ok = self.b.create_block();
                self.cond(test, ok, fail);
                self.enter(fail);
                self.b.set_cold_block(fail);
                let m = match msg {
                    Some(m) => self.expr(m),
                    None => self.pyconst(UNBOUND),
                };
                self.call_rt("rt_raise_assert", &[m]);
                self.raise_here(s.span);
                self.enter(ok);
            }
            StmtKind::Raise(e) => {
                match e {
                    Some(e) => {
                        let v = self.expr(e);
                        self.call_rt("rt_raise", &[v]);
                    }
                    None => {
                        let cur = self.frames.iter().rev().find_map(|f| {
                            if let Frame::Handling { exc, .. } = f {
                                Some(*exc)
                            } else {
                                None
                            }
                        });
                        let v = match cur {
                            Some(var) => self.b.use_var(var),
                            None => self.pyconst(UNBOUND),
                        };
                        self.call_rt("rt_reraise", &[v]);
                    }
                }
                self.raise_here(s.span);
            }
            StmtKind::Try {
                body,
                handlers,
                orelse,
                finalbody,
            } => self.try_stmt(body, handlers, orelse, finalbody),
        }
    }

    /// Run the finally bodies between the current point and frame `keep` (exclusive; `None`
    /// = all of them, for `return`).
    fn unwind_to(&mut self, keep: Option<usize>) {
        let start = keep.map(|k| k + 1).unwrap_or(0);
        let mut i = self.frames.len();
        while i > start {
            i -= 1;
            match self.frames[i] {
                Frame::TryFinally { body, .. } => {
                    let saved: Vec<Frame<'a>> = self.frames.drain(i..).collect();
                    self.stmts(body);
                    self.frames.extend(saved);
                    if self.terminated() {
                        return;
                    }
                }
                // As CPython: leaving `except E as name` by break/continue/return unbinds it.
                Frame::Handling { name: Some(n), .. } => {
                    let u = self.pyconst(UNBOUND);
                    self.store_name(n, u);
                }
                _ => {}
            }
        }
    }

    fn try_stmt(&mut self, body: &'a [Stmt], handlers: &'a [ExceptHandler], orelse: &'a [Stmt], finalbody: &'a [Stmt]) {
        let before = self.bound.clone();
        self.try_stmt_inner(body, handlers, orelse, finalbody, &before);
        self.bound = before;
    }

    fn try_stmt_inner(
        &mut self,
        body: &'a [Stmt],
        handlers: &'a [ExceptHandler],
        orelse: &'a [Stmt],
        finalbody: &'a [Stmt],
        before: &HashSet<String>,
    ) {
        let has_finally = !finalbody.is_empty();
        let after = self.b.create_block();
        let fin_err = self.b.create_block();
        if has_finally {
            self.frames.push(Frame::TryFinally {
                body: finalbody,
                on_error: fin_err,
            });
        }
        if handlers.is_empty() {
            self.stmts(body);
            if !self.terminated() {
                self.stmts(orelse);
            }
        } else {
            let handler = self.b.create_block();
            self.frames.push(Frame::TryExcept { handler });
            self.stmts(body);
            self.frames.pop();
            if !self.terminated() {
                self.stmts(orelse);
            }
            if !self.terminated() {
                self.b.ins().jump(after, &[]);
            }
            // Handlers: an exception may come from anywhere in the body.
            self.bound = before.clone();
            self.enter(handler);
            let exc = self.call_rt("rt_take_exception", &[]);
            let exc_var = self.new_var();
            self.b.def_var(exc_var, exc);
            for h in handlers {
                let next = self.b.create_block();
                if let Some(t) = &h.typ {
                    let tv = self.expr(t);
                    let e = self.b.use_var(exc_var);
                    let m = self.call_rt("rt_exc_matches", &[e, tv]);
                    let is_err = self.b.ins().icmp_imm_s(IntCC::Equal, m, 2);
                    let err = self.b.create_block();
                    let chk = self.b.create_block();
                    self.b.ins().brif(is_err, err, &[], chk, &[]);
                    self.enter(err);
                    self.raise_here(t.span);
                    self.enter(chk);
                    let run = self.b.create_block();
                    self.b.ins().brif(m, run, &[], next, &[]);
                    self.enter(run);
                }
                let e = self.b.use_var(exc_var);
                if let Some(n) = &h.name {
                    self.store_name(&n.name, e);
                }
                self.frames.push(Frame::Handling {
                    exc: exc_var,
                    name: h.name.as_ref().map(|n| n.name.as_str()),
                });
                self.bound = before.clone();
                self.stmts(&h.body);
                self.frames.pop();
                if !self.terminated() {
                    if let Some(n) = &h.name {
                        let u = self.pyconst(UNBOUND);
                        self.store_name(&n.name, u);
                    }
                    self.b.ins().jump(after, &[]);
                }
                self.enter(next);
                if h.typ.is_none() {
                    break;
                }
            }
            // No handler matched: re-raise as is.
            if !self.terminated() {
                let e = self.b.use_var(exc_var);
                self.call_rt("rt_raise", &[e]);
                let t = self.error_target();
                self.b.ins().jump(t, &[]);
            }
            self.enter(after);
            if has_finally {
                // fallthrough into the finally code below
            }
        }
        if has_finally {
            self.frames.pop();
            self.bound = before.clone();
            if !self.terminated() {
                self.stmts(finalbody);
            }
            let cont = self.b.create_block();
            if !self.terminated() {
                self.b.ins().jump(cont, &[]);
            }
            // Error path: save the exception, run the finally body, re-raise.
            self.enter(fin_err);
            self.bound = before.clone();
            let exc = self.call_rt("rt_take_exception", &[]);
            let saved = self.new_var();
            self.b.def_var(saved, exc);
            self.stmts(finalbody);
            if !self.terminated() {
                let e = self.b.use_var(saved);
                self.call_rt("rt_raise", &[e]);
                let t = self.error_target();
                self.b.ins().jump(t, &[]);
            }
            self.enter(cont);
        } else if handlers.is_empty() {
            if !self.terminated() {
                self.b.ins().jump(after, &[]);
            }
            self.enter(after);
        }
    }

    fn for_loop(&mut self, target: &'a Expr, iter: &'a Expr, body: &'a [Stmt], orelse: &'a [Stmt], span: Span) {
        let before = self.bound.clone();
        self.loops += 1;
        self.for_loop_inner(target, iter, body, orelse, span, &before);
        self.loops -= 1;
        self.bound = before;
    }

    fn for_loop_inner(
        &mut self,
        target: &'a Expr,
        iter: &'a Expr,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
        span: Span,
        before: &HashSet<String>,
    ) {
        let head = self.b.create_block();
        let bodyb = self.b.create_block();
        let elseb = self.b.create_block();
        let exit = self.b.create_block();
        // Fast path: `for x in range(a[, b])` with the builtin range and small ints.
        if let Some((start, stop)) = self.range_args(iter) {
            let counter = self.b.declare_var(I64);
            let limit = self.b.declare_var(I64);
            let (s, e) = match stop {
                Some(stop) => (self.expr(start), self.expr(stop)),
                None => (self.pyconst(PyValue::int_unchecked(0)), self.expr(start)),
            };
            let ints = self.both_small_ints(s, e);
            let okb = self.b.create_block();
            let bad = self.b.create_block();
            self.b.ins().brif(ints, okb, &[], bad, &[]);
            self.enter(bad);
            self.b.set_cold_block(bad);
            // Bounds that are not both small ints: the builtin makes the range (one with a
            // big-int bound, or the error), and a generic copy of the loop iterates it. It
            // shares the `else` clause and the exit with the fast loop. (Bounds provably
            // small never come here: no copy, and the path raises if it ever ran.)
            let range = self.load_name("range", iter.span);
            let argv = self.store_scratch(&[s, e]);
            let two = self.iconst(2);
            let zero = self.iconst(0);
            let r = self.call_rt("rt_call", &[range, argv, two, zero]);
            self.check(r, iter.span);
            if self.facts.range_bounds_small(iter) {
                let exc = self.pyconst(cellar_runtime::types::type_object(
                    cellar_runtime::types::TypeId::OverflowError,
                ));
                self.call_rt("rt_raise", &[exc]);
                self.raise_here(iter.span);
            } else {
                let it = self.call_rt("rt_iter", &[r]);
                self.check(it, iter.span);
                let it_var = self.new_var();
                self.b.def_var(it_var, it);
                let slow_head = self.b.create_block();
                self.b.ins().jump(slow_head, &[]);
                self.b.switch_to_block(slow_head);
                let it = self.b.use_var(it_var);
                let x = self.next_item(it, elseb, iter.span);
                self.set_line(span);
                self.assign(target, x);
                self.loop_body(slow_head, exit, body, before);
            }
            self.enter(okb);
            let si = self.unbox(s);
            let ei = self.unbox(e);
            self.b.def_var(counter, si);
            self.b.def_var(limit, ei);
            self.b.ins().jump(head, &[]);
            self.b.switch_to_block(head);
            let i = self.b.use_var(counter);
            let lim = self.b.use_var(limit);
            let more = self.b.ins().icmp(IntCC::SignedLessThan, i, lim);
            let step = self.b.create_block();
            self.brif_likely(more, step, elseb);
            self.enter(step);
            let next = self.b.ins().iadd_imm_s(i, 1);
            self.b.def_var(counter, next);
            let boxed = self.b.ins().bor_imm_s(i, INT_TAG as i64);
            self.assign(target, boxed);
            self.b.ins().jump(bodyb, &[]);
        } else {
            let it_var = self.new_var();
            let v = self.expr(iter);
            let it = self.call_rt("rt_iter", &[v]);
            self.check(it, iter.span);
            self.b.def_var(it_var, it);
            self.b.ins().jump(head, &[]);
            self.b.switch_to_block(head);
            let it = self.b.use_var(it_var);
            let x = self.next_item(it, elseb, iter.span);
            self.set_line(span);
            self.assign(target, x);
            self.b.ins().jump(bodyb, &[]);
        }
        self.enter(bodyb);
        self.loop_rest(head, exit, elseb, body, orelse, before);
    }

    /// The next item of the iterator `it`, or a jump to `done` when it is exhausted. An
    /// iterator over a list or tuple (`IterMode::Seq`) steps inline, as `rt_next` does it:
    /// the length is read at every step, so a list that grows or shrinks meanwhile is
    /// followed; any other iterator calls `rt_next`.
    fn next_item(&mut self, it: Value, done: Block, span: Span) -> Value {
        use cellar_runtime::object::{IterMode, IterObj};
        let x = self.new_var();
        let kind_ok = self.b.create_block();
        let seq = self.b.create_block();
        let have = self.b.create_block();
        let ended = self.b.create_block();
        let generic = self.b.create_block();
        let got = self.b.create_block();
        let kind = self.b.ins().uload8(I64, flags(), it, 0);
        let is_iter = self.b.ins().icmp_imm_s(IntCC::Equal, kind, ObjKind::Iterator as i64);
        self.b.ins().brif(is_iter, kind_ok, &[], generic, &[]);
        self.enter(kind_ok);
        let mode = self
            .b
            .ins()
            .uload8(I64, flags(), it, std::mem::offset_of!(IterObj, mode) as i32);
        let is_seq = self.b.ins().icmp_imm_s(IntCC::Equal, mode, IterMode::Seq as i64);
        self.b.ins().brif(is_seq, seq, &[], generic, &[]);
        self.enter(seq);
        let pos_off = std::mem::offset_of!(IterObj, pos) as i32;
        let src = self
            .b
            .ins()
            .load(I64, flags(), it, std::mem::offset_of!(IterObj, src) as i32);
        let pos = self.b.ins().load(I64, flags(), it, pos_off);
        let (ptr_off, len_off) = self.vec_offsets;
        let len = self.b.ins().load(I64, flags(), src, len_off);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, pos, len);
        self.brif_likely(more, have, ended);
        self.enter(have);
        let items = self.b.ins().load(I64, flags(), src, ptr_off);
        let byte = self.b.ins().ishl_imm_s(pos, 3);
        let addr = self.b.ins().iadd(items, byte);
        let item = self.b.ins().load(I64, flags(), addr, 0);
        let next = self.b.ins().iadd_imm_s(pos, 1);
        self.b.ins().store(flags(), next, it, pos_off);
        self.b.def_var(x, item);
        self.b.ins().jump(got, &[]);
        self.enter(ended);
        // Stay exhausted even if the list grows later, as `rt_next` does.
        let parked = self.iconst(i64::MAX / 2);
        self.b.ins().store(flags(), parked, it, pos_off);
        self.b.ins().jump(done, &[]);
        self.enter(generic);
        self.b.set_cold_block(generic);
        let r = self.call_rt("rt_next", &[it]);
        self.check(r, span);
        self.b.def_var(x, r);
        self.b.ins().brif(r, got, &[], done, &[]);
        self.enter(got);
        self.b.use_var(x)
    }

    /// A loop body, lowered in its block: the statements (with `break` to `exit` and
    /// `continue` to `head`), the back edge, `head` sealed; the definitely-bound names are
    /// those `before` the loop again.
    fn loop_body(&mut self, head: Block, exit: Block, body: &'a [Stmt], before: &HashSet<String>) {
        self.frames.push(Frame::Loop { brk: exit, cont: head });
        self.stmts(body);
        self.frames.pop();
        if !self.terminated() {
            self.b.ins().jump(head, &[]);
        }
        self.b.seal_block(head);
        self.bound = before.clone();
    }

    /// The shared end of `while` and `for`, lowered in the loop body's block: the body (with
    /// `break`/`continue` targets), the back edge to `head`, the `else` clause, and `exit`.
    fn loop_rest(
        &mut self,
        head: Block,
        exit: Block,
        elseb: Block,
        body: &'a [Stmt],
        orelse: &'a [Stmt],
        before: &HashSet<String>,
    ) {
        self.loop_body(head, exit, body, before);
        self.enter(elseb);
        self.stmts(orelse);
        if !self.terminated() {
            self.b.ins().jump(exit, &[]);
        }
        self.enter(exit);
    }

    /// `range(a)` / `range(a, b)` where `range` is the builtin: the argument expressions.
    fn range_args(&self, iter: &'a Expr) -> Option<(&'a Expr, Option<&'a Expr>)> {
        crate::program::range_loop_args(self.prog.scopes, self.scope.id, iter)
    }

    /// Is `name` here the builtin (never bound as a global or local anywhere)?
    fn is_builtin_name(&self, name: &str) -> bool {
        crate::program::is_builtin_name(self.prog.scopes, self.scope.id, name)
    }

    fn assign(&mut self, target: &'a Expr, v: Value) {
        match &target.kind {
            ExprKind::Name(n) => self.store_name(n, v),
            ExprKind::Tuple(ts) | ExprKind::List(ts) => {
                let star = ts.iter().position(|t| matches!(t.kind, ExprKind::Starred(_)));
                let n = ts.len();
                self.scratch_words = self.scratch_words.max(n as u32);
                let out = self.b.ins().stack_addr(I64, self.scratch, 0);
                let r = match star {
                    None => {
                        let nn = self.iconst(n as i64);
                        self.call_rt("rt_unpack", &[v, nn, out])
                    }
                    Some(i) => {
                        let before = self.iconst(i as i64);
                        let after = self.iconst((n - i - 1) as i64);
                        self.call_rt("rt_unpack_star", &[v, before, after, out])
                    }
                };
                self.check(r, target.span);
                let vals: Vec<Value> = (0..n)
                    .map(|i| {
                        let x = self.b.ins().stack_load(I64, I64, self.scratch, (8 * i) as i32);
                        self.b.declare_value_needs_stack_map(x);
                        x
                    })
                    .collect();
                self.gc_poll();
                for (t, x) in ts.iter().zip(vals) {
                    let t = if let ExprKind::Starred(inner) = &t.kind {
                        &**inner
                    } else {
                        t
                    };
                    self.assign(t, x);
                }
            }
            ExprKind::Subscript { value, index } => {
                let o = self.expr(value);
                let k = self.expr(index);
                self.setitem(o, k, v, target.span);
            }
            ExprKind::Attribute { value, attr } => {
                let o = self.expr(value);
                let n = self.str_const(&attr.name);
                let n = self.pyconst(n);
                let r = self.call_rt("rt_setattr", &[o, n, v]);
                self.check(r, target.span);
            }
            ExprKind::Starred(inner) => self.assign(inner, v),
            _ => unreachable!("bad assignment target reached the JIT"),
        }
    }

    fn aug_assign(&mut self, target: &'a Expr, op: BinOp, value: &'a Expr, span: Span) {
        match &target.kind {
            ExprKind::Name(n) => {
                let cur = self.load_name(n, target.span);
                let rhs = self.expr(value);
                let r = self.binop(op, cur, rhs, true, span);
                self.store_name(n, r);
            }
            ExprKind::Subscript { value: obj, index } => {
                let o = self.expr(obj);
                let k = self.expr(index);
                let cur = self.getitem(o, k, target.span);
                let rhs = self.expr(value);
                let r = self.binop(op, cur, rhs, true, span);
                self.setitem(o, k, r, span);
            }
            ExprKind::Attribute { value: obj, attr } => {
                let o = self.expr(obj);
                let n = self.str_const(&attr.name);
                let n = self.pyconst(n);
                let cur = self.call_rt("rt_getattr", &[o, n]);
                self.check(cur, target.span);
                let rhs = self.expr(value);
                let r = self.binop(op, cur, rhs, true, span);
                let s = self.call_rt("rt_setattr", &[o, n, r]);
                self.check(s, span);
            }
            _ => unreachable!("bad augmented assignment target"),
        }
    }

    // ---------------------------------------------------------------- functions

    fn make_function(&mut self, f: &'a FunctionDef) -> Value {
        let decos: Vec<Value> = f.decorators.iter().map(|d| self.expr(d)).collect();
        let defaults: Vec<Value> = f
            .params
            .positional
            .iter()
            .filter_map(|p| p.default.as_ref())
            .map(|d| self.expr(d))
            .collect();
        let defaults = if defaults.is_empty() {
            self.pyconst(UNBOUND)
        } else {
            let argv = self.store_scratch(&defaults);
            let n = self.iconst(defaults.len() as i64);
            self.call_rt("rt_build_tuple", &[argv, n])
        };
        let mut kw = Vec::new();
        for p in &f.params.kwonly {
            if let Some(d) = &p.default {
                let k = self.str_const(&p.name.name);
                let k = self.pyconst(k);
                let v = self.expr(d);
                kw.push(k);
                kw.push(v);
            }
        }
        let kwdefaults = if kw.is_empty() {
            self.pyconst(UNBOUND)
        } else {
            let argv = self.store_scratch(&kw);
            let n = self.iconst((kw.len() / 2) as i64);
            self.call_rt("rt_build_dict", &[argv, n])
        };
        let info = self.iconst(self.prog.infos[&f.scope_id] as i64);
        let inner = self.prog.scopes.get(f.scope_id);
        let nfree = inner.freevars.len();
        let code = {
            let fref = match self.direct.get(&f.scope_id) {
                Some(&r) => r,
                None => {
                    let r = self
                        .module
                        .declare_func_in_func(self.prog.body_ids[&f.scope_id], self.b.func);
                    self.direct.insert(f.scope_id, r);
                    r
                }
            };
            self.b.ins().func_addr(I64, fref)
        };
        let arity = unsafe { (*self.prog.infos[&f.scope_id]).fast_arity() } as i64;
        let mut fields = vec![
            (FUNCTION_CODE_OFFSET, code),
            (FUNCTION_CODE_OFFSET + 8, info),
            (32, defaults),
            (40, kwdefaults),
        ];
        // Only a specialisable function's body reads its countdown.
        if self.prog.specializable.contains(&f.scope_id) {
            let countdown = self.iconst(cellar_runtime::object::SPECIALIZE_AFTER_CALLS);
            fields.push((FUNCTION_COUNTDOWN_OFFSET, countdown));
        }
        let own_name = (self.scope.id, f.name.clone());
        let env: Vec<(i32, Word)> = inner
            .freevars
            .iter()
            .enumerate()
            .map(|(i, name)| {
                // A self-bound def's record holds the closure itself (`ProgramInfo::self_bound`).
                let w = if *name == f.name && self.prog.self_bound.contains(&own_name) {
                    Word::Itself
                } else {
                    Word::Value(self.cell_of(name))
                };
                (FUNCTION_ENV_OFFSET + 8 * i as i32, w)
            })
            .collect();
        let func = self.alloc_inline(
            FUNCTION_ENV_OFFSET as usize + 8 * nfree,
            (arity << 32) | KIND_FUNCTION as i64,
            &fields,
            &env,
            cellar_runtime::gc::closure_spend,
            &[info, defaults, kwdefaults],
            "rt_make_function",
        );
        let mut v = func;
        for d in decos.into_iter().rev() {
            v = self.call_value(d, &[v], f.span);
        }
        v
    }

    /// If `name` called with `nargs` positional arguments from this scope is statically the
    /// only `def` of that name (never rebound, undecorated, matching arity), its scope id.
    fn known_callee(&self, name: &str, nargs: usize) -> Option<ScopeId> {
        let sym = self.scope.symbol(name)?;
        if self.prog.cells_writable && matches!(sym.kind, ScopeKind::Cell | ScopeKind::Free) {
            // `cell_contents` may rebind the name to any function.
            return None;
        }
        let binder = match sym.kind {
            ScopeKind::Local | ScopeKind::Cell if !self.scope.is_module => self.scope.id,
            ScopeKind::Free => {
                let mut s = self.scope.parent;
                loop {
                    let sc = self.prog.scopes.get(s?);
                    if !sc.is_module && sc.symbol(name).map(|y| y.kind == ScopeKind::Cell).unwrap_or(false) {
                        break sc.id;
                    }
                    s = sc.parent;
                }
            }
            _ => return None,
        };
        let bsym = self.prog.scopes.get(binder).symbol(name)?;
        if bsym.def_bindings != 1 || bsym.plain_bindings != 0 || bsym.rebound_by_inner {
            return None;
        }
        let g = *self.prog.def_of_name.get(&(binder, name.to_string()))?;
        let def = self.prog.defs[&g];
        if !def.decorators.is_empty() {
            return None;
        }
        let info = unsafe { &*self.prog.infos[&g] };
        (info.fast_arity() as usize == nargs).then_some(g)
    }

    /// A callee known by the program-wide analysis (`jit::known`): a module-level function
    /// never rebound, or a local that only holds closures of one `def`; with matching arity.
    fn known_by_analysis(&self, name: &str, nargs: usize) -> Option<ScopeId> {
        let sym = self.scope.symbol(name)?;
        let known = &self.prog.known;
        let g = match sym.kind {
            _ if self.scope.is_module => known.global_fns.get(name).copied(),
            ScopeKind::GlobalImplicit | ScopeKind::GlobalExplicit => known.global_fns.get(name).copied(),
            ScopeKind::Local | ScopeKind::Cell => known.holds.get(&(self.scope.id, name.to_string())).copied(),
            ScopeKind::Free => None,
        }?;
        let info = unsafe { &*self.prog.infos[&g] };
        (info.fast_arity() as usize == nargs).then_some(g)
    }

    /// The `def` whose closure the callee expression `func` always makes, with a matching
    /// arity: a lambda called where it is written (a comprehension's function, or
    /// `(lambda x: ...)(v)`), or a call of a known function every return of which gives a
    /// closure of one `def` (`add(a)(b)` with `add = lambda m: lambda n: ...`), where the
    /// function called may itself be known this way (`add(a)(b)(c)`).
    fn known_made_closure(&self, func: &'a Expr, nargs: usize) -> Option<ScopeId> {
        let g = match &func.kind {
            ExprKind::Lambda(f) => f.scope_id,
            ExprKind::Call { func: inner, args } if args.iter().all(|a| matches!(a, Arg::Positional(_))) => {
                let maker = match &inner.kind {
                    ExprKind::Name(n) => self
                        .known_callee(n, args.len())
                        .or_else(|| self.known_by_analysis(n, args.len()))?,
                    _ => self.known_made_closure(inner, args.len())?,
                };
                *self.prog.known.returns.get(&maker)?
            }
            _ => return None,
        };
        let info = unsafe { &*self.prog.infos[&g] };
        (info.fast_arity() as usize == nargs).then_some(g)
    }

    /// Call the body of `def` `g` directly with the closure `callee` (known to be one of
    /// `g`'s) and positional arguments of the arity it takes.
    fn direct_call(&mut self, g: ScopeId, callee: Value, vals: Vec<Value>, span: Span) -> Value {
        let fref = match self.direct.get(&g) {
            Some(&f) => f,
            None => {
                let f = self.module.declare_func_in_func(self.prog.body_ids[&g], self.b.func);
                self.direct.insert(g, f);
                f
            }
        };
        let mut cargs = vec![callee, self.callee_depth];
        cargs.extend(vals);
        let inst = self.b.ins().call(fref, &cargs);
        let r = self.b.inst_results(inst)[0];
        self.b.declare_value_needs_stack_map(r);
        self.check(r, span);
        r
    }

    /// Call a Python value with positional arguments (fast path for functions of matching
    /// arity, general path otherwise).
    fn call_value(&mut self, callee: Value, args: &[Value], span: Span) -> Value {
        let n = args.len();
        let res = self.new_var();
        let chk = self.b.create_block();
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        let off = self.b.ins().iadd_imm_s(callee, -4096);
        let is_ptr = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, off, (1i64 << 48) - 4096);
        self.b.ins().brif(is_ptr, chk, &[], slow, &[]);
        self.enter(chk);
        let hdr = self.b.ins().load(I64, flags(), callee, 0);
        let want = ((n as u64) << 32 | KIND_FUNCTION) as i64;
        let ok = self.b.ins().icmp_imm_s(IntCC::Equal, hdr, want);
        self.b.ins().brif(ok, fast, &[], slow, &[]);
        self.enter(fast);
        let code = self
            .b
            .ins()
            .load(I64, flags().with_readonly(), callee, FUNCTION_CODE_OFFSET);
        let sig = self.sig(n);
        let mut cargs = vec![callee, self.callee_depth];
        cargs.extend_from_slice(args);
        let inst = self.b.ins().call_indirect(sig, code, &cargs);
        let r = self.b.inst_results(inst)[0];
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(slow);
        self.b.set_cold_block(slow);
        let argv = self.store_scratch(args);
        let nv = self.iconst(n as i64);
        let kw = self.pyconst(UNBOUND);
        let r = self.call_rt("rt_call", &[callee, argv, nv, kw]);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        let r = self.b.use_var(res);
        self.check(r, span);
        r
    }

    /// `o.append(x)`: inline when `o` is a list with room for one more item, a direct
    /// runtime call when the list must grow, else the general method call.
    fn list_append(&mut self, o: Value, x: Value, name: &str, span: Span) -> Value {
        let res = self.new_var();
        let list = self.b.create_block();
        let room = self.b.create_block();
        let grow = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.branch_on_kind(o, &[ObjKind::List], list, slow);
        self.enter(list);
        let (ptr_off, len_off) = self.vec_offsets;
        let len = self.b.ins().load(I64, flags(), o, len_off);
        let cap = self
            .b
            .ins()
            .load(I64, flags(), o, cellar_runtime::object::vec_capacity_offset());
        let fits = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        self.b.ins().brif(fits, room, &[], grow, &[]);
        self.enter(room);
        let items = self.b.ins().load(I64, flags(), o, ptr_off);
        let byte = self.b.ins().ishl_imm_s(len, 3);
        let addr = self.b.ins().iadd(items, byte);
        self.b.ins().store(flags(), x, addr, 0);
        let len1 = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(flags(), len1, o, len_off);
        let none = self.pyconst(NONE);
        self.b.def_var(res, none);
        self.b.ins().jump(join, &[]);
        self.enter(grow);
        self.b.set_cold_block(grow);
        let r = self.call_rt("rt_list_append", &[o, x]);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(slow);
        self.b.set_cold_block(slow);
        let namev = self.str_const(name);
        let namev = self.pyconst(namev);
        let argv = self.store_scratch(&[x]);
        let one = self.iconst(1);
        let kw = self.pyconst(UNBOUND);
        let r = self.call_rt("rt_call_method", &[o, namev, argv, one, kw]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        self.b.use_var(res)
    }

    fn call(&mut self, func: &'a Expr, args: &'a [Arg], span: Span) -> Value {
        let simple = args.iter().all(|a| matches!(a, Arg::Positional(_)));
        let pos = |a: &'a Arg| if let Arg::Positional(e) = a { e } else { unreachable!() };
        if simple {
            if let ExprKind::Name(n) = &func.kind {
                if let Some(g) = self
                    .known_callee(n, args.len())
                    .or_else(|| self.known_by_analysis(n, args.len()))
                {
                    // A function calling itself by the name only its own `def` binds: the
                    // name's value is a closure of this same `def` made in the same frame,
                    // so it has the same code and the same cells as the running closure;
                    // call with the running closure and skip the cell load.
                    let callee = if g == self.scope.id {
                        self.b.use_var(self.func_var)
                    } else {
                        self.load_name(n, func.span)
                    };
                    let vals: Vec<Value> = args.iter().map(|a| self.expr(pos(a))).collect();
                    return self.direct_call(g, callee, vals, span);
                }
            }
            if let Some(g) = self.known_made_closure(func, args.len()) {
                let callee = self.expr(func);
                let vals: Vec<Value> = args.iter().map(|a| self.expr(pos(a))).collect();
                return self.direct_call(g, callee, vals, span);
            }
            if let ExprKind::Name(n) = &func.kind {
                if n == "len" && args.len() == 1 && self.is_builtin_name("len") {
                    let v = self.expr(pos(&args[0]));
                    return self.builtin_len(v, span);
                }
            }
            if let ExprKind::Attribute { value, attr } = &func.kind {
                let o = self.expr(value);
                let vals: Vec<Value> = args.iter().map(|a| self.expr(pos(a))).collect();
                if attr.name == "append" && vals.len() == 1 {
                    return self.list_append(o, vals[0], &attr.name, span);
                }
                let name = self.str_const(&attr.name);
                let name = self.pyconst(name);
                let argv = self.store_scratch(&vals);
                let n = self.iconst(vals.len() as i64);
                let kw = self.pyconst(UNBOUND);
                let r = self.call_rt("rt_call_method", &[o, name, argv, n, kw]);
                self.check(r, span);
                return r;
            }
            let callee = self.expr(func);
            let vals: Vec<Value> = args.iter().map(|a| self.expr(pos(a))).collect();
            return self.call_value(callee, &vals, span);
        }
        let has_star = args
            .iter()
            .any(|a| matches!(a, Arg::Starred(_) | Arg::DoubleStarred(_)));
        let method = if let ExprKind::Attribute { value, attr } = &func.kind {
            if has_star {
                None
            } else {
                Some((value, attr))
            }
        } else {
            None
        };
        let (obj, callee) = match method {
            Some((value, _)) => (Some(self.expr(value)), None),
            None => (None, Some(self.expr(func))),
        };
        if !has_star {
            let mut vals = Vec::new();
            let mut names = Vec::new();
            for a in args {
                match a {
                    Arg::Positional(e) => vals.push(self.expr(e)),
                    _ => {}
                }
            }
            let npos = vals.len();
            for a in args {
                if let Arg::Keyword(k, e) = a {
                    vals.push(self.expr(e));
                    names.push(self.str_const(&k.name));
                }
            }
            let kwnames = cellar_runtime::objects::new_tuple(names);
            cellar_runtime::vm::vm().constants.push(kwnames);
            let kw = self.pyconst(kwnames);
            let argv = self.store_scratch(&vals);
            let n = self.iconst(npos as i64);
            let r = match (obj, method) {
                (Some(o), Some((_, attr))) => {
                    let name = self.str_const(&attr.name);
                    let name = self.pyconst(name);
                    self.call_rt("rt_call_method", &[o, name, argv, n, kw])
                }
                _ => self.call_rt("rt_call", &[callee.unwrap(), argv, n, kw]),
            };
            self.check(r, span);
            return r;
        }
        // General: build an argument list and a keyword dict.
        let lst_var = self.new_var();
        let dict_var = self.new_var();
        let z = self.iconst(0);
        let l0 = self.call_rt("rt_build_list", &[z, z]);
        self.b.def_var(lst_var, l0);
        let d0 = self.call_rt("rt_build_dict", &[z, z]);
        self.b.def_var(dict_var, d0);
        for a in args {
            match a {
                Arg::Positional(e) => {
                    let v = self.expr(e);
                    let argv = self.store_scratch(&[v]);
                    let one = self.iconst(1);
                    let t = self.call_rt("rt_build_list", &[argv, one]);
                    let l = self.b.use_var(lst_var);
                    let r = self.call_rt("rt_list_extend", &[l, t]);
                    self.check(r, e.span);
                }
                Arg::Starred(e) => {
                    let v = self.expr(e);
                    let l = self.b.use_var(lst_var);
                    let r = self.call_rt("rt_list_extend", &[l, v]);
                    self.check(r, e.span);
                }
                Arg::Keyword(k, e) => {
                    let v = self.expr(e);
                    let kn = self.str_const(&k.name);
                    let kn = self.pyconst(kn);
                    let d = self.b.use_var(dict_var);
                    let r = self.call_rt("rt_setitem", &[d, kn, v]);
                    self.check(r, e.span);
                }
                Arg::DoubleStarred(e) => {
                    let v = self.expr(e);
                    let d = self.b.use_var(dict_var);
                    let r = self.call_rt("rt_dict_update", &[d, v]);
                    self.check(r, e.span);
                }
            }
        }
        let l = self.b.use_var(lst_var);
        let d = self.b.use_var(dict_var);
        let r = self.call_rt("rt_call_ex", &[callee.unwrap(), l, d]);
        self.check(r, span);
        r
    }

    // ---------------------------------------------------------------- expressions

    fn unbox(&mut self, v: Value) -> Value {
        if let Some(x) = self.boxed_payload(v) {
            return x;
        }
        let s = self.b.ins().ishl_imm_s(v, 16);
        self.b.ins().sshr_imm_s(s, 16)
    }

    fn expr(&mut self, e: &'a Expr) -> Value {
        match &e.kind {
            ExprKind::Constant(c) => self.constant(c),
            ExprKind::Name(n) => self.load_name(n, e.span),
            ExprKind::BoolOp { is_and, values } => {
                let res = self.new_var();
                let end = self.b.create_block();
                for (i, v) in values.iter().enumerate() {
                    let x = self.expr(v);
                    self.b.def_var(res, x);
                    if i + 1 == values.len() {
                        self.b.ins().jump(end, &[]);
                    } else {
                        let next = self.b.create_block();
                        let t = self.truthy(x);
                        if *is_and {
                            self.b.ins().brif(t, next, &[], end, &[]);
                        } else {
                            self.b.ins().brif(t, end, &[], next, &[]);
                        }
                        self.enter(next);
                    }
                }
                self.enter(end);
                self.b.use_var(res)
            }
            ExprKind::BinOp { .. } if self.arith_tree_mode(e).is_some() => {
                let mode = self.arith_tree_mode(e).expect("a tree");
                self.arith_tree(e, mode)
            }
            ExprKind::BinOp { left, op, right } => {
                let a = self.expr(left);
                let b = self.expr(right);
                self.binop(*op, a, b, false, e.span)
            }
            ExprKind::UnaryOp { op, operand } => {
                if let (UnaryOp::Neg, ExprKind::Constant(Constant::Int(s))) = (op, &operand.kind) {
                    return self.constant(&Constant::Int(format!("-{s}")));
                }
                if let (UnaryOp::Neg, ExprKind::Constant(Constant::Float(f))) = (op, &operand.kind) {
                    return self.constant(&Constant::Float(-f));
                }
                let v = self.expr(operand);
                match op {
                    UnaryOp::Not => {
                        let t = self.truthy(v);
                        let tv = self.pyconst(TRUE);
                        let fv = self.pyconst(FALSE);
                        self.b.ins().select(t, fv, tv)
                    }
                    UnaryOp::Neg | UnaryOp::Pos | UnaryOp::Invert => {
                        let code = self.iconst(match op {
                            UnaryOp::Neg => 0,
                            UnaryOp::Pos => 1,
                            _ => 3,
                        });
                        let r = self.call_rt("rt_unary", &[code, v]);
                        self.check(r, e.span);
                        r
                    }
                }
            }
            ExprKind::Compare { left, ops, comparators } => {
                if ops.len() == 1 {
                    let a = self.expr(left);
                    let b = self.expr(&comparators[0]);
                    return self.compare_value(ops[0], a, b, e.span);
                }
                let res = self.new_var();
                let end = self.b.create_block();
                let mut a = self.expr(left);
                for (i, (op, c)) in ops.iter().zip(comparators).enumerate() {
                    let b = self.expr(c);
                    let r = self.compare_value(*op, a, b, e.span);
                    self.b.def_var(res, r);
                    if i + 1 == ops.len() {
                        self.b.ins().jump(end, &[]);
                    } else {
                        let next = self.b.create_block();
                        let t = self.truthy(r);
                        self.b.ins().brif(t, next, &[], end, &[]);
                        self.enter(next);
                        a = b;
                    }
                }
                self.enter(end);
                self.b.use_var(res)
            }
            ExprKind::IfExp { test, body, orelse } => {
                let res = self.new_var();
                let t = self.b.create_block();
                let f = self.b.create_block();
                let end = self.b.create_block();
                self.cond(test, t, f);
                self.enter(t);
                let v = self.expr(body);
                self.b.def_var(res, v);
                self.b.ins().jump(end, &[]);
                self.enter(f);
                let v = self.expr(orelse);
                self.b.def_var(res, v);
                self.b.ins().jump(end, &[]);
                self.enter(end);
                self.b.use_var(res)
            }
            ExprKind::Lambda(f) => self.make_function(f),
            ExprKind::Call { func, args } => self.call(func, args, e.span),
            ExprKind::Attribute { value, attr } => {
                let o = self.expr(value);
                let n = self.str_const(&attr.name);
                let n = self.pyconst(n);
                let r = self.call_rt("rt_getattr", &[o, n]);
                self.check(r, e.span);
                r
            }
            ExprKind::Subscript { value, index } => {
                let o = self.expr(value);
                let k = self.expr(index);
                self.getitem(o, k, e.span)
            }
            ExprKind::Slice { lower, upper, step } => {
                let mut vals = Vec::new();
                for x in [lower, upper, step] {
                    let v = match x {
                        Some(x) => self.expr(x),
                        None => self.pyconst(NONE),
                    };
                    vals.push(v);
                }
                let r = self.call_rt("rt_build_slice", &vals);
                self.check(r, e.span);
                r
            }
            ExprKind::List(items) | ExprKind::Tuple(items) => {
                let is_tuple = matches!(e.kind, ExprKind::Tuple(_));
                if items.iter().any(|x| matches!(x.kind, ExprKind::Starred(_))) {
                    let lst = self.new_var();
                    let z = self.iconst(0);
                    let l0 = self.call_rt("rt_build_list", &[z, z]);
                    self.b.def_var(lst, l0);
                    for it in items {
                        let (v, single) = match &it.kind {
                            ExprKind::Starred(x) => (self.expr(x), false),
                            _ => (self.expr(it), true),
                        };
                        let v = if single {
                            let argv = self.store_scratch(&[v]);
                            let one = self.iconst(1);
                            self.call_rt("rt_build_list", &[argv, one])
                        } else {
                            v
                        };
                        let l = self.b.use_var(lst);
                        let r = self.call_rt("rt_list_extend", &[l, v]);
                        self.check(r, it.span);
                    }
                    let l = self.b.use_var(lst);
                    if is_tuple {
                        return self.call_rt("rt_list_to_tuple", &[l]);
                    }
                    return l;
                }
                let vals: Vec<Value> = items.iter().map(|x| self.expr(x)).collect();
                let argv = self.store_scratch(&vals);
                let n = self.iconst(vals.len() as i64);
                self.call_rt(if is_tuple { "rt_build_tuple" } else { "rt_build_list" }, &[argv, n])
            }
            ExprKind::Dict(items) => {
                if items.iter().all(|(k, _)| k.is_some()) {
                    let mut vals = Vec::new();
                    for (k, v) in items {
                        vals.push(self.expr(k.as_ref().unwrap()));
                        vals.push(self.expr(v));
                    }
                    let argv = self.store_scratch(&vals);
                    let n = self.iconst(items.len() as i64);
                    let r = self.call_rt("rt_build_dict", &[argv, n]);
                    self.check(r, e.span);
                    return r;
                }
                let d = self.new_var();
                let z = self.iconst(0);
                let d0 = self.call_rt("rt_build_dict", &[z, z]);
                self.b.def_var(d, d0);
                for (k, v) in items {
                    match k {
                        Some(k) => {
                            let kv = self.expr(k);
                            let vv = self.expr(v);
                            let dv = self.b.use_var(d);
                            let r = self.call_rt("rt_setitem", &[dv, kv, vv]);
                            self.check(r, k.span);
                        }
                        None => {
                            let m = self.expr(v);
                            let dv = self.b.use_var(d);
                            let r = self.call_rt("rt_dict_update", &[dv, m]);
                            self.check(r, v.span);
                        }
                    }
                }
                self.b.use_var(d)
            }
            ExprKind::FString(parts) => self.fstring(parts, e.span),
            ExprKind::Starred(_) => unreachable!("starred expression outside a display"),
            ExprKind::Named { target, value } => {
                let v = self.expr(value);
                self.store_unnoted(&target.name, v);
                v
            }
        }
    }

    /// Branch to `yes` if `v` is a heap object of one of the `kinds`, else to `no`.
    fn branch_on_kind(&mut self, v: Value, kinds: &[ObjKind], yes: Block, no: Block) {
        self.dispatch_kind(v, &[(kinds, yes)], no);
    }

    /// Jump to the block of the first case whose kinds include `v`'s object kind; to
    /// `other` if none does or `v` is not a heap object. One pointer test and one load of
    /// the kind byte serve every case.
    fn dispatch_kind(&mut self, v: Value, cases: &[(&[ObjKind], Block)], other: Block) {
        let off = self.b.ins().iadd_imm_s(v, -4096);
        let is_ptr = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, off, (1i64 << 48) - 4096);
        let chk = self.b.create_block();
        self.b.ins().brif(is_ptr, chk, &[], other, &[]);
        self.enter(chk);
        let kind = self.b.ins().uload8(I64, flags(), v, 0);
        for (i, &(kinds, yes)) in cases.iter().enumerate() {
            let no = if i + 1 == cases.len() {
                other
            } else {
                self.b.create_block()
            };
            self.kind_test(kind, kinds, yes, no);
            if i + 1 < cases.len() {
                self.enter(no);
            }
        }
    }

    /// Branch on whether the kind byte `kind` is one of `kinds`.
    fn kind_test(&mut self, kind: Value, kinds: &[ObjKind], yes: Block, no: Block) {
        let lo = kinds.iter().map(|k| *k as i64).min().expect("a kind");
        let hi = kinds.iter().map(|k| *k as i64).max().expect("a kind");
        let hit = if hi - lo + 1 == kinds.len() as i64 && kinds.len() > 1 {
            // Consecutive kinds (list and tuple): one unsigned range compare.
            let rel = self.b.ins().iadd_imm_s(kind, -lo);
            self.b.ins().icmp_imm_s(IntCC::UnsignedLessThanOrEqual, rel, hi - lo)
        } else {
            let mut hit = self.b.ins().icmp_imm_s(IntCC::Equal, kind, kinds[0] as i64);
            for k in &kinds[1..] {
                let h = self.b.ins().icmp_imm_s(IntCC::Equal, kind, *k as i64);
                hit = self.b.ins().bor(hit, h);
            }
            hit
        };
        self.b.ins().brif(hit, yes, &[], no, &[]);
    }

    /// The payload of `v` (sign-extended to 64 bits) if `v` is a small int; otherwise jump
    /// to `other`.
    fn small_int_or(&mut self, v: Value, other: Block) -> Value {
        let is_int = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, v, INT_TAG as i64);
        let int_blk = self.b.create_block();
        self.b.ins().brif(is_int, int_blk, &[], other, &[]);
        self.enter(int_blk);
        self.unbox(v)
    }

    /// Address of item `k` of the list/tuple `o` if `k` is a small int in `0..len`, else
    /// jump to `slow`. The current block must know `o` is a list or tuple.
    fn item_addr(&mut self, o: Value, k: Value, slow: Block) -> Value {
        let idx = self.small_int_or(k, slow);
        let (ptr_off, len_off) = self.vec_offsets;
        let len = self.b.ins().load(I64, flags(), o, len_off);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, len);
        let ok = self.b.create_block();
        self.b.ins().brif(inb, ok, &[], slow, &[]);
        self.enter(ok);
        let items = self.b.ins().load(I64, flags(), o, ptr_off);
        let byte = self.b.ins().ishl_imm_s(idx, 3);
        self.b.ins().iadd(items, byte)
    }

    /// Address of the value of entry `k` of the dict `o` if `o` is dense (see
    /// `cellar_runtime::dict`) and `k` is a small int in `0..len` (then entry `k` has the key
    /// `k`), else jump to `miss`. The current block must know `o` is a dict.
    fn dense_value_addr(&mut self, o: Value, k: Value, miss: Block) -> Value {
        let lay = self.dict_layout;
        let dense = self.b.ins().uload8(I64, flags(), o, lay.dense);
        let chk = self.b.create_block();
        self.b.ins().brif(dense, chk, &[], miss, &[]);
        self.enter(chk);
        let idx = self.small_int_or(k, miss);
        let len = self.b.ins().load(I64, flags(), o, lay.entries_len);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, len);
        let ok = self.b.create_block();
        self.b.ins().brif(inb, ok, &[], miss, &[]);
        self.enter(ok);
        let entries = self.b.ins().load(I64, flags(), o, lay.entries_ptr);
        let byte = self
            .b
            .ins()
            .imul_imm_s(idx, std::mem::size_of::<cellar_runtime::dict::Entry>() as i64);
        let entry = self.b.ins().iadd(entries, byte);
        self.b.ins().iadd_imm_s(entry, 16)
    }

    /// `o[k] = v` for the dict `o` when it is dense and stays dense: `k` a small int in
    /// `0..len` overwrites entry `k`; `k == len` appends entry `{hash 0, k, v}` while the
    /// entry array has room (hashes of a dense dict are filled in when it stops being dense).
    /// Jumps to `join` when done, to `other` for anything else.
    fn dense_store(&mut self, o: Value, k: Value, v: Value, other: Block, join: Block) {
        let lay = self.dict_layout;
        let dense = self.b.ins().uload8(I64, flags(), o, lay.dense);
        let chk = self.b.create_block();
        let overwrite = self.b.create_block();
        let at_end = self.b.create_block();
        let has_room = self.b.create_block();
        let append = self.b.create_block();
        self.b.ins().brif(dense, chk, &[], other, &[]);
        self.enter(chk);
        let idx = self.small_int_or(k, other);
        let len = self.b.ins().load(I64, flags(), o, lay.entries_len);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, idx, len);
        self.b.ins().brif(inb, overwrite, &[], at_end, &[]);
        self.enter(overwrite);
        let entries = self.b.ins().load(I64, flags(), o, lay.entries_ptr);
        let entry_size = std::mem::size_of::<cellar_runtime::dict::Entry>() as i64;
        let byte = self.b.ins().imul_imm_s(idx, entry_size);
        let entry = self.b.ins().iadd(entries, byte);
        self.b.ins().store(flags(), v, entry, 16);
        self.b.ins().jump(join, &[]);
        self.enter(at_end);
        let next = self.b.ins().icmp(IntCC::Equal, idx, len);
        self.b.ins().brif(next, has_room, &[], other, &[]);
        self.enter(has_room);
        let cap = self.b.ins().load(I64, flags(), o, lay.entries_cap);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        self.b.ins().brif(room, append, &[], other, &[]);
        self.enter(append);
        let entries = self.b.ins().load(I64, flags(), o, lay.entries_ptr);
        let byte = self.b.ins().imul_imm_s(len, entry_size);
        let entry = self.b.ins().iadd(entries, byte);
        let zero = self.iconst(0);
        self.b.ins().store(flags(), zero, entry, 0);
        self.b.ins().store(flags(), k, entry, 8);
        self.b.ins().store(flags(), v, entry, 16);
        let len1 = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(flags(), len1, o, lay.entries_len);
        let live = self.b.ins().load(I64, flags(), o, lay.len);
        let live1 = self.b.ins().iadd_imm_s(live, 1);
        self.b.ins().store(flags(), live1, o, lay.len);
        self.b.ins().jump(join, &[]);
    }

    /// `o[k]`: inline for a list or tuple indexed by an in-range non-negative small int, and
    /// for a dense dict; a direct lookup for any other dict.
    fn getitem(&mut self, o: Value, k: Value, span: Span) -> Value {
        let res = self.new_var();
        let seq = self.b.create_block();
        let dict = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.dispatch_kind(
            o,
            &[(&[ObjKind::List, ObjKind::Tuple], seq), (&[ObjKind::Dict], dict)],
            slow,
        );
        self.enter(dict);
        let lookup = self.b.create_block();
        let addr = self.dense_value_addr(o, k, lookup);
        let v = self.b.ins().load(I64, flags(), addr, 0);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.enter(lookup);
        let r = self.call_rt("rt_dict_getitem", &[o, k]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(seq);
        let addr = self.item_addr(o, k, slow);
        let v = self.b.ins().load(I64, flags(), addr, 0);
        self.b.def_var(res, v);
        self.b.ins().jump(join, &[]);
        self.enter(slow);
        self.b.set_cold_block(slow);
        let r = self.call_rt("rt_getitem", &[o, k]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        self.b.use_var(res)
    }

    /// `o[k] = v`: inline for a list indexed by an in-range non-negative small int, and for
    /// a dense dict that stays dense; a direct insertion for any other dict.
    fn setitem(&mut self, o: Value, k: Value, v: Value, span: Span) {
        let seq = self.b.create_block();
        let dict = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.dispatch_kind(o, &[(&[ObjKind::List], seq), (&[ObjKind::Dict], dict)], slow);
        self.enter(dict);
        let insert = self.b.create_block();
        self.dense_store(o, k, v, insert, join);
        self.enter(insert);
        let r = self.call_rt("rt_dict_setitem", &[o, k, v]);
        self.check(r, span);
        self.b.ins().jump(join, &[]);
        self.enter(seq);
        let addr = self.item_addr(o, k, slow);
        self.b.ins().store(flags(), v, addr, 0);
        self.b.ins().jump(join, &[]);
        self.enter(slow);
        self.b.set_cold_block(slow);
        let r = self.call_rt("rt_setitem", &[o, k, v]);
        self.check(r, span);
        self.b.ins().jump(join, &[]);
        self.enter(join);
    }

    /// `len(x)` for the builtin `len`: inline for lists and tuples.
    fn builtin_len(&mut self, v: Value, span: Span) -> Value {
        let res = self.new_var();
        let seq = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.branch_on_kind(v, &[ObjKind::List, ObjKind::Tuple], seq, slow);
        self.enter(seq);
        let n = self.b.ins().load(I64, flags(), v, self.vec_offsets.1);
        let boxed = self.b.ins().bor_imm_s(n, INT_TAG as i64);
        self.b.def_var(res, boxed);
        self.b.ins().jump(join, &[]);
        self.enter(slow);
        let r = self.call_rt("rt_len", &[v]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        self.b.use_var(res)
    }

    fn fstring(&mut self, parts: &'a [FStringPart], span: Span) -> Value {
        let mut vals = Vec::new();
        for p in parts {
            match p {
                FStringPart::Literal(s) => {
                    let c = self.str_const(s);
                    vals.push(self.pyconst(c));
                }
                FStringPart::Field { expr, conversion, spec } => {
                    let v = self.expr(expr);
                    let spec_v = if spec.is_empty() {
                        self.pyconst(UNBOUND)
                    } else {
                        self.fstring(spec, span)
                    };
                    let conv = self.iconst(conversion.map(|c| c as i64).unwrap_or(0));
                    let r = self.call_rt("rt_format_value", &[v, conv, spec_v]);
                    self.check(r, expr.span);
                    vals.push(r);
                }
            }
        }
        let argv = self.store_scratch(&vals);
        let n = self.iconst(vals.len() as i64);
        let r = self.call_rt("rt_concat_strs", &[argv, n]);
        self.check(r, span);
        r
    }

    fn constant(&mut self, c: &Constant) -> Value {
        let v = match c {
            Constant::None => NONE,
            Constant::Bool(b) => PyValue::bool(*b),
            Constant::Int(s) => match s.parse::<i64>().ok().and_then(PyValue::small_int) {
                Some(v) => v,
                None => {
                    let v = cellar_runtime::objects::new_int_from_decimal(s);
                    cellar_runtime::vm::vm().constants.push(v);
                    v
                }
            },
            Constant::Float(f) => PyValue::float(*f),
            Constant::Str(s) => self.str_const(s),
        };
        self.pyconst(v)
    }

    /// Truthiness of a value as an i8 condition: inline for bools, None and small ints.
    fn truthy(&mut self, v: Value) -> Value {
        let res = self.b.declare_var(cranelift_codegen::ir::types::I8);
        let is_true = self.b.ins().icmp_imm_s(IntCC::Equal, v, TRUE.0 as i64);
        let done = self.b.create_block();
        let c1 = self.b.create_block();
        let c2 = self.b.create_block();
        let slow = self.b.create_block();
        self.b.def_var(res, is_true);
        self.b.ins().brif(is_true, done, &[], c1, &[]);
        self.enter(c1);
        // False, None → false; small int → != 0.
        let is_f = self.b.ins().icmp_imm_s(IntCC::Equal, v, FALSE.0 as i64);
        let is_n = self.b.ins().icmp_imm_s(IntCC::Equal, v, NONE.0 as i64);
        let is_fn = self.b.ins().bor(is_f, is_n);
        let zero = self.b.ins().iconst(cranelift_codegen::ir::types::I8, 0);
        self.b.def_var(res, zero);
        self.b.ins().brif(is_fn, done, &[], c2, &[]);
        self.enter(c2);
        let is_int = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, v, INT_TAG as i64);
        let nz = self.b.ins().icmp_imm_s(IntCC::NotEqual, v, INT_TAG as i64);
        self.b.def_var(res, nz);
        self.b.ins().brif(is_int, done, &[], slow, &[]);
        self.enter(slow);
        let t = self.call_rt("rt_truthy", &[v]);
        let t8 = self.b.ins().ireduce(cranelift_codegen::ir::types::I8, t);
        self.b.def_var(res, t8);
        self.b.ins().jump(done, &[]);
        self.enter(done);
        self.b.use_var(res)
    }

    /// Branch on the truth of `e`, short-circuiting `and`/`or`/`not` and comparing small
    /// ints inline.
    fn cond(&mut self, e: &'a Expr, then: Block, els: Block) {
        match &e.kind {
            ExprKind::BoolOp { is_and, values } => {
                for (i, v) in values.iter().enumerate() {
                    if i + 1 == values.len() {
                        self.cond(v, then, els);
                    } else {
                        let next = self.b.create_block();
                        if *is_and {
                            self.cond(v, next, els);
                        } else {
                            self.cond(v, then, next);
                        }
                        self.enter(next);
                    }
                }
            }
            ExprKind::UnaryOp {
                op: UnaryOp::Not,
                operand,
            } => self.cond(operand, els, then),
            ExprKind::Compare { left, ops, comparators } if ops.len() == 1 && int_cc(ops[0]).is_some() => {
                let a = self.expr(left);
                let b = self.expr(&comparators[0]);
                let cc = int_cc(ops[0]).unwrap();
                let ints = self.both_small_ints(a, b);
                let fast = self.b.create_block();
                let slow = self.b.create_block();
                self.b.ins().brif(ints, fast, &[], slow, &[]);
                self.enter(fast);
                let sa = self.b.ins().ishl_imm_s(a, 16);
                let sb = self.b.ins().ishl_imm_s(b, 16);
                let c = self.b.ins().icmp(cc, sa, sb);
                self.branch(c, then, els);
                self.enter(slow);
                self.b.set_cold_block(slow);
                let code = self.iconst(crate::program::cmp_code(ops[0]) as i64);
                let r = self.call_rt("rt_compare", &[code, a, b]);
                self.check(r, e.span);
                let t = self.b.ins().icmp_imm_s(IntCC::Equal, r, TRUE.0 as i64);
                self.b.ins().brif(t, then, &[], els, &[]);
            }
            _ => {
                let v = self.expr(e);
                let t = self.truthy(v);
                self.branch(t, then, els);
            }
        }
    }

    /// `brif c, then, els`, with the loop body (if it is one of the two, see `likely`) on
    /// the fall-through side.
    fn branch(&mut self, c: Value, then: Block, els: Block) {
        if self.likely == Some(then) {
            self.brif_likely(c, then, els);
        } else {
            self.b.ins().brif(c, then, &[], els, &[]);
        }
    }

    /// Branch to `likely` when the flag `c` is set, else to `unlikely`, with `likely` laid
    /// out on the fall-through side. Cranelift orders blocks by a depth-first walk that
    /// visits a branch's first target first and then reverses the order, which puts the
    /// *second* target right after the branch: so the flag is inverted (the mid-end folds
    /// `icmp eq (icmp cc ..), 0` into `icmp !cc ..`) and `likely` goes second. Worth it
    /// where `unlikely` is not cold (cold blocks go to the end anyway) and does not rejoin
    /// `likely`'s path soon: a loop's exit. (In a diamond, one side jumps either way.)
    fn brif_likely(&mut self, c: Value, likely: Block, unlikely: Block) {
        let not_c = self.b.ins().icmp_imm_s(IntCC::Equal, c, 0);
        self.b.ins().brif(not_c, unlikely, &[], likely, &[]);
    }

    fn compare_value(&mut self, op: CmpOp, a: Value, b: Value, span: Span) -> Value {
        let tv = self.pyconst(TRUE);
        let fv = self.pyconst(FALSE);
        match op {
            CmpOp::Is | CmpOp::IsNot => {
                let cc = if op == CmpOp::Is { IntCC::Equal } else { IntCC::NotEqual };
                let c = self.b.ins().icmp(cc, a, b);
                return self.b.ins().select(c, tv, fv);
            }
            _ => {}
        }
        let res = self.new_var();
        let join = self.b.create_block();
        let slow = self.b.create_block();
        if let Some(cc) = int_cc(op) {
            let ints = self.both_small_ints(a, b);
            let fast = self.b.create_block();
            self.b.ins().brif(ints, fast, &[], slow, &[]);
            self.enter(fast);
            let sa = self.b.ins().ishl_imm_s(a, 16);
            let sb = self.b.ins().ishl_imm_s(b, 16);
            let c = self.b.ins().icmp(cc, sa, sb);
            let r = self.b.ins().select(c, tv, fv);
            self.b.def_var(res, r);
            self.b.ins().jump(join, &[]);
        } else {
            self.b.ins().jump(slow, &[]);
        }
        self.enter(slow);
        if int_cc(op).is_some() {
            self.b.set_cold_block(slow);
        }
        let code = self.iconst(crate::program::cmp_code(op) as i64);
        let r = self.call_rt("rt_compare", &[code, a, b]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        self.b.use_var(res)
    }

    /// `a op b`, with an inline small-int fast path for + - * // % & | ^.
    fn binop(&mut self, op: BinOp, a: Value, b: Value, inplace: bool, span: Span) -> Value {
        let res = self.new_var();
        let join = self.b.create_block();
        let slow = self.b.create_block();
        // Float arithmetic (either operand a float, or int / int) has its own inline path,
        // except in a program that makes no floats ([`ProgramInfo::makes_no_floats`]): there a
        // float that turns up anyway takes the runtime call, and the path would only be
        // compiled, never run (12% of counter's prepared instructions).
        let floaty = (op == BinOp::Div
            || (matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul) && !self.prog.makes_no_floats))
            .then(|| self.b.create_block());
        if matches!(op, BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::FloorDiv | BinOp::Mod) {
            let ints = self.both_small_ints(a, b);
            let fast = self.b.create_block();
            self.b.ins().brif(ints, fast, &[], floaty.unwrap_or(slow), &[]);
            self.enter(fast);
            // The tree lowering's int operation (rotated `+`/`-`, see `arith::Pending::Rot`).
            let r = self.int_op(op, arith::Pending::Boxed(a), arith::Pending::Boxed(b), slow);
            let boxed = self.boxed(r);
            self.b.def_var(res, boxed);
            self.b.ins().jump(join, &[]);
        } else if op == BinOp::Div {
            // int / int first (the common case: an average, a ratio): both convert exactly
            // (|n| < 2^47), so one correctly rounded division gives Python's result.
            let ints = self.both_small_ints(a, b);
            let int_div = self.b.create_block();
            let nonzero = self.b.create_block();
            self.b
                .ins()
                .brif(ints, int_div, &[], floaty.expect("`/` has a float path"), &[]);
            self.enter(int_div);
            let ia = self.unbox(a);
            let ib = self.unbox(b);
            self.b.ins().brif(ib, nonzero, &[], slow, &[]);
            self.enter(nonzero);
            let fa = self.b.ins().fcvt_from_sint(F64, ia);
            let fb = self.b.ins().fcvt_from_sint(F64, ib);
            let q = self.b.ins().fdiv(fa, fb);
            let bits = self.b.ins().bitcast(I64, MemFlagsData::new(), q);
            let boxed = self.b.ins().iadd_imm_s(bits, DOUBLE_OFFSET as i64);
            self.b.def_var(res, boxed);
            self.b.ins().jump(join, &[]);
        } else if matches!(op, BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor) {
            // Small ints are `INT_TAG | low 48 bits of the two's complement`: `&` and `|` of
            // two keep the tag, `^` clears it, and the 48-bit results are exact.
            let ints = self.both_small_ints(a, b);
            let fast = self.b.create_block();
            self.b.ins().brif(ints, fast, &[], slow, &[]);
            self.enter(fast);
            let r = match op {
                BinOp::BitAnd => self.b.ins().band(a, b),
                BinOp::BitOr => self.b.ins().bor(a, b),
                _ => {
                    let x = self.b.ins().bxor(a, b);
                    self.b.ins().bor_imm_s(x, INT_TAG as i64)
                }
            };
            self.b.def_var(res, r);
            self.b.ins().jump(join, &[]);
        } else {
            self.b.ins().jump(floaty.unwrap_or(slow), &[]);
        }
        self.binop_slow(op, a, b, inplace, span, res, slow, join, floaty)
    }

    /// A flag: are `a` and `b` both small ints? One compare of `a & b` (small ints are the
    /// words at and above `INT_TAG`), or of the other operand alone when one is a constant
    /// small int.
    fn both_small_ints(&mut self, a: Value, b: Value) -> Value {
        let tested = match (self.is_known_int(a), self.is_known_int(b)) {
            (true, true) => return self.b.ins().iconst(cranelift_codegen::ir::types::I8, 1),
            (true, false) => b,
            (false, true) => a,
            _ => self.b.ins().band(a, b),
        };
        self.b
            .ins()
            .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, tested, INT_TAG as i64)
    }

    /// Is `v` known at compile time to be a small int?
    fn is_known_int(&self, v: Value) -> bool {
        self.small_int_const(v).is_some() || self.boxed_payload(v).is_some()
    }

    /// The raw payload `v` boxes, if `v` was made here by boxing a small int (`payload |
    /// INT_TAG`; every such box is of a payload already known to fit 48 bits).
    fn boxed_payload(&self, v: Value) -> Option<Value> {
        let dfg = &self.b.func.dfg;
        let inst = dfg.value_def(v).inst()?;
        match dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::Binary {
                opcode: cranelift_codegen::ir::Opcode::Bor,
                args: [x, tag],
            } => {
                let c = dfg.value_def(tag).inst()?;
                match dfg.insts[c] {
                    cranelift_codegen::ir::InstructionData::UnaryImm {
                        opcode: cranelift_codegen::ir::Opcode::Iconst,
                        imm,
                    } if imm.bits() == INT_TAG as i64 => Some(x),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The word `v` is, if it is a constant (an `iconst`).
    fn const_word(&self, v: Value) -> Option<PyValue> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::UnaryImm {
                opcode: cranelift_codegen::ir::Opcode::Iconst,
                imm,
            } => Some(PyValue(imm.bits() as u64)),
            _ => None,
        }
    }

    /// The small int `v` is, if it is a constant (an `iconst` of a boxed small int).
    fn small_int_const(&self, v: Value) -> Option<i64> {
        self.const_word(v)
            .filter(|w| w.is_small_int())
            .map(PyValue::as_small_int)
    }

    /// The float `v` is, if it is a constant (an `iconst` of a boxed float).
    fn float_const(&self, v: Value) -> Option<f64> {
        self.const_word(v).filter(|w| w.is_float()).map(PyValue::as_float)
    }

    /// The value of `v` as an f64 if it is a float or a small int; otherwise jump to `slow`.
    fn as_f64(&mut self, v: Value, slow: Block) -> Value {
        let out = self.b.declare_var(F64);
        let done = self.b.create_block();
        let not_float = self.b.create_block();
        let is_float = self.b.create_block();
        let off = self.b.ins().iadd_imm_s(v, -(DOUBLE_OFFSET as i64));
        let f = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, off, (INT_TAG - DOUBLE_OFFSET) as i64);
        self.b.ins().brif(f, is_float, &[], not_float, &[]);
        self.enter(is_float);
        let x = self.b.ins().bitcast(F64, MemFlagsData::new(), off);
        self.b.def_var(out, x);
        self.b.ins().jump(done, &[]);
        self.enter(not_float);
        let i = self.small_int_or(v, slow);
        let x = self.b.ins().fcvt_from_sint(F64, i);
        self.b.def_var(out, x);
        self.b.ins().jump(done, &[]);
        self.enter(done);
        self.b.use_var(out)
    }

    /// Inline float `+ - * /`: both operands floats or small ints (`/` also for two ints),
    /// a non-zero divisor; anything else goes to `slow`.
    fn float_binop(&mut self, op: BinOp, a: Value, b: Value, res: Variable, slow: Block, join: Block) {
        let fa = self.as_f64(a, slow);
        let fb = self.as_f64(b, slow);
        let r = match op {
            BinOp::Add => self.b.ins().fadd(fa, fb),
            BinOp::Sub => self.b.ins().fsub(fa, fb),
            BinOp::Mul => self.b.ins().fmul(fa, fb),
            _ => {
                let zero = self.b.ins().f64const(0.0);
                let nz = self.b.ins().fcmp(FloatCC::NotEqual, fb, zero);
                let ok = self.b.create_block();
                self.b.ins().brif(nz, ok, &[], slow, &[]);
                self.enter(ok);
                self.b.ins().fdiv(fa, fb)
            }
        };
        let bits = self.b.ins().bitcast(I64, MemFlagsData::new(), r);
        let boxed = self.b.ins().iadd_imm_s(bits, DOUBLE_OFFSET as i64);
        self.b.def_var(res, boxed);
        self.b.ins().jump(join, &[]);
    }

    /// The shared tail of [`Self::binop`]: the runtime call in `slow`, then the join.
    #[allow(clippy::too_many_arguments)]
    fn binop_slow(
        &mut self,
        op: BinOp,
        a: Value,
        b: Value,
        inplace: bool,
        span: Span,
        res: Variable,
        slow: Block,
        join: Block,
        floaty: Option<Block>,
    ) -> Value {
        if let Some(fb) = floaty {
            self.enter(fb);
            self.float_binop(op, a, b, res, slow, join);
        }
        self.enter(slow);
        self.b.set_cold_block(slow);
        let code = self.iconst(crate::program::binop_code(op) as i64);
        let r = self.call_rt(if inplace { "rt_inplace_op" } else { "rt_binop" }, &[code, a, b]);
        self.check(r, span);
        self.b.def_var(res, r);
        self.b.ins().jump(join, &[]);
        self.enter(join);
        self.b.use_var(res)
    }
}

/// Runtime entry points that may allocate heap objects (and so are followed by a poll).
/// Raising functions allocate too, but they are followed by a jump to a handler, which
/// polls on its own next allocation.
fn may_allocate(name: &str) -> bool {
    !matches!(
        name,
        "rt_truthy"
            | "rt_dict_setitem"
            | "rt_len"
            | "rt_list_append"
            | "rt_traceback_add"
            | "rt_take_exception"
            | "rt_exc_matches"
            | "rt_raise"
            | "rt_reraise"
            | "rt_raise_name_error"
            | "rt_raise_unbound_local"
            | "rt_raise_unbound_free"
            | "rt_raise_recursion"
            | "rt_raise_assert"
    )
}

/// Entry points that leave their results in the scratch area: their caller polls only
/// after loading them into (stack-mapped) values.
fn writes_scratch(name: &str) -> bool {
    matches!(name, "rt_unpack" | "rt_unpack_star")
}

fn int_cc(op: CmpOp) -> Option<IntCC> {
    Some(match op {
        CmpOp::Eq => IntCC::Equal,
        CmpOp::NotEq => IntCC::NotEqual,
        CmpOp::Lt => IntCC::SignedLessThan,
        CmpOp::LtE => IntCC::SignedLessThanOrEqual,
        CmpOp::Gt => IntCC::SignedGreaterThan,
        CmpOp::GtE => IntCC::SignedGreaterThanOrEqual,
        _ => return None,
    })
}
