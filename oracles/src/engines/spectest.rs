//! The `spectest` host module of the official test suite's harness, as data every adapter turns
//! into its engine's host items.

use crate::value::{Val, ValType};

/// The module name.
pub const MODULE: &str = "spectest";

/// The print functions (all without results) and their parameter types.
pub const PRINT_FUNCS: &[(&str, &[ValType])] = &[
    ("print", &[]),
    ("print_i32", &[ValType::I32]),
    ("print_i64", &[ValType::I64]),
    ("print_f32", &[ValType::F32]),
    ("print_f64", &[ValType::F64]),
    ("print_i32_f32", &[ValType::I32, ValType::F32]),
    ("print_f64_f64", &[ValType::F64, ValType::F64]),
];

/// The immutable globals and their values (`666` and `666.6`).
pub fn globals() -> [(&'static str, Val); 4] {
    [
        ("global_i32", Val::I32(666)),
        ("global_i64", Val::I64(666)),
        ("global_f32", Val::F32(666.6f32.to_bits())),
        ("global_f64", Val::F64(666.6f64.to_bits())),
    ]
}

/// `table` (and `table64`): a funcref table of 10 to 20 elements.
pub const TABLE_MIN: u64 = 10;
/// See [`TABLE_MIN`].
pub const TABLE_MAX: u64 = 20;
/// `memory`: one to two pages.
pub const MEMORY_MIN: u64 = 1;
/// See [`MEMORY_MIN`].
pub const MEMORY_MAX: u64 = 2;
