//! `planted` and `planted-abort`: deliberately broken engines for testing catchall itself — wasmtime's Cranelift
//! with one operator miscompiled (`i64.rem_u` executes as `i64.rem_s`), or aborting the process
//! on a module that contains it. Never in the default engine set; a campaign that includes one
//! must find the planted bug (and, for the aborting one, recover the case it died on).

use crate::engine::{Engine, EngineError, EngineKind, Limits, Module, Store};
use crate::engines::wasmtime::WasmtimeEngine;
use crate::features::Features;
use crate::outcome::ModuleError;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error, Reencode, RoundtripReencoder, utils};

/// Cranelift with a planted bug on modules that contain `i64.rem_u`: a miscompilation
/// ([`EngineKind::Planted`]: the operator executes as `i64.rem_s`, as if a backend swapped it)
/// or a process abort ([`EngineKind::PlantedAbort`]: like a panic inside code that cannot
/// unwind, which nothing in-process can catch).
pub struct PlantedEngine {
    kind: EngineKind,
    inner: WasmtimeEngine,
}

impl PlantedEngine {
    /// Creates the engine; `kind` is [`EngineKind::Planted`] or [`EngineKind::PlantedAbort`].
    pub fn new(kind: EngineKind) -> Result<PlantedEngine, EngineError> {
        Ok(PlantedEngine {
            kind,
            inner: WasmtimeEngine::new(EngineKind::Cranelift)?,
        })
    }
}

/// The rewrite: `i64.rem_u` becomes `i64.rem_s` (same type, different result for negative
/// operands).
struct Miscompile;

impl Reencode for Miscompile {
    type Error = Infallible;

    fn instruction<'a>(
        &mut self,
        op: wasmparser::Operator<'a>,
    ) -> Result<wasm_encoder::Instruction<'a>, Error<Infallible>> {
        match op {
            wasmparser::Operator::I64RemU => Ok(wasm_encoder::Instruction::I64RemS),
            other => RoundtripReencoder.instruction(other),
        }
    }
}

/// Applies the planted miscompilation to a module.
pub fn miscompile(wasm: &[u8]) -> Result<Vec<u8>, ModuleError> {
    let mut module = wasm_encoder::Module::new();
    utils::parse_core_module(
        &mut Miscompile,
        &mut module,
        wasmparser::Parser::new(0),
        wasm,
    )
    .map_err(|e| ModuleError::Malformed(e.to_string()))?;
    Ok(module.finish())
}

impl Engine for PlantedEngine {
    fn name(&self) -> &str {
        self.kind.name()
    }

    fn features(&self) -> Features {
        self.inner.features()
    }

    fn version(&self) -> String {
        match self.kind {
            EngineKind::PlantedAbort => "planted-abort (cranelift that aborts on i64.rem_u)".into(),
            _ => "planted (cranelift with i64.rem_u miscompiled as i64.rem_s)".into(),
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        if self.kind == EngineKind::PlantedAbort {
            if uses_rem_u(wasm) {
                eprintln!("planted-abort: aborting the process on a module with i64.rem_u");
                std::process::abort();
            }
            return self.inner.compile(wasm);
        }
        // Decoding errors are reported by the real engine on the original bytes.
        match miscompile(wasm) {
            Ok(rewritten) => self.inner.compile(&rewritten),
            Err(_) => self.inner.compile(wasm),
        }
    }

    fn new_store(&self, limits: Limits) -> Box<dyn Store> {
        self.inner.new_store(limits)
    }
}

/// Whether a module's code contains `i64.rem_u`.
fn uses_rem_u(wasm: &[u8]) -> bool {
    wasmparser::Parser::new(0).parse_all(wasm).any(|payload| {
        let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload else {
            return false;
        };
        let Ok(mut reader) = body.get_operators_reader() else {
            return false;
        };
        while !reader.eof() {
            match reader.read() {
                Ok(wasmparser::Operator::I64RemU) => return true,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operators of a module's code, in debug notation.
    fn operators(wasm: &[u8]) -> Vec<String> {
        let mut ops = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            if let Ok(wasmparser::Payload::CodeSectionEntry(body)) = payload {
                let mut reader = body.get_operators_reader().unwrap();
                while !reader.eof() {
                    ops.push(format!("{:?}", reader.read().unwrap()));
                }
            }
        }
        ops
    }

    #[test]
    fn the_rewrite_swaps_only_rem_u() {
        let wasm = wat::parse_str(
            r#"(module (func (export "f") (param i64 i64) (result i64)
                 (i64.add (i64.rem_u (local.get 0) (local.get 1)) (i64.const 1))))"#,
        )
        .unwrap();
        let before = operators(&wasm);
        let after = operators(&miscompile(&wasm).unwrap());
        assert!(before.contains(&"I64RemU".to_string()));
        let expected: Vec<String> = before
            .iter()
            .map(|o| {
                if o == "I64RemU" {
                    "I64RemS".into()
                } else {
                    o.clone()
                }
            })
            .collect();
        assert_eq!(after, expected);
    }
}
