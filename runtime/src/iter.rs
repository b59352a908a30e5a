//! Iteration: `iter()`, `next()`, unpacking, and collecting an iterable into a `Vec`.
//!
//! Every iterator is an [`IterObj`]. `map`, `filter`, `zip`, `enumerate` and `reversed`
//! are materialized eagerly when created (mode `Items`), so `rt_next` never calls back into
//! Python.

use crate::exceptions::raise_new;
use crate::object::*;
use crate::objects::*;
use crate::ops::range_len;
use crate::types::TypeId;
use crate::value::*;

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
    }
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
    let mut out = Vec::new();
    while let Some(v) = next_item(it)? {
        out.push(v);
    }
    Ok(out)
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
            let mut v = Vec::with_capacity(n);
            loop {
                match next_item(it) {
                    Ok(Some(x)) => {
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
