//! `reshape`: a re-encoding pass over generated modules that moves static memory offsets onto
//! interesting values (at the bound, near 2^32 and 2^64) and widens the declared maximum of
//! 64-bit memories past 4 GiB, without changing anything else.

use crate::generate::addresses::{self, PAGE};
use crate::generate::rng::Rng;
use std::convert::Infallible;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode, utils};

/// What the pass changes.
///
/// wasm-smith chooses a static offset from the memory's limits (`memory_offset_choices`): in
/// bounds, between minimum and maximum, or past the maximum, uniformly within each range. For
/// a 64-bit memory without a maximum the last two ranges span 2^64 values, so offsets almost
/// never land within a few bytes of the bound or of 2^32. This pass fixes that after the fact.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Reshape {
    /// Percentage (0..=100) of load and store immediates whose offset is replaced by
    /// [`addresses::interesting`] for the memory and the access width.
    ///
    /// Defaults to 0. Interacts with `memory_offset_choices`: the rest keep wasm-smith's
    /// offsets.
    pub offset_percent: u32,
    /// A new declared maximum, in pages, for every 64-bit memory, when set. The value is
    /// raised to at least the memory's minimum. Widening a maximum never invalidates a module
    /// (only accesses and grows consult it), and it changes the bounds-checking strategy an
    /// engine may pick.
    ///
    /// Defaults to `None` (keep). A maximum above 65536 pages declares more than 4 GiB.
    pub widen_memory64_max: Option<u64>,
    /// Seed for the offsets chosen.
    pub seed: u64,
}

impl Reshape {
    /// Whether the pass changes anything.
    pub fn is_identity(&self) -> bool {
        self.offset_percent == 0 && self.widen_memory64_max.is_none()
    }

    /// Applies the pass to `wasm`, a module that decodes.
    pub fn apply(&self, wasm: &[u8]) -> Result<Vec<u8>, ReencodeError<Infallible>> {
        if self.is_identity() {
            return Ok(wasm.to_vec());
        }
        let mut pass = Pass {
            rng: Rng::new(self.seed),
            reshape: *self,
            memories: Vec::new(),
        };
        let mut module = wasm_encoder::Module::new();
        pass.parse_core_module(&mut module, wasmparser::Parser::new(0), wasm)?;
        Ok(module.finish())
    }
}

struct Pass {
    rng: Rng,
    reshape: Reshape,
    /// (64-bit, minimum bytes) of every memory, in index order.
    memories: Vec<(bool, u64)>,
}

impl Reencode for Pass {
    type Error = Infallible;

    fn memory_type(
        &mut self,
        ty: wasmparser::MemoryType,
    ) -> Result<wasm_encoder::MemoryType, ReencodeError<Infallible>> {
        let mut out = utils::memory_type(self, ty);
        let page = ty.page_size_log2.map_or(PAGE, |l| 1 << l);
        self.memories
            .push((ty.memory64, ty.initial.saturating_mul(page)));
        if ty.memory64
            && let Some(max) = self.reshape.widen_memory64_max
        {
            out.maximum = Some(max.max(ty.initial));
        }
        Ok(out)
    }

    fn mem_arg(
        &mut self,
        arg: wasmparser::MemArg,
    ) -> Result<wasm_encoder::MemArg, ReencodeError<Infallible>> {
        let mut out = utils::mem_arg(self, arg)?;
        if let wasmparser::MemArgTarget::Memory(m) = arg.target
            && let Some(&(mem64, bytes)) = self.memories.get(m as usize)
            && self.rng.chance(u64::from(self.reshape.offset_percent), 100)
        {
            out.offset = addresses::interesting(&mut self.rng, bytes, mem64, 1 << arg.max_align);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offsets(wasm: &[u8]) -> Vec<u64> {
        let mut out = Vec::new();
        for payload in wasmparser::Parser::new(0).parse_all(wasm) {
            if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
                let mut ops = body.get_operators_reader().unwrap();
                while !ops.eof() {
                    if let wasmparser::Operator::I64Load { memarg } = ops.read().unwrap() {
                        out.push(memarg.offset);
                    }
                }
            }
        }
        out
    }

    #[test]
    fn offsets_move_and_maxima_widen() {
        let wasm = wat::parse_str(
            r#"(module (memory i64 1 2)
                 (func (param i64) (result i64)
                   local.get 0 i64.load offset=3
                   local.get 0 i64.load offset=3 i64.add))"#,
        )
        .unwrap();
        let reshape = Reshape {
            offset_percent: 100,
            widen_memory64_max: Some(65537),
            seed: 1,
        };
        let out = reshape.apply(&wasm).unwrap();
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&out)
            .unwrap();
        let info = oracles::ModuleInfo::parse(&out).unwrap();
        assert_eq!(info.memories[0].max, Some(65537));
        assert!(offsets(&out).iter().all(|&o| o != 3), "{:?}", offsets(&out));
        assert_eq!(Reshape::default().apply(&wasm).unwrap(), wasm);
    }
}
