//! Closure specialisation: a hot closure gets a body of its own, compiled while the
//! program runs, in which its captured callees are constants and are inlined.
//!
//! `compose(f, g)` returns `lambda x: f(g(x))`. Eight levels of it make a chain of
//! closures that one shared body serves, so every level makes two indirect calls: the body
//! cannot know which `f` and `g` it will see. One closure object can: `f` and `g` are
//! frozen captures (parameters nothing rebinds, stored in the env record as values, see
//! `ProgramInfo::frozen`), so for a given closure they never change, and neither does
//! anything reachable from them through frozen captures.
//!
//! ```text
//!   h: FunctionObj                      h's own body (spec_N), compiled at h's 1000th call
//!   +16 code  ----> py_2 (shared)  ==>  +16 code ----> x0 = x
//!   +48 countdown   1000 .. 0                          ; g = h.env[1] = fs[7], inlined:
//!   +56 env[0] f -> FunctionObj (compose lambda)       x1 = x0 % 999983
//!   +64 env[1] g -> FunctionObj (lambda x: x % ...)    ; f = h.env[0], its g, its f, ...
//!                                                      x2 = x1 + 7 ... x8 = x7 - 2
//!                                                      return x8
//! ```
//!
//! How it runs:
//! - A `def` whose body calls one of its frozen captures is *specialisable*
//!   ([`specializable`]). Its shared body counts calls down in the closure's `countdown`
//!   field and, at zero, hands the call to `rt_specialize_call` from a cold block, which
//!   asks for the body and then makes the call again.
//! - The runtime calls [`Tier2::specialize`] through the hook [`install`] registers. It
//!   takes the `def`'s lowered CLIF (kept from start-up, before inlining), replaces the
//!   closure parameter with the closure's address, then repeats: fold what is now known
//!   ([`fold`]: the closure's header, `info` and env record, read from the live object;
//!   integer arithmetic, compares and branches on constants; spill slots that only ever
//!   hold a constant), turn indirect calls of known closures into direct calls of their
//!   `def`'s body ([`devirtualize`]), and inline those (Cranelift's inliner), whose own
//!   closure parameter is then a constant too. The result goes through the same passes and
//!   back end as start-up code, and the closure's `code` points to it.
//! - Only building the body reads live objects, and it runs on the main thread. The
//!   passes and the back end need nothing but the CLIF, so they run on a helper thread
//!   while the program goes on with the shared body ([`Pending`]); a closure that asks
//!   meanwhile asks again [`ASK_AGAIN_AFTER_CALLS`] calls later, and the first ask after
//!   the helper is done installs the body. One body is compiled at a time. Until then the
//!   closure is pinned (`Vm::pinned`): the body's constants are objects reachable from
//!   it. Listings and `CELLAR_SERIAL_COMPILE=1` compile on the main thread instead.
//! - Everything folded is immutable while the closure lives: the header (kind and arity),
//!   `info`, and env record slots never change after the closure is made; frozen captures'
//!   values are in those slots. The contents of cells and `__defaults__` are never folded.
//!   A closure's `code` is not folded either: the body of its `def` serves every closure
//!   of that `def`, whichever code pointer it has.
//! - The constants are objects reachable from the closure, and the specialised body keeps
//!   the closure itself in a GC stack slot at every safepoint, so none of them is collected
//!   while the body runs. The body is reachable only through the closure's `code` field,
//!   which is only ever called with that closure.
//! - Semantics are those of the shared body: inlined callees keep their depth checks,
//!   traceback entries and exception checks (see `jit::inline`).
//! - At most [`MAX_SPECIALIZED`] closures per run get a body; one that gains nothing (no
//!   call became direct) gets none and never asks again. Code of a dead closure is not
//!   freed (Cranelift's JIT module cannot free functions); the limit bounds it.
//!
//! `CELLAR_DEBUG_SPEC=1` prints how long each specialisation took (for one compiled on the
//! helper thread, until it was installed); `CELLAR_DEBUG_SPEC=ir` also prints the CLIF
//! after inlining and as compiled.

use super::{inline, register_code, site_maps, word_sig, Backend};
use crate::scope::{ScopeKind, ScopeTable};
use crate::syntax::ast::{each_stmt, Expr, ExprKind, FunctionDef, ScopeId, StmtKind};
use cellar_runtime::object::{
    FunctionObj, ObjKind, COUNTDOWN_NEVER, FUNCTION_CODE_OFFSET, FUNCTION_COUNTDOWN_OFFSET, FUNCTION_ENV_OFFSET,
};
use cellar_runtime::value::Value as PyValue;
use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::inline::{Inline, InlineCommand};
use cranelift_codegen::ir::{
    self, condcodes::IntCC, types::I64, Function, InstBuilder, InstructionData, Opcode, StackSlotData, StackSlotKind,
    UserFuncName, UserStackMapEntry, Value,
};
use cranelift_module::{FuncId, Linkage, Module as _};
use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// The most closures that get a body of their own in one run.
pub const MAX_SPECIALIZED: usize = 64;
/// The most rounds of fold, devirtualise and inline per body. A round inlines the calls
/// one fold sweep made known: one level of nesting, or half of one when the callee is
/// known only after a second sweep (compose's eight levels take 14 rounds).
const MAX_ROUNDS: usize = 24;
/// The most fold sweeps per body (a round takes one, the last two).
const MAX_SWEEPS: usize = 2 * MAX_ROUNDS;
/// No more inlining once a specialised body has this many instructions.
const MAX_INSTS: usize = 4000;
/// Callees with more instructions than this are not inlined into a specialised body.
const MAX_CALLEE_INSTS: usize = 600;

/// The `def`s whose closures count their calls and ask for a body of their own: those
/// with only positional parameters whose body calls a frozen capture (see the module
/// docs).
pub fn specializable(
    scopes: &ScopeTable,
    defs: &HashMap<ScopeId, &FunctionDef>,
    frozen: &HashSet<(ScopeId, String)>,
    self_bound: &HashSet<(ScopeId, String)>,
) -> HashSet<ScopeId> {
    let mut out = HashSet::new();
    if std::env::var_os("CELLAR_NO_SPECIALIZE").is_some() {
        return out;
    }
    for (&id, def) in defs {
        // The countdown's slow path makes the call again with the body's parameters as
        // positional arguments: only plain positional parameters allow that.
        let p = &def.params;
        if p.vararg.is_some() || p.kwarg.is_some() || !p.kwonly.is_empty() {
            continue;
        }
        let scope = scopes.get(id);
        let frozen_free: HashSet<&str> = scope
            .freevars
            .iter()
            .filter(|name| {
                let mut s = scope.parent;
                while let Some(p) = s {
                    let sc = scopes.get(p);
                    if !sc.is_module && sc.symbol(name).is_some_and(|y| y.kind == ScopeKind::Cell) {
                        // A function calling itself through its own frozen name is
                        // a known direct call already: no body of its own needed.
                        let key = (p, (*name).clone());
                        return frozen.contains(&key) && !self_bound.contains(&key);
                    }
                    s = sc.parent;
                }
                false
            })
            .map(|n| n.as_str())
            .collect();
        if frozen_free.is_empty() {
            continue;
        }
        let mut found = false;
        each_stmt(&def.body, &mut |s| {
            if !matches!(s.kind, StmtKind::FunctionDef(_)) {
                s.for_each_child(&mut |_| {}, &mut |e| found |= calls_one_of(e, &frozen_free));
            }
        });
        if found {
            out.insert(id);
        }
    }
    out
}

/// Does `e` (not entering lambdas) call a bare name in `names`?
fn calls_one_of(e: &Expr, names: &HashSet<&str>) -> bool {
    if let ExprKind::Call { func, .. } = &e.kind {
        if let ExprKind::Name(n) = &func.kind {
            if names.contains(n.as_str()) {
                return true;
            }
        }
    }
    let mut found = false;
    e.for_each_child(&mut |c| found |= calls_one_of(c, names));
    found
}

/// The compiler, kept after start-up to specialise closures while the program runs.
pub struct Tier2 {
    backend: Backend,
    /// Every `def`'s lowered body before inlining, by `FuncId` index.
    bodies: HashMap<u32, Function>,
    /// The bodies start-up code may inline, with their sizes (see `jit::inline`).
    inlinable: inline::Inlinable,
    /// `CodeInfo` address -> the `FuncId` index of that `def`'s body.
    body_of_info: HashMap<usize, u32>,
    /// Closures specialised so far.
    made: usize,
    /// The CLIF of each specialised body, as compiled, when asked for ([`keep_listings`]).
    listings: Option<Vec<String>>,
    /// The body being compiled on the helper thread, if any.
    pending: Option<Pending>,
    /// Whether a check for a finished body waits for it (`CELLAR_SPECIALIZE_WAIT=1`, so
    /// that tests install bodies at the same call every run).
    wait: bool,
}

/// After this many more calls, a closure that asked while the helper thread was busy asks
/// again (and the closure whose body is being compiled checks whether it is ready).
const ASK_AGAIN_AFTER_CALLS: i64 = 256;

/// The helper thread's stack: enough for Cranelift on the largest body allowed.
const HELPER_STACK: usize = 2 << 20;

/// A specialised body built from the live objects, ready for the passes and the back end,
/// which need nothing but the function and the ISA (so another thread may run them).
struct BodyJob {
    /// What it will be defined as, and its name in listings.
    fid: FuncId,
    name: String,
    func: Function,
    /// The recursion limit, for [`check_depth_once`].
    limit: u64,
    /// The shared body, which the depth check's slow path calls.
    shared: ir::FuncRef,
}

/// A [`BodyJob`] compiled, ready for the module to define.
struct CompiledBody {
    fid: FuncId,
    name: String,
    cc: cranelift_codegen::CompiledCode,
    relocs: Vec<cranelift_module::ModuleReloc>,
    /// The `FuncId` indices of the functions it calls (for the lazy trampolines).
    calls: Vec<u32>,
    /// The function as compiled (for listings).
    func: Function,
}

/// A body compiled on the helper thread while the program goes on with the shared one.
///
/// ```text
///   main thread                                   helper thread
///   closure's countdown hits 0 -> hook:
///     build the body from the live objects
///     pin the closure (Vm::pinned), spawn  ---->  passes + Cranelift (compile_body)
///     countdown = ASK_AGAIN_AFTER_CALLS                 |
///   ... the shared body runs on ...                     |
///   countdown hits 0 -> hook -> poll:                   v
///     finished? define, finalize, closure.code = body, unpin
/// ```
struct Pending {
    closure: PyValue,
    qualname: String,
    /// The other closures inlined into the body (their countdowns start again).
    inlined: Vec<u64>,
    started: std::time::Instant,
    handle: std::thread::JoinHandle<Result<CompiledBody, String>>,
}

thread_local! {
    static TIER2: RefCell<Option<Tier2>> = const { RefCell::new(None) };
    /// The code of a program that specialises nothing (see [`install_nothing`]).
    static KEPT_MODULE: RefCell<Option<cranelift_jit::JITModule>> = const { RefCell::new(None) };
}

/// Owned by a `CompiledProgram`: dropping it drops the compiler and the code.
pub struct Installed;

impl Drop for Installed {
    fn drop(&mut self) {
        cellar_runtime::specialize::set_specializer(None);
        TIER2.with(|t| drop(t.borrow_mut().take()));
        KEPT_MODULE.with(|t| drop(t.borrow_mut().take()));
    }
}

/// Keep the compiler for this thread's program and register the runtime hook.
pub fn install(t: Tier2) {
    TIER2.with(|c| *c.borrow_mut() = Some(t));
    KEPT_MODULE.with(|c| *c.borrow_mut() = None);
    cellar_runtime::specialize::set_specializer(Some(hook));
}

/// Keep only the code: no closure of this program can ask for a body of its own.
pub fn install_nothing(backend: Backend) {
    TIER2.with(|c| *c.borrow_mut() = None);
    KEPT_MODULE.with(|c| *c.borrow_mut() = Some(backend.module));
    cellar_runtime::specialize::set_specializer(None);
}

/// Is `body` small enough to inline into a specialised body?
pub fn may_inline(body: &Function) -> bool {
    inst_count(body) <= MAX_CALLEE_INSTS
}

/// Keep the CLIF of every body specialised from now on (for tests and `--dump-ir`).
pub fn keep_listings() {
    TIER2.with(|c| {
        if let Some(t) = c.borrow_mut().as_mut() {
            t.listings.get_or_insert_with(Vec::new);
        }
    });
}

/// The CLIF of the bodies specialised since [`keep_listings`].
pub fn listings() -> Vec<String> {
    TIER2.with(|c| c.borrow().as_ref().and_then(|t| t.listings.clone()).unwrap_or_default())
}

fn hook(closure: PyValue) -> Option<*const u8> {
    TIER2.with(|c| {
        let mut guard = c.try_borrow_mut().ok()?;
        let t = guard.as_mut()?;
        // A body the helper thread has finished goes in first.
        if let Some(installed) = t.poll() {
            if installed.closure == closure.0 {
                return None;
            }
            if installed.inlined.contains(&closure.0) {
                // Inlined into the new body: a body of its own only if called on its own.
                set_countdown(closure.0, cellar_runtime::object::SPECIALIZE_AFTER_CALLS);
                return None;
            }
        }
        if t.pending.is_some() {
            // One body at a time: ask again later.
            set_countdown(closure.0, ASK_AGAIN_AFTER_CALLS);
            return None;
        }
        let started = std::time::Instant::now();
        let result = t.specialize(closure);
        if std::env::var_os("CELLAR_DEBUG_SPEC").is_some() {
            let ms = started.elapsed().as_secs_f64() * 1e3;
            if t.pending.is_none() {
                eprintln!("specialised in {ms:.3} ms");
            } else {
                eprintln!("built in {ms:.3} ms, compiling on the helper thread");
            }
        }
        match result {
            Ok(code) => code,
            Err(e) => {
                report_error(&e);
                t.backend.module.clear_context(&mut t.backend.ctx);
                None
            }
        }
    })
}

/// A specialisation that failed leaves the shared body, which is correct, only slower.
/// Worth knowing in tests.
fn report_error(e: &str) {
    if std::env::var_os("CELLAR_VERIFY_IR").is_some() {
        eprintln!("cellar: internal compiler error (specialising a closure): {e}");
    }
}

/// Set the countdown of the function object at `f`.
fn set_countdown(f: u64, calls: i64) {
    let f = unsafe { &mut *(f as *mut FunctionObj) };
    f.countdown = calls;
}

/// The closures inlined into a body start counting again (unless they never count): the
/// shared body that asked may be calling them right now (all of a chain's closures reach
/// zero in the same call), and they deserve a body of their own only if called on their
/// own later.
fn restart_countdowns(inlined: &[u64]) {
    for &f in inlined {
        let obj = unsafe { &*(f as *const FunctionObj) };
        if obj.countdown != COUNTDOWN_NEVER {
            set_countdown(f, cellar_runtime::object::SPECIALIZE_AFTER_CALLS);
        }
    }
}

/// What [`Tier2::poll`] installed: for which closure, and which it inlined.
struct Finished {
    closure: u64,
    inlined: Vec<u64>,
}

/// Compile a built body: the passes that need nothing but the function, then the back
/// end. Runs on the helper thread, or on the main one with its register allocator state.
fn compile_body(
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    job: BodyJob,
    regalloc: &mut regalloc2::Ctx,
) -> Result<CompiledBody, String> {
    let BodyJob {
        fid,
        name,
        mut func,
        limit,
        shared,
    } = job;
    super::prepare_local(&mut func);
    // With no call that clobbers registers left, every reload may become its value.
    let any_value = !super::spills::clobbering_call(&func);
    forward_slots(&mut func, any_value);
    drop_dead_slots(&mut func);
    check_depth_once(&mut func, limit, shared);
    // `CELLAR_NO_THREADING=1` keeps every test, for measuring.
    if std::env::var_os("CELLAR_NO_THREADING").is_none() {
        super::threading::thread_known_branches(&mut func);
    }
    let mut ctx = cranelift_codegen::Context::for_function(func);
    let cc = super::optimize_and_compile(isa, &mut ctx, regalloc, false)?;
    if std::env::var("CELLAR_DEBUG_SPEC").is_ok_and(|v| v == "ir") {
        eprintln!("==== compiled {name}\n{}", ctx.func.display());
    }
    Ok(CompiledBody {
        fid,
        name,
        relocs: super::module_relocs(&cc, &ctx.func, fid),
        calls: super::called_functions(&ctx.func),
        cc,
        func: ctx.func,
    })
}

impl Tier2 {
    /// The compiler's state at the end of start-up.
    pub fn new(
        backend: Backend,
        bodies: HashMap<u32, Function>,
        inlinable: inline::Inlinable,
        body_of_info: HashMap<usize, u32>,
    ) -> Self {
        let mut backend = backend;
        // Start-up's scratch buffers (the register allocator's above all) are large; the
        // rare specialisation can grow its own again.
        backend.regalloc = Default::default();
        backend.ctx = backend.module.make_context();
        backend.fctx = cranelift_frontend::FunctionBuilderContext::new();
        Tier2 {
            backend,
            bodies,
            inlinable,
            body_of_info,
            made: 0,
            listings: None,
            pending: None,
            wait: std::env::var_os("CELLAR_SPECIALIZE_WAIT").is_some(),
        }
    }

    /// Compile a body for exactly `closure` (a live function object), or `None` when the
    /// limit is reached or nothing would be gained.
    pub fn specialize(&mut self, closure: PyValue) -> Result<Option<*const u8>, String> {
        if self.made >= MAX_SPECIALIZED {
            return Ok(None);
        }
        let fobj = unsafe { &*(closure.0 as *const FunctionObj) };
        let Some(&body) = self.body_of_info.get(&(fobj.info as usize)) else {
            return Ok(None);
        };
        let Tier2 {
            backend: b,
            bodies,
            inlinable,
            body_of_info,
            ..
        } = self;
        b.module.clear_context(&mut b.ctx);
        b.ctx.func = bodies[&body].clone();
        inline::inline_calls(&mut b.ctx, bodies, inlinable, body, None)?;

        // The closure parameter becomes the closure's address; the parameter itself is
        // kept in a GC slot that every safepoint lists, so the closure (and with it every
        // constant folded from it) outlives the body's frames.
        let func = &mut b.ctx.func;
        let entry = func.layout.entry_block().ok_or("no entry block")?;
        let old = func.dfg.block_params(entry)[0];
        let param = func.dfg.replace_block_param(old, I64);
        let keep = func.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 8, 3));
        let mut cur = FuncCursor::new(func).at_first_insertion_point(entry);
        let k = cur.ins().iconst(I64, closure.0 as i64);
        let slot = cur.ins().stack_addr(I64, keep, 0);
        cur.ins().store(super::trusted(), param, slot, 0);
        func.dfg.change_to_alias(old, k);

        let mut known = KnownObjects::default();
        known.add(closure.0);
        let mut refs = HashMap::new();
        let mut devirtualized = 0;
        // Each round folds with one sweep and devirtualises what that made known; only
        // when a sweep finds no call to devirtualise does the next one wait for a fixpoint
        // (sweeping to a fixpoint in every round took a third more sweeps, each of the
        // whole growing body: compose's build went from ~1.9 to ~1.7 ms without them).
        let mut rounds = 0;
        for _ in 0..MAX_SWEEPS {
            let changed = fold_sweep(&mut b.ctx.func, &mut known);
            if changed > 0 {
                b.ctx.compute_cfg();
                b.ctx.compute_domtree();
                b.ctx
                    .eliminate_unreachable_code(b.module.isa())
                    .map_err(|e| format!("{e:?}"))?;
            }
            if inst_count(&b.ctx.func) > MAX_INSTS {
                break;
            }
            let calls = devirtualize(&mut b.ctx.func, &known, body_of_info, &mut refs, &mut b.module);
            if calls.is_empty() {
                if changed == 0 {
                    break;
                }
                continue;
            }
            rounds += 1;
            devirtualized += calls.len();
            b.ctx
                .inline(SpecializedInliner {
                    bodies,
                    inlinable,
                    caller: body,
                    devirtualized: &calls,
                })
                .map_err(|e| format!("{e:?}"))?;
            if rounds == MAX_ROUNDS {
                break;
            }
        }
        if std::env::var("CELLAR_DEBUG_SPEC").is_ok_and(|v| v == "ir") {
            eprintln!("spec {body}: devirtualized {devirtualized}\n{}", b.ctx.func.display());
        }
        if devirtualized == 0 {
            return Ok(None);
        }
        let func = &mut b.ctx.func;
        for block in func.layout.blocks().collect::<Vec<_>>() {
            for inst in func.layout.block_insts(block).collect::<Vec<_>>() {
                if func.dfg.insts[inst].opcode().is_call() {
                    let entry = UserStackMapEntry {
                        ty: I64,
                        slot: keep,
                        offset: 0,
                    };
                    func.dfg.append_user_stack_map_entry(inst, entry);
                }
            }
        }

        let nparams = func.signature.params.len();
        let name = format!("spec_{body}_{}", self.made);
        let sig = word_sig(&b.module, nparams, true);
        let fid = b
            .module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        b.ctx.func.name = UserFuncName::user(0, fid.as_u32());
        // Routing slow-path calls declares wrappers in the module: here, on this thread.
        b.prepare_shared();
        let shared = b.module.declare_func_in_func(FuncId::from_u32(body), &mut b.ctx.func);
        let job = BodyJob {
            fid,
            name,
            func: std::mem::replace(&mut b.ctx.func, Function::new()),
            limit: cellar_runtime::vm::vm().depth_limit,
            shared,
        };
        b.module.clear_context(&mut b.ctx);
        self.made += 1;
        let qualname = fobj.info().qualname.clone();
        let inlined: Vec<u64> = known.funcs.iter().copied().filter(|&f| f != closure.0).collect();
        restart_countdowns(&inlined);

        // Listings (tests, `--dump-ir`) and `CELLAR_SERIAL_COMPILE=1` want the body now.
        if self.listings.is_none() && std::env::var_os("CELLAR_SERIAL_COMPILE").is_none() {
            let isa = b.isa.clone();
            let spawned = std::thread::Builder::new()
                .name("cellar-specialise".into())
                .stack_size(HELPER_STACK)
                .spawn(move || compile_body(&*isa, job, &mut regalloc2::Ctx::default()));
            // With no second thread (the system refused one), the shared body stays.
            let handle = spawned.map_err(|e| e.to_string())?;
            cellar_runtime::vm::vm().pinned.push(closure);
            set_countdown(closure.0, ASK_AGAIN_AFTER_CALLS);
            self.pending = Some(Pending {
                closure,
                qualname,
                inlined,
                started: std::time::Instant::now(),
                handle,
            });
            return Ok(None);
        }
        let done = compile_body(&*self.backend.isa.clone(), job, &mut self.backend.regalloc)?;
        self.define(done, closure, &qualname).map(Some)
    }

    /// Define a compiled body for `closure` in the module and return its address.
    fn define(&mut self, done: CompiledBody, closure: PyValue, qualname: &str) -> Result<*const u8, String> {
        let b = &mut self.backend;
        super::define_compiled(&mut b.module, done.fid, &done.cc, &done.relocs)?;
        b.mark_used(&done.calls);
        if let Some(l) = self.listings.as_mut() {
            l.push(format!("; {}: {qualname}\n{}", done.name, done.func.display()));
        }
        let compiled = vec![(done.fid, done.cc.buffer.data().len(), site_maps(&done.cc))];
        b.define_stubs()?;
        b.module.finalize_definitions().map_err(|e| e.to_string())?;
        register_code(&b.module, compiled, &|_| format!("py::{qualname}@{:x}", closure.0));
        Ok(b.module.get_finalized_function(done.fid))
    }

    /// If the helper thread has finished its body, define it and point its closure at it
    /// (or, if it failed, leave the shared body). Returns what was finished.
    fn poll(&mut self) -> Option<Finished> {
        if !self.pending.as_ref()?.handle.is_finished() && !self.wait {
            return None;
        }
        let p = self.pending.take()?;
        let result = match p.handle.join() {
            Ok(result) => result,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        cellar_runtime::gc::release_malloc_pages_at_next_collection();
        let pinned = &mut cellar_runtime::vm::vm().pinned;
        pinned.retain(|&v| v != p.closure);
        set_countdown(p.closure.0, COUNTDOWN_NEVER);
        match result.and_then(|done| self.define(done, p.closure, &p.qualname)) {
            Ok(code) => {
                cellar_runtime::specialize::install_body(p.closure, code);
                if std::env::var_os("CELLAR_DEBUG_SPEC").is_some() {
                    let ms = p.started.elapsed().as_secs_f64() * 1e3;
                    eprintln!("specialised in {ms:.3} ms (on the helper thread)");
                }
            }
            Err(e) => {
                report_error(&e);
                self.backend.module.clear_context(&mut self.backend.ctx);
            }
        }
        restart_countdowns(&p.inlined);
        Some(Finished {
            closure: p.closure.0,
            inlined: p.inlined,
        })
    }
}

fn inst_count(func: &Function) -> usize {
    func.layout.blocks().map(|b| func.layout.block_insts(b).count()).sum()
}

/// Function objects whose immutable fields compile-time code may read: the specialised
/// closure and the closures reachable from it through env record slots.
#[derive(Default)]
pub struct KnownObjects {
    funcs: HashSet<u64>,
}

impl KnownObjects {
    /// Note `v` if it is a function object.
    fn add(&mut self, v: u64) {
        if PyValue(v).is_kind(ObjKind::Function) {
            self.funcs.insert(v);
        }
    }

    /// The word at `base + offset`, if `base` is a known function object and that word
    /// cannot change while it lives (`countdown` reads as "never", so inlined shared
    /// bodies do not ask for specialisation).
    fn read(&mut self, base: u64, offset: i64) -> Option<u64> {
        if !self.funcs.contains(&base) {
            return None;
        }
        let f = unsafe { &*(base as *const FunctionObj) };
        let env_end = FUNCTION_ENV_OFFSET as i64 + 8 * f.info().freevars.len() as i64;
        let word = |off: i64| unsafe { *((base as i64 + off) as *const u64) };
        match offset {
            // Kind and arity (the mark byte and flags are zero outside a collection).
            0 => Some(word(0)),
            // `info`.
            24 => Some(word(24)),
            o if o == FUNCTION_COUNTDOWN_OFFSET as i64 => Some(COUNTDOWN_NEVER as u64),
            o if o >= FUNCTION_ENV_OFFSET as i64 && o < env_end && o % 8 == 0 => {
                let v = word(o);
                self.add(v);
                Some(v)
            }
            _ => None,
        }
    }
}

/// The constant `v` is, if an `iconst` defines it.
pub(super) fn constant(func: &Function, v: Value) -> Option<u64> {
    let v = func.dfg.resolve_aliases(v);
    let inst = func.dfg.value_def(v).inst()?;
    match func.dfg.insts[inst] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } => Some(imm.bits() as u64),
        _ => None,
    }
}

/// `v` truncated to `bits`, zero-extended.
pub(super) fn zext(v: u64, bits: u32) -> u64 {
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// `v` truncated to `bits`, sign-extended.
fn sext(v: u64, bits: u32) -> i64 {
    if bits >= 64 {
        v as i64
    } else {
        ((v << (64 - bits)) as i64) >> (64 - bits)
    }
}

fn compare(cond: IntCC, a: u64, b: u64, bits: u32) -> bool {
    let (ua, ub) = (zext(a, bits), zext(b, bits));
    let (sa, sb) = (sext(a, bits), sext(b, bits));
    match cond {
        IntCC::Equal => ua == ub,
        IntCC::NotEqual => ua != ub,
        IntCC::SignedLessThan => sa < sb,
        IntCC::SignedGreaterThanOrEqual => sa >= sb,
        IntCC::SignedGreaterThan => sa > sb,
        IntCC::SignedLessThanOrEqual => sa <= sb,
        IntCC::UnsignedLessThan => ua < ub,
        IntCC::UnsignedGreaterThanOrEqual => ua >= ub,
        IntCC::UnsignedGreaterThan => ua > ub,
        IntCC::UnsignedLessThanOrEqual => ua <= ub,
    }
}

fn arith(op: Opcode, a: u64, b: u64) -> Option<u64> {
    Some(match op {
        Opcode::Iadd => a.wrapping_add(b),
        Opcode::Isub => a.wrapping_sub(b),
        Opcode::Imul => a.wrapping_mul(b),
        Opcode::Band => a & b,
        Opcode::Bor => a | b,
        Opcode::Bxor => a ^ b,
        _ => return None,
    })
}

/// One sweep over `func`: forward stored values to loads of the same slot, replace what
/// is now constant with constants, and branches on constants with jumps. Returns how many
/// instructions changed (a fixpoint once that is 0).
pub fn fold_sweep(func: &mut Function, known: &mut KnownObjects) -> usize {
    let mut changed = forward_slots(func, false);
    let sources = Sources::of(func);
    for block in func.layout.blocks().collect::<Vec<_>>() {
        for inst in func.layout.block_insts(block).collect::<Vec<_>>() {
            changed += fold_inst(func, known, &sources, inst) as usize;
        }
    }
    changed
}

/// Where values come from across jumps: each block with a single predecessor, and the
/// branch that reaches it.
struct Sources {
    single_pred: HashMap<ir::Block, ir::Inst>,
}

impl Sources {
    fn of(func: &Function) -> Self {
        let cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(func);
        let mut single_pred = HashMap::new();
        for block in func.layout.blocks() {
            let mut preds = cfg.pred_iter(block);
            if let (Some(p), None) = (preds.next(), preds.next()) {
                let targets = func.dfg.insts[p.inst]
                    .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                    .iter()
                    .filter(|c| c.block(&func.dfg.value_lists) == block)
                    .count();
                if targets == 1 {
                    single_pred.insert(block, p.inst);
                }
            }
        }
        Sources { single_pred }
    }

    /// The value `v` is, seen through aliases and the parameters of blocks with a single
    /// predecessor.
    fn source(&self, func: &Function, v: Value) -> Value {
        let mut v = func.dfg.resolve_aliases(v);
        for _ in 0..64 {
            let ir::ValueDef::Param(block, i) = func.dfg.value_def(v) else {
                break;
            };
            let Some(&branch) = self.single_pred.get(&block) else {
                break;
            };
            let call = func.dfg.insts[branch]
                .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                .iter()
                .find(|c| c.block(&func.dfg.value_lists) == block)
                .copied();
            let Some(ir::BlockArg::Value(a)) = call.and_then(|c| c.args(&func.dfg.value_lists).nth(i)) else {
                break;
            };
            v = func.dfg.resolve_aliases(a);
        }
        v
    }

    /// `v`'s bits that are known to be ones: those of a constant `K` in `v = x | K`.
    fn known_ones(&self, func: &Function, v: Value) -> u64 {
        let v = self.source(func, v);
        let Some(inst) = func.dfg.value_def(v).inst() else {
            return 0;
        };
        match func.dfg.insts[inst] {
            InstructionData::Binary {
                opcode: Opcode::Bor,
                args,
            } => constant(func, args[1]).or_else(|| constant(func, args[0])).unwrap_or(0),
            _ => 0,
        }
    }
}

fn fold_inst(func: &mut Function, known: &mut KnownObjects, sources: &Sources, inst: ir::Inst) -> bool {
    let c = |v: Value| constant(func, v);
    let result_bits = |func: &Function| {
        let r = func.dfg.first_result(inst);
        func.dfg.value_type(r).bits()
    };
    let folded: Option<u64> = match func.dfg.insts[inst] {
        InstructionData::Binary { opcode, args } => match (c(args[0]), c(args[1])) {
            (Some(a), Some(b)) => arith(opcode, a, b),
            _ => None,
        },
        InstructionData::IntCompare { cond, args, .. } => match (c(args[0]), c(args[1])) {
            (Some(a), Some(b)) => {
                let bits = func.dfg.value_type(args[0]).bits();
                Some(compare(cond, a, b, bits) as u64)
            }
            (None, Some(b)) if func.dfg.value_type(args[0]) == I64 => {
                // A tagged small int, `x | INT_TAG`, is never the exception marker and
                // always passes the int tag test.
                let ones = sources.known_ones(func, args[0]);
                let x = super::threading::Bits { ones, zeros: 0 };
                super::threading::decide(cond, x, super::threading::Bits::exact(b)).map(u64::from)
            }
            _ => None,
        },
        InstructionData::Unary {
            opcode: Opcode::Uextend,
            arg,
        } => c(arg).map(|a| zext(a, func.dfg.value_type(arg).bits())),
        InstructionData::Unary {
            opcode: Opcode::Sextend,
            arg,
        } => c(arg).map(|a| sext(a, func.dfg.value_type(arg).bits()) as u64),
        InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            offset,
            ..
        } if func.dfg.value_type(func.dfg.first_result(inst)) == I64 => {
            c(arg).and_then(|base| known.read(base, i64::from(offset)))
        }
        InstructionData::Store {
            opcode: Opcode::Store,
            args,
            offset,
            ..
        } => {
            // The shared body's countdown, inlined: nothing to count here.
            if c(args[1]).is_some_and(|base| known.funcs.contains(&base))
                && i64::from(offset) == FUNCTION_COUNTDOWN_OFFSET as i64
            {
                func.layout.remove_inst(inst);
                return true;
            }
            None
        }
        InstructionData::Brif { arg, blocks, .. } => {
            if let Some(v) = c(arg) {
                let taken = blocks[if zext(v, func.dfg.value_type(arg).bits()) != 0 {
                    0
                } else {
                    1
                }];
                func.dfg.insts[inst] = InstructionData::Jump {
                    opcode: Opcode::Jump,
                    destination: taken,
                };
                return true;
            }
            None
        }
        _ => None,
    };
    let Some(v) = folded else { return false };
    if func.dfg.inst_results(inst).len() != 1 {
        return false;
    }
    let bits = result_bits(func);
    let ty = func.dfg.value_type(func.dfg.first_result(inst));
    func.replace(inst).iconst(ty, zext(v, bits) as i64);
    true
}

/// `depth + k` for the depth parameter `depth`, if `v` is that.
fn depth_offset(func: &Function, sources: &Sources, depth: Value, v: Value) -> Option<i64> {
    let v = sources.source(func, v);
    if v == depth {
        return Some(0);
    }
    let inst = func.dfg.value_def(v).inst()?;
    match func.dfg.insts[inst] {
        InstructionData::Binary {
            opcode: Opcode::Iadd,
            args,
        } => {
            let k = constant(func, args[1])? as i64;
            depth_offset(func, sources, depth, args[0])?.checked_add(k)
        }
        _ => None,
    }
}

/// Every inlined level checks its own depth against the limit (`depth + k > limit`). Test
/// the deepest once on entry instead: when it would fail, call the shared body (which
/// checks level by level and raises RecursionError where CPython would); otherwise no
/// level's check can fail, and they all fold to false.
fn check_depth_once(func: &mut Function, limit: u64, shared: ir::FuncRef) -> bool {
    let Some(entry) = func.layout.entry_block() else {
        return false;
    };
    let params = func.dfg.block_params(entry).to_vec();
    let depth = params[1];
    let sources = Sources::of(func);
    let mut checks = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let InstructionData::IntCompare {
                cond: IntCC::UnsignedGreaterThan,
                args,
                ..
            } = func.dfg.insts[inst]
            {
                if constant(func, args[1]) == Some(limit) {
                    if let Some(k) = depth_offset(func, &sources, depth, args[0]).filter(|&k| k >= 0) {
                        checks.push((inst, k as u64));
                    }
                }
            }
        }
    }
    let Some(deepest) = checks.iter().map(|&(_, k)| k).max() else {
        return false;
    };
    if deepest > limit {
        return false;
    }
    for (inst, _) in checks {
        let ty = func.dfg.value_type(func.dfg.first_result(inst));
        func.replace(inst).iconst(ty, 0);
    }
    // A new entry block: test, then the old entry (now an ordinary block) or the shared body.
    let start = func.dfg.make_block();
    let new_params: Vec<Value> = params.iter().map(|_| func.dfg.append_block_param(start, I64)).collect();
    func.layout.insert_block(start, entry);
    let fallback = func.dfg.make_block();
    func.layout.append_block(fallback);
    func.layout.set_cold(fallback);
    let mut cur = FuncCursor::new(func).at_bottom(start);
    let too_deep = cur
        .ins()
        .icmp_imm_u(IntCC::UnsignedGreaterThan, new_params[1], (limit - deepest) as i64);
    let args: Vec<ir::BlockArg> = new_params.iter().map(|&v| ir::BlockArg::Value(v)).collect();
    cur.ins().brif(too_deep, fallback, &[], entry, &args);
    cur.goto_bottom(fallback);
    let call = cur.ins().call(shared, &new_params);
    let r = cur.func.dfg.first_result(call);
    cur.ins().return_(&[r]);
    true
}

/// How `func` uses its explicit stack slots: each `stack_addr` result, and the slots whose
/// address goes anywhere but the address operand of a plain load or store.
struct SlotUses {
    addr_of: rustc_hash::FxHashMap<Value, (ir::StackSlot, i64)>,
    escaped: rustc_hash::FxHashSet<ir::StackSlot>,
}

impl SlotUses {
    fn of(func: &Function) -> Self {
        let addr_of: rustc_hash::FxHashMap<Value, (ir::StackSlot, i64)> = super::spills::stack_addrs(func)
            .into_iter()
            .map(|(v, ss, off)| (v, (ss, off)))
            .collect();
        let mut escaped = rustc_hash::FxHashSet::default();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                let address_only = match func.dfg.insts[inst] {
                    InstructionData::Store {
                        opcode: Opcode::Store,
                        args,
                        ..
                    } => Some(args[1]).filter(|_| !addr_of.contains_key(&args[0])),
                    InstructionData::Load {
                        opcode: Opcode::Load,
                        arg,
                        ..
                    } => Some(arg),
                    _ => None,
                };
                for v in func.dfg.inst_values(inst) {
                    if Some(v) != address_only {
                        if let Some(&(ss, _)) = addr_of.get(&v) {
                            escaped.insert(ss);
                        }
                    }
                }
            }
        }
        SlotUses { addr_of, escaped }
    }

    /// The slot (not escaped) an access at `addr + offset` reads or writes whole, if any.
    fn slot(&self, addr: Value, offset: ir::immediates::Offset32) -> Option<ir::StackSlot> {
        let &(ss, o) = self.addr_of.get(&addr)?;
        (o + i64::from(offset) == 0 && !self.escaped.contains(&ss)).then_some(ss)
    }
}

/// Store-to-load forwarding through explicit stack slots: a load from a slot that, on
/// every path to it, last got the same value stored becomes that value (`any_value`), or
/// only when that value is a constant. (The slots are cranelift-frontend's spill slots for
/// GC references live across calls: a callee read from the env record is spilled before
/// the first call and reloaded for the next.) Returns how many loads went.
fn forward_slots(func: &mut Function, any_value: bool) -> usize {
    use super::spills::Access;
    let uses = SlotUses::of(func);
    // The slots whose address goes nowhere else, numbered densely.
    let mut index: rustc_hash::FxHashMap<ir::StackSlot, usize> = Default::default();
    for &(ss, _) in uses.addr_of.values() {
        if !uses.escaped.contains(&ss) {
            let n = index.len();
            index.entry(ss).or_insert(n);
        }
    }
    let mut accesses = rustc_hash::FxHashMap::default();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let access = match func.dfg.insts[inst] {
                InstructionData::Store {
                    opcode: Opcode::Store,
                    args: [value, addr],
                    offset,
                    ..
                } => uses.addr_of.get(&addr).and_then(|(ss, _)| index.get(ss)).map(|&slot| {
                    let whole = uses.slot(addr, offset).is_some() && func.dfg.value_type(value) == I64;
                    let forwardable = whole && (any_value || constant(func, value).is_some());
                    Access::Spill(slot, forwardable.then(|| func.dfg.resolve_aliases(value)))
                }),
                InstructionData::Load {
                    opcode: Opcode::Load,
                    arg,
                    offset,
                    ..
                } => uses
                    .slot(arg, offset)
                    .and_then(|ss| index.get(&ss))
                    .map(|&slot| Access::Reload(slot, func.dfg.first_result(inst)))
                    .filter(|_| func.dfg.value_type(func.dfg.first_result(inst)) == I64),
                _ => None,
            };
            if let Some(a) = access {
                accesses.insert(inst, a);
            }
        }
    }
    // Nothing to do unless some slot that is read is also given a value to forward.
    let mut given = vec![false; index.len()];
    let mut read = vec![false; index.len()];
    for a in accesses.values() {
        match *a {
            Access::Spill(slot, Some(_)) => given[slot] = true,
            Access::Reload(slot, _) => read[slot] = true,
            Access::Spill(_, None) | Access::Clobber => {}
        }
    }
    if !given.iter().zip(&read).any(|(&g, &r)| g && r) {
        // Callers count on aliases resolved (folding makes them).
        func.dfg.resolve_all_aliases();
        return 0;
    }
    let cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(func);
    let domtree = cranelift_codegen::dominator_tree::DominatorTree::with_function(func, &cfg);
    let rpo: Vec<ir::Block> = domtree.cfg_rpo().copied().collect();
    let loads = super::spills::known_loads(&cfg, &rpo, func, &accesses, index.len(), &|_| true);
    super::spills::replace_loads(func, &loads);
    loads.len()
}

/// After forwarding: drop unused loads, then the stores to slots nothing loads from any
/// more, when nothing else needs them: slots no stack map names, and slots only ever
/// given constants (every constant here is kept alive by the specialised closure or is
/// never freed), which also leave the stack maps. Returns the instructions removed.
fn drop_dead_slots(func: &mut Function) -> usize {
    // Unused loads (of env words, code pointers, reloads) have no effect.
    let mut removed = super::threading::remove_unused(func, |func, inst| match func.dfg.insts[inst] {
        InstructionData::Load {
            opcode: Opcode::Load,
            flags,
            ..
        } => func.dfg.mem_flags[flags].notrap(),
        _ => false,
    });
    let uses = SlotUses::of(func);
    let mut loaded: HashSet<ir::StackSlot> = HashSet::new();
    let mut stores: HashMap<ir::StackSlot, Vec<(ir::Inst, bool)>> = HashMap::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            match func.dfg.insts[inst] {
                InstructionData::Load {
                    opcode: Opcode::Load,
                    arg,
                    ..
                } => {
                    if let Some(&(ss, _)) = uses.addr_of.get(&arg) {
                        loaded.insert(ss);
                    }
                }
                InstructionData::Store {
                    opcode: Opcode::Store,
                    args,
                    ..
                } => {
                    if let Some(&(ss, _)) = uses.addr_of.get(&args[1]) {
                        stores
                            .entry(ss)
                            .or_default()
                            .push((inst, constant(func, args[0]).is_some()));
                    }
                }
                _ => {}
            }
        }
    }
    let mut in_maps: HashSet<ir::StackSlot> = HashSet::new();
    let mut safepoints = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let Some(es) = func.dfg.user_stack_map_entries(inst) {
                in_maps.extend(es.iter().map(|e| e.slot));
                safepoints.push(inst);
            }
        }
    }
    let mut unmapped: HashSet<ir::StackSlot> = HashSet::new();
    for (ss, st) in &stores {
        if loaded.contains(ss) || uses.escaped.contains(ss) {
            continue;
        }
        let all_constant = st.iter().all(|&(_, k)| k);
        if in_maps.contains(ss) && !all_constant {
            continue;
        }
        for &(inst, _) in st {
            func.layout.remove_inst(inst);
            removed += 1;
        }
        if in_maps.contains(ss) {
            unmapped.insert(*ss);
        }
    }
    if !unmapped.is_empty() {
        for inst in safepoints {
            let entries = func.dfg.user_stack_map_entries(inst).unwrap_or(&[]).to_vec();
            if entries.iter().any(|e| unmapped.contains(&e.slot)) {
                let kept = entries.into_iter().filter(|e| !unmapped.contains(&e.slot));
                rebuild_with_stack_map(func, inst, kept.collect());
            }
        }
    }
    removed
}

/// Replace the call `inst` by an identical call whose stack map is `entries` (Cranelift
/// can add stack map entries to an instruction but not take them away).
fn rebuild_with_stack_map(func: &mut Function, inst: ir::Inst, entries: Vec<UserStackMapEntry>) {
    let data = func.dfg.insts[inst];
    let old_results: Vec<Value> = func.dfg.inst_results(inst).to_vec();
    let new = func.dfg.make_inst(data);
    func.dfg.make_inst_results(new, ir::types::INVALID);
    let new_results: Vec<Value> = func.dfg.inst_results(new).to_vec();
    func.layout.insert_inst(new, inst);
    func.layout.remove_inst(inst);
    func.dfg.detach_inst_results(inst);
    for (o, n) in old_results.into_iter().zip(new_results) {
        func.dfg.change_to_alias(o, n);
    }
    for e in entries {
        func.dfg.append_user_stack_map_entry(new, e);
    }
}

/// Turn `call_indirect [K+16](K, ..)` where `K` is a known function object into a direct
/// call of its `def`'s body. Returns the calls changed.
fn devirtualize(
    func: &mut Function,
    known: &KnownObjects,
    body_of_info: &HashMap<usize, u32>,
    refs: &mut HashMap<u32, ir::FuncRef>,
    module: &mut cranelift_jit::JITModule,
) -> HashSet<ir::Inst> {
    let mut out = HashSet::new();
    for block in func.layout.blocks().collect::<Vec<_>>() {
        for inst in func.layout.block_insts(block).collect::<Vec<_>>() {
            let InstructionData::CallIndirect {
                opcode: Opcode::CallIndirect,
                ..
            } = func.dfg.insts[inst]
            else {
                continue;
            };
            let args = func.dfg.inst_args(inst).to_vec();
            let (code, call_args) = (args[0], &args[1..]);
            let Some(load) = func.dfg.value_def(func.dfg.resolve_aliases(code)).inst() else {
                continue;
            };
            let InstructionData::Load {
                opcode: Opcode::Load,
                arg,
                offset,
                ..
            } = func.dfg.insts[load]
            else {
                continue;
            };
            let Some(base) = constant(func, arg) else { continue };
            if i64::from(offset) != FUNCTION_CODE_OFFSET as i64
                || !known.funcs.contains(&base)
                || call_args.first().and_then(|&a| constant(func, a)) != Some(base)
            {
                continue;
            }
            let f = unsafe { &*(base as *const FunctionObj) };
            let Some(&body) = body_of_info.get(&(f.info as usize)) else {
                continue;
            };
            if f.h.aux as usize + 2 != call_args.len() || f.info().nparams() + 2 != call_args.len() {
                continue;
            }
            let fref = *refs
                .entry(body)
                .or_insert_with(|| module.declare_func_in_func(FuncId::from_u32(body), func));
            func.replace(inst).call(fref, call_args);
            out.insert(inst);
        }
    }
    out
}

/// Inline the calls [`devirtualize`] made (any size up to [`MAX_CALLEE_INSTS`], recursion
/// included: each copy has its own constant closure, and rounds are bounded), and the
/// bodies start-up code may inline (without start-up's per-caller budget: a specialised
/// body has its own size limit).
struct SpecializedInliner<'a> {
    bodies: &'a HashMap<u32, Function>,
    inlinable: &'a inline::Inlinable,
    caller: u32,
    devirtualized: &'a HashSet<ir::Inst>,
}

impl Inline for SpecializedInliner<'_> {
    fn inline(
        &mut self,
        caller: &Function,
        inst: ir::Inst,
        _opcode: ir::Opcode,
        callee: ir::FuncRef,
        _args: &[Value],
    ) -> InlineCommand<'_> {
        let Some(f) = inline::callee_index(caller, callee) else {
            return InlineCommand::KeepCall;
        };
        let Some(body) = self.bodies.get(&f) else {
            return InlineCommand::KeepCall;
        };
        let wanted = if self.devirtualized.contains(&inst) {
            inst_count(body) <= MAX_CALLEE_INSTS
        } else {
            f != self.caller && self.inlinable.contains_key(&f)
        };
        if wanted {
            InlineCommand::Inline {
                callee: Cow::Borrowed(body),
                visit_callee: false,
            }
        } else {
            InlineCommand::KeepCall
        }
    }
}
