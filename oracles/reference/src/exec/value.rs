//! Runtime values and addresses (spec 4.2.1 "Values", 4.2.2 "Results", 4.2.3 "Store" addresses).

use crate::syntax::{RefType, ValType};

macro_rules! addresses {
    ($($(#[$doc:meta])* $name:ident;)*) => {
        $(
            $(#[$doc])*
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub struct $name(pub u32);

            impl $name {
                /// The address as an index into the store.
                #[inline(always)]
                pub fn index(self) -> usize {
                    self.0 as usize
                }
            }
        )*
    };
}

addresses! {
    /// The address of a function instance.
    FuncAddr;
    /// The address of a table instance.
    TableAddr;
    /// The address of a memory instance.
    MemAddr;
    /// The address of a global instance.
    GlobalAddr;
    /// The address of a tag instance: tags match by this identity, not by signature.
    TagAddr;
    /// The address of an element segment instance.
    ElemAddr;
    /// The address of a data segment instance.
    DataAddr;
    /// The address of an exception instance: `exnref` identity.
    ExnAddr;
    /// The address of a module instance.
    InstAddr;
}

/// A value (spec 4.2.1): numbers, with floats as their bits, and references as addresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Value {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as bits.
    F32(u32),
    /// An `f64`, as bits.
    F64(u64),
    /// A `funcref`: `None` is null.
    FuncRef(Option<FuncAddr>),
    /// An `externref` made by the host, carrying a host integer: `None` is null.
    ExternRef(Option<u32>),
    /// An `exnref`: `None` is null.
    ExnRef(Option<ExnAddr>),
}

impl Value {
    /// The default value of a type (spec 4.2.1 `default_t`): zero, or null.
    pub fn default_of(ty: ValType) -> Value {
        match ty {
            ValType::I32 => Value::I32(0),
            ValType::I64 => Value::I64(0),
            ValType::F32 => Value::F32(0),
            ValType::F64 => Value::F64(0),
            ValType::Ref(r) => Value::null(r),
        }
    }

    /// The null reference of a reference type.
    pub fn null(ty: RefType) -> Value {
        match ty {
            RefType::Func => Value::FuncRef(None),
            RefType::Extern => Value::ExternRef(None),
            RefType::Exn => Value::ExnRef(None),
        }
    }

    /// Whether this value has type `ty`.
    pub fn has_type(&self, ty: ValType) -> bool {
        matches!(
            (self, ty),
            (Value::I32(_), ValType::I32)
                | (Value::I64(_), ValType::I64)
                | (Value::F32(_), ValType::F32)
                | (Value::F64(_), ValType::F64)
                | (Value::FuncRef(_), ValType::Ref(RefType::Func))
                | (Value::ExternRef(_), ValType::Ref(RefType::Extern))
                | (Value::ExnRef(_), ValType::Ref(RefType::Exn))
        )
    }

    /// Whether this is a null reference.
    pub fn is_null(&self) -> bool {
        matches!(
            self,
            Value::FuncRef(None) | Value::ExternRef(None) | Value::ExnRef(None)
        )
    }

    /// An address operand of a memory or table instruction, zero-extended to 64 bits: an `i32`
    /// for 32-bit index types, an `i64` for 64-bit ones (the validator chose which).
    #[inline(always)]
    pub fn as_address(&self) -> u64 {
        match *self {
            Value::I32(x) => u64::from(x as u32),
            Value::I64(x) => x as u64,
            other => ill_typed("an address", other),
        }
    }
}

/// A value of a Rust type that stands for one WebAssembly number type on the operand stack:
/// `i32`, `i64`, and `u32` / `u64` for the bits of `f32` / `f64`.
pub trait Operand: Copy {
    /// The WebAssembly type name, for panic messages.
    const NAME: &'static str;
    /// Unwraps a value of this type; anything else is a reference bug (validation guarantees
    /// the type). Takes a reference so that only the tag and the payload are read.
    fn from_value(v: &Value) -> Self;
    /// Wraps into a value.
    fn into_value(self) -> Value;
}

macro_rules! operand {
    ($t:ty, $variant:ident, $name:literal) => {
        impl Operand for $t {
            const NAME: &'static str = $name;
            #[inline(always)]
            fn from_value(v: &Value) -> $t {
                match *v {
                    Value::$variant(x) => x,
                    other => ill_typed($name, other),
                }
            }
            #[inline(always)]
            fn into_value(self) -> Value {
                Value::$variant(self)
            }
        }
    };
}
operand!(i32, I32, "i32");
operand!(i64, I64, "i64");
operand!(u32, F32, "f32");
operand!(u64, F64, "f64");

/// A value of the wrong type where validation guarantees the type: a reference bug.
#[cold]
#[inline(never)]
pub(crate) fn ill_typed(expected: &str, found: Value) -> ! {
    panic!(
        "reference interpreter bug: ill-typed operand stack: expected {expected}, found {found:?}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_two_words() {
        assert_eq!(std::mem::size_of::<Value>(), 16);
    }

    #[test]
    fn addresses_zero_extend() {
        assert_eq!(Value::I32(-1).as_address(), 0xffff_ffff);
        assert_eq!(Value::I64(-1).as_address(), u64::MAX);
    }

    #[test]
    #[should_panic(expected = "ill-typed operand stack")]
    fn a_wrong_type_is_a_reference_bug() {
        let _ = i32::from_value(&Value::F32(0));
    }
}
