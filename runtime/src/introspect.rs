//! Closure introspection as CPython does it: the attributes of functions (`__closure__`,
//! `__code__`, `__name__`, `__defaults__`, ...), of cells (`cell_contents`) and of code
//! objects (`co_freevars`, `co_varnames`, ...), read, written and deleted through
//! [`crate::ops::rt_getattr`], [`crate::ops::rt_setattr`] and [`crate::ops::rt_delattr`], so
//! every engine gets the same behaviour.
//!
//! Functions and exceptions have no attribute dict of their own (a function's layout is
//! fixed: the JIT reads its env record at a constant offset). What a program stores on them
//! lives in a side table, one [`Extra`] per object that ever had an attribute set:
//!
//! ```text
//! EXTRAS: object address -> Extra { dict, name, qualname, module, doc, annotations }
//!                                   UNBOUND = "not set": the default comes from CodeInfo
//! ```
//!
//! The table is weak: the collector marks an entry's values only when it traces the object
//! itself ([`trace_extra`]), and drops the entries of dead objects before it sweeps
//! ([`drop_dead_extras`]).
//!
//! `__closure__` reads the function's env record: the JIT keeps every captured variable in
//! a cell today, so the tuple holds the very cells the closure uses and writes through
//! `cell_contents` are seen by the closure and the reverse. An engine that keeps some
//! captures by value must box them here, lazily, in [`closure_cells`].

use crate::exceptions::raise_new;
use crate::gc::{alloc, header};
use crate::object::*;
use crate::objects::*;
use crate::types::TypeId;
use crate::value::*;
use crate::vm::vm;
use std::collections::HashMap;

/// Attributes stored on a function or exception object; UNBOUND means "not set".
#[derive(Clone, Copy)]
pub struct Extra {
    /// `__dict__` (a dict), created on first use.
    pub dict: Value,
    /// `__name__` if reassigned (a str).
    pub name: Value,
    /// `__qualname__` if reassigned (a str).
    pub qualname: Value,
    /// `__module__` if reassigned.
    pub module: Value,
    /// `__doc__` if reassigned.
    pub doc: Value,
    /// `__annotations__` (a dict), created on first use.
    pub annotations: Value,
}

const EMPTY: Extra = Extra {
    dict: UNBOUND,
    name: UNBOUND,
    qualname: UNBOUND,
    module: UNBOUND,
    doc: UNBOUND,
    annotations: UNBOUND,
};

impl Extra {
    fn values(&self) -> [Value; 6] {
        [
            self.dict,
            self.name,
            self.qualname,
            self.module,
            self.doc,
            self.annotations,
        ]
    }
}

#[inline]
#[allow(static_mut_refs)]
fn extras() -> &'static mut HashMap<u64, Extra> {
    static mut EXTRAS: Option<HashMap<u64, Extra>> = None;
    unsafe { EXTRAS.get_or_insert_with(HashMap::new) }
}

fn extra(o: Value) -> Option<&'static mut Extra> {
    extras().get_mut(&o.0)
}

fn extra_or_new(o: Value) -> &'static mut Extra {
    extras().entry(o.0).or_insert(EMPTY)
}

/// Number of objects with extra attributes (for tests).
pub fn extras_count() -> usize {
    extras().len()
}

/// GC hook: mark the extra attributes of the live object at `addr`.
#[inline]
pub fn trace_extra(addr: usize, mut mark: impl FnMut(Value)) {
    let t = extras();
    if t.is_empty() {
        return;
    }
    if let Some(e) = t.get(&(addr as u64)) {
        for v in e.values() {
            mark(v);
        }
    }
}

/// GC hook, after marking: forget the extras of objects that are about to be swept.
pub fn drop_dead_extras(is_marked: impl Fn(Value) -> bool) {
    let t = extras();
    if !t.is_empty() {
        t.retain(|&addr, _| is_marked(Value(addr)));
    }
}

/// The `__dict__` of a function or exception, created on first use.
fn attr_dict(o: Value) -> Value {
    let e = extra_or_new(o);
    if e.dict == UNBOUND {
        e.dict = new_dict();
    }
    e.dict
}

/// `o.name = val` (or `del o.name` when `val` is UNBOUND) in the object's `__dict__`.
fn set_user_attr(o: Value, name: &str, val: Value) -> Value {
    if val == UNBOUND {
        let removed = match extra(o).map(|e| e.dict) {
            Some(d) if d != UNBOUND => matches!(dict_mut(d).remove(new_str(name)), Ok(Some(_))),
            _ => false,
        };
        return if removed { NONE } else { no_attr(o, name) };
    }
    let _ = dict_mut(attr_dict(o)).insert(new_str(name), val);
    NONE
}

fn dict_lookup(o: Value, name: &str) -> Option<Value> {
    let d = extra(o)?.dict;
    if d == UNBOUND {
        return None;
    }
    dict_mut(d).get(new_str(name)).ok().flatten()
}

fn or_default(v: Value, default: impl FnOnce() -> Value) -> Value {
    if v == UNBOUND {
        default()
    } else {
        v
    }
}

fn attribute_error(msg: String) -> Value {
    raise_new(TypeId::AttributeError, msg)
}

fn type_error(msg: String) -> Value {
    raise_new(TypeId::TypeError, msg)
}

fn no_attr(o: Value, name: &str) -> Value {
    attribute_error(format!("'{}' object has no attribute '{}'", type_name(o), name))
}

// ---------------------------------------------------------------- functions

/// A function's `__qualname__` (as reassigned, or from its code), for reprs.
pub fn function_qualname(f: Value) -> String {
    match extra(f).map(|e| e.qualname) {
        Some(q) if q != UNBOUND => str_ref(q).to_string(),
        _ => obj::<FunctionObj>(f).info().qualname.clone(),
    }
}

/// The cells of a function's closure, in `co_freevars` order. Every captured variable lives
/// in a cell today; an engine that keeps some by value creates their cells here.
pub fn closure_cells(f: Value) -> Vec<Value> {
    obj::<FunctionObj>(f).env().to_vec()
}

/// `f.__closure__`: a tuple of cells, or None for a function without free variables.
pub fn closure(f: Value) -> Value {
    let cells = closure_cells(f);
    if cells.is_empty() {
        NONE
    } else {
        new_tuple(cells)
    }
}

fn function_getattr(o: Value, name: &str) -> Option<Value> {
    let f = obj::<FunctionObj>(o);
    let info = f.info();
    let e = extra(o).copied().unwrap_or(EMPTY);
    Some(match name {
        "__name__" => or_default(e.name, || new_str(&info.name)),
        "__qualname__" => or_default(e.qualname, || new_str(&info.qualname)),
        "__module__" => or_default(e.module, || new_str("__main__")),
        "__doc__" => or_default(e.doc, || info.doc.as_deref().map_or(NONE, new_str)),
        "__defaults__" => or_default(f.defaults, || NONE),
        "__kwdefaults__" => or_default(f.kwdefaults, || NONE),
        "__closure__" => closure(o),
        "__code__" => code_object(info),
        "__dict__" => attr_dict(o),
        "__annotations__" => {
            let x = extra_or_new(o);
            if x.annotations == UNBOUND {
                x.annotations = new_dict();
            }
            x.annotations
        }
        _ => return dict_lookup(o, name),
    })
}

fn function_setattr(o: Value, name: &str, val: Value) -> Value {
    let must_be = |what: &str, kind: &str| type_error(format!("{what} must be set to a {kind} object"));
    let f = obj::<FunctionObj>(o);
    match name {
        "__name__" | "__qualname__" => {
            if !val.is_kind(ObjKind::Str) {
                return must_be(name, "string");
            }
            let e = extra_or_new(o);
            if name == "__name__" {
                e.name = val;
            } else {
                e.qualname = val;
            }
        }
        "__defaults__" => match val {
            NONE | UNBOUND => f.defaults = UNBOUND,
            _ if val.is_kind(ObjKind::Tuple) => f.defaults = val,
            _ => return must_be(name, "tuple"),
        },
        "__kwdefaults__" => match val {
            NONE | UNBOUND => f.kwdefaults = UNBOUND,
            _ if val.is_kind(ObjKind::Dict) => f.kwdefaults = val,
            _ => return must_be(name, "dict"),
        },
        "__annotations__" => {
            if !val.is_kind(ObjKind::Dict) {
                return must_be(name, "dict");
            }
            extra_or_new(o).annotations = val;
        }
        "__module__" => extra_or_new(o).module = if val == UNBOUND { NONE } else { val },
        "__doc__" => extra_or_new(o).doc = if val == UNBOUND { NONE } else { val },
        "__dict__" => {
            if val == UNBOUND {
                return type_error("cannot delete __dict__".into());
            }
            if !val.is_kind(ObjKind::Dict) {
                return type_error(format!(
                    "__dict__ must be set to a dictionary, not a '{}'",
                    type_name(val)
                ));
            }
            extra_or_new(o).dict = val;
        }
        "__code__" => {
            if !val.is_kind(ObjKind::Code) {
                return must_be(name, "code");
            }
            let new = obj::<CodeObj>(val).info;
            if !std::ptr::eq(new, f.info) {
                let (want, got) = (f.info().freevars.len(), unsafe { &*new }.freevars.len());
                if want != got {
                    return raise_new(
                        TypeId::ValueError,
                        format!(
                            "{}() requires a code object with {want} free vars, not {got}",
                            f.info().name
                        ),
                    );
                }
                return type_error("cellar cannot replace the __code__ of a function".into());
            }
        }
        "__closure__" | "__globals__" | "__builtins__" => return attribute_error("readonly attribute".into()),
        _ => {
            return set_user_attr(o, name, val);
        }
    }
    NONE
}

// ---------------------------------------------------------------- code objects

#[allow(static_mut_refs)]
fn code_objects() -> &'static mut HashMap<(usize, usize), Value> {
    static mut CODES: Option<HashMap<(usize, usize), Value>> = None;
    unsafe { CODES.get_or_insert_with(HashMap::new) }
}

/// The code object of `info`: created on first request, then the same object every time
/// (kept alive in the VM's constants).
pub fn code_object(info: &'static CodeInfo) -> Value {
    let key = (vm() as *const _ as usize, info as *const CodeInfo as usize);
    if let Some(&c) = code_objects().get(&key) {
        return c;
    }
    let c = Value::from_ptr(alloc(
        CodeObj {
            h: header(ObjKind::Code),
            info,
        },
        0,
    ));
    vm().constants.push(c);
    code_objects().insert(key, c);
    c
}

/// The static facts a code object shows.
pub fn code_info(code: Value) -> &'static CodeInfo {
    unsafe { &*obj::<CodeObj>(code).info }
}

/// The file name as CPython's `co_filename` gives it for the main script: a relative path
/// is joined to the working directory as written (`./a.py` -> `/cwd/./a.py`).
fn absolute_filename(name: &str) -> String {
    if name.starts_with('/') {
        return name.to_string();
    }
    match std::env::current_dir() {
        Ok(cwd) => format!("{}/{}", cwd.to_string_lossy().trim_end_matches('/'), name),
        Err(_) => name.to_string(),
    }
}

/// `repr(code)`: `<code object averager at 0x..., file "/path/prog.py", line 4>`.
pub fn code_repr(code: Value) -> String {
    let info = code_info(code);
    format!(
        "<code object {} at {:#x}, file \"{}\", line {}>",
        info.name,
        code.0,
        absolute_filename(&info.filename),
        info.firstlineno
    )
}

fn str_tuple(names: &[String]) -> Value {
    new_tuple(names.iter().map(|n| new_str(n)).collect())
}

fn code_getattr(code: Value, name: &str) -> Option<Value> {
    let info = code_info(code);
    Some(match name {
        "co_name" => new_str(&info.name),
        "co_qualname" => new_str(&info.qualname),
        "co_filename" => new_string(absolute_filename(&info.filename)),
        "co_firstlineno" => new_int(info.firstlineno as i64),
        "co_argcount" => new_int(info.npositional as i64),
        "co_posonlyargcount" => new_int(0),
        "co_kwonlyargcount" => new_int(info.nkwonly as i64),
        "co_nlocals" => new_int(info.varnames.len() as i64),
        "co_varnames" => str_tuple(&info.varnames),
        "co_cellvars" => str_tuple(&info.cellvars),
        "co_freevars" => str_tuple(&info.freevars),
        _ => return None,
    })
}

// ---------------------------------------------------------------- entry points for ops

/// `o.name` for functions, cells, code objects and exceptions; `None` when `o` has no such
/// attribute here (the caller goes on with the generic lookup: `__class__`, AttributeError).
pub fn getattr(o: Value, name: &str) -> Option<Result<Value, Value>> {
    match o.kind()? {
        ObjKind::Function => function_getattr(o, name).map(Ok),
        ObjKind::Cell if name == "cell_contents" => {
            let v = obj::<CellObj>(o).value;
            Some(if v == UNBOUND {
                Err(raise_new(TypeId::ValueError, "Cell is empty".into()))
            } else {
                Ok(v)
            })
        }
        ObjKind::Code => code_getattr(o, name).map(Ok),
        ObjKind::Exception => match name {
            "args" => Some(Ok(obj::<ExceptionObj>(o).args)),
            "__dict__" => Some(Ok(attr_dict(o))),
            _ => dict_lookup(o, name).map(Ok),
        },
        _ => None,
    }
}

/// `o.name = val` (`val` = UNBOUND: `del o.name`) for functions, cells, code objects and
/// exceptions; returns NONE or EXC, or `None` for other kinds of objects.
pub fn setattr(o: Value, name: &str, val: Value) -> Option<Value> {
    Some(match o.kind()? {
        ObjKind::Function => function_setattr(o, name, val),
        ObjKind::Cell if name == "cell_contents" => {
            // Writing or deleting (emptying) the cell: the closures sharing it see the change.
            obj::<CellObj>(o).value = val;
            NONE
        }
        ObjKind::Cell => no_attr(o, name),
        ObjKind::Code if code_getattr(o, name).is_some() => attribute_error("readonly attribute".into()),
        ObjKind::Code => no_attr(o, name),
        ObjKind::Exception => match name {
            "args" if val != UNBOUND => match {
                // `rt_setattr` is called without a trampoline (see `CollectionHold`).
                let _hold = crate::vm::CollectionHold::new();
                crate::iter::collect(val)
            } {
                Ok(items) => {
                    obj::<ExceptionObj>(o).args = new_tuple(items);
                    NONE
                }
                Err(e) => e,
            },
            "args" => type_error("args may not be deleted".into()),
            "__dict__" if val == UNBOUND => type_error("cannot delete __dict__".into()),
            "__dict__" if !val.is_kind(ObjKind::Dict) => type_error(format!(
                "__dict__ must be set to a dictionary, not a '{}'",
                type_name(val)
            )),
            "__dict__" => {
                extra_or_new(o).dict = val;
                NONE
            }
            _ => set_user_attr(o, name, val),
        },
        _ => return None,
    })
}
