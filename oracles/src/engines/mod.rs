//! The engine adapters, one file per engine family, and the constructor for each `EngineKind`.

pub mod mutants;
pub mod planted;
pub mod reference;
pub mod spectest;
pub mod wasmi;
pub mod wasmtime;

use crate::engine::{Engine, EngineError, EngineKind};

/// Creates the engine for `kind`.
pub fn build(kind: EngineKind) -> Result<Box<dyn Engine>, EngineError> {
    match kind {
        EngineKind::Wasmi => Ok(Box::new(wasmi::WasmiEngine::new())),
        EngineKind::Planted
        | EngineKind::PlantedAbort
        | EngineKind::PlantedSegv
        | EngineKind::PlantedSpin
        | EngineKind::PlantedAlloc => Ok(Box::new(planted::PlantedEngine::new(kind)?)),
        EngineKind::Reference => Ok(Box::new(reference::ReferenceEngine::new())),
        EngineKind::Mutant(i) => Ok(Box::new(mutants::MutantEngine::new(i)?)),
        _ => wasmtime::build(kind),
    }
}
