//! The precise, non-moving mark-and-sweep collector.
//!
//! Allocation never collects: it only counts bytes and, past a threshold, sets
//! [`Vm::gc_pending`] (only [`budget_exhausted`] sets it). Compiled code polls that flag
//! right after the runtime calls that may allocate and on the two cold paths of an inline
//! allocation, where its budget ran out or its free list was empty (not at function entry
//! or loop back-edges, nor after an inline allocation that had budget), and then calls the
//! poll trampoline, which hands its caller's frame pointer and return address to
//! [`rt_gc_collect`]. So a collection only happens where every live
//! reference is in a JIT frame (found precisely through Cranelift user stack maps), in a
//! global slot, or in [`Vm::roots`] (values Rust code holds while it calls back into Python).
//!
//! ```text
//! Frame walk (x86-64 and aarch64 with frame pointers preserved):
//!
//!   higher addresses
//!   |  caller frame ...         |
//!   |  return address (pc)      |  <- fp + 8: pc in the caller, look up its stack map
//!   |  saved caller fp          |  <- fp
//!   |  spill slots (stack map   |
//!   |  entries are sp + offset) |
//!   |  ...                      |  <- sp = fp - span   (span from the stack map)
//!   lower addresses
//! ```
//!
//! A walk follows the frame-pointer chain while the return address lies in JIT code. Where
//! Rust code sits between JIT frames (a built-in calling back into a closure), the JIT frame
//! that called into Rust left an [`ExitNode`] in `Vm::exit_top`; the walk resumes there.

use crate::object::*;
use crate::value::Value;
use crate::vm::vm;

/// Heap bookkeeping: the list of all objects and the allocation counters.
pub struct Heap {
    /// Large objects (bigger than a pool slot), linked through `Header::next`.
    all: *mut Header,
    /// Bytes allocated since the last collection.
    pub allocated_since: usize,
    /// Collect once `allocated_since` exceeds this.
    pub threshold: usize,
    /// Bytes alive after the last collection, plus allocated since.
    pub live_bytes: usize,
    /// Bytes that may still be allocated before the thresholds are checked again, and the
    /// closures and cells compiled code made from them (see [`BUDGET_SHIFT`]).
    pub budget: isize,
    /// The budget handed out last (`budget_granted - budget` bytes were spent since).
    pub budget_granted: isize,
    /// Collect once the process's allocated bytes exceed this (see [`crate::alloc`]).
    pub malloc_threshold: usize,
    /// Collect at every poll after any allocation (tests).
    pub torture: bool,
    /// Counters for `--stats`; read them with [`stats`], which adds the closures and cells
    /// counted in `budget` so far.
    pub(crate) stats: GcStats,
    /// Size-class pools for small objects.
    pub classes: Vec<SizeClass>,
}

/// Runtime counters shown by `cellar run --stats`.
#[derive(Default, Clone, Debug)]
pub struct GcStats {
    /// Function objects created.
    pub closures_created: u64,
    /// Cells created.
    pub cells_created: u64,
    /// Objects allocated other than closures and cells (those are counted above, so
    /// allocating them inline bumps one counter, not two).
    pub other_objects_allocated: u64,
    /// Collections run.
    pub collections: u64,
    /// Peak of live heap bytes.
    pub peak_heap_bytes: usize,
}

impl GcStats {
    /// All objects allocated.
    pub fn objects_allocated(&self) -> u64 {
        self.other_objects_allocated + self.closures_created + self.cells_created
    }
}

/// The runtime counters now (with the closures and cells still counted in the budget).
pub fn stats() -> GcStats {
    let h = &vm().heap;
    let mut s = h.stats.clone();
    let (closures, cells) = budget_counts(h.budget);
    s.closures_created += closures;
    s.cells_created += cells;
    s
}

/// The least allocation between two collections, of heap objects and of malloc'd storage
/// (dict tables, list items) alike. The malloc threshold was twice the old 2 MiB until memo
/// (40000 dicts of 40-100 entries made and dropped) measured 1.7 MB less peak RSS and 5%
/// less time with 25 more collections (which find little alive). At 1 MiB rather than 2 the
/// pool pages a sweep walks fit in a core's 2 MiB L2 cache: twice the collections, no more
/// time (side by side on the five programs that collect: man_or_boy -2%, the others within
/// ±0.7%), and 0.4-1.2 MB less peak RSS. (The sweep is bound by loading the headers of
/// cold pages: sweeping lazily, a page at a time right before allocating from it, measured
/// 1-6% slower, and huge pages for the pools only 2-3% faster for 2 MB more RSS.)
const MIN_THRESHOLD: usize = 1 << 20;

impl Heap {
    /// An empty heap.
    pub fn new(torture: bool) -> Self {
        Heap {
            all: std::ptr::null_mut(),
            allocated_since: 0,
            threshold: MIN_THRESHOLD,
            live_bytes: 0,
            budget: 0,
            budget_granted: 0,
            malloc_threshold: MIN_THRESHOLD,
            torture,
            stats: GcStats::default(),
            classes: new_classes(),
        }
    }
}

/// One PC range of compiled code with its stack maps.
pub struct FrameMap {
    /// First byte of the function's code.
    pub start: usize,
    /// Code length.
    pub len: usize,
    /// `(return address offset, span, sp offsets of live references)`, sorted by offset.
    pub sites: Vec<(u32, u32, Vec<u32>)>,
}

/// A JIT frame that called into Rust code which may call back into Python.
/// Built on the stack by the call trampolines; linked through `prev`.
#[repr(C)]
pub struct ExitNode {
    /// The previous node (older frames).
    pub prev: *mut ExitNode,
    /// Frame pointer of the JIT frame that called the trampoline.
    pub fp: usize,
    /// Return address into that frame.
    pub pc: usize,
}

/// Bytes of allocation between two checks of the collection thresholds.
const BUDGET_CHUNK: isize = 64 << 10;

/// `Heap::budget` packs the bytes left with two counts, so that compiled code spends an
/// inline allocation's bytes and counts its closure or cell with one subtraction (a
/// counter of its own bumped in memory beside the budget cost man_or_boy 5-7% of its
/// time):
///
/// ```text
///   63                          24 23           12 11            0
///  +------------------------------+---------------+---------------+
///  | bytes left (signed)          | cells made    | closures made |
///  +------------------------------+---------------+---------------+
/// ```
///
/// The word is negative exactly when the bytes are. The counts cannot carry into the bytes:
/// a budget is at most [`BUDGET_CHUNK`] bytes and is folded into `Heap::stats` as soon as
/// it goes negative, so it counts at most 64 KiB / 24 bytes + 1 = 2731 cells, or 64 KiB /
/// 56 bytes + 1 = 1171 closures, each below 2^12.
pub const BUDGET_SHIFT: u32 = 24;
/// Width of each count in `Heap::budget`.
const COUNT_BITS: u32 = 12;
const _: () = assert!(BUDGET_CHUNK / 24 + 1 < 1 << COUNT_BITS);

/// What an inline allocation of a `size`-byte closure subtracts from `Heap::budget`.
pub const fn closure_spend(size: usize) -> i64 {
    ((size as i64) << BUDGET_SHIFT) - 1
}

/// What an inline allocation of a `size`-byte cell subtracts from `Heap::budget`.
pub const fn cell_spend(size: usize) -> i64 {
    ((size as i64) << BUDGET_SHIFT) - (1 << COUNT_BITS)
}

/// The budget word's bytes left.
fn budget_bytes(word: isize) -> isize {
    word >> BUDGET_SHIFT
}

/// The budget word's counts: (closures, cells).
fn budget_counts(word: isize) -> (u64, u64) {
    let mask = (1 << COUNT_BITS) - 1;
    ((word & mask) as u64, ((word >> COUNT_BITS) & mask) as u64)
}

/// Count an allocation. The fast path only spends from `Heap::budget`; the thresholds are
/// checked when the budget runs out (every 64 KiB of objects, or at every allocation under
/// GC torture).
#[inline]
fn account(bytes: usize) {
    let h = &mut vm().heap;
    // Past 2^38 bytes the allocation itself fails; the clamp keeps the shift in range.
    h.budget -= (bytes.min(1 << 38) as isize) << BUDGET_SHIFT;
    if h.budget < 0 {
        budget_exhausted();
    }
}

/// Fold the spent budget into the counters, decide whether a collection is due, and
/// hand out the next chunk.
#[cold]
#[inline(never)]
pub fn budget_exhausted() {
    let vm = vm();
    let h = &mut vm.heap;
    let spent = (h.budget_granted - budget_bytes(h.budget)) as usize;
    h.allocated_since += spent;
    h.live_bytes += spent;
    let malloc_live = crate::alloc::live_bytes();
    let heap_now = h.live_bytes.max(malloc_live);
    if heap_now > h.stats.peak_heap_bytes {
        h.stats.peak_heap_bytes = heap_now;
    }
    if h.torture || h.allocated_since > h.threshold || malloc_live > h.malloc_threshold {
        vm.gc_pending = 1;
    }
    h.grant_budget();
}

impl Heap {
    /// Fold the counts in the budget word into `stats`, and hand out the next budget.
    fn grant_budget(&mut self) {
        let (closures, cells) = budget_counts(self.budget);
        self.stats.closures_created += closures;
        self.stats.cells_created += cells;
        let room = self.threshold.saturating_sub(self.allocated_since) as isize;
        self.budget_granted = if self.torture { 0 } else { room.clamp(0, BUDGET_CHUNK) };
        self.budget = self.budget_granted << BUDGET_SHIFT;
    }
}

/// Objects up to this size live in size-class pools; bigger ones come from the system
/// allocator and are kept on the large-object list.
const MAX_POOLED: usize = 256;
const GRAIN: usize = 16;
const PAGE_BYTES: usize = 1 << 16;

/// One size class of the pool allocator.
///
/// ```text
/// page (64 KiB): | slot | slot | slot | ... |      slot = `size` bytes, 16-aligned
/// a free slot:   kind byte 0, `Header::next` links the class's free list
/// ```
///
/// The sweep walks the pages linearly, so it touches memory in address order and frees a
/// dead object by dropping what it owns and putting its slot back on the free list.
pub struct SizeClass {
    size: usize,
    free: *mut Header,
    pages: Vec<*mut u8>,
}

/// The pools, one per 16-byte size class up to [`MAX_POOLED`].
pub fn new_classes() -> Vec<SizeClass> {
    (1..=MAX_POOLED / GRAIN)
        .map(|i| SizeClass {
            size: i * GRAIN,
            free: std::ptr::null_mut(),
            pages: Vec::new(),
        })
        .collect()
}

impl SizeClass {
    #[cold]
    fn grow(&mut self) {
        let layout = std::alloc::Layout::from_size_align(PAGE_BYTES, GRAIN).unwrap();
        let page = unsafe { std::alloc::alloc_zeroed(layout) };
        if page.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        self.pages.push(page);
        let n = PAGE_BYTES / self.size;
        for i in (0..n).rev() {
            let h = unsafe { page.add(i * self.size) } as *mut Header;
            unsafe { (*h).next = self.free };
            self.free = h;
        }
    }

    #[inline]
    fn alloc(&mut self) -> *mut u8 {
        if self.free.is_null() {
            self.grow();
        }
        let h = self.free;
        self.free = unsafe { (*h).next };
        h as *mut u8
    }
}

/// Memory for an object of `size` bytes: a pool slot, or a large block linked on the
/// heap's large-object list.
#[inline]
fn raw_alloc(size: usize) -> *mut u8 {
    let heap = &mut vm().heap;
    if size <= MAX_POOLED {
        unsafe { heap.classes.get_unchecked_mut((size - 1) / GRAIN) }.alloc()
    } else {
        let layout = std::alloc::Layout::from_size_align(size, GRAIN).unwrap();
        let p = unsafe { std::alloc::alloc(layout) };
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        p
    }
}

/// Put a large object on the large-object list (after its header is written).
#[inline]
fn link_large(h: *mut Header, size: usize) {
    if size > MAX_POOLED {
        let heap = &mut vm().heap;
        unsafe { (*h).next = heap.all };
        heap.all = h;
    }
}

/// A fresh header of kind `kind`.
pub fn header(kind: ObjKind) -> Header {
    Header {
        kind,
        mark: 0,
        flags: 0,
        aux: 0,
        next: std::ptr::null_mut(),
    }
}

/// Allocate an object; `extra` is an estimate of bytes it owns outside itself.
pub fn alloc<T>(obj: T, extra: usize) -> *mut T {
    vm().heap.stats.other_objects_allocated += 1;
    alloc_counted_elsewhere(obj, extra)
}

/// [`alloc`] for an object whose kind has its own counter (cells), which the caller bumps.
pub fn alloc_counted_elsewhere<T>(obj: T, extra: usize) -> *mut T {
    let size = std::mem::size_of::<T>();
    let p = raw_alloc(size) as *mut T;
    unsafe { p.write(obj) };
    link_large(p as *mut Header, size);
    account(size + extra);
    p
}

fn function_size(nenv: usize) -> usize {
    std::mem::size_of::<FunctionObj>() + 8 * nenv
}

/// Allocate a function object with room for `info.freevars.len()` env slots (zeroed).
pub fn alloc_function(info: &'static CodeInfo) -> *mut FunctionObj {
    let n = info.freevars.len();
    let size = function_size(n);
    unsafe {
        let p = raw_alloc(size) as *mut FunctionObj;
        p.write(FunctionObj {
            h: Header {
                aux: info.fast_arity(),
                ..header(ObjKind::Function)
            },
            code: info.code,
            info,
            defaults: Value(0),
            kwdefaults: Value(0),
            countdown: SPECIALIZE_AFTER_CALLS,
            env: [],
        });
        std::ptr::write_bytes((*p).env.as_mut_ptr(), 0, n);
        link_large(p as *mut Header, size);
        account(size);
        vm().heap.stats.closures_created += 1;
        p
    }
}

/// The allocation size of an object (what `raw_alloc` was asked for).
unsafe fn object_size(h: *mut Header) -> usize {
    use std::mem::size_of;
    match (*h).kind {
        ObjKind::Str => size_of::<StrObj>(),
        ObjKind::BigInt => size_of::<BigIntObj>(),
        ObjKind::Tuple => size_of::<TupleObj>(),
        ObjKind::List => size_of::<ListObj>(),
        ObjKind::Dict => size_of::<DictObj>(),
        ObjKind::Cell => size_of::<CellObj>(),
        ObjKind::Function => function_size((*(h as *mut FunctionObj)).info().freevars.len()),
        ObjKind::Builtin => size_of::<BuiltinObj>(),
        ObjKind::Exception => size_of::<ExceptionObj>(),
        ObjKind::Type => size_of::<TypeObj>(),
        ObjKind::Range => size_of::<RangeObj>(),
        ObjKind::Iterator => size_of::<IterObj>(),
        ObjKind::Slice => size_of::<SliceObj>(),
        ObjKind::DictView => size_of::<DictViewObj>(),
        ObjKind::Code => size_of::<CodeObj>(),
    }
}

/// Does an object of this kind byte own memory outside itself?
#[inline]
const fn needs_drop(kind: u8) -> bool {
    !(kind == ObjKind::Cell as u8 || kind == ObjKind::Function as u8)
}

/// Drop what a dead object owns (its string, vector, table), not its memory.
unsafe fn drop_payload(h: *mut Header) {
    use std::ptr::drop_in_place;
    match (*h).kind {
        ObjKind::Str => drop_in_place(h as *mut StrObj),
        ObjKind::BigInt => drop_in_place(h as *mut BigIntObj),
        ObjKind::Tuple => drop_in_place(h as *mut TupleObj),
        ObjKind::List => drop_in_place(h as *mut ListObj),
        ObjKind::Dict => drop_in_place(h as *mut DictObj),
        ObjKind::Exception => drop_in_place(h as *mut ExceptionObj),
        ObjKind::Iterator => drop_in_place(h as *mut IterObj),
        ObjKind::Cell
        | ObjKind::Function
        | ObjKind::Builtin
        | ObjKind::Type
        | ObjKind::Range
        | ObjKind::Slice
        | ObjKind::DictView
        | ObjKind::Code => {}
    }
}

struct Marker {
    stack: Vec<*mut Header>,
}

impl Marker {
    #[inline]
    fn mark(&mut self, v: Value) {
        if v.is_ptr() {
            let h = v.header();
            unsafe {
                if (*h).mark == 0 {
                    (*h).mark = 1;
                    self.stack.push(h);
                }
            }
        }
    }

    unsafe fn trace(&mut self, h: *mut Header) {
        match (*h).kind {
            ObjKind::Str | ObjKind::BigInt | ObjKind::Range | ObjKind::Code => {}
            ObjKind::Tuple => {
                for &v in &(*(h as *mut TupleObj)).items {
                    self.mark(v)
                }
            }
            ObjKind::List => {
                for &v in &(*(h as *mut ListObj)).items {
                    self.mark(v)
                }
            }
            ObjKind::Dict => (*(h as *mut DictObj)).d.trace(|v| self.mark(v)),
            ObjKind::Cell => self.mark((*(h as *mut CellObj)).value),
            ObjKind::Function => {
                let f = &*(h as *mut FunctionObj);
                self.mark(f.defaults);
                self.mark(f.kwdefaults);
                for &v in f.env() {
                    self.mark(v)
                }
                crate::introspect::trace_extra(h as usize, |v| self.mark(v));
            }
            ObjKind::Builtin => self.mark((*(h as *mut BuiltinObj)).this),
            ObjKind::Exception => {
                let e = &*(h as *mut ExceptionObj);
                self.mark(e.typ);
                self.mark(e.args);
                crate::introspect::trace_extra(h as usize, |v| self.mark(v));
            }
            ObjKind::Type => self.mark((*(h as *mut TypeObj)).base),
            ObjKind::Iterator => {
                let it = &*(h as *mut IterObj);
                self.mark(it.src);
                for &v in &it.items {
                    self.mark(v)
                }
            }
            ObjKind::Slice => {
                let s = &*(h as *mut SliceObj);
                self.mark(s.start);
                self.mark(s.stop);
                self.mark(s.step);
            }
            ObjKind::DictView => self.mark((*(h as *mut DictViewObj)).dict),
        }
    }

    fn drain(&mut self) {
        while let Some(h) = self.stack.pop() {
            unsafe { self.trace(h) }
        }
    }

    /// Mark the roots of one run of JIT frames, starting at the frame `fp` with return
    /// address... `pc` being the address in that frame where execution stopped.
    unsafe fn walk_frames(&mut self, maps: &[FrameMap], mut fp: usize, mut pc: usize) {
        loop {
            let Some(fm) = lookup(maps, pc) else { return };
            let off = (pc - fm.start) as u32;
            if let Ok(i) = fm.sites.binary_search_by_key(&off, |s| s.0) {
                let (_, span, ref offs) = fm.sites[i];
                let sp = fp - span as usize;
                for &o in offs {
                    self.mark(*((sp + o as usize) as *const Value));
                }
            }
            pc = *((fp + 8) as *const usize);
            fp = *(fp as *const usize);
            if fp == 0 {
                return;
            }
        }
    }
}

fn lookup(maps: &[FrameMap], pc: usize) -> Option<&FrameMap> {
    let i = maps.partition_point(|m| m.start <= pc);
    if i == 0 {
        return None;
    }
    let m = &maps[i - 1];
    (pc < m.start + m.len).then_some(m)
}

/// Does `pc` lie in compiled Python code?
pub fn is_jit_pc(pc: usize) -> bool {
    lookup(&vm().frame_maps, pc).is_some()
}

/// Run a full collection. `fp`/`pc` locate the innermost JIT frame (0 when called with no
/// JIT frame on the stack).
pub fn collect(fp: usize, pc: usize) {
    let vm = vm();
    if vm.collection_holds > 0 {
        // `gc_pending` stays set: the first poll after the hold ends collects.
        return;
    }
    let mut m = Marker {
        stack: Vec::with_capacity(256),
    };
    unsafe {
        if fp != 0 {
            m.walk_frames(&vm.frame_maps, fp, pc);
        }
        let mut node = vm.exit_top;
        while !node.is_null() {
            m.walk_frames(&vm.frame_maps, (*node).fp, (*node).pc);
            node = (*node).prev;
        }
    }
    for &v in vm
        .globals
        .iter()
        .chain(&vm.roots)
        .chain(&vm.pinned)
        .chain(&vm.constants)
        .chain(&vm.types)
    {
        m.mark(v);
    }
    m.mark(vm.exc);
    vm.stack.trace(|v| m.mark(v));
    m.drain();
    crate::introspect::drop_dead_extras(|v| unsafe { (*v.header()).mark != 0 });
    // Sweep: pools page by page, then the large-object list.
    let heap = &mut vm.heap;
    let mut live = 0usize;
    unsafe {
        for class in heap.classes.iter_mut() {
            class.free = sweep_pages(&class.pages, class.size, &mut live);
        }
        let mut prev: *mut *mut Header = &mut heap.all;
        let mut cur = heap.all;
        while !cur.is_null() {
            let next = (*cur).next;
            if (*cur).mark != 0 {
                (*cur).mark = 0;
                live += object_size(cur);
                prev = &mut (*cur).next;
            } else {
                *prev = next;
                let size = object_size(cur);
                drop_payload(cur);
                std::alloc::dealloc(
                    cur as *mut u8,
                    std::alloc::Layout::from_size_align(size, GRAIN).unwrap(),
                );
            }
            cur = next;
        }
    }
    heap.live_bytes = live;
    heap.allocated_since = 0;
    heap.threshold = MIN_THRESHOLD.max(live);
    heap.malloc_threshold = MIN_THRESHOLD.max(2 * crate::alloc::live_bytes());
    heap.grant_budget();
    heap.stats.collections += 1;
    vm.gc_pending = 0;
    if MALLOC_PAGES_TO_RELEASE.swap(false, std::sync::atomic::Ordering::Relaxed) {
        release_malloc_pages();
    }
}

/// Set when the compiler is done with its working memory: the next collection hands
/// malloc's free pages back to the system.
static MALLOC_PAGES_TO_RELEASE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Have the next collection give the pages malloc holds free back to the system.
///
/// The JIT's helper thread compiles in a malloc arena of its own, all free once it ends but
/// still resident: with no trim at all, church peaks 0.45 MB higher (13.2 MB, within 0.4 MB
/// of CPython's) and memo 0.17 MB. Trimming as soon as compiling ends cost 0.1-0.3 ms
/// of every start-up (a `madvise` per free run of pages, each with a TLB shootdown), and
/// it only lowers the peak of a program whose heap grows afterwards: one that collects.
pub fn release_malloc_pages_at_next_collection() {
    MALLOC_PAGES_TO_RELEASE.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// Give the pages malloc holds free back to the system (`malloc_trim(0)`).
fn release_malloc_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns free memory to the system; it is thread-safe.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Sweep the pages of one size class: unmark the marked objects (adding their bytes to
/// `live`), drop what the dead ones own, and return the class's new free list of every
/// slot not alive (dead or free before), in address order.
///
/// The kind and mark bytes are read as one 16-bit word: 0 is a free slot, a set high byte a
/// marked object, anything else a dead one.
///
/// # Safety
/// `pages` are the class's pages of `size`-byte slots, after a mark phase.
unsafe fn sweep_pages(pages: &[*mut u8], size: usize, live: &mut usize) -> *mut Header {
    let per_page = PAGE_BYTES / size;
    let mut free: *mut Header = std::ptr::null_mut();
    let mut marked = 0usize;
    for &page in pages.iter().rev() {
        // Last slot first, so that the list comes out in address order.
        let mut h = page.add((per_page - 1) * size) as *mut Header;
        loop {
            let kind_mark = u16::from_le_bytes(*(h as *const [u8; 2]));
            if kind_mark >= 0x100 {
                (*h).mark = 0;
                marked += 1;
            } else {
                // Bit 0 of `DROP_KINDS` is clear: a free slot (kind 0) owns nothing.
                if DROP_KINDS >> (kind_mark & 31) & 1 != 0 {
                    drop_payload(h);
                }
                *(h as *mut u8) = 0;
                (*h).next = free;
                free = h;
            }
            if h as *mut u8 == page {
                break;
            }
            h = (h as *mut u8).sub(size) as *mut Header;
        }
    }
    *live += marked * size;
    free
}

/// Bit `k` is set when objects of kind `k` own something to drop (see [`needs_drop`]).
const DROP_KINDS: u32 = {
    let mut bits = 0u32;
    let mut k = 1;
    while k < 32 {
        if needs_drop(k as u8) {
            bits |= 1 << k;
        }
        k += 1;
    }
    bits
};

/// Called by the JIT's poll trampoline with the frame pointer and return address of the
/// compiled function that polled.
pub extern "C" fn rt_gc_collect(fp: usize, pc: usize) {
    collect(fp, pc);
}

/// Addresses compiled code needs to allocate small objects inline: it pops a slot from a
/// size class's free list, writes the object, subtracts [`closure_spend`] or
/// [`cell_spend`] from the budget word (spending the bytes and counting the object), and
/// calls [`rt_budget_exhausted`] when the word goes negative.
pub struct InlineAlloc {
    /// `Heap::budget`.
    pub budget: *mut isize,
}

/// The addresses for inline allocation (stable for the life of the VM).
pub fn inline_alloc() -> InlineAlloc {
    let h = &mut vm().heap;
    InlineAlloc { budget: &mut h.budget }
}

/// Address of the free-list head of the size class for `size`-byte objects, or `None` if
/// such objects are not pooled.
pub fn free_list_head(size: usize) -> Option<*mut *mut Header> {
    if size == 0 || size > MAX_POOLED {
        return None;
    }
    Some(&mut vm().heap.classes[(size - 1) / GRAIN].free)
}

/// Called by compiled code when an inline allocation overdrew the budget.
pub extern "C" fn rt_budget_exhausted() {
    budget_exhausted();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Spending a whole budget on the smallest closures or on cells, as compiled code does,
    /// leaves the bytes and both counts readable, and the word turns negative exactly when
    /// the bytes do.
    #[test]
    fn budget_word_spends_bytes_and_counts_objects() {
        for (spend, size, is_cell) in [(closure_spend(56), 56, false), (cell_spend(24), 24, true)] {
            let mut word = BUDGET_CHUNK << BUDGET_SHIFT;
            let mut n = 0u64;
            loop {
                word -= spend as isize;
                n += 1;
                let bytes = BUDGET_CHUNK - (n as isize) * size;
                assert_eq!(budget_bytes(word), bytes);
                assert_eq!(budget_counts(word), if is_cell { (0, n) } else { (n, 0) });
                assert_eq!(word < 0, bytes < 0);
                if word < 0 {
                    break;
                }
            }
            assert_eq!(n as isize, BUDGET_CHUNK / size + 1);
        }
        // Both kinds, and bytes the runtime accounts, in one budget.
        let mut word = 1000 << BUDGET_SHIFT;
        word -= closure_spend(64) as isize;
        word -= cell_spend(24) as isize;
        word -= cell_spend(24) as isize;
        word -= 100 << BUDGET_SHIFT;
        assert_eq!(budget_bytes(word), 1000 - 64 - 48 - 100);
        assert_eq!(budget_counts(word), (1, 2));
    }

    /// A page of 48-byte slots holding free slots, marked and dead cells, and a dead and a
    /// marked string: the sweep keeps exactly the marked ones, unmarks them, counts their
    /// bytes, and lists every other slot as free, in address order, with kind 0.
    #[test]
    fn sweep_keeps_marked_and_frees_the_rest_in_order() {
        const SIZE: usize = 48;
        let layout = std::alloc::Layout::from_size_align(PAGE_BYTES, GRAIN).unwrap();
        let page = unsafe { std::alloc::alloc_zeroed(layout) };
        let slots = PAGE_BYTES / SIZE;
        let at = |i: usize| unsafe { page.add(i * SIZE) } as *mut Header;
        // Slot i: i % 5 == 0 free, 1 marked cell, 2 dead cell, 3 dead str, 4 marked str.
        for i in 0..slots {
            let (kind, mark) = match i % 5 {
                0 => continue,
                1 => (ObjKind::Cell, 1),
                2 => (ObjKind::Cell, 0),
                3 => (ObjKind::Str, 0),
                _ => (ObjKind::Str, 1),
            };
            let h = at(i);
            unsafe {
                (*h).kind = kind;
                (*h).mark = mark;
                if kind == ObjKind::Str {
                    std::ptr::write(&mut (*(h as *mut StrObj)).s, format!("slot {i}"));
                }
            }
        }
        let mut live = 0;
        let free = unsafe { sweep_pages(&[page], SIZE, &mut live) };
        let marked: Vec<usize> = (0..slots).filter(|i| matches!(i % 5, 1 | 4)).collect();
        assert_eq!(live, marked.len() * SIZE);
        let mut listed = Vec::new();
        let mut h = free;
        while !h.is_null() {
            listed.push((h as usize - page as usize) / SIZE);
            assert_eq!(unsafe { *(h as *const u8) }, 0, "a free slot has kind 0");
            h = unsafe { (*h).next };
        }
        let expected: Vec<usize> = (0..slots).filter(|i| !matches!(i % 5, 1 | 4)).collect();
        assert_eq!(listed, expected);
        for &i in &marked {
            let h = at(i);
            unsafe {
                assert_eq!((*h).mark, 0);
                assert!(matches!((*h).kind, ObjKind::Cell | ObjKind::Str));
                if (*h).kind == ObjKind::Str {
                    assert_eq!((*(h as *mut StrObj)).s, format!("slot {i}"));
                    drop_payload(h);
                }
            }
        }
        unsafe { std::alloc::dealloc(page, layout) };
    }
}
