//! The JIT driver: lowers every scope to Cranelift IR (see [`lower`]), compiles it with
//! cranelift-jit, registers the stack maps with the runtime's collector, and returns the
//! module body's entry point.
//!
//! Per Python function `F` (scope id `n`) the module holds two native functions:
//!
//! ```text
//! py_n(func, a0, .., ak-1) -> value   the body; `func` is the closure (env record inside)
//! arr_n(func, argv) -> value          array entry for the runtime's general call path:
//!                                     loads argv[0..k] and calls py_n
//! ```
//!
//! plus shared trampolines: `gc_poll` (hands its caller's frame pointer and return address
//! to the collector) and `tramp_<rt fn>` for runtime entry points that may call back into
//! Python (they push an `ExitNode` so the collector can walk past the Rust frames).

pub mod cold;
pub mod coldcalls;
pub mod decided;
pub mod facts;
pub mod floats;
pub mod imports;
pub mod inline;
pub mod known;
pub mod licm;
pub mod listing;
pub mod lower;
pub mod ranges;
pub mod sink;
pub mod specialize;
pub mod spills;
pub mod threading;
pub mod unboxed_params;

pub use listing::{FunctionIr, Stage};

use crate::scope::ScopeTable;
use crate::syntax::ast::{Expr, ExprKind, FunctionDef, Module, ScopeId, Stmt, StmtKind};
use crate::syntax::SourceText;
use cellar_runtime::object::CodeInfo;
use cellar_runtime::value::Value;
use cranelift_codegen::ir::{
    types::I64, AbiParam, InstBuilder, MemFlagsData, Signature, StackSlotData, StackSlotKind, UserFuncName,
};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module as _};
use std::collections::{HashMap, HashSet};

/// Options for compilation.
#[derive(Clone, Debug, Default)]
pub struct CompileOptions {
    /// Keep the CLIF text of every function as lowered.
    pub keep_ir: bool,
    /// Keep the CLIF text as Cranelift's optimiser gets it: inlined, slow-path calls
    /// routed, reloads removed.
    pub keep_prepared_ir: bool,
    /// Keep the CLIF text after optimisation.
    pub keep_opt_ir: bool,
    /// Keep the machine code listing.
    pub keep_asm: bool,
    /// Also keep Graphviz dot graphs of the kept CLIF stages.
    pub keep_cfg: bool,
}

impl CompileOptions {
    /// Whether any listing is to be kept (then functions are compiled one at a time).
    pub fn wants_listing(&self) -> bool {
        self.keep_ir || self.keep_prepared_ir || self.keep_opt_ir || self.keep_asm
    }
}

/// A compiled program, ready to run.
pub struct CompiledProgram {
    /// Native entry of the module body: `(func = 0) -> value`.
    pub entry: unsafe extern "C" fn(Value) -> Value,
    /// IR of each function, module body first.
    pub ir: Vec<FunctionIr>,
    /// How the stubs compiled code calls were compiled.
    pub stubs: StubCounts,
    /// The qualnames of the bodies queued for compiling as soon as they were lowered (they
    /// call no other Python body directly, so inlining has nothing to do in them).
    pub queued_while_lowering: Vec<String>,
    /// Keeps the code (and the compiler that adds to it while the program runs) alive.
    _tier2: specialize::Installed,
}

/// Stubs (trampolines and slow-path wrappers, see [`Backend::stub_jobs`]) compiled for a
/// program.
#[derive(Default, Clone, Copy, Debug)]
pub struct StubCounts {
    /// Compiled with the function bodies, on both threads: the stubs that the prepared
    /// bodies refer to.
    pub with_bodies: usize,
    /// Compiled after the bodies, one at a time on this thread: all of them when listings
    /// are kept, otherwise those the prepared bodies did not show (none is known).
    pub after_bodies: usize,
}

/// Everything the lowering of one function needs to know about the whole program.
pub struct ProgramInfo<'a> {
    /// Scope table.
    pub scopes: &'a ScopeTable,
    /// The source, for line numbers.
    pub source: &'a SourceText,
    /// Every function definition by scope id.
    pub defs: HashMap<ScopeId, &'a FunctionDef>,
    /// `(binding scope, name) -> scope id of the only def statement binding it`.
    pub def_of_name: HashMap<(ScopeId, String), ScopeId>,
    /// Static facts per scope (module included), leaked.
    pub infos: HashMap<ScopeId, *mut CodeInfo>,
    /// Body function id per scope.
    pub body_ids: HashMap<ScopeId, FuncId>,
    /// Global slot of each global name.
    pub global_slots: HashMap<String, usize>,
    /// Global names that are builtins the program binds or deletes as globals
    /// ([`crate::program::shadows_builtin`]): a read of an empty slot finds the builtin.
    pub shadowed_builtins: std::collections::HashSet<String>,
    /// Address of `Vm::globals[0]`.
    pub globals_addr: i64,
    /// Address of the VM.
    pub vm_addr: i64,
    /// Runtime imports by name, with whether they return a word.
    pub imports: HashMap<&'static str, (FuncId, bool)>,
    /// Trampolines of reentrant imports by runtime name.
    pub trampolines: HashMap<&'static str, FuncId>,
    /// The GC poll trampoline.
    pub gc_poll: FuncId,
    /// The module body.
    pub module_body: &'a [Stmt],
    /// Calls with statically known callees (global functions, closure-holding locals).
    pub known: known::KnownCallees,
    /// Captured parameters that nothing rebinds, `(scope, name)`: their closures get the value
    /// itself in the env record, not a cell ("immutable captures copied into the record").
    /// Only when the program never reaches cells through introspection, where the
    /// difference would show.
    pub frozen: std::collections::HashSet<(ScopeId, String)>,
    /// The [`ProgramInfo::frozen`] entries that name a `def` whose closure is the only
    /// reader ([`facts::self_bound_defs`]): its env record holds the closure itself.
    pub self_bound: std::collections::HashSet<(ScopeId, String)>,
    /// `(scope, name)` of cells that are bound before any closure that can read them is
    /// made, and that nothing can unbind (see [`facts::always_bound_cells`]): closures
    /// read them with no unbound check.
    pub always_bound: std::collections::HashSet<(ScopeId, String)>,
    /// Global names functions read without a NameError check (see
    /// [`facts::always_bound_globals`]).
    pub globals_bound: std::collections::HashSet<String>,
    /// The program may rebind or empty cells through introspection
    /// ([`crate::program::may_write_cells`]): no assumption about a cell's value holds.
    pub cells_writable: bool,
    /// No float can arise ([`facts::may_make_floats`]): `+ - *` have no inline float path
    /// (a float that turns up anyway takes the runtime call), and arithmetic trees take the
    /// int form.
    pub makes_no_floats: bool,
    /// `def`s whose closures count their calls and ask for a body of their own
    /// ([`specialize::specializable`]).
    pub specializable: std::collections::HashSet<ScopeId>,
    /// The functions that run at most once ([`facts::run_once_functions`]): the module
    /// body and `main`-like functions. Outside their loops, allocation takes the runtime
    /// call and calls inline only makers (see `inline::StartupPolicy`).
    pub run_once: std::collections::HashSet<ScopeId>,
}

/// Compile `ctx.func` and define it as `fid` (see [`optimize_and_compile`]).
/// (`Module::define_function` would run the optimiser and the back end in one step, with
/// no room for a pass in between.)
pub fn optimize_and_define(
    module: &mut JITModule,
    fid: FuncId,
    ctx: &mut Context,
    regalloc: &mut regalloc2::Ctx,
    want_disasm: bool,
) -> Result<cranelift_codegen::CompiledCode, String> {
    let cc = optimize_and_compile(module.isa(), ctx, regalloc, want_disasm)?;
    let relocs = module_relocs(&cc, &ctx.func, fid);
    define_compiled(module, fid, &cc, &relocs)?;
    Ok(cc)
}

/// Compile `ctx.func` to machine code: Cranelift's optimiser, then
/// [`spills::hoist_invariant_spills`], [`spills::sink_cold_spills`] and [`sink`] (which
/// need loop-invariant values hoisted already), then instruction selection and register
/// allocation. Needs nothing
/// but the ISA, so functions can be compiled on several threads (see [`CompileQueue`]).
pub fn optimize_and_compile(
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    ctx: &mut Context,
    regalloc: &mut regalloc2::Ctx,
    want_disasm: bool,
) -> Result<cranelift_codegen::CompiledCode, String> {
    let mut plane = cranelift_codegen::control::ControlPlane::default();
    if isa.flags().enable_verifier() {
        ctx.verify(isa).map_err(|e| e.to_string())?;
    }
    if std::env::var_os("CELLAR_NO_FLOAT_FACTS").is_none() {
        floats::fold_float_tests(&mut ctx.func);
    }
    ranges::drop_impossible_overflow_tests(&mut ctx.func);
    if std::env::var_os("CELLAR_BOXED_FLOAT_PARAMS").is_none() {
        unboxed_params::unbox_float_params(&mut ctx.func);
    }
    if std::env::var_os("CELLAR_BOXED_INT_PARAMS").is_none() {
        unboxed_params::unbox_int_params(&mut ctx.func);
    }
    ctx.optimize(isa, &mut plane).map_err(|e| format!("{e:?}"))?;
    // The optimiser leaves `ctx.cfg` current, but its dominator tree and loops predate its
    // branch folding.
    ctx.compute_domtree();
    if std::env::var_os("CELLAR_KEEP_DECIDED").is_none()
        && decided::fold_decided_branches(&mut ctx.func, &ctx.cfg, &ctx.domtree) > 0
    {
        ctx.flowgraph();
        ctx.eliminate_unreachable_code(isa).map_err(|e| format!("{e:?}"))?;
    }
    // Nothing below changes a branch, so these serve to the end.
    ctx.compute_loop_analysis();
    let flow = spills::Flow {
        cfg: &ctx.cfg,
        domtree: &ctx.domtree,
        loops: &ctx.loop_analysis,
    };
    if std::env::var_os("CELLAR_NO_LICM").is_none() {
        licm::hoist_loop_invariants(&mut ctx.func, &flow);
    }
    spills::hoist_invariant_spills(&mut ctx.func, &flow);
    if std::env::var_os("CELLAR_KEEP_SPILLS").is_none() {
        spills::sink_cold_spills(&mut ctx.func, &flow);
    }
    sink::sink_to_uses(&mut ctx.func);
    if isa.flags().enable_verifier() {
        ctx.verify(isa).map_err(|e| e.to_string())?;
    }
    let stencil = isa
        .compile_function(&ctx.func, &ctx.domtree, regalloc, want_disasm, &mut plane)
        .map_err(|e| format!("{e:?}"))?;
    Ok(stencil.apply_params(&ctx.func.params))
}

/// The relocations of `cc`, compiled from `func` as `fid`, as the module takes them.
fn module_relocs(
    cc: &cranelift_codegen::CompiledCode,
    func: &cranelift_codegen::ir::Function,
    fid: FuncId,
) -> Vec<cranelift_module::ModuleReloc> {
    cc.buffer
        .relocs()
        .iter()
        .map(|r| cranelift_module::ModuleReloc::from_mach_reloc(r, func, fid))
        .collect()
}

/// Define `fid` as the compiled code `cc`.
fn define_compiled(
    module: &mut JITModule,
    fid: FuncId,
    cc: &cranelift_codegen::CompiledCode,
    relocs: &[cranelift_module::ModuleReloc],
) -> Result<(), String> {
    module
        .define_function_bytes(fid, cc.buffer.alignment as u64, cc.code_buffer(), relocs)
        .map_err(|e| e.to_string())
}

/// A function ready for [`optimize_and_compile`], lowered, inlined and with its slow-path
/// calls routed (see [`Backend::prepare_shared`]).
pub struct CompileJob {
    /// What it will be defined as.
    pub fid: FuncId,
    /// Its name in error messages.
    pub label: String,
    /// Whether [`prepare_local`] is still to run on it (Python bodies; not entries).
    pub prepare: bool,
    /// The function.
    pub func: cranelift_codegen::ir::Function,
}

/// A compiled [`CompileJob`], ready for the module to define.
pub struct CompiledJob {
    /// What it will be defined as.
    pub fid: FuncId,
    /// The machine code.
    pub cc: cranelift_codegen::CompiledCode,
    /// Its relocations.
    pub relocs: Vec<cranelift_module::ModuleReloc>,
    /// The `FuncId` indices of the functions it refers to.
    pub calls: Vec<u32>,
}

/// Below this many instructions in all, jobs are compiled on the calling thread alone: a
/// second thread costs more to start than it saves.
const PARALLEL_MIN_INSTS: usize = 400;

/// The compile thread's stack: small, so that little of it stays resident once it ends
/// (Cranelift keeps its own work lists on the heap).
const HELPER_STACK: usize = 512 * 1024;

/// Compile jobs handed over as they are made, so that compiling overlaps with lowering and
/// inlining the rest of the program. Once the work seen reaches [`PARALLEL_MIN_INSTS`]
/// instructions (and `CELLAR_SERIAL_COMPILE` is not set), a helper thread starts taking
/// jobs, the largest queued first; [`CompileQueue::finish`] then has the calling thread
/// take them too until none is left.
///
/// ```text
///   main thread:  lower ... lower | inline+prepare, push ... | finish: compile | join
///   helper:           (spawned) compile gc_poll, entries, the first bodies ... | done
/// ```
pub struct CompileQueue {
    isa: cranelift_codegen::isa::OwnedTargetIsa,
    shared: std::sync::Arc<SharedQueue>,
    helper: Option<std::thread::JoinHandle<Vec<Result<CompiledJob, String>>>>,
    /// Instructions of work seen so far (queued jobs and bodies still to come).
    work: usize,
    /// `CELLAR_SERIAL_COMPILE`: never start the helper.
    serial: bool,
}

/// A queue dropped unfinished (compiling failed before all jobs were queued) lets its
/// helper go: no more jobs will come, and those left are not wanted.
impl Drop for CompileQueue {
    fn drop(&mut self) {
        let shared = &*self.shared;
        {
            let mut q = shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
            q.closed = true;
            q.jobs.clear();
        }
        shared.announce();
    }
}

/// What a [`CompileQueue`] and its helper share.
#[derive(Default)]
struct SharedQueue {
    jobs: std::sync::Mutex<QueuedJobs>,
    /// Signalled when a job is queued or the queue closes.
    ready: std::sync::Condvar,
    /// Bumped, after the lock is released, whenever `jobs` changes in a way a waiting
    /// helper wants to see (a job queued, the queue closed): what it spins on.
    news: std::sync::atomic::AtomicUsize,
}

/// How long the helper spins, watching [`SharedQueue::news`], before it sleeps on the
/// condition variable. A sleeping helper that the main thread wakes is queued on the main
/// thread's own core, busy lowering, until the scheduler moves it: its first body waited
/// 1-3 ms there on this 2-core machine (a third of compose's start-up), with the other
/// core idle. The whole start-up compile takes a few milliseconds, so the spin costs at
/// most that much CPU on a core that has nothing else to do; it yields the core on every
/// turn, in case it does.
const HELPER_SPIN: std::time::Duration = std::time::Duration::from_millis(20);

impl SharedQueue {
    /// Tell the helper, spinning or asleep, that `jobs` changed.
    fn announce(&self) {
        self.news.fetch_add(1, std::sync::atomic::Ordering::Release);
        self.ready.notify_all();
    }

    /// Spin until news newer than `seen` comes, or for [`HELPER_SPIN`].
    fn spin_for_news(&self, seen: usize) {
        let start = std::time::Instant::now();
        while self.news.load(std::sync::atomic::Ordering::Acquire) == seen && start.elapsed() < HELPER_SPIN {
            std::thread::yield_now();
        }
    }
}

/// The jobs waiting in a [`CompileQueue`], and whether more may come.
#[derive(Default)]
struct QueuedJobs {
    jobs: Vec<CompileJob>,
    closed: bool,
}

impl QueuedJobs {
    /// The largest queued job.
    fn take_largest(&mut self) -> Option<CompileJob> {
        let i = (0..self.jobs.len()).max_by_key(|&i| self.jobs[i].func.dfg.num_insts())?;
        Some(self.jobs.swap_remove(i))
    }
}

impl CompileQueue {
    /// An empty queue compiling for `isa`.
    pub fn new(isa: cranelift_codegen::isa::OwnedTargetIsa) -> Self {
        CompileQueue {
            isa,
            shared: Default::default(),
            helper: None,
            work: 0,
            serial: std::env::var_os("CELLAR_SERIAL_COMPILE").is_some(),
        }
    }

    /// Count `insts` instructions of work on their way (a body lowered, not yet a job), and
    /// start the helper once there is enough.
    pub fn expect(&mut self, insts: usize) {
        self.work += insts;
        if self.helper.is_none() && !self.serial && self.work >= PARALLEL_MIN_INSTS {
            let shared = self.shared.clone();
            let isa = self.isa.clone();
            // With no second thread (the system refused one), `finish` does all the work.
            self.helper = std::thread::Builder::new()
                .stack_size(HELPER_STACK)
                .spawn(move || {
                    let (mut ctx, mut regalloc) = (Context::new(), regalloc2::Ctx::default());
                    let mut done = Vec::new();
                    loop {
                        let job = {
                            let seen = shared.news.load(std::sync::atomic::Ordering::Acquire);
                            let mut q = shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
                            let job = q.take_largest();
                            if job.is_some() || q.closed {
                                job
                            } else {
                                drop(q);
                                shared.spin_for_news(seen);
                                let mut q = shared.jobs.lock().unwrap_or_else(|e| e.into_inner());
                                loop {
                                    if let Some(job) = q.take_largest() {
                                        break Some(job);
                                    }
                                    if q.closed {
                                        break None;
                                    }
                                    q = shared.ready.wait(q).unwrap_or_else(|e| e.into_inner());
                                }
                            }
                        };
                        let Some(job) = job else { break };
                        done.push(compile_job(&*isa, job, &mut ctx, &mut regalloc));
                    }
                    done
                })
                .ok();
        }
    }

    /// Queue `job` and count its work.
    pub fn push(&mut self, job: CompileJob) {
        let n = job.func.dfg.num_insts();
        self.push_counted(job);
        self.expect(n);
    }

    /// Queue `job`, whose work an earlier [`Self::expect`] counted (a body counted when it
    /// was lowered).
    pub fn push_counted(&mut self, job: CompileJob) {
        self.shared
            .jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .jobs
            .push(job);
        self.shared.announce();
    }

    /// No more jobs: compile what is left on this thread too, wait for the helper, and
    /// return every result.
    pub fn finish(mut self, ctx: &mut Context, regalloc: &mut regalloc2::Ctx) -> Result<Vec<CompiledJob>, String> {
        let shared = &*self.shared;
        shared.jobs.lock().unwrap_or_else(|e| e.into_inner()).closed = true;
        shared.announce();
        let mut done = Vec::new();
        loop {
            let job = shared.jobs.lock().unwrap_or_else(|e| e.into_inner()).take_largest();
            let Some(job) = job else { break };
            done.push(compile_job(&*self.isa, job, ctx, regalloc));
        }
        if let Some(helper) = self.helper.take() {
            match helper.join() {
                Ok(more) => done.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
            // Its arena is all free now, but resident; the program's first collection
            // returns it. (One arena for the whole process instead cost 1.6% of wall time
            // in lock contention.)
            cellar_runtime::gc::release_malloc_pages_at_next_collection();
        }
        done.into_iter().collect()
    }
}

/// Compile one job with `ctx` and `regalloc`.
fn compile_job(
    isa: &dyn cranelift_codegen::isa::TargetIsa,
    job: CompileJob,
    ctx: &mut Context,
    regalloc: &mut regalloc2::Ctx,
) -> Result<CompiledJob, String> {
    ctx.clear();
    ctx.func = job.func;
    if job.prepare {
        prepare_local(&mut ctx.func);
    }
    let cc = optimize_and_compile(isa, ctx, regalloc, false).map_err(|e| compile_failed(&job.label, &ctx.func, e))?;
    let relocs = module_relocs(&cc, &ctx.func, job.fid);
    let calls = called_functions(&ctx.func);
    ctx.clear();
    Ok(CompiledJob {
        fid: job.fid,
        cc,
        relocs,
        calls,
    })
}

/// The message for a failed compile of `label` (`CELLAR_DEBUG_IR=1` also prints `func`).
fn compile_failed(label: &str, func: &cranelift_codegen::ir::Function, e: String) -> String {
    if std::env::var_os("CELLAR_DEBUG_IR").is_some() {
        eprintln!("{}", func.display());
    }
    format!("compiling {label}: {e}")
}

/// The `FuncId` indices of the module's functions `func` refers to.
fn called_functions(func: &cranelift_codegen::ir::Function) -> Vec<u32> {
    func.dfg
        .ext_funcs
        .values()
        .filter_map(|ext| match &ext.name {
            cranelift_codegen::ir::ExternalName::User(r) => Some(func.params.user_named_funcs()[*r].index),
            _ => None,
        })
        .collect()
}

/// Does `func` call one of `bodies` (by `FuncId` index) directly: is there anything to inline
/// into it? (Taking a body's address to make a closure is no call.)
fn calls_a_body(func: &cranelift_codegen::ir::Function, bodies: &HashSet<u32>) -> bool {
    func.layout.blocks().any(|block| {
        func.layout.block_insts(block).any(|inst| match func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::Call { func_ref, .. } => {
                inline::callee_index(func, func_ref).is_some_and(|f| bodies.contains(&f))
            }
            _ => false,
        })
    })
}

/// The passes of [`Backend::prepare_current`] that need nothing but the function: drop
/// needless reloads (and, under `CELLAR_THREAD_ALL`, thread branches).
pub fn prepare_local(func: &mut cranelift_codegen::ir::Function) {
    if std::env::var_os("CELLAR_KEEP_RELOADS").is_none() {
        spills::remove_reloads(func);
    }
    // Threading gains nothing measurable at start-up (see `threading`); the corpus
    // turns it on everywhere to check it.
    if std::env::var_os("CELLAR_THREAD_ALL").is_some() {
        threading::thread_known_branches(func);
    }
}

/// A `preserve_all` signature of `n` 64-bit parameters (it can return nothing).
fn preserving_sig(module: &JITModule, n: usize) -> Signature {
    let mut sig = word_sig(module, n, false);
    sig.call_conv = CallConv::PreserveAll;
    sig
}

/// A signature of `n` 64-bit parameters returning one 64-bit word.
pub fn word_sig(module: &JITModule, n: usize, ret: bool) -> Signature {
    let mut sig = module.make_signature();
    for _ in 0..n {
        sig.params.push(AbiParam::new(I64));
    }
    if ret {
        sig.returns.push(AbiParam::new(I64));
    }
    sig
}

/// The module every function is defined in, and a handle on its ISA that other threads
/// may hold (see [`specialize`]).
fn make_module(imports: &[imports::Import]) -> Result<(JITModule, cranelift_codegen::isa::OwnedTargetIsa), String> {
    let mut flags = settings::builder();
    let set = |b: &mut settings::Builder, k: &str, v: &str| b.set(k, v).map_err(|e| e.to_string());
    set(&mut flags, "opt_level", "speed")?;
    set(&mut flags, "preserve_frame_pointers", "true")?;
    set(&mut flags, "use_colocated_libcalls", "false")?;
    set(&mut flags, "is_pic", "false")?;
    // The IR verifier costs about a third of compile time; tests and debug builds keep it.
    let verify = cfg!(debug_assertions) || std::env::var_os("CELLAR_VERIFY_IR").is_some();
    set(&mut flags, "enable_verifier", if verify { "true" } else { "false" })?;
    let isa = cranelift_native::builder()
        .map_err(|e| e.to_string())?
        .finish(settings::Flags::new(flags))
        .map_err(|e| e.to_string())?;
    let mut jb = JITBuilder::with_isa(isa.clone(), default_libcall_names());
    for imp in imports {
        jb.symbol(imp.name, imp.addr);
    }
    Ok((JITModule::new(jb), isa))
}

/// Collect every def/lambda by scope id, and the def statements that bind names directly in
/// each scope.
struct DefCollector<'a> {
    defs: HashMap<ScopeId, &'a FunctionDef>,
    def_of_name: HashMap<(ScopeId, String), ScopeId>,
}

impl<'a> DefCollector<'a> {
    fn stmts(&mut self, scope: ScopeId, body: &'a [Stmt]) {
        for s in body {
            self.stmt(scope, s);
        }
    }
    fn func(&mut self, scope: ScopeId, f: &'a FunctionDef) {
        for d in f.decorators.iter().chain(f.params.defaults()) {
            self.expr(scope, d);
        }
        self.defs.insert(f.scope_id, f);
        self.stmts(f.scope_id, &f.body);
    }
    fn stmt(&mut self, scope: ScopeId, s: &'a Stmt) {
        if let StmtKind::FunctionDef(f) = &s.kind {
            self.def_of_name.insert((scope, f.name.clone()), f.scope_id);
            self.func(scope, f);
            return;
        }
        let (mut stmts, mut exprs) = (Vec::new(), Vec::new());
        s.for_each_child(&mut |c| stmts.push(c), &mut |e| exprs.push(e));
        exprs.into_iter().for_each(|e| self.expr(scope, e));
        stmts.into_iter().for_each(|c| self.stmt(scope, c));
    }
    fn expr(&mut self, scope: ScopeId, e: &'a Expr) {
        match &e.kind {
            ExprKind::Lambda(f) => self.func(scope, f),
            _ => e.for_each_child(&mut |c| self.expr(scope, c)),
        }
    }
}

/// Compile a whole program. The VM must be initialised first.
pub fn compile(
    ast: &Module,
    scopes: &ScopeTable,
    source: &SourceText,
    filename: &str,
    opts: &CompileOptions,
) -> Result<CompiledProgram, String> {
    let imports = imports::all();
    let (mut module, isa) = make_module(&imports)?;
    let vm_ptr = cellar_runtime::vm::vm() as *mut _ as i64;

    // Globals: fixed slots, builtins pre-bound.
    let global_slots: HashMap<String, usize> = crate::program::install_globals(scopes);
    let globals_addr = cellar_runtime::vm::vm().globals.as_ptr() as i64;

    // Imports and trampolines.
    let mut import_ids = HashMap::new();
    for imp in &imports {
        let sig = word_sig(&module, imp.params, imp.ret);
        let id = module
            .declare_function(imp.name, Linkage::Import, &sig)
            .map_err(|e| e.to_string())?;
        import_ids.insert(imp.name, (id, imp.ret));
    }
    let mut fctx = FunctionBuilderContext::new();
    let mut ctx = module.make_context();
    // One register allocator context for every function (see `optimize_and_define`).
    let mut regalloc = regalloc2::Ctx::default();
    // Trampolines are declared here and defined once some compiled code calls them (most
    // programs call few of them; compiling all took ~0.6 ms of every start-up).
    let mut trampolines = HashMap::new();
    // Without listings, every function is compiled through `queue`, on two threads when
    // there is enough work, starting while the rest are still being lowered.
    let listing = opts.wants_listing();
    let mut queue = CompileQueue::new(isa.clone());
    let mut lazy_trampolines = HashMap::new();
    for imp in imports.iter().filter(|i| i.reentrant) {
        let sig = word_sig(&module, imp.params, imp.ret);
        let name = format!("tramp_{}", imp.name);
        let id = module
            .declare_function(&name, Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        trampolines.insert(imp.name, id);
        lazy_trampolines.insert(id.as_u32(), (import_ids[imp.name].0, TrampolineState::Unused));
    }
    // Slow paths call entry points through `preserve_all` wrappers (see `coldcalls`),
    // declared when first used and defined once all functions are compiled.
    let mut cold_routes = HashMap::new();
    for imp in &imports {
        let direct = if imp.reentrant {
            trampolines[imp.name]
        } else {
            import_ids[imp.name].0
        };
        let route = coldcalls::ColdRoute {
            addr: imp.addr as i64,
            arity: imp.params,
            reentrant: imp.reentrant,
        };
        cold_routes.insert(direct.as_u32(), route);
    }
    let gc_poll = {
        let sig = preserving_sig(&module, 0);
        let id = module
            .declare_function("gc_poll", Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        ctx.func.signature = sig;
        build_poll_trampoline(&mut module, &mut ctx, &mut fctx, import_ids["rt_gc_collect"].0);
        if listing {
            optimize_and_define(&mut module, id, &mut ctx, &mut regalloc, false)?;
        } else {
            queue.push(CompileJob {
                fid: id,
                label: "the GC poll trampoline".to_string(),
                prepare: false,
                func: std::mem::replace(&mut ctx.func, cranelift_codegen::ir::Function::new()),
            });
        }
        module.clear_context(&mut ctx);
        id
    };

    // Functions.
    let mut dc = DefCollector {
        defs: HashMap::new(),
        def_of_name: HashMap::new(),
    };
    dc.stmts(ScopeId(0), &ast.body);
    let mut infos = HashMap::new();
    let mut body_ids = HashMap::new();
    let mut array_ids = HashMap::new();
    let mut order: Vec<ScopeId> = vec![ScopeId(0)];
    let mut ids: Vec<ScopeId> = dc.defs.keys().copied().collect();
    ids.sort();
    order.extend(ids);
    for &id in &order {
        let def = dc.defs.get(&id).copied();
        let line = def.map(|f| source.line(f.span.start)).unwrap_or(1);
        let info = Box::into_raw(Box::new(crate::program::code_info(scopes, id, filename, line, def)));
        infos.insert(id, info);
        let nparams = scopes.get(id).params.len();
        let sig = word_sig(&module, nparams + 2, true);
        let fid = module
            .declare_function(&format!("py_{}", id.0), Linkage::Local, &sig)
            .map_err(|e| e.to_string())?;
        body_ids.insert(id, fid);
        // Entry from Rust: a one-argument entry for the module, and one array entry per
        // number of parameters, shared by the functions that have it.
        let (name, key) = if id.0 == 0 {
            ("arr_module".to_string(), None)
        } else {
            (format!("arr_args{nparams}"), Some(nparams))
        };
        if !array_ids.contains_key(&key) {
            let asig = word_sig(&module, if key.is_none() { 1 } else { 2 }, true);
            let aid = module
                .declare_function(&name, Linkage::Local, &asig)
                .map_err(|e| e.to_string())?;
            array_ids.insert(key, aid);
        }
    }
    let cells_writable = crate::program::may_write_cells(&source.text);
    let always_bound = if cells_writable {
        Default::default()
    } else {
        facts::always_bound_cells(scopes, &dc.defs)
    };
    let globals_bound = facts::always_bound_globals(
        scopes,
        &ast.body,
        &dc.defs,
        &mut global_slots.keys().map(String::as_str),
    );
    let (frozen, self_bound) = frozen_captures(scopes, &source.text, &always_bound, &dc.defs);
    let prog = ProgramInfo {
        scopes,
        source,
        defs: dc.defs,
        def_of_name: dc.def_of_name,
        infos,
        body_ids,
        shadowed_builtins: global_slots
            .keys()
            .filter(|n| crate::program::shadows_builtin(scopes, n))
            .cloned()
            .collect(),
        global_slots,
        globals_addr,
        vm_addr: vm_ptr,
        imports: import_ids,
        trampolines,
        gc_poll,
        module_body: &ast.body,
        known: known::KnownCallees::default(),
        frozen,
        self_bound,
        always_bound,
        globals_bound,
        cells_writable,
        makes_no_floats: !facts::may_make_floats(&ast.body),
        specializable: Default::default(),
        run_once: Default::default(),
    };
    let known = known::KnownCallees::analyze(&known::KnownInputs {
        scopes,
        defs: &prog.defs,
        def_of_name: &prog.def_of_name,
        module_body: &ast.body,
        cells_writable: prog.cells_writable,
    });
    let specializable = specialize::specializable(scopes, &prog.defs, &prog.frozen, &prog.self_bound);
    let run_once = facts::run_once_functions(&ast.body, &known.global_fns);
    let prog = ProgramInfo {
        known,
        specializable,
        run_once,
        ..prog
    };

    let mut ir = Vec::new();
    let mut listings = listing::Recorder::new(&prog, &module, opts);
    let mut pending_maps: Vec<(FuncId, usize, SiteMaps)> = Vec::new();
    let mut backend = Backend {
        module,
        ctx,
        fctx,
        regalloc,
        cold_routes,
        cold_wrappers: Default::default(),
        trampolines: lazy_trampolines,
        vm_ptr,
        isa,
    };
    // Pass 1: lower every function, so that pass 2 can inline small callees. A body that
    // calls no other Python body directly has nothing to inline: without listings it is
    // prepared and queued at once, so that the helper thread compiles it while the rest
    // are lowered (compose's eight lambdas, church's fourteen).
    let mut bodies: HashMap<u32, cranelift_codegen::ir::Function> = HashMap::new();
    let body_fids: HashSet<u32> = prog.body_ids.values().map(|f| f.as_u32()).collect();
    let mut queued_early: HashSet<u32> = HashSet::new();
    let mut calls: Vec<u32> = Vec::new();
    for &id in &order {
        let fid = prog.body_ids[&id];
        let b = &mut backend;
        b.ctx.func.signature = word_sig(&b.module, scopes.get(id).params.len() + 2, true);
        b.ctx.func.name = UserFuncName::user(0, fid.as_u32());
        lower::lower_function(&mut b.module, &mut b.ctx.func, &mut b.fctx, &prog, id);
        queue.expect(b.ctx.func.dfg.num_insts());
        let body = std::mem::replace(&mut b.ctx.func, cranelift_codegen::ir::Function::new());
        if !listing && !calls_a_body(&body, &body_fids) {
            b.ctx.func = body.clone();
            b.prepare_shared();
            calls.extend(called_functions(&b.ctx.func));
            queue.push_counted(CompileJob {
                fid,
                label: scopes.get(id).qualname.clone(),
                prepare: true,
                func: std::mem::replace(&mut b.ctx.func, cranelift_codegen::ir::Function::new()),
            });
            queued_early.insert(fid.as_u32());
        }
        bodies.insert(fid.as_u32(), body);
        b.module.clear_context(&mut b.ctx);
    }
    // The entries from Rust (see the declarations above).
    let mut entries: Vec<(Option<usize>, FuncId)> = array_ids.iter().map(|(&k, &aid)| (k, aid)).collect();
    entries.sort();
    for (key, aid) in entries {
        let b = &mut backend;
        b.ctx.func.signature = word_sig(&b.module, if key.is_none() { 1 } else { 2 }, true);
        let target = match key {
            None => EntryTarget::ModuleBody(prog.body_ids[&ScopeId(0)]),
            Some(n) => EntryTarget::CodeOfFunction(n),
        };
        build_array_entry(&mut b.module, &mut b.ctx, &mut b.fctx, target);
        if listing {
            optimize_and_define(&mut b.module, aid, &mut b.ctx, &mut b.regalloc, false)?;
        } else {
            queue.push(CompileJob {
                fid: aid,
                label: match key {
                    None => "the module's entry".to_string(),
                    Some(n) => format!("the array entry of {n} parameters"),
                },
                prepare: false,
                func: std::mem::replace(&mut b.ctx.func, cranelift_codegen::ir::Function::new()),
            });
        }
        b.module.clear_context(&mut b.ctx);
    }
    let inlinable: inline::Inlinable = bodies
        .iter()
        .filter_map(|(&f, body)| Some((f, inline::inlinable_size(f, body)?)))
        .collect();
    let call_graph = inline::CallGraph::of(&bodies);
    let makers: HashSet<u32> = prog.known.returns.keys().map(|s| prog.body_ids[s].as_u32()).collect();
    // Pass 2: inline, compile, record stack maps and listings. Without listings, each
    // function not queued in pass 1 is inlined, prepared and queued, the largest first,
    // then the stubs they all call, and the queue is finished; then all are defined.
    let mut stubs = StubCounts::default();
    let mut pass2: Vec<ScopeId> = order
        .iter()
        .copied()
        .filter(|id| !queued_early.contains(&prog.body_ids[id].as_u32()))
        .collect();
    if !listing {
        pass2.sort_by_key(|id| std::cmp::Reverse(bodies[&prog.body_ids[id].as_u32()].dfg.num_insts()));
    }
    for &id in &pass2 {
        let fid = prog.body_ids[&id];
        backend.ctx.func = bodies[&fid.as_u32()].clone();
        if listing {
            listings.built(&backend.ctx.func, source);
        }
        inline::inline_calls(
            &mut backend.ctx,
            &bodies,
            &inlinable,
            fid.as_u32(),
            Some(inline::StartupPolicy {
                runs_once: prog.run_once.contains(&id),
                makers: &makers,
                graph: &call_graph,
            }),
        )
        .map_err(|e| format!("inlining into {}: {e}", scopes.get(id).qualname))?;
        let s = scopes.get(id);
        if listing {
            backend.prepare_current();
            listings.prepared(&backend.ctx.func, source, &backend.module);
            let cc = optimize_and_define(
                &mut backend.module,
                fid,
                &mut backend.ctx,
                &mut backend.regalloc,
                opts.keep_asm,
            )
            .map_err(|e| compile_failed(&s.qualname, &backend.ctx.func, e))?;
            backend.note_trampoline_uses();
            pending_maps.push((fid, cc.buffer.data().len(), site_maps(&cc)));
            ir.push(listings.finish(&prog, id, &backend.ctx, &cc, &backend.module));
        } else {
            backend.prepare_shared();
            calls.extend(called_functions(&backend.ctx.func));
            queue.push_counted(CompileJob {
                fid,
                label: s.qualname.clone(),
                prepare: true,
                func: std::mem::replace(&mut backend.ctx.func, cranelift_codegen::ir::Function::new()),
            });
        }
        backend.module.clear_context(&mut backend.ctx);
    }
    if !listing {
        // The stubs the bodies call compile with them, on both threads (one at a time
        // after them, they took ~0.3 ms of counter's 5 ms compile).
        backend.mark_used(&calls);
        let stub_jobs = backend.stub_jobs();
        stubs.with_bodies = stub_jobs.len();
        for job in stub_jobs {
            queue.push(job);
        }
        let Backend { ctx, regalloc, .. } = &mut backend;
        let compiled = queue.finish(ctx, regalloc)?;
        let mut code_of: HashMap<FuncId, cranelift_codegen::CompiledCode> = HashMap::new();
        for job in compiled {
            define_compiled(&mut backend.module, job.fid, &job.cc, &job.relocs)?;
            backend.mark_used(&job.calls);
            code_of.insert(job.fid, job.cc);
        }
        for &id in &order {
            let fid = prog.body_ids[&id];
            let cc = &code_of[&fid];
            pending_maps.push((fid, cc.buffer.data().len(), site_maps(cc)));
            ir.push(listings.finish(&prog, id, &backend.ctx, cc, &backend.module));
        }
    }
    stubs.after_bodies = backend.define_stubs()?;
    backend.module.finalize_definitions().map_err(|e| e.to_string())?;

    let names: HashMap<FuncId, String> = order
        .iter()
        .map(|id| (prog.body_ids[id], format!("py::{}", scopes.get(*id).qualname)))
        .collect();
    register_code(&backend.module, pending_maps, &|fid| names[&fid].clone());
    for &id in &order {
        let info = prog.infos[&id];
        unsafe {
            (*info).code = backend.module.get_finalized_function(prog.body_ids[&id]);
            if id.0 != 0 {
                let p = backend
                    .module
                    .get_finalized_function(array_ids[&Some(scopes.get(id).params.len())]);
                (*info).array_entry = Some(std::mem::transmute::<*const u8, cellar_runtime::object::ArrayEntry>(p));
            }
        }
    }
    let entry = unsafe {
        std::mem::transmute::<*const u8, unsafe extern "C" fn(Value) -> Value>(
            backend.module.get_finalized_function(array_ids[&None]),
        )
    };
    let body_of_info = order
        .iter()
        .filter(|id| id.0 != 0)
        .map(|id| (prog.infos[id] as usize, prog.body_ids[id].as_u32()))
        .collect();
    // Keep the compiler only if some closure may ask for a body of its own, with the
    // bodies a specialisation can start from or inline (not the module's).
    if !prog.specializable.is_empty() {
        let roots: std::collections::HashSet<u32> =
            prog.specializable.iter().map(|id| prog.body_ids[id].as_u32()).collect();
        let module_body = prog.body_ids[&ScopeId(0)].as_u32();
        let mut bodies = bodies;
        bodies.retain(|f, body| *f != module_body && (roots.contains(f) || specialize::may_inline(body)));
        specialize::install(specialize::Tier2::new(backend, bodies, inlinable, body_of_info));
    } else {
        specialize::install_nothing(backend);
    }
    Ok(CompiledProgram {
        entry,
        ir,
        stubs,
        queued_while_lowering: order
            .iter()
            .filter(|id| queued_early.contains(&prog.body_ids[id].as_u32()))
            .map(|id| scopes.get(*id).qualname.clone())
            .collect(),
        _tier2: specialize::Installed,
    })
}

/// The return-address offsets, spans and live GC slots of one compiled function's safepoints.
type SiteMaps = Vec<(u32, u32, Vec<u32>)>;

/// The safepoints of compiled code, as the collector reads them.
fn site_maps(cc: &cranelift_codegen::CompiledCode) -> SiteMaps {
    cc.buffer
        .user_stack_maps()
        .iter()
        .map(|(off, span, map)| (*off, *span, map.entries().map(|(_, o)| o).collect()))
        .collect()
}

/// Tell the runtime where finalized functions are and where their roots sit, and (with
/// `CELLAR_PERF_MAP` / `CELLAR_CODE_DUMP=DIR`) tell `perf` their names and dump their code.
fn register_code(module: &JITModule, compiled: Vec<(FuncId, usize, SiteMaps)>, name: &dyn Fn(FuncId) -> String) {
    let mut frame_maps = Vec::new();
    let want_perf_map = std::env::var_os("CELLAR_PERF_MAP").is_some();
    let code_dump = std::env::var_os("CELLAR_CODE_DUMP");
    let mut perf_map = String::new();
    for (fid, len, sites) in compiled {
        let start = module.get_finalized_function(fid) as usize;
        if want_perf_map {
            perf_map.push_str(&format!("{start:x} {len:x} {}\n", name(fid)));
        }
        // `CELLAR_CODE_DUMP=DIR`: the machine code, for disassembling next to a profile.
        if let Some(dir) = &code_dump {
            // SAFETY: the module has just finalized `len` bytes of code at `start`, and keeps
            // them mapped (readable) for as long as the program runs.
            let bytes = unsafe { std::slice::from_raw_parts(start as *const u8, len) };
            let _ = std::fs::write(std::path::Path::new(dir).join(format!("{start:x}.bin")), bytes);
        }
        frame_maps.push(cellar_runtime::gc::FrameMap { start, len, sites });
    }
    if want_perf_map {
        write_perf_map(&perf_map);
    }
    cellar_runtime::vm::add_frame_maps(frame_maps);
}

/// The code generator's state, kept after start-up for the functions compiled while the
/// program runs (see [`specialize`]).
pub struct Backend {
    /// The module every function is defined in.
    pub module: JITModule,
    /// The function being compiled.
    pub ctx: Context,
    /// Scratch space of Cranelift's function builder.
    pub fctx: FunctionBuilderContext,
    /// The register allocator's reusable state.
    pub regalloc: regalloc2::Ctx,
    /// How slow paths reach each runtime entry point (see [`coldcalls`]).
    pub cold_routes: HashMap<u32, coldcalls::ColdRoute>,
    /// The `cold_call_N` / `cold_reentrant_N` wrappers declared so far, and whether each is
    /// defined yet.
    pub cold_wrappers: std::collections::BTreeMap<(usize, bool), (FuncId, bool)>,
    /// The trampoline of each reentrant entry point, by `FuncId` index: the entry point it
    /// calls, and whether compiled code uses it yet and it is defined.
    pub trampolines: HashMap<u32, (FuncId, TrampolineState)>,
    /// Address of the VM.
    pub vm_ptr: i64,
    /// The module's ISA, for compiling on other threads.
    pub isa: cranelift_codegen::isa::OwnedTargetIsa,
}

/// Where a lazily defined trampoline stands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum TrampolineState {
    /// No compiled code calls it (it is only declared).
    Unused,
    /// Compiled code calls it; it must be defined before the module is finalized.
    Used,
    /// Defined.
    Defined,
}

impl Backend {
    /// Mark the trampolines `ctx.func` refers to as used (see [`Self::define_stubs`]).
    pub fn note_trampoline_uses(&mut self) {
        let calls = called_functions(&self.ctx.func);
        self.mark_used(&calls);
    }

    /// Mark the trampolines among `calls` (`FuncId` indices) as used.
    fn mark_used(&mut self, calls: &[u32]) {
        for index in calls {
            if let Some((_, state @ TrampolineState::Unused)) = self.trampolines.get_mut(index) {
                *state = TrampolineState::Used;
            }
        }
    }

    /// Spread cold blocks in `ctx.func`, send their runtime calls through the
    /// `preserve_all` wrappers, drop needless reloads.
    pub fn prepare_current(&mut self) {
        self.prepare_shared();
        prepare_local(&mut self.ctx.func);
    }

    /// The passes of [`Self::prepare_current`] that declare functions in the module:
    /// spread cold blocks and route their runtime calls through the wrappers.
    pub fn prepare_shared(&mut self) {
        cold::spread_cold(&mut self.ctx.func);
        let Backend {
            module,
            ctx,
            cold_routes,
            cold_wrappers,
            vm_ptr,
            ..
        } = self;
        coldcalls::route_cold_calls(&mut ctx.func, cold_routes, *vm_ptr, &mut |arity, reentrant, f| {
            let id = match cold_wrappers.get(&(arity, reentrant)) {
                Some(&(id, _)) => id,
                None => {
                    let kind = if reentrant { "reentrant" } else { "call" };
                    let sig = preserving_sig(module, 0);
                    let id = module
                        .declare_function(&format!("cold_{kind}_{arity}"), Linkage::Local, &sig)
                        .expect("a fresh name");
                    cold_wrappers.insert((arity, reentrant), (id, false));
                    id
                }
            };
            module.declare_func_in_func(id, f)
        });
    }

    /// Define what compiled code calls and is not defined yet: the trampolines marked used
    /// and the wrappers [`Self::prepare_current`] declared since the last call. Returns how
    /// many it defined.
    pub fn define_stubs(&mut self) -> Result<usize, String> {
        let jobs = self.stub_jobs();
        let n = jobs.len();
        for job in jobs {
            let compiled = compile_job(self.module.isa(), job, &mut self.ctx, &mut self.regalloc)?;
            define_compiled(&mut self.module, compiled.fid, &compiled.cc, &compiled.relocs)?;
        }
        Ok(n)
    }

    /// The stubs [`Self::define_stubs`] would define, built and ready to compile (they count
    /// as defined from here on): the trampolines marked used, then the wrappers not defined
    /// yet.
    pub fn stub_jobs(&mut self) -> Vec<CompileJob> {
        let mut jobs = Vec::new();
        let mut used: Vec<(u32, FuncId)> = self
            .trampolines
            .iter()
            .filter(|(_, (_, state))| *state == TrampolineState::Used)
            .map(|(&t, &(import, _))| (t, import))
            .collect();
        used.sort_by_key(|&(t, _)| t);
        for (t, import) in used {
            let id = FuncId::from_u32(t);
            self.ctx.func.signature = self.module.declarations().get_function_decl(id).signature.clone();
            build_trampoline(
                &mut self.module,
                &mut self.ctx,
                &mut self.fctx,
                Callee::Import(import),
                self.vm_ptr,
                true,
            );
            jobs.push(self.take_stub(id, "a trampoline"));
            self.trampolines.get_mut(&t).expect("a trampoline").1 = TrampolineState::Defined;
        }
        let mut wrappers: Vec<((usize, bool), FuncId)> = self
            .cold_wrappers
            .iter()
            .filter(|(_, (_, defined))| !defined)
            .map(|(&key, &(id, _))| (key, id))
            .collect();
        wrappers.sort_by_key(|&(_, id)| id);
        for ((arity, reentrant), id) in wrappers {
            self.ctx.func.signature = preserving_sig(&self.module, 0);
            build_trampoline(
                &mut self.module,
                &mut self.ctx,
                &mut self.fctx,
                Callee::Staged(arity),
                self.vm_ptr,
                reentrant,
            );
            jobs.push(self.take_stub(id, "a slow-path wrapper"));
            self.cold_wrappers.get_mut(&(arity, reentrant)).expect("a wrapper").1 = true;
        }
        jobs
    }

    /// `ctx.func`, just built as the stub `id`, as a compile job; `ctx` is left clear.
    fn take_stub(&mut self, id: FuncId, label: &str) -> CompileJob {
        let func = std::mem::replace(&mut self.ctx.func, cranelift_codegen::ir::Function::new());
        self.module.clear_context(&mut self.ctx);
        CompileJob {
            fid: id,
            label: label.to_string(),
            prepare: false,
            func,
        }
    }
}

/// Append the compiled functions to `/tmp/perf-PID.map` (`CELLAR_PERF_MAP=1`), the
/// format `perf report` reads to name JIT code: one `START LENGTH NAME` line (hex) per
/// function, named `py::QUALNAME`. Best effort: a write error is ignored.
fn write_perf_map(lines: &str) {
    use std::io::Write;
    let path = format!("/tmp/perf-{}.map", std::process::id());
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = f.write_all(lines.as_bytes());
    }
}

/// See [`ProgramInfo::frozen`] and [`ProgramInfo::self_bound`]: returns both sets.
fn frozen_captures(
    scopes: &ScopeTable,
    source: &str,
    always_bound: &std::collections::HashSet<(ScopeId, String)>,
    defs: &HashMap<ScopeId, &FunctionDef>,
) -> (
    std::collections::HashSet<(ScopeId, String)>,
    std::collections::HashSet<(ScopeId, String)>,
) {
    let introspects = ["__closure__", "cell_contents", "getattr", "setattr", "delattr"]
        .iter()
        .any(|w| source.contains(w));
    let mut frozen = std::collections::HashSet::new();
    if introspects {
        return (frozen, Default::default());
    }
    for s in scopes.scopes.iter().filter(|s| !s.is_module) {
        for y in &s.symbols {
            // A parameter, or a local assigned once before any closure that captures it
            // is made (`always_bound`), and never rebound: every closure sees its one value.
            let bound_first = y.is_param || always_bound.contains(&(s.id, y.name.clone()));
            if y.kind == crate::scope::ScopeKind::Cell
                && bound_first
                && y.plain_bindings == 1
                && y.def_bindings == 0
                && !y.rebound_by_inner
            {
                frozen.insert((s.id, y.name.clone()));
            }
        }
    }
    let self_bound = facts::self_bound_defs(scopes, defs);
    frozen.extend(self_bound.iter().cloned());
    (frozen, self_bound)
}

fn trusted() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// What a trampoline calls.
enum Callee {
    /// This import.
    Import(FuncId),
    /// The Rust function whose address is in `Vm::cold_args[0]`, with the `n` words after
    /// it as arguments, and one word of result.
    Staged(usize),
}

/// A runtime entry point's wrapper: `tramp_X(args..)` (SystemV, returns `X`'s result) or
/// `cold_call_N()` (`preserve_all`, target and arguments in `Vm::cold_args`, leaves the
/// result in `Vm::cold_result`; see [`coldcalls`]). With `exit_node`, it pushes an ExitNode {prev, caller fp, return
/// address} on its frame around the call, for entry points that may call back into Python.
fn build_trampoline(
    module: &mut JITModule,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    callee: Callee,
    vm: i64,
    exit_node: bool,
) {
    let result_to_vm = ctx.func.signature.call_conv == CallConv::PreserveAll;
    let target_sig = match callee {
        Callee::Staged(n) => Some(word_sig(module, n, true)),
        Callee::Import(_) => None,
    };
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let blk = b.create_block();
    b.append_block_params_for_function_params(blk);
    b.switch_to_block(blk);
    b.seal_block(blk);
    let mut args: Vec<_> = b.block_params(blk).to_vec();
    let vmv = b.ins().iconst(I64, vm);
    let mut staged_target = None;
    if let Callee::Staged(n) = callee {
        // Target and arguments wait in `Vm::cold_args`; load them before anything can
        // call back into Python and overwrite them.
        let base = cellar_runtime::vm::VM_COLD_ARGS_OFFSET;
        staged_target = Some(b.ins().load(I64, trusted(), vmv, base));
        args = (1..=n)
            .map(|k| b.ins().load(I64, trusted(), vmv, base + 8 * k as i32))
            .collect();
    }
    let mut prev = None;
    if exit_node {
        let ss = b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 24, 3));
        let node = b.ins().stack_addr(I64, ss, 0);
        let p = b
            .ins()
            .load(I64, trusted(), vmv, cellar_runtime::vm::VM_EXIT_TOP_OFFSET);
        b.ins().store(trusted(), p, node, 0);
        let fp = b.ins().get_frame_pointer(I64);
        let caller_fp = b.ins().load(I64, trusted(), fp, 0);
        b.ins().store(trusted(), caller_fp, node, 8);
        let ra = b.ins().get_return_address(I64);
        b.ins().store(trusted(), ra, node, 16);
        b.ins()
            .store(trusted(), node, vmv, cellar_runtime::vm::VM_EXIT_TOP_OFFSET);
        prev = Some(p);
    }
    let call = match callee {
        Callee::Import(id) => {
            let f = module.declare_func_in_func(id, b.func);
            b.ins().call(f, &args)
        }
        Callee::Staged(_) => {
            let target = staged_target.expect("loaded above");
            let sig = b.import_signature(target_sig.expect("a target signature"));
            b.ins().call_indirect(sig, target, &args)
        }
    };
    let results = b.inst_results(call).to_vec();
    if let Some(p) = prev {
        b.ins().store(trusted(), p, vmv, cellar_runtime::vm::VM_EXIT_TOP_OFFSET);
    }
    if result_to_vm {
        if let Some(&r) = results.first() {
            b.ins()
                .store(trusted(), r, vmv, cellar_runtime::vm::VM_COLD_RESULT_OFFSET);
        }
        b.ins().return_(&[]);
    } else {
        b.ins().return_(&results);
    }
    b.finalize(module.target_config());
}

/// `gc_poll()`: call `rt_gc_collect(caller fp, return address)`. It is `preserve_all`, so
/// a poll clobbers no register of the code that polls.
fn build_poll_trampoline(module: &mut JITModule, ctx: &mut Context, fctx: &mut FunctionBuilderContext, target: FuncId) {
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let blk = b.create_block();
    b.switch_to_block(blk);
    b.seal_block(blk);
    let fp = b.ins().get_frame_pointer(I64);
    let caller_fp = b.ins().load(I64, trusted(), fp, 0);
    let ra = b.ins().get_return_address(I64);
    let callee = module.declare_func_in_func(target, b.func);
    b.ins().call(callee, &[caller_fp, ra]);
    b.ins().return_(&[]);
    b.finalize(module.target_config());
}

/// What an array entry calls.
enum EntryTarget {
    /// The module body, at depth 1.
    ModuleBody(FuncId),
    /// The code of the `FunctionObj` it is given (its body, or a specialised one), which
    /// takes this many parameters, at the VM's current depth.
    CodeOfFunction(usize),
}

/// An entry from Rust into compiled code.
///
/// ```text
///   arr_module(module_fn)         = py_0(module_fn, 1)
///   arr_argsN(func, argv: *Value) = func.code(func, vm.depth, argv[0], ..., argv[N-1])
/// ```
///
/// One entry per number of parameters serves every function with that many: it calls
/// through the function object's code pointer, as compiled callers do. The callee's depth
/// is `Vm::depth`, which compiled code sets before every call that can reach here (see
/// `lower::Lower::depth`); the module body runs at depth 1. `arr_argsN` puts `Vm::depth`
/// back when the callee returns: the body sets it for its own calls, and a builtin that
/// calls back (`map`, `sorted(key=)`) must see the same depth at every call, or each call
/// would run one level deeper than the last.
fn build_array_entry(
    module: &mut JITModule,
    ctx: &mut Context,
    fctx: &mut FunctionBuilderContext,
    target: EntryTarget,
) {
    let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
    let blk = b.create_block();
    b.append_block_params_for_function_params(blk);
    b.switch_to_block(blk);
    b.seal_block(blk);
    let p = b.block_params(blk).to_vec();
    let vm = b.ins().iconst(I64, cellar_runtime::vm::vm() as *const _ as i64);
    let r = match target {
        EntryTarget::ModuleBody(body) => {
            let depth = b.ins().iconst(I64, 1);
            let callee = module.declare_func_in_func(body, b.func);
            let call = b.ins().call(callee, &[p[0], depth]);
            b.inst_results(call)[0]
        }
        EntryTarget::CodeOfFunction(nparams) => {
            let depth = b.ins().load(I64, trusted(), vm, cellar_runtime::vm::VM_DEPTH_OFFSET);
            let mut args = vec![p[0], depth];
            for i in 0..nparams {
                args.push(b.ins().load(I64, trusted(), p[1], (8 * i) as i32));
            }
            let code = b
                .ins()
                .load(I64, trusted(), p[0], cellar_runtime::object::FUNCTION_CODE_OFFSET);
            let sig = b.import_signature(word_sig(module, nparams + 2, true));
            let call = b.ins().call_indirect(sig, code, &args);
            let r = b.inst_results(call)[0];
            b.ins().store(trusted(), depth, vm, cellar_runtime::vm::VM_DEPTH_OFFSET);
            r
        }
    };
    b.ins().return_(&[r]);
    b.finalize(module.target_config());
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use cranelift_codegen::ir::{types::I32, Function};

    /// What the frontend needs of a 64-bit SystemV target, for functions built in tests.
    pub(crate) const FRONTEND: cranelift_codegen::isa::TargetFrontendConfig =
        cranelift_codegen::isa::TargetFrontendConfig {
            default_call_conv: CallConv::SystemV,
            pointer_width: target_lexicon::PointerWidth::U64,
            page_size_align_log2: 12,
        };

    /// `f(x) = x + k` (or, with `broken`, an add of an i64 and an i32 the verifier rejects).
    fn adder(k: i64, broken: bool) -> Function {
        let mut sig = Signature::new(CallConv::SystemV);
        sig.params.push(AbiParam::new(I64));
        sig.returns.push(AbiParam::new(I64));
        let mut func = Function::with_name_signature(UserFuncName::user(0, k as u32), sig);
        let mut fctx = FunctionBuilderContext::new();
        let mut b = FunctionBuilder::new(&mut func, &mut fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let x = b.block_params(entry)[0];
        let y = if broken {
            b.ins().iconst(I32, k)
        } else {
            b.ins().iconst(I64, k)
        };
        let r = b.ins().iadd(x, y);
        b.ins().return_(&[r]);
        b.seal_all_blocks();
        b.finalize(FRONTEND);
        func
    }

    fn isa() -> std::sync::Arc<dyn cranelift_codegen::isa::TargetIsa> {
        let mut flags = settings::builder();
        flags.set("enable_verifier", "true").unwrap();
        cranelift_native::builder()
            .expect("a host ISA")
            .finish(settings::Flags::new(flags))
            .expect("an ISA")
    }

    fn job(k: i64, broken: bool) -> CompileJob {
        CompileJob {
            fid: FuncId::from_u32(k as u32),
            label: format!("adder {k}"),
            prepare: false,
            func: adder(k, broken),
        }
    }

    /// Queue `jobs` and finish the queue.
    fn compile_all(jobs: Vec<CompileJob>) -> Result<Vec<CompiledJob>, String> {
        let mut queue = CompileQueue::new(isa());
        for job in jobs {
            queue.push(job);
        }
        queue.finish(&mut Context::new(), &mut regalloc2::Ctx::default())
    }

    /// Enough jobs for two threads: every one comes back once, compiled.
    #[test]
    fn every_job_comes_back_compiled() {
        let jobs: Vec<CompileJob> = (0..200).map(|k| job(k, false)).collect();
        let total: usize = jobs.iter().map(|j| j.func.dfg.num_insts()).sum();
        assert!(
            total >= PARALLEL_MIN_INSTS,
            "the jobs are enough to use a second thread"
        );
        let done = compile_all(jobs).unwrap();
        let mut fids: Vec<u32> = done.iter().map(|d| d.fid.as_u32()).collect();
        fids.sort();
        assert_eq!(fids, (0..200).collect::<Vec<u32>>());
        assert!(done.iter().all(|d| !d.cc.code_buffer().is_empty()));
    }

    /// Jobs queued one by one after the helper has started (and is waiting for work) all
    /// come back compiled, once each, whichever thread took them.
    #[test]
    fn jobs_queued_while_the_helper_waits_all_come_back() {
        let mut queue = CompileQueue::new(isa());
        queue.expect(PARALLEL_MIN_INSTS);
        assert!(queue.helper.is_some() || queue.serial, "enough work starts the helper");
        std::thread::sleep(std::time::Duration::from_millis(5));
        for k in 0..60 {
            queue.push(job(k, false));
            if k % 20 == 0 {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
        let done = queue
            .finish(&mut Context::new(), &mut regalloc2::Ctx::default())
            .unwrap();
        let mut fids: Vec<u32> = done.iter().map(|d| d.fid.as_u32()).collect();
        fids.sort();
        assert_eq!(fids, (0..60).collect::<Vec<u32>>());
    }

    /// A queue dropped before `finish` (compiling failed part-way) wakes its waiting
    /// helper, which then ends instead of waiting for jobs forever.
    #[test]
    fn a_dropped_queue_lets_its_helper_go() {
        let mut queue = CompileQueue::new(isa());
        queue.expect(PARALLEL_MIN_INSTS);
        let Some(helper) = queue.helper.take() else {
            return; // CELLAR_SERIAL_COMPILE is set: there is no helper to let go
        };
        std::thread::sleep(std::time::Duration::from_millis(5));
        drop(queue);
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || tx.send(helper.join().map(|done| done.len())));
        let ended = rx.recv_timeout(std::time::Duration::from_secs(20));
        assert!(matches!(ended, Ok(Ok(0))), "the helper did not end: {ended:?}");
    }

    /// Little work never starts the helper: everything compiles on the calling thread.
    #[test]
    fn little_work_stays_on_one_thread() {
        let mut queue = CompileQueue::new(isa());
        queue.push(job(1, false));
        assert!(queue.helper.is_none());
        let done = queue
            .finish(&mut Context::new(), &mut regalloc2::Ctx::default())
            .unwrap();
        assert_eq!(done.len(), 1);
    }

    /// A job that fails (here, the verifier rejects it) fails the whole batch, named.
    #[test]
    fn a_failing_job_is_reported_by_name() {
        let mut jobs: Vec<CompileJob> = (0..200).map(|k| job(k, false)).collect();
        jobs.push(job(7777, true));
        let err = compile_all(jobs).err().expect("the broken job fails");
        assert!(err.starts_with("compiling adder 7777:"), "{err}");
    }
}
