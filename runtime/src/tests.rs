//! Unit tests for the trickiest parts of the runtime (the VM is a process global: every
//! test takes the [`lock`] first).

use crate::format::*;
use crate::objects::*;
use crate::ops::*;
use crate::value::*;
use std::sync::{Mutex, MutexGuard, Once};

static INIT: Once = Once::new();
static LOCK: Mutex<()> = Mutex::new(());

fn lock() -> MutexGuard<'static, ()> {
    let g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    INIT.call_once(|| {
        crate::vm::init("test.py", "x = 1\nraise ValueError('boom')\n", false, 1000);
    });
    g
}

fn s(v: Value) -> String {
    str_string(v)
}

fn pending_msg() -> String {
    let e = crate::vm::take_exception();
    crate::exceptions::exception_summary(e)
}

#[test]
fn format_table_matches_cpython() {
    let _g = lock();
    let data = include_str!("testdata/format_cases.txt");
    let mut failures = Vec::new();
    for line in data.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let (kind, expected, val, spec) = (f[0], f[1], f[2], f[3]);
        let got = match kind {
            "r" => float_repr(f64::from_bits(val.parse().unwrap())),
            "f" => {
                format_value(Value::float(f64::from_bits(val.parse().unwrap())), spec).unwrap_or_else(|_| pending_msg())
            }
            "i" => format_value(new_int_from_decimal(val), spec).unwrap_or_else(|_| pending_msg()),
            "s" => format_value(new_str(val), spec).unwrap_or_else(|_| pending_msg()),
            "round" => float_repr(round_float(f64::from_bits(val.parse().unwrap()), spec.parse().unwrap())),
            _ => unreachable!(),
        };
        if got != expected {
            failures.push(format!(
                "{} {} {:?}: got {:?} want {:?}",
                kind, val, spec, got, expected
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}

#[test]
fn int_overflow_to_bigint() {
    let _g = lock();
    let big = new_int(SMALL_INT_MAX);
    let r = rt_binop(0, big, new_int(1));
    assert!(r.is_kind(crate::object::ObjKind::BigInt));
    assert_eq!(s(r), "140737488355328");
    let back = rt_binop(1, r, new_int(1));
    assert!(back.is_small_int());
    let p = rt_binop(6, new_int(2), new_int(100));
    assert_eq!(s(p), "1267650600228229401496703205376");
    assert_eq!(
        s(rt_binop(4, rt_unary(0, p), new_int(3))),
        "-422550200076076467165567735126"
    );
    assert_eq!(
        s(rt_binop(2, new_int(1 << 40), new_int(1 << 40))),
        "1208925819614629174706176"
    );
    assert_eq!(s(rt_binop(3, new_int(7), new_int(2))), "3.5");
    assert_eq!(s(rt_binop(4, new_int(-7), new_int(2))), "-4");
    assert_eq!(s(rt_binop(5, new_int(-7), new_int(2))), "1");
    assert_eq!(s(rt_binop(5, Value::float(7.5), new_int(-2))), "-0.5");
    assert_eq!(s(rt_binop(6, new_int(2), new_int(-2))), "0.25");
    assert_eq!(
        s(rt_binop(3, rt_binop(6, new_int(10), new_int(20)), new_int(3))),
        "3.333333333333333e+19"
    );
}

#[test]
fn arithmetic_errors() {
    let _g = lock();
    let cases: Vec<(u64, Value, Value, &str)> = vec![
        (3, new_int(1), new_int(0), "ZeroDivisionError: division by zero"),
        (
            4,
            new_int(1),
            new_int(0),
            "ZeroDivisionError: integer division or modulo by zero",
        ),
        (5, new_int(1), new_int(0), "ZeroDivisionError: integer modulo by zero"),
        (
            3,
            Value::float(1.0),
            new_int(0),
            "ZeroDivisionError: float division by zero",
        ),
        (
            4,
            Value::float(1.0),
            new_int(0),
            "ZeroDivisionError: float floor division by zero",
        ),
        (5, Value::float(1.0), new_int(0), "ZeroDivisionError: float modulo"),
        (
            6,
            new_int(0),
            new_int(-1),
            "ZeroDivisionError: 0.0 cannot be raised to a negative power",
        ),
        (
            0,
            new_str("a"),
            new_int(1),
            "TypeError: can only concatenate str (not \"int\") to str",
        ),
        (
            0,
            new_int(1),
            new_str("a"),
            "TypeError: unsupported operand type(s) for +: 'int' and 'str'",
        ),
        (
            0,
            new_list(vec![]),
            new_int(1),
            "TypeError: can only concatenate list (not \"int\") to list",
        ),
        (
            2,
            new_str("a"),
            new_str("b"),
            "TypeError: can't multiply sequence by non-int of type 'str'",
        ),
        (
            6,
            new_str("a"),
            new_int(1),
            "TypeError: unsupported operand type(s) for ** or pow(): 'str' and 'int'",
        ),
    ];
    for (op, a, b, msg) in cases {
        assert_eq!(rt_binop(op, a, b), EXC);
        assert_eq!(pending_msg(), msg);
    }
    assert_eq!(rt_compare(2, new_int(1), new_str("a")), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: '<' not supported between instances of 'int' and 'str'"
    );
    assert_eq!(rt_compare(6, new_int(1), new_int(1)), EXC);
    assert_eq!(pending_msg(), "TypeError: argument of type 'int' is not iterable");
    assert_eq!(rt_unary(0, new_str("a")), EXC);
    assert_eq!(pending_msg(), "TypeError: bad operand type for unary -: 'str'");
}

#[test]
fn dict_keys_equal_across_numeric_types() {
    let _g = lock();
    let kv = [
        new_int(1),
        new_str("a"),
        Value::float(1.0),
        new_str("b"),
        TRUE,
        new_str("c"),
        new_str("x"),
        new_int(2),
    ];
    let d = rt_build_dict(kv.as_ptr(), 4);
    assert_eq!(s(d), "{1: 'c', 'x': 2}");
    assert_eq!(py_hash(new_int(1)), py_hash(Value::float(1.0)));
    assert_eq!(py_hash_i64(new_int(-1)), Some(-2));
    assert_eq!(py_hash_i64(Value::float(1.5)), Some(1152921504606846977));
    assert_eq!(
        py_hash_i64(new_tuple(vec![new_int(1), new_int(2)])),
        Some(-3550055125485641917)
    );
    assert_eq!(py_hash_i64(Value::float(0.1)), Some(230584300921369408));
    let kv2 = [new_list(vec![]), NONE];
    assert_eq!(rt_build_dict(kv2.as_ptr(), 1), EXC);
    assert_eq!(pending_msg(), "TypeError: unhashable type: 'list'");
    let big = rt_binop(6, new_int(2), new_int(100));
    let f = Value::float(2f64.powi(100));
    assert!(py_eq(big, f));
    assert_eq!(py_hash(big), py_hash(f));
    assert_eq!(rt_getitem(d, new_str("zz")), EXC);
    assert_eq!(pending_msg(), "KeyError: 'zz'");
}

#[test]
fn reprs() {
    let _g = lock();
    let t1 = new_tuple(vec![new_int(1)]);
    assert_eq!(repr_string(t1), "(1,)");
    assert_eq!(repr_string(new_str("a'b")), "\"a'b\"");
    assert_eq!(repr_string(new_str("a'b\"c")), "'a\\'b\"c'");
    assert_eq!(
        repr_string(new_str("\n\t\x00\u{7f}\u{80}é\u{200b}😀")),
        "'\\n\\t\\x00\\x7f\\x80é\\u200b😀'"
    );
    let l = new_list(vec![new_int(1), new_str("a"), t1, new_dict(), NONE, Value::float(2.0)]);
    assert_eq!(repr_string(l), "[1, 'a', (1,), {}, None, 2.0]");
    list_mut(l).push(l);
    assert!(repr_string(l).ends_with(", [...]]"));
    let e = crate::exceptions::new_exception(crate::types::TypeId::ValueError, "msg");
    assert_eq!(repr_string(e), "ValueError('msg')");
    assert_eq!(str_string(e), "msg");
    let int_t = crate::builtins::lookup_builtin("int").unwrap();
    assert_eq!(repr_string(int_t), "<class 'int'>");
    assert_eq!(
        repr_string(crate::builtins::lookup_builtin("len").unwrap()),
        "<built-in function len>"
    );
    assert_eq!(repr_string(new_range(0, 3, 1)), "range(0, 3)");
    assert_eq!(
        repr_string(rt_build_slice(new_int(1), UNBOUND, NONE)),
        "slice(1, None, None)"
    );
}

fn call(name: &str, args: &[Value]) -> Value {
    crate::call::call_value(crate::builtins::lookup_builtin(name).unwrap(), args, &[])
}

fn meth(o: Value, name: &str, args: &[Value]) -> Value {
    crate::call::rt_call_method(o, new_str(name), args.as_ptr(), args.len() as u64, UNBOUND)
}

#[test]
fn percent_and_str_format() {
    let _g = lock();
    let args = new_tuple(vec![
        new_str("a"),
        new_str("b"),
        new_int(42),
        new_int(5),
        Value::float(3.14159),
        Value::float(2.5),
        Value::float(12345.678),
        new_int(255),
        new_int(255),
        new_int(8),
        new_int(255),
        Value::float(0.0001),
        new_str("q"),
        new_int(65),
        Value::float(99.5),
        new_int(7),
        new_tuple(vec![new_int(1), new_int(2)]),
    ]);
    let fmt = "%5s|%-5s|%05d|%+d|%.2f|%10.3f|%-8.2e|%x|%X|%o|%#x|%g|%r|%c|%%|%5.1f%%|%i|%s";
    let r = rt_binop(5, new_str(fmt), args);
    assert_eq!(
        s(r),
        "    a|b    |00042|+5|3.14|     2.500|1.23e+04|ff|FF|10|0xff|0.0001|'q'|A|%| 99.5%|7|(1, 2)"
    );
    assert_eq!(rt_binop(5, new_str("%d %d"), new_tuple(vec![new_int(1)])), EXC);
    assert_eq!(pending_msg(), "TypeError: not enough arguments for format string");
    assert_eq!(rt_binop(5, new_str("%d"), new_tuple(vec![new_int(1), new_int(2)])), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: not all arguments converted during string formatting"
    );
    assert_eq!(rt_binop(5, new_str("%d"), new_str("a")), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: %d format: a real number is required, not str"
    );
    let r = meth(new_str("{} {:>5} {x} {0!r:^7}"), "format", &[new_str("a"), new_int(3)]);
    assert_eq!(r, EXC);
    assert_eq!(pending_msg(), "KeyError: 'x'");
    assert_eq!(meth(new_str("{} {0}"), "format", &[new_str("a")]), EXC);
    assert_eq!(
        pending_msg(),
        "ValueError: cannot switch from automatic field numbering to manual field specification"
    );
    let kw = [(new_str("x"), Value::float(1.5))];
    let f = crate::ops::getattr(new_str("{} {:>5} {x:.2f} {{}}"), "format").unwrap();
    let r = crate::call::call_value(f, &[new_str("a"), new_int(3)], &kw);
    assert_eq!(s(r), "a     3 1.50 {}");
}

#[test]
fn str_methods() {
    let _g = lock();
    let st = new_str("  a b  c ");
    assert_eq!(s(meth(st, "split", &[])), "['a', 'b', 'c']");
    assert_eq!(s(meth(st, "split", &[NONE, new_int(1)])), "['a', 'b  c ']");
    assert_eq!(s(meth(st, "rsplit", &[NONE, new_int(1)])), "['  a b', 'c']");
    assert_eq!(
        s(meth(new_str("a,b,,c"), "split", &[new_str(",")])),
        "['a', 'b', '', 'c']"
    );
    assert_eq!(s(meth(new_str("ab"), "center", &[new_int(5)])), "  ab ");
    assert_eq!(s(meth(new_str("they're 1st"), "title", &[])), "They'Re 1St");
    assert_eq!(s(meth(new_str("-42"), "zfill", &[new_int(6)])), "-00042");
    assert_eq!(s(meth(new_str("héllo"), "find", &[new_str("l")])), "2");
    assert_eq!(
        s(meth(
            new_str(","),
            "join",
            &[new_list(vec![new_str("a"), new_str("b")])]
        )),
        "a,b"
    );
    assert_eq!(meth(new_str(","), "join", &[new_list(vec![new_int(1)])]), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: sequence item 0: expected str instance, int found"
    );
    assert_eq!(s(meth(new_str("a\nb\r\nc"), "splitlines", &[])), "['a', 'b', 'c']");
    assert_eq!(meth(new_str("abc"), "index", &[new_str("z")]), EXC);
    assert_eq!(pending_msg(), "ValueError: substring not found");
    assert_eq!(
        s(getitem(new_str("hello"), rt_build_slice(NONE, NONE, new_int(-2))).unwrap()),
        "olh"
    );
}

#[test]
fn list_and_builtins() {
    let _g = lock();
    let l = new_list(vec![new_int(3), new_int(1), new_int(2)]);
    assert_eq!(meth(l, "sort", &[]), NONE);
    assert_eq!(s(l), "[1, 2, 3]");
    assert_eq!(meth(new_list(vec![]), "pop", &[]), EXC);
    assert_eq!(pending_msg(), "IndexError: pop from empty list");
    assert_eq!(meth(l, "index", &[new_int(9)]), EXC);
    assert_eq!(pending_msg(), "ValueError: 9 is not in list");
    let mixed = new_list(vec![new_int(1), new_str("a")]);
    assert_eq!(call("sorted", &[mixed]), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: '<' not supported between instances of 'str' and 'int'"
    );
    assert_eq!(s(call("round", &[Value::float(2.5)])), "2");
    assert_eq!(s(call("round", &[Value::float(3.5)])), "4");
    assert_eq!(s(call("round", &[new_int(25), new_int(-1)])), "20");
    assert_eq!(s(call("round", &[new_int(15), new_int(-1)])), "20");
    assert_eq!(s(call("divmod", &[new_int(-7), new_int(2)])), "(-4, 1)");
    assert_eq!(s(call("divmod", &[Value::float(7.5), new_int(-2)])), "(-4.0, -0.5)");
    assert_eq!(s(call("pow", &[new_int(2), new_int(-1), new_int(5)])), "3");
    assert_eq!(s(call("int", &[new_str(" -12_3 ")])), "-123");
    assert_eq!(call("int", &[new_str("abc")]), EXC);
    assert_eq!(
        pending_msg(),
        "ValueError: invalid literal for int() with base 10: 'abc'"
    );
    assert_eq!(s(call("float", &[new_str("1e5")])), "100000.0");
    assert_eq!(call("len", &[new_int(1)]), EXC);
    assert_eq!(pending_msg(), "TypeError: object of type 'int' has no len()");
    assert_eq!(call("len", &[]), EXC);
    assert_eq!(pending_msg(), "TypeError: len() takes exactly one argument (0 given)");
    let d = new_dict();
    rt_setitem(d, new_str("a"), new_int(1));
    assert_eq!(s(meth(d, "keys", &[])), "dict_keys(['a'])");
    assert_eq!(s(meth(d, "items", &[])), "dict_items([('a', 1)])");
    let t = crate::builtins::lookup_builtin("ValueError").unwrap();
    let e = crate::call::call_value(t, &[new_str("bad")], &[]);
    assert_eq!(crate::exceptions::exception_summary(e), "ValueError: bad");
    assert_eq!(
        s(call(
            "isinstance",
            &[TRUE, crate::builtins::lookup_builtin("int").unwrap()]
        )),
        "True"
    );
    let zipped = call("zip", &[new_list(vec![new_int(1), new_int(2)]), new_str("ab")]);
    assert_eq!(s(call("list", &[zipped])), "[(1, 'a'), (2, 'b')]");
    let mut out = [UNBOUND; 2];
    assert_eq!(crate::iter::rt_unpack(new_int(1), 2, out.as_mut_ptr()), EXC);
    assert_eq!(pending_msg(), "TypeError: cannot unpack non-iterable int object");
    assert_eq!(
        crate::iter::rt_unpack(new_list(vec![new_int(1); 3]), 2, out.as_mut_ptr()),
        EXC
    );
    assert_eq!(pending_msg(), "ValueError: too many values to unpack (expected 2)");
    let mut out3 = [UNBOUND; 3];
    assert_eq!(
        crate::iter::rt_unpack_star(new_str("abcd"), 1, 1, out3.as_mut_ptr()),
        NONE
    );
    assert_eq!(s(out3[1]), "['b', 'c']");
}

#[test]
fn suggestions() {
    let _g = lock();
    use crate::suggest::calculate;
    assert_eq!(
        calculate(&["append", "clear", "copy"], "apend").as_deref(),
        Some("append")
    );
    assert_eq!(calculate(&["total"], "totl").as_deref(), Some("total"));
    assert_eq!(calculate(&["pop", "append"], "push"), None);
    let e = crate::exceptions::new_exception(
        crate::types::TypeId::AttributeError,
        "'list' object has no attribute 'apend'",
    );
    assert_eq!(
        crate::exceptions::uncaught_summary(e),
        "AttributeError: 'list' object has no attribute 'apend'. Did you mean: 'append'?"
    );
    let e = crate::exceptions::new_exception(crate::types::TypeId::NameError, "name 'prnt' is not defined");
    assert_eq!(
        crate::exceptions::uncaught_summary(e),
        "NameError: name 'prnt' is not defined. Did you mean: 'print'?"
    );
    let e = crate::exceptions::new_exception(
        crate::types::TypeId::AttributeError,
        "'str' object has no attribute 'reverse'",
    );
    assert_eq!(
        crate::exceptions::uncaught_summary(e),
        "AttributeError: 'str' object has no attribute 'reverse'"
    );
}

#[test]
fn misc_edge_cases() {
    let _g = lock();
    use crate::builtins::parse_float;
    assert_eq!(parse_float(".5"), Some(0.5));
    assert_eq!(parse_float("5."), Some(5.0));
    assert_eq!(parse_float(" 1_0.5 "), Some(10.5));
    assert_eq!(parse_float("-Infinity"), Some(f64::NEG_INFINITY));
    assert_eq!(parse_float("1e"), None);
    assert_eq!(parse_float("e5"), None);
    assert_eq!(parse_float("1__0"), None);
    let str_t = crate::builtins::lookup_builtin("str").unwrap();
    let lower = crate::ops::getattr(str_t, "lower").unwrap();
    assert_eq!(repr_string(lower), "<method 'lower' of 'str' objects>");
    assert_eq!(s(crate::call::call_value(lower, &[new_str("AbC")], &[])), "abc");
    let words = new_list(vec![new_str("b"), new_str("C"), new_str("a")]);
    let kw = [(new_str("key"), lower)];
    let sorted = crate::call::call_value(crate::builtins::lookup_builtin("sorted").unwrap(), &[words], &kw);
    assert_eq!(s(sorted), "['a', 'b', 'C']");
    let l = new_list((0..10).map(new_int).collect());
    assert_eq!(
        s(getitem(l, rt_build_slice(new_int(8), new_int(2), new_int(-3))).unwrap()),
        "[8, 5]"
    );
    assert_eq!(
        s(getitem(l, rt_build_slice(new_int(-3), NONE, NONE)).unwrap()),
        "[7, 8, 9]"
    );
    assert_eq!(
        rt_setitem(
            l,
            rt_build_slice(new_int(0), new_int(8), NONE),
            new_list(vec![new_int(0)])
        ),
        NONE
    );
    assert_eq!(s(l), "[0, 8, 9]");
    assert_eq!(crate::ops::rt_delitem(l, rt_build_slice(NONE, NONE, new_int(2))), NONE);
    assert_eq!(s(l), "[8]");
    let r = new_range(10, 0, -3);
    assert_eq!(s(call("list", &[r])), "[10, 7, 4, 1]");
    assert_eq!(
        s(getitem(r, rt_build_slice(NONE, NONE, new_int(-1))).unwrap()),
        "range(1, 13, 3)"
    );
    assert_eq!(rt_compare(6, new_int(4), r), TRUE);
    assert_eq!(rt_compare(6, new_int(5), r), FALSE);
    assert_eq!(s(rt_binop(9, TRUE, FALSE)), "True");
    assert_eq!(s(rt_binop(0, TRUE, TRUE)), "2");
    assert_eq!(s(rt_unary(3, TRUE)), "-2");
    assert_eq!(
        s(rt_binop(7, new_int(1), new_int(100))),
        "1267650600228229401496703205376"
    );
    assert_eq!(s(call("int", &[new_str("0x1f"), new_int(16)])), "31");
    assert_eq!(s(call("int", &[new_str("0b101"), new_int(0)])), "5");
    assert_eq!(s(call("str", &[Value::float(1e16)])), "1e+16");
    assert_eq!(s(call("max", &[new_str("abc")])), "c");
    assert_eq!(s(call("min", &[new_int(3), new_int(1), new_int(2)])), "1");
    assert_eq!(call("max", &[new_int(1), new_str("a")]), EXC);
    assert_eq!(
        pending_msg(),
        "TypeError: '>' not supported between instances of 'str' and 'int'"
    );
    let d = new_dict();
    rt_setitem(d, new_int(1), new_str("a"));
    let it = crate::iter::rt_iter(d);
    assert_eq!(s(crate::iter::rt_next(it)), "1");
    rt_setitem(d, new_int(2), new_str("b"));
    assert_eq!(crate::iter::rt_next(it), EXC);
    assert_eq!(pending_msg(), "RuntimeError: dictionary changed size during iteration");
    let m = new_dict();
    rt_setitem(m, new_str("a"), new_str("x"));
    rt_setitem(m, new_str("b"), new_int(3));
    assert_eq!(s(rt_binop(5, new_str("%(a)s-%(b)03d"), m)), "x-003");
    assert_eq!(
        s(rt_binop(
            5,
            new_str("%s|%5.1f%%"),
            new_tuple(vec![new_list(vec![]), Value::float(99.44)])
        )),
        "[]| 99.4%"
    );
    assert_eq!(s(call("repr", &[new_str("it's")])), "\"it's\"");
    assert_eq!(
        s(meth(new_str("a-b-c"), "rsplit", &[new_str("-"), new_int(1)])),
        "['a-b', 'c']"
    );
    assert_eq!(s(meth(new_str("abcabc"), "count", &[new_str("bc")])), "2");
    assert_eq!(s(meth(new_str("xxhixx"), "strip", &[new_str("x")])), "hi");
    assert_eq!(
        s(call("list", &[call("enumerate", &[new_str("ab"), new_int(1)])])),
        "[(1, 'a'), (2, 'b')]"
    );
    assert_eq!(
        s(call("sum", &[new_list(vec![Value::float(0.1); 3])])),
        "0.30000000000000004"
    );
    assert_eq!(s(call("bool", &[new_list(vec![])])), "False");
    assert_eq!(s(call("tuple", &[new_str("ab")])), "('a', 'b')");
    let t = call("type", &[new_int(1)]);
    assert_eq!(s(crate::ops::getattr(t, "__name__").unwrap()), "int");
}

fn leaked_info(name: &str, freevars: &[&str]) -> &'static crate::object::CodeInfo {
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    Box::leak(Box::new(crate::object::CodeInfo {
        name: name.into(),
        qualname: format!("outer.<locals>.{name}"),
        filename: "/tmp/prog.py".into(),
        firstlineno: 4,
        params: names(&["a", "b"]),
        npositional: 1,
        has_varargs: false,
        nkwonly: 1,
        has_varkw: false,
        freevars: names(freevars),
        cellvars: names(&["a"]),
        varnames: names(&["a", "b", "t"]),
        doc: None,
        code: std::ptr::null(),
        array_entry: None,
        engine: std::ptr::null(),
    }))
}

#[test]
fn introspection() {
    let _g = lock();
    let info = leaked_info("inner", &["series", "x"]);
    let f = rt_make_function(info, UNBOUND, UNBOUND);
    let c0 = crate::vm::rt_new_cell(new_list(vec![]));
    let c1 = crate::vm::rt_new_cell(UNBOUND);
    let env = obj::<crate::object::FunctionObj>(f).env.as_mut_ptr();
    unsafe {
        *env = c0;
        *env.add(1) = c1;
    }
    // __closure__ holds the env record's own cells, in co_freevars order.
    let clo = getattr(f, "__closure__").unwrap();
    assert_eq!(tuple_items(clo), &[c0, c1]);
    assert!(repr_string(c1).ends_with(": empty>"));
    assert!(repr_string(c0).contains(": list object at 0x"));
    assert!(getattr(c1, "cell_contents").is_err());
    assert_eq!(pending_msg(), "ValueError: Cell is empty");
    assert_eq!(setattr(c1, "cell_contents", Value::int_unchecked(5)), NONE);
    assert_eq!(obj::<crate::object::CellObj>(c1).value, Value::int_unchecked(5));
    assert_eq!(setattr(c1, "cell_contents", UNBOUND), NONE);
    assert!(repr_string(c1).ends_with(": empty>"));
    // One code object per CodeInfo.
    let code = getattr(f, "__code__").unwrap();
    assert_eq!(code, getattr(f, "__code__").unwrap());
    let attr = |n: &str| repr_string(getattr(code, n).unwrap());
    assert_eq!(attr("co_freevars"), "('series', 'x')");
    assert_eq!(attr("co_varnames"), "('a', 'b', 't')");
    assert_eq!(attr("co_cellvars"), "('a',)");
    assert_eq!(
        (attr("co_argcount"), attr("co_kwonlyargcount"), attr("co_nlocals")),
        ("1".into(), "1".into(), "3".into())
    );
    assert_eq!(attr("co_qualname"), "'outer.<locals>.inner'");
    assert_eq!(repr_string(code).split(" at ").next(), Some("<code object inner"));
    assert!(repr_string(code).ends_with(", file \"/tmp/prog.py\", line 4>"));
    assert_eq!(type_name(code), "code");
    assert_eq!(setattr(code, "co_name", NONE), EXC);
    assert_eq!(pending_msg(), "AttributeError: readonly attribute");
    // Function attributes: renaming shows in the repr; user attributes in __dict__.
    assert_eq!(setattr(f, "__qualname__", new_str("renamed")), NONE);
    assert!(repr_string(f).starts_with("<function renamed at 0x"));
    assert_eq!(setattr(f, "__name__", Value::int_unchecked(1)), EXC);
    assert_eq!(pending_msg(), "TypeError: __name__ must be set to a string object");
    assert_eq!(setattr(f, "count", Value::int_unchecked(3)), NONE);
    assert_eq!(repr_string(getattr(f, "__dict__").unwrap()), "{'count': 3}");
    assert_eq!(setattr(Value::int_unchecked(1), "x", NONE), EXC);
    assert_eq!(pending_msg(), "AttributeError: 'int' object has no attribute 'x'");
    // The side table is weak: once the function is garbage, its attributes go too.
    assert_eq!(crate::introspect::extras_count(), 1);
    crate::gc::collect(0, 0);
    assert_eq!(crate::introspect::extras_count(), 0);
}

/// Resident bytes of this process (`/proc/self/statm`), if the system reports them.
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// Malloc memory a finished thread freed (as the JIT's compile helper does) stays resident
/// until a collection that was asked to release it: that collection gives it back.
#[test]
fn a_collection_asked_to_gives_back_freed_malloc_pages() {
    let _g = lock();
    if !cfg!(all(target_os = "linux", target_env = "gnu")) || resident_bytes().is_none() {
        return;
    }
    // 4 MB in 16 KB blocks (below malloc's mmap threshold) from the thread's own arena, all
    // freed but the last, which keeps the arena's top from shrinking by itself.
    let pinned = std::thread::spawn(|| {
        let mut blocks: Vec<Vec<u8>> = (0..256).map(|_| vec![1u8; 16 << 10]).collect();
        let last = blocks.pop();
        drop(blocks);
        last
    })
    .join()
    .unwrap();
    let before = resident_bytes().unwrap();
    crate::gc::collect(0, 0);
    let unasked = resident_bytes().unwrap();
    crate::gc::release_malloc_pages_at_next_collection();
    crate::gc::collect(0, 0);
    let after = resident_bytes().unwrap();
    drop(pinned);
    assert!(
        unasked + (1 << 20) > before,
        "a plain collection left malloc alone ({before} -> {unasked} bytes resident)"
    );
    assert!(
        after + (2 << 20) < unasked,
        "the asked collection gave back under 2 MB of the 4 freed ({unasked} -> {after} bytes resident)"
    );
}
