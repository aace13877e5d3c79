//! Types (spec 2.3 "Types"): value, reference, function, table, memory and global types, restricted to the reference's scope.

use std::fmt;

/// A reference type. Only the nullable abstract reference types of WebAssembly 2.0 and the
/// exception-handling proposal are in scope (typed function references and GC types are not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefType {
    /// `funcref`
    Func,
    /// `externref`
    Extern,
    /// `exnref`
    Exn,
}

/// A value type (spec 2.3.4), without `v128` (SIMD is out of scope).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ValType {
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// A reference type.
    Ref(RefType),
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::Ref(RefType::Func) => "funcref",
            ValType::Ref(RefType::Extern) => "externref",
            ValType::Ref(RefType::Exn) => "exnref",
        })
    }
}

/// A function type (spec 2.3.6): parameters to results. Also the type of a tag, whose results
/// are empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct FuncType {
    /// Parameter types.
    pub params: Box<[ValType]>,
    /// Result types.
    pub results: Box<[ValType]>,
}

/// The index type of a memory or table (spec 2.3.7, memory64).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexType {
    /// 32-bit addresses.
    I32,
    /// 64-bit addresses.
    I64,
}

impl IndexType {
    /// The value type of an address of this index type.
    pub fn val_type(self) -> ValType {
        match self {
            IndexType::I32 => ValType::I32,
            IndexType::I64 => ValType::I64,
        }
    }
}

/// Size limits (spec 2.3.7), in pages for memories and elements for tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Limits {
    /// The minimum (initial) size.
    pub min: u64,
    /// The maximum size, if any.
    pub max: Option<u64>,
}

/// A memory type (spec 2.3.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemType {
    /// The index type.
    pub index: IndexType,
    /// The limits, in 64 KiB pages.
    pub limits: Limits,
}

/// A table type (spec 2.3.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TableType {
    /// The index type.
    pub index: IndexType,
    /// The limits, in elements.
    pub limits: Limits,
    /// The element type.
    pub elem: RefType,
}

/// A global type (spec 2.3.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The value type.
    pub ty: ValType,
    /// Whether the global is mutable.
    pub mutable: bool,
}
