//! `Features`: the WebAssembly proposals a module uses and an engine supports, as a small bit set.

use std::fmt;

/// A set of WebAssembly proposals.
///
/// Used twice: what a module uses ([`crate::ModuleInfo::features`]) and what an engine supports
/// ([`crate::Engine::features`]). A module runs on an engine when the first is a subset of the
/// second; otherwise the engine is reported as skipped with the missing proposals named.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Features(u32);

macro_rules! features {
    ($($(#[$doc:meta])* $name:ident = $bit:expr, $text:literal;)*) => {
        impl Features {
            $($(#[$doc])* pub const $name: Features = Features(1 << $bit);)*

            /// Every proposal catchall knows, with its name.
            pub const ALL: &'static [(Features, &'static str)] = &[$((Features::$name, $text)),*];
        }
    };
}

features! {
    /// Exception handling (`try_table`, `throw`, `throw_ref`, `exnref`, tags).
    EXCEPTIONS = 0, "exceptions";
    /// The legacy exception handling instructions (`try`, `catch`, `rethrow`, `delegate`).
    LEGACY_EXCEPTIONS = 1, "legacy-exceptions";
    /// 64-bit memories and tables.
    MEMORY64 = 2, "memory64";
    /// More than one memory.
    MULTI_MEMORY = 3, "multi-memory";
    /// `return_call` and `return_call_indirect`.
    TAIL_CALL = 4, "tail-call";
    /// 128-bit SIMD.
    SIMD = 5, "simd";
    /// Relaxed SIMD.
    RELAXED_SIMD = 6, "relaxed-simd";
    /// Threads and atomics, shared memories.
    THREADS = 7, "threads";
    /// Garbage collection types and instructions.
    GC = 8, "gc";
    /// Typed function references.
    FUNCTION_REFERENCES = 9, "function-references";
    /// Wide arithmetic.
    WIDE_ARITHMETIC = 10, "wide-arithmetic";
    /// Stack switching.
    STACK_SWITCHING = 11, "stack-switching";
    /// Custom page sizes.
    CUSTOM_PAGE_SIZES = 12, "custom-page-sizes";
    /// Extended constant expressions.
    EXTENDED_CONST = 13, "extended-const";
    /// Bulk memory and table operations.
    BULK_MEMORY = 14, "bulk-memory";
    /// Reference types.
    REFERENCE_TYPES = 15, "reference-types";
    /// Multiple results and block parameters.
    MULTI_VALUE = 16, "multi-value";
    /// Sign-extension operators.
    SIGN_EXTENSION = 17, "sign-extension";
    /// Non-trapping float-to-int conversions.
    SATURATING_FLOAT_TO_INT = 18, "saturating-float-to-int";
    /// Reference types whose values live in a garbage-collected heap: a reference to any
    /// abstract heap type but `func` and `exn` (so `externref`, and the GC proposal's `anyref`,
    /// `nullfuncref`, ...) anywhere — a parameter, result, local, global, table, block type,
    /// `select` or `ref.null` type, element segment — and struct, array and continuation type
    /// definitions. Not a proposal but a refinement of [`Features::REFERENCE_TYPES`] and
    /// [`Features::GC`]: exactly what wasmparser's `gc_types` switch gates, which wasmtime
    /// turns off in a configuration without `gc_support` (Winch). `funcref`, `exnref` and
    /// typed references to function types do not need it.
    GC_TYPES = 20, "gc-types";
    /// A constant expression (a global's initializer, a segment offset, an element expression,
    /// a table initializer) that reads a global the module defines itself with `global.get`.
    /// Before WebAssembly 3.0 only imported globals could be read there; 3.0 took the
    /// relaxation from the GC proposal, and wasmparser gates it with `gc`, so engines without
    /// GC (wasmi 2.0, Winch) reject such modules.
    CONST_GLOBAL_GET = 21, "const-global-get";
    /// A proposal catchall has no name for (shared-everything, memory control, ...).
    OTHER = 19, "other";
}

impl Features {
    /// The empty set.
    pub const NONE: Features = Features(0);

    /// The WebAssembly 2.0 core features every engine supports (`externref` also needs
    /// [`Features::GC_TYPES`], which not every engine has).
    pub const CORE: Features = Features(
        Features::BULK_MEMORY.0
            | Features::REFERENCE_TYPES.0
            | Features::MULTI_VALUE.0
            | Features::SIGN_EXTENSION.0
            | Features::SATURATING_FLOAT_TO_INT.0,
    );

    /// The union of two sets.
    pub const fn union(self, other: Features) -> Features {
        Features(self.0 | other.0)
    }

    /// Whether every proposal of `other` is in `self`.
    pub const fn contains(self, other: Features) -> bool {
        self.0 & other.0 == other.0
    }

    /// The proposals of `self` that are not in `other`.
    pub const fn difference(self, other: Features) -> Features {
        Features(self.0 & !other.0)
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Adds `other` to the set.
    pub fn insert(&mut self, other: Features) {
        self.0 |= other.0;
    }

    /// The names of the proposals in the set.
    pub fn names(self) -> Vec<&'static str> {
        Features::ALL
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
            .collect()
    }

    /// Parses a proposal name as written by [`Features::names`].
    pub fn from_name(name: &str) -> Option<Features> {
        Features::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(f, _)| *f)
    }
}

impl std::ops::BitOr for Features {
    type Output = Features;
    fn bitor(self, rhs: Features) -> Features {
        self.union(rhs)
    }
}

impl fmt::Display for Features {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.names().join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_operations_and_names() {
        let f = Features::EXCEPTIONS | Features::MEMORY64;
        assert!(f.contains(Features::EXCEPTIONS));
        assert!(!f.contains(Features::SIMD));
        assert_eq!(f.difference(Features::MEMORY64), Features::EXCEPTIONS);
        assert_eq!(f.to_string(), "exceptions, memory64");
        assert_eq!(Features::from_name("tail-call"), Some(Features::TAIL_CALL));
        assert_eq!(Features::from_name("nope"), None);
    }
}
