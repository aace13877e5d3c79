//! The `reference` fuzz target: any wasm-smith module, every proposal on (SIMD, GC, threads, ...), into the reference interpreter alone, which must reject what it does not support as `Unsupported` and otherwise run within its budgets without panicking.
//!
//! No comparison: the property is the interpreter's own robustness. A decode error other than
//! `Unsupported` for a module wasm-smith made valid is a crash at
//! [`crash::reference_rejection`]; a panic inside the interpreter is not caught, so libFuzzer
//! sees it with its own stack; hangs are bounded by fuel, memory by [`Limits`] (libFuzzer's
//! `-timeout` and `-rss_limit_mb` catch what escapes them).

use super::{crash, expand, input_hash};
use crate::generate::plan;
use oracles::engines::reference::ReferenceEngine;
use oracles::{Engine, Limits, ModuleError, Outcome};

/// Fuel per step: a tenth of a campaign's, so that one input takes milliseconds.
pub const FUEL: u64 = 1_000_000;

/// What one input did.
#[derive(Debug, PartialEq)]
pub enum Ran {
    /// wasm-smith could not make a module from the input.
    NoModule,
    /// The reference rejected the module as outside its scope (the proposal named).
    Unsupported(String),
    /// The module ran: instantiation and this many calls were made.
    Ran {
        /// Calls made.
        calls: usize,
    },
}

/// A property of the target failed.
#[derive(Debug, thiserror::Error)]
pub enum Violation {
    /// The reference rejected a valid module other than as unsupported.
    #[error("the reference rejected a valid module: {0}")]
    Rejected(ModuleError),
    /// The adapter reported an internal failure in a step.
    #[error("the reference crashed in step {step}: {message}")]
    Crashed {
        /// The step (0: instantiation).
        step: usize,
        /// What it said.
        message: String,
    },
}

/// wasm-smith's configuration for an input whose first byte is `pick`: when its top bit is
/// set, every proposal wasm-smith knows (except those that re-encode bytes the spec calls
/// malformed); otherwise each proposal outside the reference's scope is on when its bit is set,
/// so that half the inputs make modules the interpreter runs rather than rejects.
pub fn config(pick: u8) -> wasm_smith::Config {
    let on = |bit: u8| pick & 0x80 != 0 || pick & (1 << bit) != 0;
    wasm_smith::Config {
        gc_enabled: on(0),
        simd_enabled: on(1),
        relaxed_simd_enabled: on(2),
        threads_enabled: on(3),
        wide_arithmetic_enabled: on(4),
        custom_page_sizes_enabled: on(5),
        exceptions_enabled: true,
        memory64_enabled: true,
        tail_call_enabled: true,
        extended_const_enabled: true,
        multi_value_enabled: true,
        reference_types_enabled: true,
        bulk_memory_enabled: true,
        // Compact imports re-encode the import section: bytes the spec calls malformed.
        compact_imports_enabled: false,
        max_memories: 4,
        max_tables: 4,
        max_funcs: 50,
        max_table_elements: 10_000,
        max_memory32_bytes: 1 << 28,
        max_memory64_bytes: 1 << 28,
        ..wasm_smith::Config::default()
    }
}

/// The module and plan an input makes (`None`: wasm-smith made none).
pub fn derive(data: &[u8]) -> Option<(Vec<u8>, oracles::Plan)> {
    let bytes = expand(data);
    let mut u = arbitrary::Unstructured::new(&bytes);
    let module =
        wasm_smith::Module::new(config(data.first().copied().unwrap_or(0)), &mut u).ok()?;
    let wasm = module.to_bytes();
    let plan = plan::for_module(&wasm, input_hash(data));
    Some((wasm, plan))
}

/// Runs one input on the reference alone; panics inside the interpreter are not caught.
pub fn check(data: &[u8]) -> Result<Ran, Violation> {
    let Some((wasm, plan)) = derive(data) else {
        return Ok(Ran::NoModule);
    };
    let engine = ReferenceEngine::new();
    let module = match engine.compile(&wasm) {
        Ok(m) => m,
        Err(ModuleError::Unsupported(what)) => return Ok(Ran::Unsupported(what)),
        Err(e) => return Err(Violation::Rejected(e)),
    };
    let mut store = engine.new_store(Limits {
        fuel: FUEL,
        ..Limits::default()
    });
    let instance = match store.instantiate(module.as_ref()) {
        Ok(Outcome::Return(id)) => id,
        Ok(Outcome::Crash(message)) | Err(ModuleError::Internal(message)) => {
            return Err(Violation::Crashed { step: 0, message });
        }
        // Traps, exceptions, exhaustion and link errors (wasm-smith's imports) are outcomes.
        Ok(_) | Err(_) => return Ok(Ran::Ran { calls: 0 }),
    };
    for (i, call) in plan.calls.iter().enumerate() {
        if let Outcome::Crash(message) = store.call(instance, &call.func, &call.args) {
            return Err(Violation::Crashed {
                step: i + 1,
                message,
            });
        }
        store.snapshot(instance);
    }
    Ok(Ran::Ran {
        calls: plan.calls.len(),
    })
}

/// Runs one fuzzer input (crashes on a violation).
pub fn run(data: &[u8]) {
    if let Err(v) = check(data) {
        let message = format!(
            "{v}\nreproduce: catchall run <crash file> --target reference (input hash {:016x})",
            input_hash(data)
        );
        match v {
            Violation::Rejected(_) => crash::reference_rejection(&message),
            Violation::Crashed { .. } => crash::engine_crash(&message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::smoke_inputs;

    #[test]
    fn smoke() {
        let (mut ran, mut unsupported) = (0, 0);
        for (i, data) in smoke_inputs(0x7ef, 400).iter().enumerate() {
            match check(data) {
                Ok(Ran::Ran { .. }) => ran += 1,
                Ok(Ran::Unsupported(_)) => unsupported += 1,
                Ok(Ran::NoModule) => {}
                Err(v) => panic!("input {i} {data:?}: {v}"),
            }
        }
        // Both paths are exercised: modules in scope run, others are rejected by name.
        assert!(
            ran > 20 && unsupported > 20,
            "{ran} ran, {unsupported} unsupported"
        );
    }
}
