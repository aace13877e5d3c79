//! The one rule by which every adapter classifies a module its engine rejected: malformed, invalid, unsupported, or an engine failure.
//!
//! An engine's error says what the engine thought, not what the module is: Winch reports a
//! validation error as `Compilation error: ...`, wasmi with its `wat` feature reports bytes
//! without the binary magic as a text syntax error, and any engine reports a proposal it lacks
//! as if the module were invalid. So no adapter reads its engine's message to classify a
//! rejection. The module is judged on its own, and only then is the rejection put down to the
//! engine:
//!
//! 1. the bytes do not decode: [`ModuleError::Malformed`];
//! 2. they decode but do not validate under [`COMPLETE`], every proposal catchall knows:
//!    [`ModuleError::Invalid`];
//! 3. otherwise the module is valid, and rejecting it is the engine's doing:
//!    [`ModuleError::Unsupported`] (the engine is skipped) when the module uses a proposal
//!    outside the engine's declared [`Features`], when the engine reports one of its
//!    implementation limits (the spec allows them), or when the engine is [`Promise::Partial`]
//!    by design; [`ModuleError::Internal`] (a finding) when a [`Promise::Complete`] engine
//!    rejects a valid module that stays within its declared features.
//!
//! Steps 1 and 2 are the reference interpreter's decoder ([`reference::decode`]), so every
//! engine draws the line between malformed, invalid and valid exactly where the oracle does.

use crate::features::Features;
use crate::module_info::ModuleInfo;
use crate::outcome::ModuleError;
use reference::DecodeError;

/// The proposals under which a module is judged valid: WebAssembly 3.0 and the proposals
/// catchall recognizes beside it (legacy exceptions, wide arithmetic, custom page sizes), the
/// set the reference interpreter uses to tell an unsupported module from an invalid one
/// ([`reference::binary::RECOGNIZED`], whose documentation says which proposals are left out
/// because they would make valid what the official test suite calls invalid).
pub const COMPLETE: wasmparser::WasmFeatures = reference::binary::RECOGNIZED;

/// What an engine promises about the valid modules that use only its declared features.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Promise {
    /// It runs every one of them (wasmtime's Cranelift and Pulley configurations): rejecting
    /// one is a bug.
    Complete,
    /// It is partial by design and may lack pieces no feature flag names (Winch, wasmi):
    /// rejecting a valid module means the engine cannot run it, and it is skipped.
    Partial,
}

/// An engine's rejection of a module, as its adapter read it from the engine's error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// The engine's message, kept in the [`ModuleError`] for reports.
    pub message: String,
    /// Whether the engine's error says that it hit one of its implementation limits. Adapters
    /// read this from the error's type where the engine has one.
    pub implementation_limit: bool,
}

impl Rejection {
    /// A rejection for a reason other than an implementation limit.
    pub fn new(message: impl Into<String>) -> Rejection {
        Rejection {
            message: message.into(),
            implementation_limit: false,
        }
    }
}

/// The reference interpreter's decoding verdict in catchall's vocabulary.
pub fn from_decode_error(error: DecodeError) -> ModuleError {
    match error {
        DecodeError::Malformed(m) => ModuleError::Malformed(m),
        DecodeError::Invalid(m) => ModuleError::Invalid(m),
        DecodeError::Unsupported { proposal, what } => {
            ModuleError::Unsupported(format!("{proposal}: {what}"))
        }
    }
}

/// Steps 1 and 2 of the rule: `Err(Malformed)` or `Err(Invalid)` with the decoder's message,
/// `Ok(())` when the module is valid under [`COMPLETE`] (whether or not the reference
/// interpreter runs it).
pub fn judge(wasm: &[u8]) -> Result<(), ModuleError> {
    match reference::decode(wasm) {
        Ok(_) | Err(DecodeError::Unsupported { .. }) => Ok(()),
        Err(e) => Err(from_decode_error(e)),
    }
}

/// Classifies an engine's rejection of `wasm` by the rule of this module. `declared` is the
/// engine's [`crate::Engine::features`]; the engine's message is kept in the error.
pub fn classify(
    wasm: &[u8],
    declared: Features,
    promise: Promise,
    rejection: Rejection,
) -> ModuleError {
    let Rejection {
        message,
        implementation_limit,
    } = rejection;
    match judge(wasm) {
        Err(ModuleError::Malformed(_)) => return ModuleError::Malformed(message),
        Err(ModuleError::Invalid(_)) => return ModuleError::Invalid(message),
        Err(other) => unreachable!("judge returns only malformed or invalid, not {other:?}"),
        Ok(()) => {}
    }
    let missing = ModuleInfo::parse(wasm)
        .map(|info| info.features.difference(declared))
        .unwrap_or_default();
    if !missing.is_empty() {
        ModuleError::Unsupported(format!("needs {missing}: {message}"))
    } else if implementation_limit {
        ModuleError::Unsupported(format!("implementation limit: {message}"))
    } else {
        match promise {
            Promise::Partial => ModuleError::Unsupported(message),
            Promise::Complete => ModuleError::Internal(format!(
                "rejected a valid module within its features: {message}"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wasm(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }

    /// A valid module that uses `externref` (reference types and gc-types).
    fn externref_module() -> Vec<u8> {
        wasm(r#"(module (func (export "f") (param externref) (result externref) (local.get 0)))"#)
    }

    #[test]
    fn bytes_that_do_not_decode_are_malformed_whatever_the_engine_said() {
        let text = b"(module)".to_vec();
        for promise in [Promise::Complete, Promise::Partial] {
            assert_eq!(
                classify(
                    &text,
                    Features::CORE,
                    promise,
                    Rejection::new("expected `(`")
                ),
                ModuleError::Malformed("expected `(`".into())
            );
        }
        let truncated = &externref_module()[..12];
        assert!(matches!(
            classify(
                truncated,
                Features::CORE,
                Promise::Complete,
                Rejection::new("x")
            ),
            ModuleError::Malformed(_)
        ));
    }

    #[test]
    fn modules_that_do_not_validate_are_invalid_even_when_the_engine_calls_it_a_compile_error() {
        let bad = wasm("(module (func (result i32) (i64.const 0)))");
        assert_eq!(
            judge(&bad),
            Err(ModuleError::Invalid(
                "type mismatch: expected i32, found i64".into()
            ))
        );
        let winch = "Compilation error: type mismatch: expected i32, found i64";
        assert_eq!(
            classify(
                &bad,
                Features::CORE,
                Promise::Partial,
                Rejection::new(winch)
            ),
            ModuleError::Invalid(winch.into())
        );
    }

    #[test]
    fn a_partial_engine_rejecting_a_valid_module_is_unsupported() {
        let m = externref_module();
        assert_eq!(judge(&m), Ok(()));
        let message = "gc types are disallowed but found type which requires gc";
        // Declared: the rejection is put down to the engine being partial.
        assert_eq!(
            classify(
                &m,
                Features::CORE | Features::GC_TYPES,
                Promise::Partial,
                Rejection::new(message)
            ),
            ModuleError::Unsupported(message.into())
        );
        // Not declared: the missing proposal is named.
        assert_eq!(
            classify(
                &m,
                Features::CORE,
                Promise::Partial,
                Rejection::new(message)
            ),
            ModuleError::Unsupported(format!("needs gc-types: {message}"))
        );
    }

    #[test]
    fn a_complete_engine_rejecting_a_valid_module_is_a_finding_unless_it_is_a_limit() {
        let m = externref_module();
        let declared = Features::CORE | Features::GC_TYPES;
        assert_eq!(
            classify(&m, declared, Promise::Complete, Rejection::new("boom")),
            ModuleError::Internal("rejected a valid module within its features: boom".into())
        );
        let limit = Rejection {
            message: "Implementation limit exceeded".into(),
            implementation_limit: true,
        };
        assert_eq!(
            classify(&m, declared, Promise::Complete, limit),
            ModuleError::Unsupported("implementation limit: Implementation limit exceeded".into())
        );
        // A complete engine given a module outside its declared features is skipped.
        assert_eq!(
            classify(
                &m,
                Features::CORE,
                Promise::Complete,
                Rejection::new("boom")
            ),
            ModuleError::Unsupported("needs gc-types: boom".into())
        );
    }

    #[test]
    fn valid_beyond_the_reference_scope_is_still_valid() {
        // SIMD is outside the reference interpreter's scope but inside COMPLETE.
        let simd = wasm("(module (func (result v128) (v128.const i64x2 0 0)))");
        assert!(matches!(
            reference::decode(&simd),
            Err(DecodeError::Unsupported { .. })
        ));
        assert_eq!(judge(&simd), Ok(()));
        assert!(COMPLETE.contains(wasmparser::WasmFeatures::SIMD));
        assert!(COMPLETE.contains(wasmparser::WasmFeatures::GC));
    }
}
