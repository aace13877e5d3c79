//! libFuzzer entry points: one `run(data)` per fuzz target, each deriving a full case from a short input and crashing, at a site of its own per kind of finding, on what it finds.
//!
//! The `fuzz/` package (cargo-fuzz, oss-fuzz, ClusterFuzzLite) is one thin `fuzz_target!` per
//! module here; `catchall run FILE --target NAME` replays an input through the same derivation
//! ([`cases::replay`], [`wast::replay`]) without crashing.
//!
//! Short inputs make full cases (DESIGN.md, "Fuzz targets and short inputs"): the generators
//! read the input's own bytes first and then a deterministic stream seeded by a hash of the
//! whole input ([`expand`]), so a 4-byte input gives a full module while a mutation of the
//! prefix still changes the case locally.
//!
//! In fuzzing mode a generator that panics or makes an invalid module is a crash
//! ([`crash::generator_bug`]), never a silent fallback; a divergence crashes at the site of its
//! bucket key's kind ([`crash::report`]); a divergence confirmed to be a known engine bug
//! (`campaign::known`) is counted, not reported again.

pub mod cases;
pub mod crash;
pub mod differential;
pub mod exceptions;
pub mod idioms;
pub mod memory64;
pub mod reference;
pub mod wast;

use crate::generate::rng::Rng;
use oracles::{Engine, EngineKind};
use std::fmt;
use std::sync::OnceLock;

/// The fuzz targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Every profile (the input's first byte picks it) on every engine.
    Differential,
    /// The `exceptions` profile on every engine.
    Exceptions,
    /// The `memory64` profile on every engine.
    Memory64,
    /// The `idioms` profile on every engine.
    Idioms,
    /// wasm-smith with every feature into the reference interpreter alone.
    Reference,
    /// `.wast` commands from the official suite and the corpus on every engine.
    Wast,
}

impl Target {
    /// Every target, in the order of the `fuzz/` package.
    pub const ALL: [Target; 6] = [
        Target::Differential,
        Target::Exceptions,
        Target::Memory64,
        Target::Idioms,
        Target::Reference,
        Target::Wast,
    ];

    /// The target's name (its `fuzz/fuzz_targets/<name>.rs`).
    pub fn name(self) -> &'static str {
        match self {
            Target::Differential => "differential",
            Target::Exceptions => "exceptions",
            Target::Memory64 => "memory64",
            Target::Idioms => "idioms",
            Target::Reference => "reference",
            Target::Wast => "wast",
        }
    }

    /// The target named `name`.
    pub fn from_name(name: &str) -> Option<Target> {
        Target::ALL.into_iter().find(|t| t.name() == name)
    }

    /// Every target's name, comma-separated, for error messages.
    pub fn all_names() -> String {
        Target::ALL.map(Target::name).join(", ")
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How many bytes [`expand`] makes: enough for every scenario and for wasm-smith's largest
/// input size (the same budget as a campaign's case).
pub const EXPANDED_BYTES: usize = 48 << 10;

/// A 64-bit FNV-1a hash of `data`, the seed of [`expand`]'s stream.
pub fn input_hash(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in data {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The generator's byte stream for a fuzzer input: the input itself, then (up to
/// [`EXPANDED_BYTES`]) a deterministic stream seeded by [`input_hash`] of the whole input.
pub fn expand(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(EXPANDED_BYTES.max(data.len()));
    out.extend_from_slice(data);
    let mut rng = Rng::new(input_hash(data));
    while out.len() < EXPANDED_BYTES {
        out.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    out.truncate(EXPANDED_BYTES.max(data.len()));
    out
}

/// The engines the differential targets run when nothing else is asked for: every engine
/// catchall builds in, the reference first.
pub fn default_engines() -> &'static [Box<dyn Engine>] {
    static ENGINES: OnceLock<Vec<Box<dyn Engine>>> = OnceLock::new();
    ENGINES
        .get_or_init(|| build(&EngineKind::ALL).unwrap_or_else(|e| panic!("fuzzing engines: {e}")))
}

/// The reference and the planted engine (Cranelift with `i64.rem_u` miscompiled), for the
/// `planted` build of the `differential` target that checks the fuzzing pipeline end to end:
/// the oracle alone is enough to expose the planted bug, and one Cranelift compilation per
/// input instead of five keeps an ASan build fast enough to find it within a minute.
pub fn planted_engines() -> &'static [Box<dyn Engine>] {
    static ENGINES: OnceLock<Vec<Box<dyn Engine>>> = OnceLock::new();
    ENGINES.get_or_init(|| {
        build(&[EngineKind::Reference, EngineKind::Planted])
            .unwrap_or_else(|e| panic!("fuzzing engines: {e}"))
    })
}

fn build(kinds: &[EngineKind]) -> Result<Vec<Box<dyn Engine>>, oracles::EngineError> {
    kinds.iter().map(|k| k.build()).collect()
}

/// The engines' names, comma-separated (the `--engines` of a reproduction command).
pub fn engine_list(engines: &[&dyn Engine]) -> String {
    engines
        .iter()
        .map(|e| e.name())
        .collect::<Vec<_>>()
        .join(",")
}

/// Borrowed views of boxed engines.
pub fn refs(engines: &[Box<dyn Engine>]) -> Vec<&dyn Engine> {
    engines.iter().map(|e| e.as_ref()).collect()
}

/// Inputs for the smoke tests: `n` inputs of lengths from 0 to a few hundred bytes.
#[cfg(test)]
pub(crate) fn smoke_inputs(seed: u64, n: usize) -> Vec<Vec<u8>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let len = [0, 1, 4, 16, 64, 300][i % 6];
            (0..len).map(|_| rng.next_u64() as u8).collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in Target::ALL {
            assert_eq!(Target::from_name(t.name()), Some(t));
        }
        assert_eq!(Target::from_name("nope"), None);
    }

    #[test]
    fn expansion_keeps_the_input_as_prefix_and_depends_on_all_of_it() {
        let a = expand(&[1, 2, 3, 4]);
        let b = expand(&[1, 2, 3, 5]);
        assert_eq!(a.len(), EXPANDED_BYTES);
        assert_eq!(&a[..4], &[1, 2, 3, 4]);
        assert_ne!(a[4..], b[4..]);
        assert_eq!(a, expand(&[1, 2, 3, 4]));
        let long = vec![7u8; EXPANDED_BYTES + 10];
        assert_eq!(expand(&long), long);
    }
}
