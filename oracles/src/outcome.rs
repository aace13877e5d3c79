//! `Outcome`, `Trap`/`TrapKind`, `Thrown`, `ModuleError` and the state `Snapshot` after each step.

use crate::value::{ExnId, Val, display_list};
use std::fmt;

/// What one step (an instantiation or a call) did, on one engine.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome<T> {
    /// The step completed: values for a call, an instance for an instantiation.
    Return(T),
    /// A WebAssembly trap. Traps are never caught by WebAssembly code.
    Trap(Trap),
    /// An exception escaped to the host.
    Exception(Thrown),
    /// A resource ran out: call stack, fuel, time or a host limit. Never a bug by itself; it
    /// poisons the rest of the case.
    Exhaustion(Exhaustion),
    /// The engine failed in a way no WebAssembly semantics explains: a panic inside the engine
    /// or an internal error. Always a finding.
    Crash(String),
}

impl<T> Outcome<T> {
    /// Maps the returned value, keeping every other outcome.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Return(t) => Outcome::Return(f(t)),
            Outcome::Trap(t) => Outcome::Trap(t),
            Outcome::Exception(e) => Outcome::Exception(e),
            Outcome::Exhaustion(e) => Outcome::Exhaustion(e),
            Outcome::Crash(c) => Outcome::Crash(c),
        }
    }

    /// The kind of outcome as a short lowercase word (`return`, `trap`, `exception`, ...).
    pub fn kind_name(&self) -> &'static str {
        match self {
            Outcome::Return(_) => "return",
            Outcome::Trap(_) => "trap",
            Outcome::Exception(_) => "exception",
            Outcome::Exhaustion(_) => "exhaustion",
            Outcome::Crash(_) => "crash",
        }
    }
}

impl fmt::Display for Outcome<Vec<Val>> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Return(vals) if vals.is_empty() => f.write_str("ok"),
            Outcome::Return(vals) => f.write_str(&display_list(vals)),
            other => fmt_non_return(other, f),
        }
    }
}

/// Writes every outcome but `Return` in the notation of the side-by-side tables.
pub fn fmt_non_return<T>(o: &Outcome<T>, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    match o {
        Outcome::Return(_) => f.write_str("ok"),
        Outcome::Trap(t) => write!(f, "trap {}", t.kind.short_name()),
        Outcome::Exception(e) => write!(f, "exn {e}"),
        Outcome::Exhaustion(e) => write!(f, "exhausted {e}"),
        Outcome::Crash(c) => write!(f, "CRASH {c}"),
    }
}

/// Where an engine crashed, normalized so that one bug gives one site whatever module triggered
/// it: for a caught panic (`panic at <file>:<line>: <message>`, as the differential driver
/// writes it) the file, without the build machine's registry or checkout prefix, and the line;
/// for an internal error without a location, its message with every number replaced by `N`
/// (at most 80 characters).
pub fn crash_site(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("panic at ")
        && let Some((location, _)) = rest.split_once(": ")
    {
        return normalize_source_path(location);
    }
    let text = message.strip_prefix("panic: ").unwrap_or(message);
    let first = text.lines().next().unwrap_or_default();
    let mut out = String::new();
    let mut in_number = false;
    for c in first.chars() {
        if c.is_ascii_digit() {
            if !in_number {
                out.push('N');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
        if out.len() >= 80 {
            break;
        }
    }
    out.trim().to_string()
}

/// A source path as a crash site names it: from the crate folder on (`wasmtime-48.0.8/src/..`
/// for a registry crate, `oracles/src/..` for a workspace file).
fn normalize_source_path(location: &str) -> String {
    let location = location.replace('\\', "/");
    for marker in ["/registry/src/", "/git/checkouts/"] {
        if let Some(i) = location.find(marker) {
            let rest = &location[i + marker.len()..];
            // Skip the registry folder (`index.crates.io-<hash>/`).
            return rest.split_once('/').map_or(rest, |(_, r)| r).to_string();
        }
    }
    if let Some(i) = location.find("/rustc/") {
        let rest = &location[i + "/rustc/".len()..];
        return format!("rustc/{}", rest.split_once('/').map_or(rest, |(_, r)| r));
    }
    location.to_string()
}

/// A trap as an engine reported it.
#[derive(Clone, Debug)]
pub struct Trap {
    /// The canonical kind every engine's trap code is mapped onto; this is what is compared.
    pub kind: TrapKind,
    /// The engine's own message. Engines that promise the spec's messages
    /// ([`crate::Engine::spec_messages`]) are checked against it by prefix.
    pub message: String,
}

impl Trap {
    /// A trap of `kind` whose message is the spec's text for that kind.
    pub fn spec(kind: TrapKind) -> Trap {
        let message = kind.spec_message().to_string();
        Trap { kind, message }
    }
}

/// Traps compare by kind: messages are engine-specific.
impl PartialEq for Trap {
    fn eq(&self, other: &Trap) -> bool {
        self.kind == other.kind
    }
}

/// The canonical trap kinds. Every engine adapter maps its own trap codes onto these.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum TrapKind {
    /// `unreachable` executed.
    Unreachable,
    /// A memory access, memory bulk operation or data segment out of bounds.
    MemoryOutOfBounds,
    /// A table access, table bulk operation, element segment or `call_indirect` index out of
    /// bounds.
    TableOutOfBounds,
    /// `call_indirect` on a null table element.
    IndirectCallNull,
    /// `call_indirect` whose callee has another signature.
    IndirectCallBadSignature,
    /// Integer division or remainder by zero.
    IntegerDivideByZero,
    /// Signed integer division overflow, or a float-to-integer conversion out of range.
    IntegerOverflow,
    /// A float-to-integer conversion of NaN.
    BadConversionToInteger,
    /// A null reference where a non-null one is required: `throw_ref` of null, `call_ref` of
    /// null.
    NullReference,
    /// A GC cast failure (outside catchall's scope; mapped so that it is not lost).
    CastFailure,
    /// A trap the adapter could not map; carries the engine's text.
    Other(String),
}

impl TrapKind {
    /// The message text of the spec's reference interpreter for this kind (the text the official
    /// test suite's `assert_trap` directives use).
    pub fn spec_message(&self) -> &str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "out of bounds memory access",
            TrapKind::TableOutOfBounds => "out of bounds table access",
            TrapKind::IndirectCallNull => "uninitialized element",
            TrapKind::IndirectCallBadSignature => "indirect call type mismatch",
            TrapKind::IntegerDivideByZero => "integer divide by zero",
            TrapKind::IntegerOverflow => "integer overflow",
            TrapKind::BadConversionToInteger => "invalid conversion to integer",
            TrapKind::NullReference => "null reference",
            TrapKind::CastFailure => "cast failure",
            TrapKind::Other(s) => s,
        }
    }

    /// The kind a spec test's expected trap message denotes, `None` for messages that are not
    /// about a trap kind catchall knows.
    pub fn from_spec_message(message: &str) -> Option<TrapKind> {
        let m = message;
        Some(if m.starts_with("unreachable") {
            TrapKind::Unreachable
        } else if m.starts_with("out of bounds memory access") || m.starts_with("memory access") {
            TrapKind::MemoryOutOfBounds
        } else if m.starts_with("out of bounds table access") || m.starts_with("undefined element")
        {
            TrapKind::TableOutOfBounds
        } else if m.starts_with("uninitialized element") {
            TrapKind::IndirectCallNull
        } else if m.starts_with("indirect call type mismatch") {
            TrapKind::IndirectCallBadSignature
        } else if m.starts_with("integer divide by zero") {
            TrapKind::IntegerDivideByZero
        } else if m.starts_with("integer overflow") {
            TrapKind::IntegerOverflow
        } else if m.starts_with("invalid conversion to integer") {
            TrapKind::BadConversionToInteger
        } else if m.starts_with("null") {
            TrapKind::NullReference
        } else if m.starts_with("cast failure") {
            TrapKind::CastFailure
        } else {
            return None;
        })
    }

    /// A short name for tables: `oob`, `div0`, ...
    pub fn short_name(&self) -> &str {
        match self {
            TrapKind::Unreachable => "unreachable",
            TrapKind::MemoryOutOfBounds => "oob",
            TrapKind::TableOutOfBounds => "table-oob",
            TrapKind::IndirectCallNull => "null-element",
            TrapKind::IndirectCallBadSignature => "bad-signature",
            TrapKind::IntegerDivideByZero => "div0",
            TrapKind::IntegerOverflow => "overflow",
            TrapKind::BadConversionToInteger => "bad-conversion",
            TrapKind::NullReference => "null-ref",
            TrapKind::CastFailure => "cast",
            TrapKind::Other(s) => s,
        }
    }
}

impl fmt::Display for TrapKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// Why an engine stopped without a WebAssembly-level result.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Exhaustion {
    /// The call stack (depth budget or native stack) ran out.
    CallStack,
    /// The instruction fuel ran out.
    Fuel,
    /// A wall-clock deadline passed.
    Deadline,
    /// A host resource limit (allocation failure, a grow refused for host reasons).
    Resource(String),
}

impl Exhaustion {
    /// A stable lowercase name, used as the poison reason in statistics.
    pub fn name(&self) -> &'static str {
        match self {
            Exhaustion::CallStack => "call-stack",
            Exhaustion::Fuel => "fuel",
            Exhaustion::Deadline => "deadline",
            Exhaustion::Resource(_) => "resource",
        }
    }
}

impl fmt::Display for Exhaustion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exhaustion::Resource(r) => write!(f, "resource ({r})"),
            other => f.write_str(other.name()),
        }
    }
}

/// The identity of a tag as the host can observe it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TagId {
    /// The tag's index in the observed instance's tag index space, `None` when the tag belongs
    /// to no index space of that instance.
    pub index: Option<u32>,
    /// The tag's export name in the original module, where it is exported.
    pub name: Option<String>,
}

impl fmt::Display for TagId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.name, self.index) {
            (Some(n), _) => write!(f, "${n}"),
            (None, Some(i)) => write!(f, "tag{i}"),
            (None, None) => f.write_str("foreign-tag"),
        }
    }
}

/// An exception object the host observed: escaping a call, or held by an `exnref` the host saw.
#[derive(Clone, Debug, PartialEq)]
pub struct Thrown {
    /// The exception's tag.
    pub tag: TagId,
    /// Its payload, in the tag's parameter order.
    pub payload: Vec<Val>,
    /// Its identity among the exception objects this store's host has seen.
    pub id: ExnId,
}

impl fmt::Display for Thrown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({})", self.tag, display_list(&self.payload))
    }
}

/// Why a module could not be compiled or linked. Unlike a trap during instantiation (the start
/// function, segment initialization), these happen before any code runs.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ModuleError {
    /// The bytes are not a WebAssembly binary.
    #[error("malformed module: {0}")]
    Malformed(String),
    /// The module does not validate.
    #[error("invalid module: {0}")]
    Invalid(String),
    /// An import could not be resolved or has the wrong type.
    #[error("unlinkable module: {0}")]
    Unlinkable(String),
    /// The engine does not support something the valid module uses (a proposal, or one of
    /// its implementation limits); the engine is skipped.
    #[error("unsupported by this engine: {0}")]
    Unsupported(String),
    /// The engine failed internally: it panicked, or an engine that promises to run every
    /// valid module within its features rejected one (see [`crate::rejection`]). A finding.
    #[error("engine failure: {0}")]
    Internal(String),
}

impl ModuleError {
    /// A short lowercase name of the error kind.
    pub fn kind_name(&self) -> &'static str {
        match self {
            ModuleError::Malformed(_) => "malformed",
            ModuleError::Invalid(_) => "invalid",
            ModuleError::Unlinkable(_) => "unlinkable",
            ModuleError::Unsupported(_) => "unsupported",
            ModuleError::Internal(_) => "internal",
        }
    }
}

/// The index type of a memory or table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IndexType {
    /// 32-bit addresses.
    I32,
    /// 64-bit addresses (memory64 / table64).
    I64,
}

impl fmt::Display for IndexType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            IndexType::I32 => "i32",
            IndexType::I64 => "i64",
        })
    }
}

/// The observable state of one memory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryState {
    /// The memory's index in the instance's memory index space.
    pub index: u32,
    /// Its index type.
    pub index_type: IndexType,
    /// Its current size in 64 KiB pages.
    pub pages: u64,
    /// A digest of its contents ([`crate::digest::MemoryDigest`]).
    pub digest: u64,
}

/// The observable state of one global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GlobalState {
    /// The global's index in the instance's global index space.
    pub index: u32,
    /// Its current value.
    pub value: Val,
}

/// The observable state of one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableState {
    /// The table's index in the instance's table index space.
    pub index: u32,
    /// Its index type.
    pub index_type: IndexType,
    /// Its current size in elements.
    pub size: u64,
    /// Its elements, as identities.
    pub elements: Vec<Val>,
}

/// Everything the host can observe about an instance after a step: every memory, global and
/// table reachable through its exports (all of them once [`crate::expose`] ran), and every
/// exception object the host has seen so far, by [`ExnId`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Memories, by index.
    pub memories: Vec<MemoryState>,
    /// Globals, by index.
    pub globals: Vec<GlobalState>,
    /// Tables, by index.
    pub tables: Vec<TableState>,
    /// Exception objects seen by the host, in [`ExnId`] order (`exceptions[0]` is `#1`).
    pub exceptions: Vec<Thrown>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_messages_round_trip_through_kinds() {
        for kind in [
            TrapKind::Unreachable,
            TrapKind::MemoryOutOfBounds,
            TrapKind::TableOutOfBounds,
            TrapKind::IndirectCallNull,
            TrapKind::IndirectCallBadSignature,
            TrapKind::IntegerDivideByZero,
            TrapKind::IntegerOverflow,
            TrapKind::BadConversionToInteger,
            TrapKind::NullReference,
        ] {
            assert_eq!(TrapKind::from_spec_message(kind.spec_message()), Some(kind));
        }
        assert_eq!(
            TrapKind::from_spec_message("undefined element"),
            Some(TrapKind::TableOutOfBounds)
        );
        assert_eq!(
            TrapKind::from_spec_message("null exception reference"),
            Some(TrapKind::NullReference)
        );
        assert_eq!(TrapKind::from_spec_message("whatever"), None);
    }

    #[test]
    fn traps_compare_by_kind_only() {
        let a = Trap {
            kind: TrapKind::Unreachable,
            message: "wasm trap: unreachable".into(),
        };
        assert_eq!(a, Trap::spec(TrapKind::Unreachable));
        assert_ne!(a, Trap::spec(TrapKind::IntegerOverflow));
    }

    #[test]
    fn outcome_notation() {
        let exn = Thrown {
            tag: TagId {
                index: Some(0),
                name: Some("e".into()),
            },
            payload: vec![Val::I32(1), Val::I64(2)],
            id: ExnId(1),
        };
        assert_eq!(
            Outcome::<Vec<Val>>::Exception(exn).to_string(),
            "exn $e(i32:1, i64:2)"
        );
        assert_eq!(
            Outcome::<Vec<Val>>::Trap(Trap::spec(TrapKind::MemoryOutOfBounds)).to_string(),
            "trap oob"
        );
        assert_eq!(Outcome::Return(vec![Val::I32(7)]).to_string(), "i32:7");
    }

    #[test]
    fn crash_sites_drop_columns_prefixes_and_numbers() {
        assert_eq!(
            crash_site(
                "panic at /root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/\
                 wasmtime-48.0.8/src/runtime/memory.rs:412: grow of 3 pages"
            ),
            "wasmtime-48.0.8/src/runtime/memory.rs:412"
        );
        assert_eq!(
            crash_site("panic at oracles/src/engines/x.rs:7: boom"),
            "oracles/src/engines/x.rs:7"
        );
        assert_eq!(
            crash_site("no exported function \"f12\" in 3 ways"),
            "no exported function \"fN\" in N ways"
        );
    }
}
