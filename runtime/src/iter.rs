//! Iteration: `iter()`, `next()`, unpacking, and collecting an iterable into a `Vec`.
//!
//! Every iterator is an [`IterObj`]. `map`, `filter`, `zip` and `enumerate` are lazy, as in
//! CPython: each `next` steps the iterators they wrap, and `map` and `filter` call their
//! function then, so [`rt_next`] may call back into Python (compiled code reaches it, and
//! the other entry points here that step iterators, through trampolines). Rust code that
//! steps an iterator roots what it holds across the step ([`Roots`]). `reversed` is
//! materialized when created (mode `Items`).

use crate::exceptions::raise_new;
use crate::object::*;
use crate::objects::*;
use crate::ops::range_len;
use crate::types::TypeId;
use crate::value::*;
use crate::vm::{push_root, Roots};

fn not_iterable(v: Value) -> Value {
    raise_new(TypeId::TypeError, format!("'{}' object is not iterable", type_name(v)))
}

/// `iter(obj)`.
pub fn make_iter(o: Value) -> R<Value> {
    Ok(match o.kind() {
        Some(ObjKind::List) => new_iter(IterMode::Seq, IterName::List, o, 0, 0, 1, Vec::new()),
        Some(ObjKind::Tuple) => new_iter(IterMode::Seq, IterName::Tuple, o, 0, 0, 1, Vec::new()),
        Some(ObjKind::Str) => new_iter(IterMode::Str, IterName::Str, o, 0, 0, 1, Vec::new()),
        Some(ObjKind::Dict) => dict_iter(o, ViewKind::Keys),
        Some(ObjKind::DictView) => {
            let dv = obj::<DictViewObj>(o);
            dict_iter(dv.dict, dv.which)
        }
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(o);
            let n = range_len(r);
            // `end` is the exclusive bound in units of values: start + n*step.
            new_iter(
                IterMode::Range,
                IterName::Range,
                UNBOUND,
                r.start,
                r.start + n * r.step,
                r.step,
                Vec::new(),
            )
        }
        Some(ObjKind::Iterator) => o,
        _ => return Err(not_iterable(o)),
    })
}

/// An iterator over the keys, values or items of the dict `d`; it raises `RuntimeError` if
/// the dict's size changes while it runs (`end` holds the size it started with).
fn dict_iter(d: Value, which: ViewKind) -> Value {
    let len = dict_mut(d).len() as i64;
    let (mode, name) = match which {
        ViewKind::Keys => (IterMode::DictKeys, IterName::DictKeys),
        ViewKind::Values => (IterMode::DictValues, IterName::DictValues),
        ViewKind::Items => (IterMode::DictItems, IterName::DictItems),
    };
    new_iter(mode, name, d, 0, len, 1, Vec::new())
}

/// `iter(obj)` (`TypeError: 'int' object is not iterable`).
pub extern "C" fn rt_iter(o: Value) -> Value {
    match make_iter(o) {
        Ok(v) => v,
        Err(e) => e,
    }
}

/// Next item of an iterator made by [`rt_iter`]; UNBOUND when exhausted, EXC on error.
pub extern "C" fn rt_next(it: Value) -> Value {
    if !it.is_kind(ObjKind::Iterator) {
        return raise_new(
            TypeId::TypeError,
            format!("'{}' object is not an iterator", type_name(it)),
        );
    }
    let i = obj::<IterObj>(it);
    match i.mode {
        IterMode::Range => {
            if (i.step > 0 && i.pos < i.end) || (i.step < 0 && i.pos > i.end) {
                let v = i.pos;
                i.pos += i.step;
                new_int(v)
            } else {
                UNBOUND
            }
        }
        IterMode::Seq => {
            let items = seq_items(i.src).unwrap();
            if (i.pos as usize) < items.len() {
                i.pos += 1;
                items[i.pos as usize - 1]
            } else {
                i.pos = i64::MAX / 2;
                UNBOUND
            }
        }
        IterMode::Str => {
            let s = str_ref(i.src);
            let p = i.pos as usize;
            match s[p.min(s.len())..].chars().next() {
                Some(c) => {
                    i.pos += c.len_utf8() as i64;
                    new_string(c.to_string())
                }
                None => UNBOUND,
            }
        }
        IterMode::DictKeys | IterMode::DictValues | IterMode::DictItems => {
            let d = dict_mut(i.src);
            if d.len() as i64 != i.end {
                i.end = -1;
                return raise_new(TypeId::RuntimeError, "dictionary changed size during iteration".into());
            }
            match d.entry_from(i.pos as usize) {
                Some((next, k, v)) => {
                    i.pos = next as i64;
                    match i.mode {
                        IterMode::DictKeys => k,
                        IterMode::DictValues => v,
                        _ => new_tuple(vec![k, v]),
                    }
                }
                None => {
                    // Exhausted for good, even if the dict changes later (as in CPython).
                    i.mode = IterMode::Items;
                    i.items.clear();
                    i.pos = 0;
                    UNBOUND
                }
            }
        }
        IterMode::Items => {
            if (i.pos as usize) < i.items.len() {
                i.pos += 1;
                i.items[i.pos as usize - 1]
            } else {
                UNBOUND
            }
        }
        IterMode::Map | IterMode::Filter | IterMode::Zip | IterMode::Enumerate => match lazy_next(it) {
            Ok(Some(v)) => v,
            Ok(None) => UNBOUND,
            // A `StopIteration` from a callback ends the iteration, as in CPython, where
            // it is how any `__next__` says it is done.
            Err(_) if crate::exceptions::pending_is(TypeId::StopIteration) => {
                ENDED_BY.with(|c| c.set(crate::vm::take_exception()));
                UNBOUND
            }
            Err(e) => e,
        },
        IterMode::Generator => match generator_next(it) {
            Ok(Some(v)) => v,
            Ok(None) => UNBOUND,
            Err(e) => e,
        },
    }
}

thread_local! {
    /// The `StopIteration` that last ended a lazy iterator from inside a callback, for
    /// `next(it)` to raise again as it was (see [`take_ended_by`]). Not a root: no Python
    /// code runs between the step that sets it and `next` taking it (every iterator that
    /// steps on after an inner one ended clears it first: a generator, a strict `zip`), and
    /// `next` clears it before its step.
    static ENDED_BY: std::cell::Cell<Value> = const { std::cell::Cell::new(UNBOUND) };
}

/// Forget the last `StopIteration` that ended a lazy iterator (before a step whose end
/// [`take_ended_by`] will ask about).
pub fn clear_ended_by() {
    ENDED_BY.with(|c| c.set(UNBOUND));
}

/// The `StopIteration` raised by a callback that ended the last step, if one did (else
/// UNBOUND): `next(it)` raises it again, as CPython's `next` passes it on. Like CPython's,
/// `map`, `filter`, `zip` and `enumerate` pass it on from the iterators they step, and a
/// generator's loop consumes it.
pub fn take_ended_by() -> Value {
    ENDED_BY.with(|c| c.replace(UNBOUND))
}

/// Generator state in [`IterObj::end`] (mode `Generator`).
const GEN_SUSPENDED: i64 = 0;
const GEN_RUNNING: i64 = 1;
const GEN_FINISHED: i64 = 2;

/// `.generator(iterable, test0, then0, ...)`: the generator object of a generator
/// expression, made by its `<genexpr>` function (see `cellar::syntax::lower`). `iterable`
/// is the first clause's (made an iterator now, so a bad one fails where the expression
/// is); then come, per clause, its test function (or None) and its then function.
pub fn new_generator(args: &[Value]) -> R<Value> {
    let n = (args.len() - 1) / 2;
    let first = make_iter(args[0])?;
    let mut items = Vec::with_capacity(2 * n + 2);
    items.extend_from_slice(&args[1..]);
    items.push(first);
    Ok(new_iter(
        IterMode::Generator,
        IterName::Generator,
        NONE,
        n as i64,
        GEN_SUSPENDED,
        0,
        items,
    ))
}

/// The qualname of a generator's `<genexpr>` (its clause functions share it), for its repr.
pub fn generator_qualname(g: Value) -> String {
    let i = obj::<IterObj>(g);
    obj::<FunctionObj>(i.items[1]).info().qualname.clone()
}

/// `next` of a generator: steps its loops until the last clause yields an element. An
/// exception ends the generator, and a `StopIteration` raised inside it becomes a
/// `RuntimeError` (PEP 479).
fn generator_next(g: Value) -> R<Option<Value>> {
    match obj::<IterObj>(g).end {
        GEN_FINISHED => return Ok(None),
        GEN_RUNNING => {
            return Err(raise_new(TypeId::ValueError, "generator already executing".into()));
        }
        _ => {}
    }
    {
        let i = obj::<IterObj>(g);
        i.end = GEN_RUNNING;
        i.step = 1;
    }
    let r = generator_advance(g);
    let i = obj::<IterObj>(g);
    if matches!(r, Ok(Some(_))) {
        i.end = GEN_SUSPENDED;
    } else {
        generator_finish(g);
    }
    match r {
        Err(_) if crate::exceptions::pending_is(TypeId::StopIteration) => {
            crate::vm::take_exception();
            Err(raise_new(TypeId::RuntimeError, "generator raised StopIteration".into()))
        }
        r => r,
    }
}

/// Mark a generator finished and drop the iterators of its loops.
fn generator_finish(g: Value) {
    let i = obj::<IterObj>(g);
    i.end = GEN_FINISHED;
    let clauses = 2 * i.pos as usize;
    i.items.truncate(clauses);
}

fn generator_advance(g: Value) -> R<Option<Value>> {
    let roots = Roots::new();
    roots.add(g);
    let n = obj::<IterObj>(g).pos as usize;
    loop {
        let depth = obj::<IterObj>(g).items.len() - 2 * n;
        if depth == 0 {
            return Ok(None);
        }
        let k = depth - 1;
        let Some(v) = next_item(inner(g, 2 * n + k))? else {
            clear_ended_by();
            obj::<IterObj>(g).items.pop();
            continue;
        };
        let held = Roots::new();
        held.add(v);
        let (test, then) = (inner(g, 2 * k), inner(g, 2 * k + 1));
        let value = if test == NONE {
            crate::call::call_value(then, &[v], &[])
        } else {
            match crate::call::call_value(test, &[v], &[]) {
                EXC => return Err(EXC),
                t if !crate::ops::truthy(t) => continue,
                _ => crate::call::call_value(then, &[], &[]),
            }
        };
        if value == EXC {
            return Err(EXC);
        }
        if k + 1 == n {
            return Ok(Some(value));
        }
        held.add(value);
        let sub = make_iter(value)?;
        obj::<IterObj>(g).items.push(sub);
    }
}

/// `gen.send(value)`: as `next`, except that a generator that has not started takes only
/// None (a generator expression ignores what is sent).
pub fn generator_send(g: Value, value: Value) -> R<Value> {
    let i = obj::<IterObj>(g);
    if i.step == 0 && i.end != GEN_FINISHED && value != NONE {
        return Err(raise_new(
            TypeId::TypeError,
            "can't send non-None value to a just-started generator".into(),
        ));
    }
    match generator_next(g)? {
        Some(v) => Ok(v),
        None => Err(crate::vm::raise(crate::exceptions::new_exception_args(
            TypeId::StopIteration,
            vec![],
        ))),
    }
}

/// `gen.throw(exc)`: the exception is raised where the generator is suspended; a
/// generator expression does not catch it, so it ends the generator and propagates
/// (`GeneratorExit` as well). A running generator raises `ValueError`.
pub fn generator_throw(g: Value, exc: Value) -> R<Value> {
    if obj::<IterObj>(g).end == GEN_RUNNING {
        return Err(raise_new(TypeId::ValueError, "generator already executing".into()));
    }
    generator_finish(g);
    Err(crate::exceptions::rt_raise(exc))
}

/// `gen.close()`: ends the generator (a running one raises `ValueError`).
pub fn generator_close(g: Value) -> R<Value> {
    if obj::<IterObj>(g).end == GEN_RUNNING {
        return Err(raise_new(TypeId::ValueError, "generator already executing".into()));
    }
    generator_finish(g);
    Ok(NONE)
}

/// The inner iterators of a lazy iterator (fixed when it is made).
fn inner(it: Value, k: usize) -> Value {
    obj::<IterObj>(it).items[k]
}

/// `next` of a `map`, `filter`, `zip` or `enumerate` iterator. The steps of the inner
/// iterators and the calls of the function may call back into Python, which may collect, or
/// step `it` itself: so `it` and the items taken so far are rooted, and no reference into
/// `it` is held across a step.
fn lazy_next(it: Value) -> R<Option<Value>> {
    let roots = Roots::new();
    roots.add(it);
    let (mode, n) = {
        let i = obj::<IterObj>(it);
        (i.mode, i.items.len())
    };
    match mode {
        IterMode::Map => match next_row(it, n)? {
            Ok(row) => match crate::call::call_value(obj::<IterObj>(it).src, &row, &[]) {
                EXC => Err(EXC),
                v => Ok(Some(v)),
            },
            Err(_) => Ok(None),
        },
        IterMode::Filter => loop {
            let Some(v) = next_item(inner(it, 0))? else {
                return Ok(None);
            };
            let f = obj::<IterObj>(it).src;
            let keep = if f == NONE {
                crate::ops::truthy(v)
            } else {
                let held = Roots::new();
                held.add(v);
                match crate::call::call_value(f, &[v], &[]) {
                    EXC => return Err(EXC),
                    r => crate::ops::truthy(r),
                }
            };
            if keep {
                return Ok(Some(v));
            }
        },
        IterMode::Zip => {
            if n == 0 {
                return Ok(None);
            }
            match next_row(it, n)? {
                Ok(row) => Ok(Some(new_tuple(row))),
                Err(k) if obj::<IterObj>(it).step == 1 => zip_strict_end(it, k),
                Err(_) => Ok(None),
            }
        }
        IterMode::Enumerate => {
            // The count is read after the step, as CPython does (a step may call back and
            // take items of `it` itself).
            let Some(v) = next_item(obj::<IterObj>(it).src)? else {
                return Ok(None);
            };
            push_root(v);
            let count = inner(it, 0);
            let next = crate::ops::binop(0, count, new_int(1), false)?;
            obj::<IterObj>(it).items[0] = next;
            Ok(Some(new_tuple(vec![count, v])))
        }
        _ => unreachable!("not a lazy iterator"),
    }
}

/// One item of each of the `n` inner iterators of `it`, in order, each rooted as it comes
/// (for the caller's [`Roots`] scope), or `Err(k)` when inner iterator `k` ended first (the
/// later ones are not stepped).
fn next_row(it: Value, n: usize) -> R<Result<Vec<Value>, usize>> {
    let mut row = Vec::with_capacity(n);
    for k in 0..n {
        match next_item(inner(it, k))? {
            Some(v) => {
                push_root(v);
                row.push(v);
            }
            None => return Ok(Err(k)),
        }
    }
    Ok(Ok(row))
}

/// The end of `zip(..., strict=True)` when inner iterator `k` ended: a `ValueError` if it is
/// not the first (k > 0) or if another one has items left (k = 0), else the normal end.
fn zip_strict_end(it: Value, k: usize) -> R<Option<Value>> {
    // CPython's strict zip consumes the StopIteration that ended iterator `k` before it
    // steps the others (which may run Python code; see `ENDED_BY`).
    clear_ended_by();
    let sides = |j: usize| {
        if j > 1 {
            format!("s 1-{}", j)
        } else {
            " 1".to_string()
        }
    };
    if k > 0 {
        return Err(raise_new(
            TypeId::ValueError,
            format!("zip() argument {} is shorter than argument{}", k + 1, sides(k)),
        ));
    }
    let n = obj::<IterObj>(it).items.len();
    for j in 1..n {
        if next_item(inner(it, j))?.is_some() {
            return Err(raise_new(
                TypeId::ValueError,
                format!("zip() argument {} is longer than argument{}", j + 1, sides(j)),
            ));
        }
    }
    Ok(None)
}

/// Like [`rt_next`] but returns `Ok(None)` when exhausted.
pub fn next_item(it: Value) -> R<Option<Value>> {
    match rt_next(it) {
        EXC => Err(EXC),
        UNBOUND => Ok(None),
        v => Ok(Some(v)),
    }
}

/// All items of an iterable, in order.
pub fn collect(o: Value) -> R<Vec<Value>> {
    match o.kind() {
        Some(ObjKind::List) => return Ok(list_mut(o).clone()),
        Some(ObjKind::Tuple) => return Ok(tuple_items(o).to_vec()),
        Some(ObjKind::Dict) => return Ok(dict_mut(o).iter().map(|(k, _)| k).collect()),
        Some(ObjKind::DictView) => {
            let dv = obj::<DictViewObj>(o);
            let d = dict_mut(dv.dict);
            return Ok(match dv.which {
                ViewKind::Keys => d.iter().map(|(k, _)| k).collect(),
                ViewKind::Values => d.iter().map(|(_, v)| v).collect(),
                ViewKind::Items => {
                    let pairs: Vec<(Value, Value)> = d.iter().collect();
                    pairs.into_iter().map(|(k, v)| new_tuple(vec![k, v])).collect()
                }
            });
        }
        Some(ObjKind::Str) => return Ok(str_ref(o).chars().map(|c| new_string(c.to_string())).collect()),
        Some(ObjKind::Range) => {
            let r = obj::<RangeObj>(o);
            let n = range_len(r);
            if n as u128 * std::mem::size_of::<Value>() as u128 > crate::ops::MAX_ALLOCATION {
                return Err(raise_new(TypeId::MemoryError, String::new()));
            }
            return Ok((0..n).map(|k| new_int(r.start + k * r.step)).collect());
        }
        _ => {}
    }
    let it = make_iter(o)?;
    // A step may call back into Python and collect: the iterator and the items so far stay
    // rooted until the caller has them.
    let lazy = is_lazy(it);
    let roots = Roots::new();
    if lazy {
        roots.add(it);
    }
    let mut out = Vec::new();
    while let Some(v) = next_item(it)? {
        if lazy {
            push_root(v);
        }
        out.push(v);
    }
    Ok(out)
}

/// Is `v` a `map`, `filter`, `zip` or `enumerate` iterator (whose steps may call back into
/// Python)?
pub fn is_lazy(v: Value) -> bool {
    v.is_kind(ObjKind::Iterator)
        && matches!(
            obj::<IterObj>(v).mode,
            IterMode::Map | IterMode::Filter | IterMode::Zip | IterMode::Enumerate | IterMode::Generator
        )
}

/// `list.extend(iterable)`, `[*iterable]` and `list += iterable`: a list or tuple is copied
/// at once (so `xs.extend(xs)` doubles `xs`); any other iterable is appended item by item, as
/// CPython does, so a callback of a lazy iterator sees the list grow.
pub fn extend_list(list: Value, iterable: Value) -> R<()> {
    if let Some(items) = seq_items(iterable) {
        let items = items.to_vec();
        list_mut(list).extend_from_slice(&items);
        return Ok(());
    }
    let it = make_iter(iterable)?;
    let roots = Roots::new();
    roots.add(list);
    roots.add(it);
    while let Some(v) = next_item(it)? {
        list_mut(list).push(v);
    }
    Ok(())
}

fn cannot_unpack(o: Value) -> Value {
    raise_new(
        TypeId::TypeError,
        format!("cannot unpack non-iterable {} object", type_name(o)),
    )
}

/// `a, b, c = obj`: writes `n` values to `out`. Returns NONE or EXC.
pub extern "C" fn rt_unpack(o: Value, n: u64, out: *mut Value) -> Value {
    let n = n as usize;
    let items: Vec<Value> = match seq_items(o) {
        Some(items) => {
            if items.len() == n {
                unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), out, n) };
                return NONE;
            }
            items.to_vec()
        }
        _ => {
            let it = match make_iter(o) {
                Ok(it) => it,
                Err(_) => {
                    crate::vm::take_exception();
                    return cannot_unpack(o);
                }
            };
            let roots = Roots::new();
            roots.add(it);
            let mut v = Vec::with_capacity(n);
            loop {
                match next_item(it) {
                    Ok(Some(x)) => {
                        push_root(x);
                        v.push(x);
                        if v.len() > n {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => return e,
                }
            }
            v
        }
    };
    if items.len() > n {
        return raise_new(
            TypeId::ValueError,
            format!("too many values to unpack (expected {})", n),
        );
    }
    if items.len() < n {
        return raise_new(
            TypeId::ValueError,
            format!("not enough values to unpack (expected {}, got {})", n, items.len()),
        );
    }
    unsafe { std::ptr::copy_nonoverlapping(items.as_ptr(), out, n) };
    NONE
}

/// `a, *b, c = obj`: `out` receives `before` values, one list, then `after` values.
/// Returns NONE or EXC.
pub extern "C" fn rt_unpack_star(o: Value, before: u64, after: u64, out: *mut Value) -> Value {
    let (before, after) = (before as usize, after as usize);
    let items = match seq_items(o) {
        Some(items) => items.to_vec(),
        None => {
            if make_iter(o).is_err() {
                crate::vm::take_exception();
                return cannot_unpack(o);
            }
            match collect(o) {
                Ok(v) => v,
                Err(e) => return e,
            }
        }
    };
    if items.len() < before + after {
        return raise_new(
            TypeId::ValueError,
            format!(
                "not enough values to unpack (expected at least {}, got {})",
                before + after,
                items.len()
            ),
        );
    }
    let mid = items.len() - after;
    unsafe {
        for (k, &v) in items[..before].iter().enumerate() {
            *out.add(k) = v;
        }
        *out.add(before) = new_list(items[before..mid].to_vec());
        for (k, &v) in items[mid..].iter().enumerate() {
            *out.add(before + 1 + k) = v;
        }
    }
    NONE
}
