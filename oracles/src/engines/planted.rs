//! `planted`, `planted-abort`, `planted-segv`, `planted-spin`, `planted-alloc`: deliberately broken engines for testing catchall itself (Cranelift with `i64.rem_u` miscompiled, or dying, hanging or eating memory on modules that contain it).
//!
//! Never in the default engine set; a campaign that includes one must find the planted bug
//! (and, for the fatal ones, survive it and name the engine).

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
            EngineKind::PlantedSegv => {
                "planted-segv (cranelift that segfaults on i64.rem_u)".into()
            }
            EngineKind::PlantedSpin => {
                "planted-spin (cranelift that spins forever on i64.rem_u)".into()
            }
            EngineKind::PlantedAlloc => {
                "planted-alloc (cranelift that allocates without bound on i64.rem_u)".into()
            }
            _ => "planted (cranelift with i64.rem_u miscompiled as i64.rem_s)".into(),
        }
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        if self.kind != EngineKind::Planted {
            if uses_rem_u(wasm) {
                fatal(self.kind);
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

/// What a fatal planted engine does to the process: abort, segfault, spin or allocate.
fn fatal(kind: EngineKind) {
    match kind {
        EngineKind::PlantedSegv => {
            eprintln!(
                "planted-segv: writing through an unmapped address on a module with i64.rem_u"
            );
            // A real SIGSEGV: a store to the first page, which is never mapped. wasmtime's
            // signal handler sees the fault is not in wasm code and restores the default
            // action, so the re-executed store kills the process.
            let address = std::hint::black_box(16usize) as *mut u8;
            // SAFETY: not safe at all, on purpose: the store faults and the process dies,
            // which is what this test engine exists to do.
            unsafe { std::ptr::write_volatile(address, 1) };
            std::process::abort();
        }
        EngineKind::PlantedSpin => {
            eprintln!("planted-spin: spinning forever on a module with i64.rem_u");
            let mut n = 0u64;
            loop {
                n = std::hint::black_box(n.wrapping_add(1));
            }
        }
        EngineKind::PlantedAlloc => {
            eprintln!("planted-alloc: allocating without bound on a module with i64.rem_u");
            let mut held: Vec<Vec<u8>> = Vec::new();
            loop {
                // 16 MiB at a time, every page touched, none ever freed.
                held.push(vec![0xA5; 16 << 20]);
                std::hint::black_box(&held);
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
        _ => {
            eprintln!("planted-abort: aborting the process on a module with i64.rem_u");
            std::process::abort();
        }
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
