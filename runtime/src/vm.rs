//! The VM state: one per process, reached through [`vm()`]. Compiled code reads the first
//! fields directly at fixed offsets, so the struct is `#[repr(C)]`.
//!
//! ```text
//! Vm
//! +0   depth: u64        Python call depth (RecursionError past depth_limit); compiled
//!                        code passes depths in calls and writes here only before a
//!                        runtime call that may enter compiled code again
//! +8   depth_limit: u64
//! +16  gc_pending: u64   non-zero: the next poll collects
//! +24  exit_top: *mut ExitNode   innermost JIT frame that called into Rust
//! +32  cold_result: u64  the result of a runtime call made from a slow path, which the
//!                        call's `preserve_all` wrapper leaves here (it cannot return it)
//! +40  cold_args: [u64; 8]   the target (+40) and arguments (+48, +56, ..) of that call,
//!                        stored by the slow path for the wrapper to load
//! +104 ... Rust-only fields
//! ```

use crate::gc::{ExitNode, FrameMap, Heap};
use crate::object::*;
use crate::value::*;
use std::io::Write;

/// Offset of `Vm::depth`.
pub const VM_DEPTH_OFFSET: i32 = 0;
/// Offset of `Vm::depth_limit`.
pub const VM_DEPTH_LIMIT_OFFSET: i32 = 8;
/// Offset of `Vm::gc_pending`.
pub const VM_GC_PENDING_OFFSET: i32 = 16;
/// Offset of `Vm::exit_top`.
pub const VM_EXIT_TOP_OFFSET: i32 = 24;
/// Offset of `Vm::cold_result`.
pub const VM_COLD_RESULT_OFFSET: i32 = 32;
/// Offset of `Vm::cold_args`.
pub const VM_COLD_ARGS_OFFSET: i32 = 40;

/// The whole runtime state. See the module docs for the layout of the first fields.
#[repr(C)]
pub struct Vm {
    /// Python call depth. The interpreter keeps its current depth here; compiled code
    /// passes depths as call arguments and stores here, before a runtime call that may
    /// call back into Python, the depth a frame it enters gets.
    pub depth: u64,
    /// Maximum depth before `RecursionError`.
    pub depth_limit: u64,
    /// Set by allocation when a collection is due.
    pub gc_pending: u64,
    /// Innermost JIT frame that called into Rust code that may call back into Python.
    pub exit_top: *mut ExitNode,
    /// Where a slow path's runtime call leaves its result (see `cellar::jit::coldcalls`):
    /// written by the call's wrapper and read by the caller right after, before anything
    /// can collect, so the collector never needs to see it.
    pub cold_result: u64,
    /// The target (first) and arguments of a slow path's runtime call, which the slow path
    /// stores here right before calling the wrapper that loads them (see
    /// `cellar::jit::coldcalls`).
    pub cold_args: [u64; 8],
    /// Global variable slots (fixed size once the program is compiled; UNBOUND = unset).
    pub globals: Vec<Value>,
    /// Names of the global slots.
    pub global_names: Vec<String>,
    /// Values Rust code holds across calls into Python (push, then truncate).
    pub roots: Vec<Value>,
    /// Closures whose specialised body is being compiled on another thread: kept alive
    /// until it is installed or given up (see [`crate::specialize`]).
    pub pinned: Vec<Value>,
    /// Constants of the compiled program (strings, big ints, code facts): never freed.
    pub constants: Vec<Value>,
    /// Type objects, indexed by [`crate::types::TypeId`].
    pub types: Vec<Value>,
    /// The pending exception (valid when a function returned `EXC`).
    pub exc: Value,
    /// The heap.
    pub heap: Heap,
    /// PC ranges and stack maps of compiled code, sorted by start.
    pub frame_maps: Vec<FrameMap>,
    /// Buffered standard output.
    pub out: std::io::BufWriter<std::io::Stdout>,
    /// Source file name, for messages.
    pub filename: String,
    /// Program source, for the source lines in tracebacks.
    pub source: String,
    /// The interpreter's frames (`cellar run --interp`); empty under the JIT.
    pub stack: crate::stack::ValueStack,
    /// While non-zero, collections wait (see [`CollectionHold`]).
    pub collection_holds: u32,
}

// The offsets compiled code uses are the struct's.
const _: () = {
    assert!(std::mem::offset_of!(Vm, depth) == VM_DEPTH_OFFSET as usize);
    assert!(std::mem::offset_of!(Vm, depth_limit) == VM_DEPTH_LIMIT_OFFSET as usize);
    assert!(std::mem::offset_of!(Vm, gc_pending) == VM_GC_PENDING_OFFSET as usize);
    assert!(std::mem::offset_of!(Vm, exit_top) == VM_EXIT_TOP_OFFSET as usize);
    assert!(std::mem::offset_of!(Vm, cold_result) == VM_COLD_RESULT_OFFSET as usize);
    assert!(std::mem::offset_of!(Vm, cold_args) == VM_COLD_ARGS_OFFSET as usize);
};

static mut VM: *mut Vm = std::ptr::null_mut();

/// The VM. Panics if [`init`] was not called.
#[inline]
#[allow(static_mut_refs)]
pub fn vm() -> &'static mut Vm {
    unsafe {
        debug_assert!(!VM.is_null());
        &mut *VM
    }
}

/// Create the VM (once per process). Returns its address for compiled code to embed.
pub fn init(filename: &str, source: &str, torture: bool, depth_limit: u64) -> *mut Vm {
    let b = Box::new(Vm {
        depth: 0,
        depth_limit,
        gc_pending: 0,
        exit_top: std::ptr::null_mut(),
        cold_result: 0,
        cold_args: [0; 8],
        globals: Vec::new(),
        global_names: Vec::new(),
        roots: Vec::new(),
        pinned: Vec::new(),
        constants: Vec::new(),
        types: Vec::new(),
        exc: UNBOUND,
        heap: Heap::new(torture),
        frame_maps: Vec::new(),
        out: std::io::BufWriter::with_capacity(1 << 16, std::io::stdout()),
        filename: filename.to_string(),
        source: source.to_string(),
        stack: crate::stack::ValueStack::new(),
        collection_holds: 0,
    });
    unsafe {
        VM = Box::into_raw(b);
    }
    crate::types::init_types();
    unsafe { VM }
}

/// Set the global slots (names in slot order), each initialised to UNBOUND.
pub fn set_globals(names: Vec<String>) {
    let vm = vm();
    vm.globals = vec![UNBOUND; names.len()];
    vm.global_names = names;
}

/// Register the stack maps of compiled code.
pub fn add_frame_maps(mut maps: Vec<FrameMap>) {
    let vm = vm();
    vm.frame_maps.append(&mut maps);
    vm.frame_maps.sort_by_key(|m| m.start);
}

/// Flush buffered stdout.
pub fn flush_stdout() {
    let _ = vm().out.flush();
}

/// Set `exc` as the pending exception and return `EXC`.
pub fn raise(exc: Value) -> Value {
    vm().exc = exc;
    EXC
}

/// Take the pending exception.
pub fn take_exception() -> Value {
    std::mem::replace(&mut vm().exc, UNBOUND)
}

/// Keep `v` alive while Rust code calls back into Python. Pair with [`release_roots`].
pub fn push_root(v: Value) -> usize {
    let r = &mut vm().roots;
    r.push(v);
    r.len() - 1
}

/// Drop roots pushed since `mark` (the value [`root_mark`] returned).
pub fn release_roots(mark: usize) {
    vm().roots.truncate(mark);
}

/// The current root-stack height.
pub fn root_mark() -> usize {
    vm().roots.len()
}

/// Values rooted for the rest of a Rust scope that may call back into Python: [`Roots::add`]
/// pushes onto [`Vm::roots`], and dropping the guard (also on an early `?` return) pops
/// back to the height it started at.
pub struct Roots(usize);

impl Roots {
    /// Start a scope at the current root-stack height.
    pub fn new() -> Self {
        Roots(root_mark())
    }
    /// Keep `v` alive until the guard drops.
    pub fn add(&self, v: Value) {
        push_root(v);
    }
    /// Keep all of `vs` alive until the guard drops.
    pub fn add_all(&self, vs: &[Value]) {
        vm().roots.extend_from_slice(vs);
    }
}

impl Default for Roots {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Roots {
    fn drop(&mut self) {
        release_roots(self.0);
    }
}

/// Collections wait while a guard lives. A runtime entry point that compiled code calls
/// directly (not through a trampoline, so no `ExitNode` records the calling JIT frame) takes
/// one before it steps an iterator that may call back into Python (`x in map(f, xs)`,
/// `xs += map(f, ys)`, a slice assignment): the collector could not find that frame's roots
/// from a poll in the callback, so the collection runs at the first poll after the guard
/// drops instead.
pub struct CollectionHold(());

impl CollectionHold {
    /// Hold collections until the guard drops.
    pub fn new() -> Self {
        vm().collection_holds += 1;
        CollectionHold(())
    }
}

impl Default for CollectionHold {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for CollectionHold {
    fn drop(&mut self) {
        vm().collection_holds -= 1;
    }
}

/// Allocate a new cell holding `v` (UNBOUND = empty).
pub extern "C" fn rt_new_cell(v: Value) -> Value {
    let p = crate::gc::alloc_counted_elsewhere(
        CellObj {
            h: crate::gc::header(ObjKind::Cell),
            value: v,
        },
        0,
    );
    vm().heap.stats.cells_created += 1;
    Value::from_ptr(p)
}
