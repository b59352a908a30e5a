//! Built-in type objects and the exception hierarchy.

use crate::gc::{alloc, header};
use crate::object::{ObjKind, TypeObj};
use crate::value::{Value, UNBOUND};
use crate::vm::vm;

/// Built-in types, including exception classes. The index into `Vm::types`.
#[repr(u32)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeId {
    /// `Object`.
    Object,
    /// `Int`.
    Int,
    /// `Float`.
    Float,
    /// `Str`.
    Str,
    /// `Bool`.
    Bool,
    /// `NoneType`.
    NoneType,
    /// `List`.
    List,
    /// `Tuple`.
    Tuple,
    /// `Dict`.
    Dict,
    /// `Function`.
    Function,
    /// `BuiltinFunction`.
    BuiltinFunction,
    /// `Cell`.
    Cell,
    /// `Type`.
    Type,
    /// `Range`.
    Range,
    /// `Slice`.
    Slice,
    /// `BaseException`.
    BaseException,
    /// `Exception`.
    Exception,
    /// `ArithmeticError`.
    ArithmeticError,
    /// `ZeroDivisionError`.
    ZeroDivisionError,
    /// `OverflowError`.
    OverflowError,
    /// `LookupError`.
    LookupError,
    /// `IndexError`.
    IndexError,
    /// `KeyError`.
    KeyError,
    /// `NameError`.
    NameError,
    /// `UnboundLocalError`.
    UnboundLocalError,
    /// `TypeError`.
    TypeError,
    /// `ValueError`.
    ValueError,
    /// `AttributeError`.
    AttributeError,
    /// `AssertionError`.
    AssertionError,
    /// `RuntimeError`.
    RuntimeError,
    /// `RecursionError`.
    RecursionError,
    /// `StopIteration`.
    StopIteration,
    /// `NotImplementedError`.
    NotImplementedError,
    /// `MemoryError`.
    MemoryError,
    /// `OSError`.
    OSError,
    /// `ConnectionError`.
    ConnectionError,
    /// `BrokenPipeError`.
    BrokenPipeError,
    /// `SystemExit`.
    SystemExit,
    /// `KeyboardInterrupt`.
    KeyboardInterrupt,
    /// `GeneratorExit`.
    GeneratorExit,
    /// `UnicodeError`.
    UnicodeError,
    /// `ImportError`.
    ImportError,
    /// `ModuleNotFoundError`.
    ModuleNotFoundError,
    /// `EOFError`.
    EOFError,
    /// `FileNotFoundError`.
    FileNotFoundError,
    /// `PermissionError`.
    PermissionError,
    /// `TimeoutError`.
    TimeoutError,
    /// `FloatingPointError`.
    FloatingPointError,
    /// `dict_keys`.
    DictKeys,
    /// `dict_values`.
    DictValues,
    /// `dict_items`.
    DictItems,
    /// `code`.
    Code,
    /// `generator` (of a generator expression).
    Generator,
    /// `list_iterator`.
    ListIterator,
    /// `tuple_iterator`.
    TupleIterator,
    /// `str_ascii_iterator`.
    StrIterator,
    /// `dict_keyiterator`.
    DictKeyIterator,
    /// `range_iterator`.
    RangeIterator,
    /// `list_reverseiterator`.
    ListReverseIterator,
    /// `reversed`.
    Reversed,
    /// `map`.
    Map,
    /// `filter`.
    Filter,
    /// `zip`.
    Zip,
    /// `enumerate`.
    Enumerate,
    /// `dict_valueiterator`.
    DictValueIterator,
    /// `dict_itemiterator`.
    DictItemIterator,
    /// `dict_reversekeyiterator`.
    DictReverseKeyIterator,
    /// `dict_reversevalueiterator`.
    DictReverseValueIterator,
    /// `dict_reverseitemiterator`.
    DictReverseItemIterator,
}

/// `(id, __name__, base)` for every built-in type, in `TypeId` order.
pub const TYPES: &[(TypeId, &str, Option<TypeId>)] = &[
    (TypeId::Object, "object", None),
    (TypeId::Int, "int", Some(TypeId::Object)),
    (TypeId::Float, "float", Some(TypeId::Object)),
    (TypeId::Str, "str", Some(TypeId::Object)),
    (TypeId::Bool, "bool", Some(TypeId::Int)),
    (TypeId::NoneType, "NoneType", Some(TypeId::Object)),
    (TypeId::List, "list", Some(TypeId::Object)),
    (TypeId::Tuple, "tuple", Some(TypeId::Object)),
    (TypeId::Dict, "dict", Some(TypeId::Object)),
    (TypeId::Function, "function", Some(TypeId::Object)),
    (
        TypeId::BuiltinFunction,
        "builtin_function_or_method",
        Some(TypeId::Object),
    ),
    (TypeId::Cell, "cell", Some(TypeId::Object)),
    (TypeId::Type, "type", Some(TypeId::Object)),
    (TypeId::Range, "range", Some(TypeId::Object)),
    (TypeId::Slice, "slice", Some(TypeId::Object)),
    (TypeId::BaseException, "BaseException", Some(TypeId::Object)),
    (TypeId::Exception, "Exception", Some(TypeId::BaseException)),
    (TypeId::ArithmeticError, "ArithmeticError", Some(TypeId::Exception)),
    (
        TypeId::ZeroDivisionError,
        "ZeroDivisionError",
        Some(TypeId::ArithmeticError),
    ),
    (TypeId::OverflowError, "OverflowError", Some(TypeId::ArithmeticError)),
    (TypeId::LookupError, "LookupError", Some(TypeId::Exception)),
    (TypeId::IndexError, "IndexError", Some(TypeId::LookupError)),
    (TypeId::KeyError, "KeyError", Some(TypeId::LookupError)),
    (TypeId::NameError, "NameError", Some(TypeId::Exception)),
    (TypeId::UnboundLocalError, "UnboundLocalError", Some(TypeId::NameError)),
    (TypeId::TypeError, "TypeError", Some(TypeId::Exception)),
    (TypeId::ValueError, "ValueError", Some(TypeId::Exception)),
    (TypeId::AttributeError, "AttributeError", Some(TypeId::Exception)),
    (TypeId::AssertionError, "AssertionError", Some(TypeId::Exception)),
    (TypeId::RuntimeError, "RuntimeError", Some(TypeId::Exception)),
    (TypeId::RecursionError, "RecursionError", Some(TypeId::RuntimeError)),
    (TypeId::StopIteration, "StopIteration", Some(TypeId::Exception)),
    (
        TypeId::NotImplementedError,
        "NotImplementedError",
        Some(TypeId::RuntimeError),
    ),
    (TypeId::MemoryError, "MemoryError", Some(TypeId::Exception)),
    (TypeId::OSError, "OSError", Some(TypeId::Exception)),
    (TypeId::ConnectionError, "ConnectionError", Some(TypeId::OSError)),
    (
        TypeId::BrokenPipeError,
        "BrokenPipeError",
        Some(TypeId::ConnectionError),
    ),
    (TypeId::SystemExit, "SystemExit", Some(TypeId::BaseException)),
    (
        TypeId::KeyboardInterrupt,
        "KeyboardInterrupt",
        Some(TypeId::BaseException),
    ),
    (TypeId::GeneratorExit, "GeneratorExit", Some(TypeId::BaseException)),
    (TypeId::UnicodeError, "UnicodeError", Some(TypeId::ValueError)),
    (TypeId::ImportError, "ImportError", Some(TypeId::Exception)),
    (
        TypeId::ModuleNotFoundError,
        "ModuleNotFoundError",
        Some(TypeId::ImportError),
    ),
    (TypeId::EOFError, "EOFError", Some(TypeId::Exception)),
    (TypeId::FileNotFoundError, "FileNotFoundError", Some(TypeId::OSError)),
    (TypeId::PermissionError, "PermissionError", Some(TypeId::OSError)),
    (TypeId::TimeoutError, "TimeoutError", Some(TypeId::OSError)),
    (
        TypeId::FloatingPointError,
        "FloatingPointError",
        Some(TypeId::ArithmeticError),
    ),
    (TypeId::DictKeys, "dict_keys", Some(TypeId::Object)),
    (TypeId::DictValues, "dict_values", Some(TypeId::Object)),
    (TypeId::DictItems, "dict_items", Some(TypeId::Object)),
    (TypeId::Code, "code", Some(TypeId::Object)),
    (TypeId::Generator, "generator", Some(TypeId::Object)),
    (TypeId::ListIterator, "list_iterator", Some(TypeId::Object)),
    (TypeId::TupleIterator, "tuple_iterator", Some(TypeId::Object)),
    (TypeId::StrIterator, "str_ascii_iterator", Some(TypeId::Object)),
    (TypeId::DictKeyIterator, "dict_keyiterator", Some(TypeId::Object)),
    (TypeId::RangeIterator, "range_iterator", Some(TypeId::Object)),
    (
        TypeId::ListReverseIterator,
        "list_reverseiterator",
        Some(TypeId::Object),
    ),
    (TypeId::Reversed, "reversed", Some(TypeId::Object)),
    (TypeId::Map, "map", Some(TypeId::Object)),
    (TypeId::Filter, "filter", Some(TypeId::Object)),
    (TypeId::Zip, "zip", Some(TypeId::Object)),
    (TypeId::Enumerate, "enumerate", Some(TypeId::Object)),
    (TypeId::DictValueIterator, "dict_valueiterator", Some(TypeId::Object)),
    (TypeId::DictItemIterator, "dict_itemiterator", Some(TypeId::Object)),
    (
        TypeId::DictReverseKeyIterator,
        "dict_reversekeyiterator",
        Some(TypeId::Object),
    ),
    (
        TypeId::DictReverseValueIterator,
        "dict_reversevalueiterator",
        Some(TypeId::Object),
    ),
    (
        TypeId::DictReverseItemIterator,
        "dict_reverseitemiterator",
        Some(TypeId::Object),
    ),
];

/// Create the type objects (called by `vm::init`).
pub fn init_types() {
    for &(id, name, base) in TYPES {
        let base = base.map(|b| vm().types[b as usize]).unwrap_or(UNBOUND);
        let p = alloc(
            TypeObj {
                h: header(ObjKind::Type),
                name,
                base,
                id,
            },
            0,
        );
        vm().types.push(Value::from_ptr(p));
    }
}

/// The type object for `id`.
pub fn type_object(id: TypeId) -> Value {
    vm().types[id as usize]
}
