//! Calls: argument binding for Python functions (exactly CPython's rules and messages),
//! built-ins, bound built-in methods and type objects (constructors).

use crate::exceptions::raise_new;
use crate::object::*;
use crate::objects::*;
use crate::types::TypeId;
use crate::value::*;
use crate::vm::Roots;

fn args_slice<'a>(args: *const Value, n: usize) -> &'a [Value] {
    if n == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(args, n) }
    }
}

/// Split the JIT's `(args, nargs, kwnames)` into positional values and keyword pairs.
fn split_args(args: *const Value, nargs: u64, kwnames: Value) -> (&'static [Value], Vec<(Value, Value)>) {
    if kwnames == UNBOUND {
        return (args_slice(args, nargs as usize), Vec::new());
    }
    let names = tuple_items(kwnames);
    let all = args_slice(args, nargs as usize + names.len());
    let kw = names
        .iter()
        .zip(&all[nargs as usize..])
        .map(|(&k, &v)| (k, v))
        .collect();
    (&all[..nargs as usize], kw)
}

fn format_missing(names: &[&str]) -> String {
    let q: Vec<String> = names.iter().map(|n| format!("'{}'", n)).collect();
    match q.len() {
        1 => q[0].clone(),
        2 => format!("{} and {}", q[0], q[1]),
        n => format!("{}, and {}", q[..n - 1].join(", "), q[n - 1]),
    }
}

fn type_error(msg: String) -> Value {
    raise_new(TypeId::TypeError, msg)
}

/// Bind `args`/`kwargs` to the parameters of function `f` (positional, `*args` tuple,
/// keyword-only, `**kwargs` dict).
pub fn bind_args(f: Value, args: &[Value], kwargs: &[(Value, Value)]) -> R<Vec<Value>> {
    let fo = obj::<FunctionObj>(f);
    let info = fo.info();
    let q = &crate::introspect::function_qualname(f);
    let npos = info.npositional as usize;
    let nkw = info.nkwonly as usize;
    let kw_start = npos + info.has_varargs as usize;
    let mut slots = vec![UNBOUND; info.nparams()];
    let n = args.len().min(npos);
    slots[..n].copy_from_slice(&args[..n]);
    if info.has_varargs {
        slots[npos] = new_tuple(args[n..].to_vec());
    }
    let kwdict = if info.has_varkw {
        let d = new_dict();
        slots[kw_start + nkw] = d;
        Some(d)
    } else {
        None
    };
    for &(k, v) in kwargs {
        let name = str_ref(k);
        let idx = info.params[..npos].iter().position(|p| p == name).or_else(|| {
            info.params[kw_start..kw_start + nkw]
                .iter()
                .position(|p| p == name)
                .map(|i| i + kw_start)
        });
        match idx {
            Some(i) => {
                if slots[i] != UNBOUND {
                    return Err(type_error(format!(
                        "{}() got multiple values for argument '{}'",
                        q, name
                    )));
                }
                slots[i] = v;
            }
            None => match kwdict {
                Some(d) => {
                    let dd = dict_mut(d);
                    if let Ok(Some(_)) = dd.get(k) {
                        return Err(type_error(format!(
                            "{}() got multiple values for keyword argument '{}'",
                            q, name
                        )));
                    }
                    let _ = dd.insert(k, v);
                }
                None => {
                    return Err(type_error(format!(
                        "{}() got an unexpected keyword argument '{}'",
                        q, name
                    )))
                }
            },
        }
    }
    let defaults: &[Value] = if fo.defaults == UNBOUND {
        &[]
    } else {
        tuple_items(fo.defaults)
    };
    if args.len() > npos && !info.has_varargs {
        let kwonly_given = (kw_start..kw_start + nkw).filter(|&i| slots[i] != UNBOUND).count();
        let ndef = defaults.len();
        let sig = if ndef > 0 {
            // Negative when `__defaults__` was set longer than the parameter list (CPython
            // prints that too).
            format!("from {} to {}", npos as i64 - ndef as i64, npos)
        } else {
            npos.to_string()
        };
        let plural = if ndef == 0 && npos == 1 { "" } else { "s" };
        let given = args.len();
        let msg = if kwonly_given > 0 {
            format!(
                "{}() takes {} positional argument{} but {} positional argument{} (and {} keyword-only argument{}) were given",
                q,
                sig,
                plural,
                given,
                if given == 1 { "" } else { "s" },
                kwonly_given,
                if kwonly_given == 1 { "" } else { "s" }
            )
        } else {
            format!(
                "{}() takes {} positional argument{} but {} {} given",
                q,
                sig,
                plural,
                given,
                if given == 1 { "was" } else { "were" }
            )
        };
        return Err(type_error(msg));
    }
    // Defaults belong to the last parameters: `defaults[i - m]` fills parameter `i`. A
    // `__defaults__` longer than the parameter list has its first items unused (m < 0).
    let m = npos as isize - defaults.len() as isize;
    if args.len() < npos {
        let missing: Vec<&str> = (args.len()..m.max(0) as usize)
            .filter(|&i| slots[i] == UNBOUND)
            .map(|i| info.params[i].as_str())
            .collect();
        if !missing.is_empty() {
            return Err(type_error(format!(
                "{}() missing {} required positional argument{}: {}",
                q,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                format_missing(&missing)
            )));
        }
        for i in (m.max(0) as usize).max(args.len())..npos {
            if slots[i] == UNBOUND {
                slots[i] = defaults[(i as isize - m) as usize];
            }
        }
    }
    if nkw > 0 {
        let mut missing = Vec::new();
        for i in kw_start..kw_start + nkw {
            if slots[i] == UNBOUND {
                let name = info.params[i].as_str();
                let dv = if fo.kwdefaults != UNBOUND {
                    dict_mut(fo.kwdefaults).get(new_str(name)).ok().flatten()
                } else {
                    None
                };
                match dv {
                    Some(v) => slots[i] = v,
                    None => missing.push(name),
                }
            }
        }
        if !missing.is_empty() {
            return Err(type_error(format!(
                "{}() missing {} required keyword-only argument{}: {}",
                q,
                missing.len(),
                if missing.len() == 1 { "" } else { "s" },
                format_missing(&missing)
            )));
        }
    }
    Ok(slots)
}

fn call_function(f: Value, args: &[Value], kwargs: &[(Value, Value)]) -> Value {
    let info = obj::<FunctionObj>(f).info();
    let Some(entry) = info.array_entry else {
        return raise_new(
            TypeId::RuntimeError,
            format!("function {} is not compiled", info.qualname),
        );
    };
    if kwargs.is_empty() && info.fast_arity() as usize == args.len() {
        return unsafe { entry(f, args.as_ptr()) };
    }
    match bind_args(f, args, kwargs) {
        Ok(slots) => unsafe { entry(f, slots.as_ptr()) },
        Err(e) => e,
    }
}

/// Call any callable with positional `args` and keyword `kwargs` (names are strs).
/// Returns the result or EXC.
pub fn call_value(callee: Value, args: &[Value], kwargs: &[(Value, Value)]) -> Value {
    match callee.kind() {
        Some(ObjKind::Function) => call_function(callee, args, kwargs),
        Some(ObjKind::Builtin) => {
            let b = obj::<BuiltinObj>(callee);
            let _roots = root_arguments(b.this, args, kwargs);
            checked_conversions((b.func)(b.this, args, kwargs))
        }
        Some(ObjKind::Type) => {
            let _roots = root_arguments(callee, args, kwargs);
            checked_conversions(crate::builtins::construct(callee, args, kwargs))
        }
        _ => type_error(format!("'{}' object is not callable", type_name(callee))),
    }
}

/// `callee(*args, k=v...)`: `args` holds `nargs` positional values followed by one value
/// per name in `kwnames` (a tuple of str, or UNBOUND for none).
pub extern "C" fn rt_call(callee: Value, args: *const Value, nargs: u64, kwnames: Value) -> Value {
    if kwnames == UNBOUND && callee.is_kind(ObjKind::Function) {
        let info = obj::<FunctionObj>(callee).info();
        if info.fast_arity() as u64 == nargs {
            if let Some(entry) = info.array_entry {
                return unsafe { entry(callee, args) };
            }
        }
    }
    let (pos, kw) = split_args(args, nargs, kwnames);
    call_value(callee, pos, &kw)
}

/// `callee(*args, **kwargs)`: `args` is a tuple or list (or any iterable), `kwargs` a
/// dict or UNBOUND.
pub extern "C" fn rt_call_ex(callee: Value, args: Value, kwargs: Value) -> Value {
    let pos: Vec<Value> = match seq_items(args) {
        Some(items) => items.to_vec(),
        None => match crate::iter::collect(args) {
            Ok(v) => v,
            Err(_) => {
                crate::vm::take_exception();
                return type_error(format!(
                    "{} argument after * must be an iterable, not {}",
                    callee_desc(callee),
                    type_name(args)
                ));
            }
        },
    };
    let mut kw = Vec::new();
    if kwargs != UNBOUND && kwargs != NONE {
        if !kwargs.is_kind(ObjKind::Dict) {
            return type_error(format!(
                "{} argument after ** must be a mapping, not {}",
                callee_desc(callee),
                type_name(kwargs)
            ));
        }
        for (k, v) in dict_mut(kwargs).iter() {
            if !k.is_kind(ObjKind::Str) {
                return type_error("keywords must be strings".to_string());
            }
            kw.push((k, v));
        }
    }
    call_value(callee, &pos, &kw)
}

fn callee_desc(callee: Value) -> String {
    match callee.kind() {
        Some(ObjKind::Function) => format!("__main__.{}()", crate::introspect::function_qualname(callee)),
        Some(ObjKind::Builtin) => format!("{}()", obj::<BuiltinObj>(callee).name),
        Some(ObjKind::Type) => format!("{}()", type_obj_name(callee)),
        _ => format!("{} object", type_name(callee)),
    }
}

/// The result of a built-in, or the `ValueError` for an int too long to print that one of
/// its conversions met (`print(10**5000)`, `str(...)`, `"".join(map(str, ...))`).
fn checked_conversions(r: Value) -> Value {
    crate::format::take_int_str_limit().unwrap_or(r)
}

/// Roots the receiver and arguments of a built-in for the length of its call. Compiled code
/// passes them in a scratch area the collector does not scan, and a built-in may call back
/// into Python (a `key=` function, or a step of a lazy `map`) while it still needs them.
fn root_arguments(this: Value, args: &[Value], kwargs: &[(Value, Value)]) -> Roots {
    let roots = Roots::new();
    roots.add(this);
    roots.add_all(args);
    for &(_, v) in kwargs {
        roots.add(v);
    }
    roots
}

/// `obj.name(args...)` without allocating a bound method for built-in methods.
pub extern "C" fn rt_call_method(o: Value, name: Value, args: *const Value, nargs: u64, kwnames: Value) -> Value {
    let n = str_ref(name);
    if let Some((f, _)) = crate::builtins::find_method(o, n) {
        let (pos, kw) = split_args(args, nargs, kwnames);
        let _roots = root_arguments(o, pos, &kw);
        return checked_conversions(f(o, pos, &kw));
    }
    let callee = match crate::ops::getattr(o, n) {
        Ok(c) => c,
        Err(e) => return e,
    };
    rt_call(callee, args, nargs, kwnames)
}
