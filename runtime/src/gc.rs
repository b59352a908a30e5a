//! The precise, non-moving mark-and-sweep collector.
//!
//! Allocation never collects: it only counts bytes and, past a threshold, sets
//! [`Vm::gc_pending`]. Compiled code polls that flag at function entry and at loop
//! back-edges and then calls the poll trampoline, which hands its caller's frame pointer and
//! return address to [`rt_gc_collect`]. So a collection only happens where every live
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
    all: *mut Header,
    /// Bytes allocated since the last collection.
    pub allocated_since: usize,
    /// Collect once `allocated_since` exceeds this.
    pub threshold: usize,
    /// Bytes alive after the last collection, plus allocated since.
    pub live_bytes: usize,
    /// Collect once the process's allocated bytes exceed this (see [`crate::alloc`]).
    pub malloc_threshold: usize,
    /// Collect at every poll after any allocation (tests).
    pub torture: bool,
    /// Counters for `--stats`.
    pub stats: GcStats,
}

/// Runtime counters shown by `cellar run --stats`.
#[derive(Default, Clone, Debug)]
pub struct GcStats {
    /// Function objects created.
    pub closures_created: u64,
    /// Cells created.
    pub cells_created: u64,
    /// Objects allocated.
    pub objects_allocated: u64,
    /// Collections run.
    pub collections: u64,
    /// Peak of live heap bytes.
    pub peak_heap_bytes: usize,
}

const MIN_THRESHOLD: usize = 8 << 20;

impl Heap {
    /// An empty heap.
    pub fn new(torture: bool) -> Self {
        Heap {
            all: std::ptr::null_mut(),
            allocated_since: 0,
            threshold: MIN_THRESHOLD,
            live_bytes: 0,
            malloc_threshold: 2 * MIN_THRESHOLD,
            torture,
            stats: GcStats::default(),
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

fn account(bytes: usize) {
    let vm = vm();
    let h = &mut vm.heap;
    h.allocated_since += bytes;
    h.live_bytes += bytes;
    h.stats.objects_allocated += 1;
    let malloc_live = crate::alloc::live_bytes();
    let heap_now = h.live_bytes.max(malloc_live);
    if heap_now > h.stats.peak_heap_bytes {
        h.stats.peak_heap_bytes = heap_now;
    }
    if h.torture || h.allocated_since > h.threshold || malloc_live > h.malloc_threshold {
        vm.gc_pending = 1;
    }
}

fn link(h: *mut Header) {
    let heap = &mut vm().heap;
    unsafe { (*h).next = heap.all };
    heap.all = h;
}

/// A fresh header of kind `kind` (link it with the allocation).
pub fn header(kind: ObjKind) -> Header {
    Header { kind, mark: 0, flags: 0, aux: 0, next: std::ptr::null_mut() }
}

/// Allocate an object; `extra` is an estimate of bytes it owns outside itself.
pub fn alloc<T>(obj: T, extra: usize) -> *mut T {
    let p = Box::into_raw(Box::new(obj));
    link(p as *mut Header);
    account(std::mem::size_of::<T>() + extra);
    p
}

fn function_layout(nenv: usize) -> std::alloc::Layout {
    std::alloc::Layout::from_size_align(std::mem::size_of::<FunctionObj>() + 8 * nenv, 8).unwrap()
}

/// Allocate a function object with room for `info.freevars.len()` env slots (zeroed).
pub fn alloc_function(info: &'static CodeInfo) -> *mut FunctionObj {
    let n = info.freevars.len();
    let layout = function_layout(n);
    unsafe {
        let p = std::alloc::alloc_zeroed(layout) as *mut FunctionObj;
        if p.is_null() {
            std::alloc::handle_alloc_error(layout);
        }
        p.write(FunctionObj {
            h: Header { aux: info.fast_arity(), ..header(ObjKind::Function) },
            code: info.code,
            info,
            defaults: Value(0),
            kwdefaults: Value(0),
            env: [],
        });
        link(p as *mut Header);
        account(layout.size());
        vm().heap.stats.closures_created += 1;
        p
    }
}

unsafe fn size_of_object(h: *mut Header) -> usize {
    use std::mem::size_of;
    match (*h).kind {
        ObjKind::Str => size_of::<StrObj>() + (*(h as *mut StrObj)).s.capacity(),
        ObjKind::BigInt => size_of::<BigIntObj>() + 16,
        ObjKind::Tuple => size_of::<TupleObj>() + 8 * (*(h as *mut TupleObj)).items.capacity(),
        ObjKind::List => size_of::<ListObj>(),
        ObjKind::Dict => size_of::<DictObj>(),
        ObjKind::Cell => size_of::<CellObj>(),
        ObjKind::Function => function_layout((*(h as *mut FunctionObj)).info().freevars.len()).size(),
        ObjKind::Builtin => size_of::<BuiltinObj>(),
        ObjKind::Exception => size_of::<ExceptionObj>(),
        ObjKind::Type => size_of::<TypeObj>(),
        ObjKind::Range => size_of::<RangeObj>(),
        ObjKind::Iterator => size_of::<IterObj>(),
        ObjKind::Slice => size_of::<SliceObj>(),
        ObjKind::DictView => size_of::<DictViewObj>(),
    }
}

unsafe fn free_object(h: *mut Header) {
    match (*h).kind {
        ObjKind::Str => drop(Box::from_raw(h as *mut StrObj)),
        ObjKind::BigInt => drop(Box::from_raw(h as *mut BigIntObj)),
        ObjKind::Tuple => drop(Box::from_raw(h as *mut TupleObj)),
        ObjKind::List => drop(Box::from_raw(h as *mut ListObj)),
        ObjKind::Dict => drop(Box::from_raw(h as *mut DictObj)),
        ObjKind::Cell => drop(Box::from_raw(h as *mut CellObj)),
        ObjKind::Function => {
            let n = (*(h as *mut FunctionObj)).info().freevars.len();
            std::alloc::dealloc(h as *mut u8, function_layout(n));
        }
        ObjKind::Builtin => drop(Box::from_raw(h as *mut BuiltinObj)),
        ObjKind::Exception => drop(Box::from_raw(h as *mut ExceptionObj)),
        ObjKind::Type => drop(Box::from_raw(h as *mut TypeObj)),
        ObjKind::Range => drop(Box::from_raw(h as *mut RangeObj)),
        ObjKind::Iterator => drop(Box::from_raw(h as *mut IterObj)),
        ObjKind::Slice => drop(Box::from_raw(h as *mut SliceObj)),
        ObjKind::DictView => drop(Box::from_raw(h as *mut DictViewObj)),
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
            ObjKind::Str | ObjKind::BigInt | ObjKind::Range => {}
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
            }
            ObjKind::Builtin => self.mark((*(h as *mut BuiltinObj)).this),
            ObjKind::Exception => {
                let e = &*(h as *mut ExceptionObj);
                self.mark(e.typ);
                self.mark(e.args);
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
    let mut m = Marker { stack: Vec::with_capacity(256) };
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
    for &v in vm.globals.iter().chain(&vm.roots).chain(&vm.constants).chain(&vm.types) {
        m.mark(v);
    }
    m.mark(vm.exc);
    m.drain();
    // Sweep.
    let heap = &mut vm.heap;
    let mut live = 0usize;
    unsafe {
        let mut prev: *mut *mut Header = &mut heap.all;
        let mut cur = heap.all;
        while !cur.is_null() {
            let next = (*cur).next;
            if (*cur).mark != 0 {
                (*cur).mark = 0;
                live += size_of_object(cur);
                prev = &mut (*cur).next;
            } else {
                *prev = next;
                free_object(cur);
            }
            cur = next;
        }
    }
    heap.live_bytes = live;
    heap.allocated_since = 0;
    heap.threshold = MIN_THRESHOLD.max(live);
    heap.malloc_threshold = (2 * MIN_THRESHOLD).max(2 * crate::alloc::live_bytes());
    heap.stats.collections += 1;
    vm.gc_pending = 0;
}

/// Called by the JIT's poll trampoline with the frame pointer and return address of the
/// compiled function that polled.
pub extern "C" fn rt_gc_collect(fp: usize, pc: usize) {
    collect(fp, pc);
}
