//! Error categories kept apart as the spec interpreter keeps them: decoding, linking, traps, uncaught exceptions and exhaustion.

use crate::exec::ExnAddr;
use crate::exec::numerics::NumericError;

/// Why a binary cannot become a [`crate::syntax::Module`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not a well-formed binary module (spec chapter 5).
    #[error("malformed module: {0}")]
    Malformed(String),
    /// The module does not validate (spec chapter 3).
    #[error("invalid module: {0}")]
    Invalid(String),
    /// The module is valid but uses a proposal outside the reference's scope.
    #[error("unsupported proposal {proposal}: {what}")]
    Unsupported {
        /// The proposal, as the WebAssembly proposals repository names it (`simd`, `gc`, ...).
        proposal: &'static str,
        /// What in the module needs it.
        what: String,
    },
}

/// A trap (spec 4.4: the `trap` administrative instruction), with the spec interpreter's message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Trap {
    /// `unreachable` executed.
    #[error("unreachable")]
    Unreachable,
    /// A memory access, bulk memory operation or data segment out of bounds, or an effective
    /// address that overflows.
    #[error("out of bounds memory access")]
    MemoryOutOfBounds,
    /// A table access, bulk table operation or element segment out of bounds.
    #[error("out of bounds table access")]
    TableOutOfBounds,
    /// `call_indirect` with an index past the end of the table.
    #[error("undefined element")]
    UndefinedElement,
    /// `call_indirect` of a null table element.
    #[error("uninitialized element")]
    UninitializedElement,
    /// `call_indirect` of a function of another type.
    #[error("indirect call type mismatch")]
    IndirectCallTypeMismatch,
    /// Integer division or remainder by zero.
    #[error("integer divide by zero")]
    IntegerDivideByZero,
    /// Signed division overflow or float-to-integer truncation out of range.
    #[error("integer overflow")]
    IntegerOverflow,
    /// Float-to-integer truncation of NaN.
    #[error("invalid conversion to integer")]
    InvalidConversionToInteger,
    /// `throw_ref` of a null exception reference.
    #[error("null exception reference")]
    NullExceptionReference,
}

impl Trap {
    /// The spec interpreter's message for this trap.
    pub fn message(self) -> &'static str {
        match self {
            Trap::Unreachable => "unreachable",
            Trap::MemoryOutOfBounds => "out of bounds memory access",
            Trap::TableOutOfBounds => "out of bounds table access",
            Trap::UndefinedElement => "undefined element",
            Trap::UninitializedElement => "uninitialized element",
            Trap::IndirectCallTypeMismatch => "indirect call type mismatch",
            Trap::IntegerDivideByZero => "integer divide by zero",
            Trap::IntegerOverflow => "integer overflow",
            Trap::InvalidConversionToInteger => "invalid conversion to integer",
            Trap::NullExceptionReference => "null exception reference",
        }
    }
}

impl From<NumericError> for Trap {
    fn from(e: NumericError) -> Trap {
        match e {
            NumericError::IntegerDivideByZero => Trap::IntegerDivideByZero,
            NumericError::IntegerOverflow => Trap::IntegerOverflow,
            NumericError::InvalidConversionToInteger => Trap::InvalidConversionToInteger,
        }
    }
}

/// A budget ran out. Deterministic, but not a WebAssembly result.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Exhaustion {
    /// The call-depth budget or the operand-stack budget ran out.
    #[error("call stack exhausted")]
    CallStack,
    /// The instruction fuel ran out.
    #[error("fuel exhausted")]
    Fuel,
}

/// Why a computation stopped without returning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    /// A trap.
    #[error("trap: {0}")]
    Trap(Trap),
    /// An exception escaped to the host; the exception object lives in the store.
    #[error("uncaught exception {0:?}")]
    Exception(ExnAddr),
    /// A budget ran out.
    #[error("exhausted: {0}")]
    Exhaustion(Exhaustion),
}

impl From<Trap> for Stop {
    fn from(t: Trap) -> Stop {
        Stop::Trap(t)
    }
}

/// Why instantiation failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InstantiateError {
    /// The imports do not match the module's import types (spec 4.5.4 step 3-4), before any
    /// allocation.
    #[error("unlinkable: {0}")]
    Unlinkable(String),
    /// A declared minimum size exceeds the store's limits.
    #[error("resource limit: {0}")]
    Resource(String),
    /// Segment initialization or the start function trapped, threw or ran out of a budget. The
    /// instance was allocated (and side effects on shared state persist) but is not usable.
    #[error("instantiation stopped: {stop}")]
    Stopped {
        /// The allocated instance, to resolve identities (tags of an escaping exception).
        instance: crate::exec::InstAddr,
        /// What happened.
        stop: Stop,
    },
}
