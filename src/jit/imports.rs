//! The runtime entry points compiled code calls, with their Cranelift signatures.
//!
//! Every parameter and result is one 64-bit word. Entry points that may call back into
//! Python (`reentrant`) are reached through a JIT-generated trampoline that records the
//! calling JIT frame in `Vm::exit_top`, so the collector can find that frame's roots while
//! Rust code sits between JIT frames.

use cellar_runtime as rt;

/// One runtime entry point.
pub struct Import {
    /// Symbol name (also the Rust function name).
    pub name: &'static str,
    /// Number of 64-bit parameters.
    pub params: usize,
    /// Returns one 64-bit word.
    pub ret: bool,
    /// May call back into Python: call it through its trampoline.
    pub reentrant: bool,
    /// Address of the Rust function.
    pub addr: *const u8,
}

macro_rules! imports {
    ($( $path:path => $name:literal ($n:literal) $ret:literal $re:literal ),* $(,)?) => {
        vec![$( Import { name: $name, params: $n, ret: $ret, reentrant: $re, addr: $path as *const u8 } ),*]
    };
}

/// All runtime entry points known to the compiler.
pub fn all() -> Vec<Import> {
    imports![
        rt::vm::rt_new_cell => "rt_new_cell" (1) true false,
        rt::objects::rt_make_function => "rt_make_function" (3) true false,
        rt::objects::rt_build_tuple => "rt_build_tuple" (2) true false,
        rt::objects::rt_build_list => "rt_build_list" (2) true false,
        rt::objects::rt_build_dict => "rt_build_dict" (2) true false,
        rt::objects::rt_dict_update => "rt_dict_update" (2) true false,
        rt::objects::rt_list_extend => "rt_list_extend" (2) true true,
        rt::objects::rt_list_to_tuple => "rt_list_to_tuple" (1) true false,
        rt::ops::rt_binop => "rt_binop" (3) true false,
        rt::ops::rt_inplace_op => "rt_inplace_op" (3) true false,
        rt::ops::rt_compare => "rt_compare" (3) true false,
        rt::ops::rt_unary => "rt_unary" (2) true false,
        rt::ops::rt_truthy => "rt_truthy" (1) true false,
        rt::ops::rt_getitem => "rt_getitem" (2) true false,
        rt::ops::rt_setitem => "rt_setitem" (3) true false,
        rt::ops::rt_delitem => "rt_delitem" (2) true false,
        rt::ops::rt_build_slice => "rt_build_slice" (3) true false,
        rt::ops::rt_getattr => "rt_getattr" (2) true false,
        rt::ops::rt_setattr => "rt_setattr" (3) true false,
        rt::ops::rt_delattr => "rt_delattr" (2) true false,
        rt::call::rt_call => "rt_call" (4) true true,
        rt::call::rt_call_ex => "rt_call_ex" (3) true true,
        rt::call::rt_call_method => "rt_call_method" (5) true true,
        rt::iter::rt_iter => "rt_iter" (1) true false,
        rt::iter::rt_next => "rt_next" (1) true true,
        rt::iter::rt_unpack => "rt_unpack" (3) true true,
        rt::iter::rt_unpack_star => "rt_unpack_star" (4) true true,
        rt::format::rt_format_value => "rt_format_value" (3) true false,
        rt::format::rt_concat_strs => "rt_concat_strs" (2) true false,
        rt::exceptions::rt_raise => "rt_raise" (1) true false,
        rt::exceptions::rt_reraise => "rt_reraise" (1) true false,
        rt::exceptions::rt_take_exception => "rt_take_exception" (0) true false,
        rt::exceptions::rt_exc_matches => "rt_exc_matches" (2) true false,
        rt::exceptions::rt_traceback_add => "rt_traceback_add" (2) false false,
        rt::exceptions::rt_raise_name_error => "rt_raise_name_error" (1) true false,
        rt::exceptions::rt_global_fallback => "rt_global_fallback" (1) true false,
        rt::exceptions::rt_raise_unbound_local => "rt_raise_unbound_local" (1) true false,
        rt::exceptions::rt_raise_unbound_free => "rt_raise_unbound_free" (1) true false,
        rt::exceptions::rt_raise_recursion => "rt_raise_recursion" (0) true false,
        rt::exceptions::rt_raise_assert => "rt_raise_assert" (1) true false,
        rt::gc::rt_gc_collect => "rt_gc_collect" (2) false false,
        rt::fast::rt_len => "rt_len" (1) true false,
        rt::gc::rt_budget_exhausted => "rt_budget_exhausted" (0) false false,
        rt::fast::rt_list_append => "rt_list_append" (2) true false,
        rt::fast::rt_dict_getitem => "rt_dict_getitem" (2) true false,
        rt::fast::rt_dict_setitem => "rt_dict_setitem" (3) true false,
        rt::specialize::rt_specialize_call => "rt_specialize_call" (3) true true,
    ]
}
