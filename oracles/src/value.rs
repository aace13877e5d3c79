//! `Val` and `ValType`: engine-neutral WebAssembly values, floats as bits and references as identities.

use std::fmt;

/// A WebAssembly value type, as far as catchall compares values.
///
/// Reference types are the abstract nullable heap types; typed function references and GC types
/// are outside catchall's scope.
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
    /// `v128`
    V128,
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
    /// `exnref`
    ExnRef,
}

impl ValType {
    /// Converts a wasmparser value type; `None` for types outside catchall's vocabulary
    /// (GC heap types, typed function references).
    pub fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        use wasmparser::{AbstractHeapType as A, HeapType as H};
        Some(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => match r.heap_type() {
                H::Abstract {
                    shared: false,
                    ty: A::Func,
                } => ValType::FuncRef,
                H::Abstract {
                    shared: false,
                    ty: A::Extern,
                } => ValType::ExternRef,
                H::Abstract {
                    shared: false,
                    ty: A::Exn,
                } => ValType::ExnRef,
                _ => return None,
            },
        })
    }

    /// The zero value of this type (null for references).
    pub fn default_value(self) -> Val {
        match self {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::FuncRef => Val::FuncRef(None),
            ValType::ExternRef => Val::ExternRef(None),
            ValType::ExnRef => Val::ExnRef(None),
        }
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

/// The identity of a function reference as the host can observe it.
///
/// Every adapter resolves a function reference against the function index space of the instance
/// being observed (see [`crate::expose`]): two engines agree on a reference when it names the same
/// function index. A function that belongs to no index space of that instance is `Foreign`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FuncId {
    /// The function at this index of the observed instance's function index space.
    Index(u32),
    /// A function from outside the observed instance's index space.
    Foreign,
}

/// The identity of an exception object as the host observed it: the `n`-th distinct exception
/// object (counting from 1) that the host saw in one store, by reference identity.
///
/// Numbering by first observation makes identities comparable across engines: if an engine
/// returns the same exception twice it gets the same id both times.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExnId(pub u32);

/// An engine-neutral WebAssembly value.
///
/// Floats are kept as their bit patterns so that comparisons are exact; NaN handling is a policy
/// of the comparator ([`crate::compare`]), never of the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Val {
    /// An `i32`.
    I32(i32),
    /// An `i64`.
    I64(i64),
    /// An `f32`, as bits.
    F32(u32),
    /// An `f64`, as bits.
    F64(u64),
    /// A `v128`, as bits.
    V128(u128),
    /// A `funcref`: `None` is null.
    FuncRef(Option<FuncId>),
    /// An `externref` carrying a host integer (as the spec test harness's `ref.extern N`): `None`
    /// is null.
    ExternRef(Option<u32>),
    /// An `exnref`: `None` is null.
    ExnRef(Option<ExnId>),
}

impl Val {
    /// The type of this value.
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FuncRef,
            Val::ExternRef(_) => ValType::ExternRef,
            Val::ExnRef(_) => ValType::ExnRef,
        }
    }

    /// Whether this is a floating-point NaN.
    pub fn is_nan(&self) -> bool {
        match *self {
            Val::F32(b) => f32::from_bits(b).is_nan(),
            Val::F64(b) => f64::from_bits(b).is_nan(),
            _ => false,
        }
    }

    /// The NaN class of a float value, `None` when it is not a NaN.
    pub fn nan_class(&self) -> Option<NanClass> {
        match *self {
            Val::F32(b) if f32::from_bits(b).is_nan() => Some(if b & 0x7fff_ffff == 0x7fc0_0000 {
                NanClass::Canonical
            } else if b & 0x0040_0000 != 0 {
                NanClass::Arithmetic
            } else {
                NanClass::Signalling
            }),
            Val::F64(b) if f64::from_bits(b).is_nan() => {
                Some(if b & 0x7fff_ffff_ffff_ffff == 0x7ff8_0000_0000_0000 {
                    NanClass::Canonical
                } else if b & 0x0008_0000_0000_0000 != 0 {
                    NanClass::Arithmetic
                } else {
                    NanClass::Signalling
                })
            }
            _ => None,
        }
    }

    /// Parses the notation written by `Display` (`i32:7`, `f32:0x7fc00000`, `funcref:null`, ...).
    pub fn parse(text: &str) -> Option<Val> {
        let (ty, v) = text.split_once(':')?;
        fn hex(s: &str) -> Option<&str> {
            s.strip_prefix("0x")
        }
        Some(match ty {
            "i32" => Val::I32(parse_int(v)? as i32),
            "i64" => Val::I64(parse_int(v)? as i64),
            "f32" => Val::F32(u32::from_str_radix(hex(v)?, 16).ok()?),
            "f64" => Val::F64(u64::from_str_radix(hex(v)?, 16).ok()?),
            "v128" => Val::V128(u128::from_str_radix(hex(v)?, 16).ok()?),
            "funcref" => Val::FuncRef(match v {
                "null" => None,
                "foreign" => Some(FuncId::Foreign),
                n => Some(FuncId::Index(n.parse().ok()?)),
            }),
            "externref" => Val::ExternRef(match v {
                "null" => None,
                n => Some(n.parse().ok()?),
            }),
            "exnref" => Val::ExnRef(match v {
                "null" => None,
                n => Some(ExnId(n.strip_prefix('#')?.parse().ok()?)),
            }),
            _ => return None,
        })
    }
}

/// Parses a decimal (possibly negative) or `0x` hexadecimal integer into 64 bits.
fn parse_int(v: &str) -> Option<i128> {
    if let Some(h) = v.strip_prefix("0x") {
        return i128::from_str_radix(h, 16).ok();
    }
    let n: i128 = v.parse().ok()?;
    (i128::from(i64::MIN)..=i128::from(u64::MAX))
        .contains(&n)
        .then_some(n)
}

/// The class of a NaN bit pattern, as the spec's `nan:canonical` / `nan:arithmetic` patterns use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NanClass {
    /// Only the quiet bit of the payload is set (either sign).
    Canonical,
    /// The quiet bit is set, with other payload bits.
    Arithmetic,
    /// The quiet bit is clear.
    Signalling,
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Val::I32(v) => write!(f, "i32:{v}"),
            Val::I64(v) => write!(f, "i64:{v}"),
            Val::F32(b) => write!(f, "f32:{b:#010x}"),
            Val::F64(b) => write!(f, "f64:{b:#018x}"),
            Val::V128(b) => write!(f, "v128:{b:#034x}"),
            Val::FuncRef(None) => write!(f, "funcref:null"),
            Val::FuncRef(Some(FuncId::Index(i))) => write!(f, "funcref:{i}"),
            Val::FuncRef(Some(FuncId::Foreign)) => write!(f, "funcref:foreign"),
            Val::ExternRef(None) => write!(f, "externref:null"),
            Val::ExternRef(Some(n)) => write!(f, "externref:{n}"),
            Val::ExnRef(None) => write!(f, "exnref:null"),
            Val::ExnRef(Some(ExnId(n))) => write!(f, "exnref:#{n}"),
        }
    }
}

/// Writes a list of values as `a, b, c`.
pub fn display_list(vals: &[Val]) -> String {
    vals.iter()
        .map(|v| v.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Values serialize as their notation (`"i32:7"`), so findings and JSON reports read alike.
impl serde::Serialize for Val {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Val {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Val, D::Error> {
        let text = String::deserialize(d)?;
        Val::parse(&text).ok_or_else(|| serde::de::Error::custom(format!("not a value: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_matches_the_documented_notation() {
        assert_eq!(Val::I32(7).to_string(), "i32:7");
        assert_eq!(Val::I64(-3).to_string(), "i64:-3");
        assert_eq!(Val::F32(0x7fc0_0000).to_string(), "f32:0x7fc00000");
        assert_eq!(Val::F64(1).to_string(), "f64:0x0000000000000001");
        assert_eq!(Val::FuncRef(None).to_string(), "funcref:null");
        assert_eq!(Val::ExnRef(Some(ExnId(1))).to_string(), "exnref:#1");
    }

    #[test]
    fn parse_inverts_display() {
        for v in [
            Val::I32(-1),
            Val::I64(i64::MIN),
            Val::F32(0xffc0_0001),
            Val::F64(0x7ff0_0000_0000_0001),
            Val::V128(u128::MAX),
            Val::FuncRef(Some(FuncId::Index(3))),
            Val::FuncRef(Some(FuncId::Foreign)),
            Val::ExternRef(Some(9)),
            Val::ExternRef(None),
            Val::ExnRef(Some(ExnId(2))),
            Val::ExnRef(None),
        ] {
            assert_eq!(Val::parse(&v.to_string()), Some(v), "{v}");
        }
        assert_eq!(Val::parse("i32:0xffffffff"), Some(Val::I32(-1)));
        assert_eq!(Val::parse("i32:x"), None);
        assert_eq!(Val::parse("q:1"), None);
    }

    #[test]
    fn nan_classes() {
        assert_eq!(Val::F32(0x7fc0_0000).nan_class(), Some(NanClass::Canonical));
        assert_eq!(Val::F32(0xffc0_0000).nan_class(), Some(NanClass::Canonical));
        assert_eq!(
            Val::F32(0x7fc0_0001).nan_class(),
            Some(NanClass::Arithmetic)
        );
        assert_eq!(
            Val::F32(0x7f80_0001).nan_class(),
            Some(NanClass::Signalling)
        );
        assert_eq!(Val::F32(0x7f80_0000).nan_class(), None);
        assert_eq!(
            Val::F64(0x7ff8_0000_0000_0000).nan_class(),
            Some(NanClass::Canonical)
        );
        assert_eq!(
            Val::F64(0x7ff0_0000_0000_0001).nan_class(),
            Some(NanClass::Signalling)
        );
    }
}
