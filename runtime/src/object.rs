//! Heap object layouts. Every object starts with a [`Header`]; the JIT reads a few fields at
//! fixed offsets (see the `*_OFFSET` constants), so every struct here is `#[repr(C)]`.
//!
//! ```text
//! Header (16 bytes, every object)
//! +0  kind: u8 | mark: u8 | flags: u16 | aux: u32     (word 0)
//! +8  next: *mut Header   (intrusive list of all objects, for the sweep)
//!
//! CellObj                         FunctionObj (a closure)
//! +0  Header                      +0  Header   aux = fast arity (u32::MAX: general path)
//! +16 value: Value (0 = empty)    +16 code: *const u8   native entry (func, a0..an-1) -> Value
//!                                 +24 info: *const CodeInfo   static facts of the `def`
//!                                 +32 defaults: Value   tuple, or UNBOUND
//!                                 +40 kwdefaults: Value dict, or UNBOUND
//!                                 +48 countdown: i64    calls left before this closure
//!                                                       gets code of its own (see below)
//!                                 +56 env[0]: Value   \
//!                                 +64 env[1]: Value    } EnvRecord: one cell per free
//!                                 ...                 /  variable, in co_freevars order
//! ```
//!
//! `code` starts as the `def`'s shared body. A function whose body calls a captured
//! value that nothing rebinds (a "frozen" capture, such as `f` in
//! `def compose(f, g): return lambda x: f(g(x))`) counts its calls down in `countdown`; at
//! zero it asks the compiler (through [`crate::specialize`]) for a body specialised to this
//! one closure, with the captured callees inlined, and `code` points to that from then on.
//! Other functions never read `countdown`.
//!
//! Word 0 of a function's header is `KIND_FUNCTION | arity << 32` when the function takes
//! exactly `arity` positional parameters and nothing else (`mark` and `flags` are zero
//! outside a collection), so the JIT checks "is a function of this arity" with one load and
//! one compare.

use crate::dict::Dict;
use crate::value::Value;
use num_bigint::BigInt;

/// Object kinds. `#[repr(u8)]`: the JIT compares the first byte of the header.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjKind {
    /// `str`.
    Str = 1,
    /// `int` outside the small range.
    BigInt = 2,
    /// `tuple`.
    Tuple = 3,
    /// `list`.
    List = 4,
    /// `dict`.
    Dict = 5,
    /// A cell holding one captured variable.
    Cell = 6,
    /// A Python function (closure).
    Function = 7,
    /// A built-in function or bound built-in method.
    Builtin = 8,
    /// An exception instance.
    Exception = 9,
    /// A type object (`int`, `ValueError`, ...).
    Type = 10,
    /// `range`.
    Range = 11,
    /// Any iterator.
    Iterator = 12,
    /// `slice`.
    Slice = 13,
    /// `dict_keys`, `dict_values` or `dict_items`: a live view of a dict.
    DictView = 14,
    /// A code object (`f.__code__`): a view of a function's [`CodeInfo`].
    Code = 15,
}

/// The raw kind byte of a function object, as the JIT compares it.
pub const KIND_FUNCTION: u64 = ObjKind::Function as u64;
/// Offset of `CellObj::value`.
pub const CELL_VALUE_OFFSET: i32 = 16;
/// Offset of `FunctionObj::code`.
pub const FUNCTION_CODE_OFFSET: i32 = 16;
/// Offset of `FunctionObj::countdown`.
pub const FUNCTION_COUNTDOWN_OFFSET: i32 = 48;
/// Offset of `FunctionObj::env[0]`.
pub const FUNCTION_ENV_OFFSET: i32 = 56;
/// Calls a closure of a specialisable `def` makes through its shared body before it asks
/// for a body of its own.
pub const SPECIALIZE_AFTER_CALLS: i64 = 1000;
/// `countdown` of a closure that never asks again (asked already, or never will).
pub const COUNTDOWN_NEVER: i64 = i64::MAX;
/// `aux` value of a function that needs the general call path.
pub const ARITY_GENERAL: u32 = u32::MAX;

/// The common object header. See the module docs for the layout.
#[repr(C)]
pub struct Header {
    /// What the object is.
    pub kind: ObjKind,
    /// GC mark bit (non-zero only during a collection).
    pub mark: u8,
    /// Kind-specific flags.
    pub flags: u16,
    /// Kind-specific word (a function's fast arity).
    pub aux: u32,
    /// Next object in the heap's list of all objects.
    pub next: *mut Header,
}

/// `str`.
#[repr(C)]
pub struct StrObj {
    /// Header.
    pub h: Header,
    /// The text.
    pub s: String,
}

/// An `int` outside the small-int range.
#[repr(C)]
pub struct BigIntObj {
    /// Header.
    pub h: Header,
    /// The value (always outside `[SMALL_INT_MIN, SMALL_INT_MAX]`).
    pub n: BigInt,
}

/// `tuple`.
#[repr(C)]
pub struct TupleObj {
    /// Header.
    pub h: Header,
    /// Items.
    pub items: Vec<Value>,
}

/// `list`.
#[repr(C)]
pub struct ListObj {
    /// Header.
    pub h: Header,
    /// Items.
    pub items: Vec<Value>,
}

/// `dict` (insertion ordered).
#[repr(C)]
pub struct DictObj {
    /// Header.
    pub h: Header,
    /// The table.
    pub d: Dict,
}

/// A cell: one captured variable shared by a function and the closures it creates.
#[repr(C)]
pub struct CellObj {
    /// Header.
    pub h: Header,
    /// The variable's value; `UNBOUND` (0) when empty.
    pub value: Value,
}

/// Native entry of a compiled function: `(function, arg0, .., argN-1) -> result`.
pub type NativeCode = *const u8;

/// Array entry of a compiled function: `(function, *const [args; nparams]) -> result`.
/// The arguments are already bound: positional, then `*args` tuple, keyword-only, `**kwargs`.
pub type ArrayEntry = unsafe extern "C" fn(Value, *const Value) -> Value;

/// Static facts of one `def`/`lambda`, shared by every closure made from it. Leaked: lives
/// as long as the program.
pub struct CodeInfo {
    /// `__name__`.
    pub name: String,
    /// `__qualname__`.
    pub qualname: String,
    /// Source file name.
    pub filename: String,
    /// Line of the `def`.
    pub firstlineno: u32,
    /// Parameter names: positional, then `*args`, keyword-only, `**kwargs`.
    pub params: Vec<String>,
    /// Number of positional parameters.
    pub npositional: u32,
    /// Has `*args`.
    pub has_varargs: bool,
    /// Number of keyword-only parameters.
    pub nkwonly: u32,
    /// Has `**kwargs`.
    pub has_varkw: bool,
    /// Free variable names (`co_freevars`, the env record layout).
    pub freevars: Vec<String>,
    /// Cell variable names (`co_cellvars`).
    pub cellvars: Vec<String>,
    /// Local variable names (`co_varnames`).
    pub varnames: Vec<String>,
    /// The docstring (`__doc__` until reassigned): the body's first statement when it is a
    /// string literal, as written (CPython 3.11 does not dedent it).
    pub doc: Option<String>,
    /// Native entry (set once the code is finalized).
    pub code: NativeCode,
    /// Array entry (set once the code is finalized). Under the interpreter this is its
    /// `extern "C"` entry, which finds the function's tree through `engine`.
    pub array_entry: Option<ArrayEntry>,
    /// Engine-private code of the function: null for JIT code (which only needs `code`);
    /// under the interpreter (`cellar run --interp`), a `*const interp::Code`, the function's
    /// resolved tree. `code` stays null then: only JIT code calls through it.
    pub engine: *const (),
}

impl CodeInfo {
    /// Total number of parameter slots (`len(params)`).
    pub fn nparams(&self) -> usize {
        self.params.len()
    }
    /// The fast-path arity stored in a function header, or [`ARITY_GENERAL`].
    pub fn fast_arity(&self) -> u32 {
        if self.has_varargs || self.has_varkw || self.nkwonly > 0 {
            ARITY_GENERAL
        } else {
            self.npositional
        }
    }
}

/// A function object (closure). The env record trails the struct; see the module docs.
#[repr(C)]
pub struct FunctionObj {
    /// Header (`aux` = fast arity).
    pub h: Header,
    /// Native entry.
    pub code: NativeCode,
    /// Static facts.
    pub info: *const CodeInfo,
    /// `__defaults__` as a tuple, or UNBOUND.
    pub defaults: Value,
    /// `__kwdefaults__` as a dict, or UNBOUND.
    pub kwdefaults: Value,
    /// Calls left before this closure asks for a specialised body (read only by the
    /// shared bodies of specialisable functions; see the module docs).
    pub countdown: i64,
    /// The env record: `info.freevars.len()` cells.
    pub env: [Value; 0],
}

// The offsets compiled code uses are the struct's.
const _: () = {
    assert!(std::mem::offset_of!(FunctionObj, code) == FUNCTION_CODE_OFFSET as usize);
    assert!(std::mem::offset_of!(FunctionObj, countdown) == FUNCTION_COUNTDOWN_OFFSET as usize);
    assert!(std::mem::offset_of!(FunctionObj, env) == FUNCTION_ENV_OFFSET as usize);
};

impl FunctionObj {
    /// The static facts.
    pub fn info(&self) -> &'static CodeInfo {
        unsafe { &*self.info }
    }
    /// The env record as a slice.
    pub fn env(&self) -> &[Value] {
        unsafe { std::slice::from_raw_parts(self.env.as_ptr(), self.info().freevars.len()) }
    }
}

/// Signature of a built-in: `(bound self or UNBOUND, positional args, keyword args)`.
/// Returns `EXC` with the VM's exception set on error.
pub type BuiltinFn = fn(this: Value, args: &[Value], kwargs: &[(Value, Value)]) -> Value;

/// A built-in function, or a built-in method bound to `this`.
#[repr(C)]
pub struct BuiltinObj {
    /// Header.
    pub h: Header,
    /// The implementation.
    pub func: BuiltinFn,
    /// Name for reprs and messages (`len`, `append`).
    pub name: &'static str,
    /// Bound receiver for methods (`[].append`), or UNBOUND.
    pub this: Value,
}

/// One traceback entry: the function's static facts and the line.
#[derive(Clone, Copy)]
pub struct TraceEntry {
    /// Which function (`None` = module level).
    pub info: *const CodeInfo,
    /// The line.
    pub line: u32,
}

/// An exception instance.
#[repr(C)]
pub struct ExceptionObj {
    /// Header.
    pub h: Header,
    /// Its type: a `Type` object.
    pub typ: Value,
    /// `args` tuple.
    pub args: Value,
    /// Traceback, innermost frame last as it unwinds (printed outermost first: reversed).
    pub traceback: Vec<TraceEntry>,
}

/// A type object. Built-in types and exception classes.
#[repr(C)]
pub struct TypeObj {
    /// Header.
    pub h: Header,
    /// `__name__`.
    pub name: &'static str,
    /// Base class (a `Type` value), or UNBOUND for `object`.
    pub base: Value,
    /// Which built-in type this is.
    pub id: crate::types::TypeId,
}

/// `range(start, stop, step)`.
#[repr(C)]
pub struct RangeObj {
    /// Header.
    pub h: Header,
    /// Start.
    pub start: i64,
    /// Stop.
    pub stop: i64,
    /// Step (non-zero).
    pub step: i64,
}

/// An iterator: over a sequence `src` by index, over a range, over a materialized list, or a
/// lazy `map`/`filter`/`zip`/`enumerate` over other iterators (see [`IterMode`]).
///
/// ```text
/// +--------+-----+-----+-----+------+------+---------------------+
/// | header | src | pos | end | step | mode | items (Vec: ptr,    |
/// |        |     |     |     |      | (u8) |  capacity, length)  |
/// +--------+-----+-----+-----+------+------+---------------------+
/// ```
#[repr(C)]
pub struct IterObj {
    /// Header.
    pub h: Header,
    /// The object iterated (list, tuple, str, dict, ...), or UNBOUND.
    pub src: Value,
    /// Next position (index, or the next range value).
    pub pos: i64,
    /// End (exclusive) for range iterators.
    pub end: i64,
    /// Step for range iterators.
    pub step: i64,
    /// What it iterates.
    pub mode: IterMode,
    /// Materialized items for `Items` mode.
    pub items: Vec<Value>,
}

/// How an [`IterObj`] produces items (one byte; compiled code steps `Seq` iterators
/// inline).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum IterMode {
    /// `pos..end` by `step`.
    Range,
    /// Index into the list/tuple `src`.
    Seq,
    /// Characters of the str `src` (`pos` is a byte offset).
    Str,
    /// Keys of the dict `src` (`pos` is an entry index).
    DictKeys,
    /// Values of the dict `src` (`pos` is an entry index).
    DictValues,
    /// `(key, value)` tuples of the dict `src` (`pos` is an entry index).
    DictItems,
    /// `items[pos]`.
    Items,
    /// `map(f, *its)`: calls `src` with one item of each iterator in `items`.
    Map,
    /// `filter(f, it)`: the items of `items[0]` for which `src` (or truthiness, if `src` is
    /// None) holds.
    Filter,
    /// `zip(*its)`: tuples of one item of each iterator in `items`; `step` is 1 for
    /// `strict=True`.
    Zip,
    /// `enumerate(it, start)`: `(count, item)` tuples over the iterator `src`; `items[0]` is
    /// the next count (an int, small or big).
    Enumerate,
    /// A generator expression of `pos` clauses (see `crate::iter::generator_next`):
    ///
    /// ```text
    /// items: | test 0 | then 0 | ... | test pos-1 | then pos-1 | iter 0 | ... | iter d-1 |
    ///         `------- clause functions (test: None if no ifs) -----'`- loops entered -'
    /// end:   0 suspended, 1 running, 2 finished;   step: 0 before the first item, then 1
    /// ```
    Generator,
}

/// `slice(start, stop, step)`.
#[repr(C)]
pub struct SliceObj {
    /// Header.
    pub h: Header,
    /// Start or None.
    pub start: Value,
    /// Stop or None.
    pub stop: Value,
    /// Step or None.
    pub step: Value,
}

/// Which view of a dict a [`DictViewObj`] presents.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewKind {
    /// `dict_keys`: the keys.
    Keys,
    /// `dict_values`: the values.
    Values,
    /// `dict_items`: `(key, value)` pairs.
    Items,
}

/// A live view of a dict (`d.keys()`, `d.values()`, `d.items()`): it holds no items of its
/// own and reads `dict` whenever it is used, so it reflects later changes.
#[repr(C)]
pub struct DictViewObj {
    /// Header.
    pub h: Header,
    /// The dict viewed.
    pub dict: Value,
    /// Which view.
    pub which: ViewKind,
}

/// A code object, `f.__code__`: the Python face of a [`CodeInfo`]. It owns nothing and
/// points at no heap object; one is created per `CodeInfo` on first request and then
/// reused, so `f.__code__ is g.__code__` holds for closures made by the same `def`.
///
/// ```text
/// CodeObj (24 bytes)
/// +0  Header      kind = Code
/// +16 info ------> CodeInfo (static, leaked: lives as long as the program)
///                  name, qualname, filename, firstlineno, params,
///                  varnames (co_varnames), cellvars, freevars, code, array_entry
/// ```
#[repr(C)]
pub struct CodeObj {
    /// Header.
    pub h: Header,
    /// The static facts it shows.
    pub info: *const CodeInfo,
}

/// Byte offsets of a `Vec<Value>`'s buffer pointer and length inside [`ListObj`] /
/// [`TupleObj`] (after the 16-byte header), so compiled code can index lists inline.
///
/// Rust does not promise a field order for `Vec`, so the offsets are found once by probing
/// a vector whose pointer and length are known.
pub fn vec_field_offsets() -> (i32, i32) {
    let (ptr, len, _) = vec_layout();
    (ptr, len)
}

/// Byte offset of a `Vec<Value>`'s capacity inside [`ListObj`], so compiled code can
/// append inline while there is room (found like [`vec_field_offsets`]).
pub fn vec_capacity_offset() -> i32 {
    vec_layout().2
}

/// Offsets of a `Vec<Value>`'s pointer, length and capacity after a 16-byte header.
fn vec_layout() -> (i32, i32, i32) {
    let v: Vec<Value> = Vec::with_capacity(7);
    let v = std::mem::ManuallyDrop::new({
        let mut v = v;
        v.push(Value(0));
        v.push(Value(0));
        v.push(Value(0));
        v
    });
    let words: [usize; 3] = unsafe { std::mem::transmute_copy(&*v) };
    let ptr = v.as_ptr() as usize;
    let find = |x: usize| words.iter().position(|&w| w == x).expect("Vec layout") as i32 * 8 + 16;
    let offs = (find(ptr), find(3), find(v.capacity()));
    // Free the probe vector.
    drop(std::mem::ManuallyDrop::into_inner(v));
    offs
}
