//! Generation: each case — a module, its invocation plan and a description of how it was made —
//! is a pure function of (campaign seed, case index, profile), from a swarm over wasm-smith,
//! from catchall's own exception and memory64 scenarios, or from the idiom generator (the
//! operand shapes compilers and interpreters special-case).

pub mod addresses;
pub mod args;
pub mod choices;
pub mod idioms;
pub mod plan;
pub mod reshape;
pub mod rng;
pub mod scenario;
pub mod swarm;

#[cfg(test)]
mod measure;
#[cfg(test)]
mod probe;

use choices::Choices;
use oracles::differential::Plan;
use rng::Rng;
use scenario::config::ScenarioConfig;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use swarm::Lean;

/// Which mix of generators a campaign draws from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Profile {
    /// The default, which feeds every engine: about 40% of cases without exceptions (idiom
    /// modules and wasm-smith with exceptions off, for wasmi and Winch too) and 60% in which
    /// exceptions fly (idiom modules with exceptions, exception webs, memory64 kernels,
    /// throw-heavy wasm-smith). See `mix` for the weights.
    Mixed,
    /// Exception webs (55%), idiom modules that all use exceptions (30%), and wasm-smith with
    /// exceptions forced on and throw-heavy swarm choices (15%).
    Exceptions,
    /// Memory64 scenarios, plus wasm-smith with memory64 forced on, memory-heavy swarm
    /// choices and reshaped offsets, and idiom modules with a 64-bit memory.
    Memory64,
    /// wasm-smith only, no scenarios: the swarm with exceptions and memory64 both enabled
    /// and at least one memory in every module (tags may be absent, so some modules run on
    /// engines without exceptions too); SIMD off and NaNs canonicalized as always.
    Smith,
    /// The idiom generator alone (`src/generate/idioms/`): small functions built from the
    /// shapes compilers and interpreters special-case, with boundary constants; 40% of the
    /// modules use exceptions.
    Idioms,
}

impl Profile {
    /// Every profile.
    pub const ALL: [Profile; 5] = [
        Profile::Mixed,
        Profile::Exceptions,
        Profile::Memory64,
        Profile::Smith,
        Profile::Idioms,
    ];

    /// The profile named `name` (as [`Profile::name`] spells it).
    pub fn from_name(name: &str) -> Option<Profile> {
        Profile::ALL.into_iter().find(|p| p.name() == name)
    }

    /// The profile's name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Mixed => "mixed",
            Profile::Exceptions => "exceptions",
            Profile::Memory64 => "memory64",
            Profile::Smith => "smith",
            Profile::Idioms => "idioms",
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which generator made a case: its identity in findings, statistics and comparison policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GeneratorKind {
    /// wasm-smith under a swarm configuration.
    WasmSmith,
    /// wasm-smith with its default configuration (the measurement's baseline only).
    PlainWasmSmith,
    /// An exception web: functions that throw, call each other and catch.
    ThrowWeb,
    /// An exception web shaped as a chain (long unwinding).
    ThrowChain,
    /// Memory64 kernels at the bounds, inside an exception web.
    Mem64,
    /// The idiom generator, a module without exceptions.
    Idioms,
    /// The idiom generator, a module with exceptions (idioms in `try_table` bodies and
    /// handlers, values live across throws).
    IdiomsThrow,
    /// What a case falls back to when its generator failed: a default exception web.
    FallbackScenario,
    /// What a case falls back to when even the default web failed: an empty module.
    FallbackEmpty,
}

impl GeneratorKind {
    /// Every kind.
    pub const ALL: [GeneratorKind; 9] = [
        GeneratorKind::WasmSmith,
        GeneratorKind::PlainWasmSmith,
        GeneratorKind::ThrowWeb,
        GeneratorKind::ThrowChain,
        GeneratorKind::Mem64,
        GeneratorKind::Idioms,
        GeneratorKind::IdiomsThrow,
        GeneratorKind::FallbackScenario,
        GeneratorKind::FallbackEmpty,
    ];

    /// The stable name written in findings and statistics (`wasm-smith`,
    /// `scenario:throw-web`, ...).
    pub fn name(self) -> &'static str {
        match self {
            GeneratorKind::WasmSmith => "wasm-smith",
            GeneratorKind::PlainWasmSmith => "plain-wasm-smith",
            GeneratorKind::ThrowWeb => "scenario:throw-web",
            GeneratorKind::ThrowChain => "scenario:throw-chain",
            GeneratorKind::Mem64 => "scenario:mem64",
            GeneratorKind::Idioms => "idioms",
            GeneratorKind::IdiomsThrow => "idioms:exceptions",
            GeneratorKind::FallbackScenario => "fallback:scenario",
            GeneratorKind::FallbackEmpty => "fallback:empty",
        }
    }

    /// The kind with this [`GeneratorKind::name`].
    pub fn from_name(name: &str) -> Option<GeneratorKind> {
        GeneratorKind::ALL.into_iter().find(|g| g.name() == name)
    }

    /// Whether a correct generator never produces this (a fallback after a generator bug).
    pub fn is_fallback(self) -> bool {
        matches!(
            self,
            GeneratorKind::FallbackScenario | GeneratorKind::FallbackEmpty
        )
    }

    /// Whether this is one of catchall's own scenario generators.
    pub fn is_scenario(self) -> bool {
        matches!(
            self,
            GeneratorKind::ThrowWeb | GeneratorKind::ThrowChain | GeneratorKind::Mem64
        )
    }

    /// Whether this is the idiom generator (either flavour).
    pub fn is_idioms(self) -> bool {
        matches!(self, GeneratorKind::Idioms | GeneratorKind::IdiomsThrow)
    }

    /// Whether the generated code canonicalizes every NaN its arithmetic produces, so that NaN
    /// bits must match exactly between engines.
    pub fn canonical_nans(self) -> bool {
        matches!(
            self,
            GeneratorKind::WasmSmith
                | GeneratorKind::PlainWasmSmith
                | GeneratorKind::Idioms
                | GeneratorKind::IdiomsThrow
        )
    }
}

impl fmt::Display for GeneratorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One generated test case.
#[derive(Clone, Debug, PartialEq)]
pub struct Case {
    /// The module. It validates with [`scope_features`].
    pub wasm: Vec<u8>,
    /// What to call, in order, on one instance.
    pub plan: Plan,
    /// The generator that made it (a fallback only after a generator bug).
    pub generator: GeneratorKind,
    /// A one-line description of the generator's choices for this case.
    pub config: String,
}

/// The proposals in catchall's scope: WebAssembly 2.0 without SIMD, plus multi-memory,
/// memory64 (and 64-bit tables), exceptions, tail calls and extended constant expressions.
pub fn scope_features() -> wasmparser::WasmFeatures {
    use wasmparser::WasmFeatures as F;
    let mut f = F::WASM2;
    f.remove(F::SIMD);
    f.insert(F::MULTI_MEMORY | F::MEMORY64 | F::EXCEPTIONS | F::TAIL_CALL | F::EXTENDED_CONST);
    f
}

/// Whether `wasm` validates with [`scope_features`].
pub fn validate(wasm: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    wasmparser::Validator::new_with_features(scope_features())
        .validate_all(wasm)
        .map(|_| ())
}

/// Input bytes derived for one case: enough for every scenario and for wasm-smith's largest
/// input size.
const CASE_INPUT_BYTES: usize = 48 << 10;

/// The case `index` of the campaign seeded with `seed`: a pure function of its arguments (the
/// same arguments give a byte-identical module and plan). Never panics; the module always
/// validates with [`scope_features`].
pub fn generate(seed: u64, index: u64, profile: Profile) -> Case {
    generate_from_bytes(&case_input(seed, index), profile)
}

/// Case `index` of a batch of wasm-smith modules that engines without exceptions (wasmi) can
/// run: the swarm with exceptions off and memory64 on, otherwise as in the `mixed` profile.
/// A pure function of its arguments, like [`generate`]; used by `catchall bench`.
pub fn generate_without_exceptions(seed: u64, index: u64) -> Case {
    generate_with(&case_input(seed, index), |_| {
        Generator::Smith(Lean::Portable)
    })
}

/// The input bytes of case `index` of campaign `seed`.
fn case_input(seed: u64, index: u64) -> Vec<u8> {
    let mut rng = Rng::derive(seed, index);
    let mut data = Vec::with_capacity(CASE_INPUT_BYTES);
    while data.len() < CASE_INPUT_BYTES {
        data.extend_from_slice(&rng.next_u64().to_le_bytes());
    }
    data
}

/// Which generator a case uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Generator {
    Smith(Lean),
    /// An exception web; memories with this probability (percent).
    Web(u64),
    Mem64,
    /// An idiom module: exceptions with this probability (percent), a 64-bit memory forced
    /// or not.
    Idioms {
        exceptions: u64,
        mem64: bool,
    },
}

/// Each profile's mix: generators and their weights (shares of the profile's cases).
///
/// `mixed` feeds every engine: about 40% of its cases use no exceptions (idiom modules, and
/// wasm-smith with exceptions off, mostly without tail calls and `externref`, so that Winch
/// runs them too), and the exception generators make exceptions fly in most of the rest.
fn mix(profile: Profile) -> &'static [(Generator, u32)] {
    match profile {
        Profile::Mixed => &[
            (IDIOMS_PLAIN, 32),
            (Generator::Smith(Lean::Portable), 9),
            (IDIOMS_THROW, 21),
            (Generator::Web(50), 26),
            (Generator::Mem64, 4),
            (Generator::Smith(Lean::Throw), 8),
        ],
        Profile::Exceptions => &[
            (IDIOMS_THROW, 30),
            (Generator::Web(30), 55),
            (Generator::Smith(Lean::Throw), 15),
        ],
        Profile::Memory64 => &[
            (Generator::Smith(Lean::Memory), 4),
            (Generator::Mem64, 6),
            (IDIOMS_MEM64, 2),
        ],
        Profile::Smith => &[(Generator::Smith(Lean::Both), 1)],
        Profile::Idioms => &[(IDIOMS, 1)],
    }
}

/// The idiom generator as the `idioms` profile uses it (exceptions in its default share).
const IDIOMS: Generator = Generator::Idioms {
    exceptions: idioms::config::DEFAULT_EXCEPTIONS_PERCENT,
    mem64: false,
};

/// Idiom modules without exceptions, for every engine (wasmi and Winch included).
const IDIOMS_PLAIN: Generator = Generator::Idioms {
    exceptions: 0,
    mem64: false,
};

/// Idiom modules with exceptions: idioms in `try_table` bodies and handlers, values live
/// across throws.
const IDIOMS_THROW: Generator = Generator::Idioms {
    exceptions: 100,
    mem64: false,
};

/// Idiom modules with a 64-bit memory, exceptions in the default share.
const IDIOMS_MEM64: Generator = Generator::Idioms {
    exceptions: idioms::config::DEFAULT_EXCEPTIONS_PERCENT,
    mem64: true,
};

fn choose_generator(c: &mut Choices, profile: Profile) -> Generator {
    let mix = mix(profile);
    let weights: Vec<u32> = mix.iter().map(|(_, w)| *w).collect();
    mix[c.weighted(&weights)].0
}

/// The case made from raw input bytes (a fuzzer's, or [`generate`]'s derived ones). Short
/// inputs give small modules; any input gives a valid module.
pub fn generate_from_bytes(data: &[u8], profile: Profile) -> Case {
    generate_with(data, |c| choose_generator(c, profile))
}

/// The case made from `data` by the generator `choose` picks, falling back (see [`fallback`])
/// when the generator fails: a campaign must not stop on a generator bug, and counts fallbacks
/// by their [`GeneratorKind`].
fn generate_with(data: &[u8], choose: impl FnOnce(&mut Choices) -> Generator) -> Case {
    match catch_unwind(AssertUnwindSafe(|| make(data, choose))) {
        Ok(Ok(case)) => case,
        Ok(Err(why)) => fallback(data, why.to_string()),
        Err(_) => fallback(data, "generator panicked".into()),
    }
}

/// A generator failed to make a valid case: a bug in catchall's generators.
#[derive(Debug, thiserror::Error)]
#[error("generator bug: {0}")]
pub struct GenerateError(String);

/// The case made from raw input bytes with no safety net, for fuzz targets, where a generator
/// bug must be a crash rather than a silent fallback: a generator that panics panics here, and
/// one that makes an invalid module returns the error.
pub fn generate_strict(data: &[u8], profile: Profile) -> Result<Case, GenerateError> {
    make(data, |c| choose_generator(c, profile))
}

/// Makes the case: the plan's seed, then the generator `choose` picks, then its module.
fn make(
    data: &[u8],
    choose: impl FnOnce(&mut Choices) -> Generator,
) -> Result<Case, GenerateError> {
    let mut c = Choices::new(data);
    let plan_seed = c.bits();
    let generator = choose(&mut c);
    match generator {
        Generator::Smith(lean) => smith_case(&mut c, lean, plan_seed),
        Generator::Web(memory) => {
            let cfg = ScenarioConfig::choose_web(&mut c, memory);
            scenario_case(&mut c, &cfg, plan_seed)
        }
        Generator::Mem64 => {
            let cfg = ScenarioConfig::choose_mem64(&mut c);
            scenario_case(&mut c, &cfg, plan_seed)
        }
        Generator::Idioms { exceptions, mem64 } => {
            let cfg = idioms::IdiomConfig::choose(&mut c, exceptions, mem64);
            idiom_case(&mut c, &cfg, plan_seed)
        }
    }
    .map_err(GenerateError)
}

fn smith_case(c: &mut Choices, lean: Lean, plan_seed: u64) -> Result<Case, String> {
    let swarm = swarm::choose(c, lean);
    let wasm = swarm.build(c).map_err(|e| e.to_string())?;
    validate(&wasm).map_err(|e| format!("wasm-smith module invalid: {e}"))?;
    Ok(Case {
        plan: plan::for_module(&wasm, plan_seed),
        wasm,
        generator: GeneratorKind::WasmSmith,
        config: swarm.describe(),
    })
}

fn scenario_case(c: &mut Choices, cfg: &ScenarioConfig, plan_seed: u64) -> Result<Case, String> {
    let s = scenario::web::build(c, cfg);
    validate(&s.wasm).map_err(|e| format!("{} module invalid: {e}", s.generator))?;
    let funcs = oracles::ModuleInfo::parse(&s.wasm)
        .map(|i| i.count(oracles::ItemKind::Func))
        .unwrap_or(0);
    Ok(Case {
        plan: plan::for_entries(&s.entries, plan_seed, funcs),
        wasm: s.wasm,
        generator: s.generator,
        config: s.config,
    })
}

fn idiom_case(c: &mut Choices, cfg: &idioms::IdiomConfig, plan_seed: u64) -> Result<Case, String> {
    let s = idioms::build(c, cfg).scenario;
    validate(&s.wasm).map_err(|e| format!("{} module invalid: {e}", s.generator))?;
    let funcs = s.entries.len() as u32;
    Ok(Case {
        plan: plan::for_entries(&s.entries, plan_seed, funcs),
        wasm: s.wasm,
        generator: s.generator,
        config: s.config,
    })
}

/// What a case falls back to when its generator failed: an exception web with default knobs
/// from the same input, else an empty module. A correct generator never gets here (the tests
/// check), but a campaign must not stop on a generator bug.
fn fallback(data: &[u8], why: String) -> Case {
    let mut c = Choices::new(data);
    let cfg = ScenarioConfig::default();
    if let Ok(Ok(mut case)) = catch_unwind(AssertUnwindSafe(|| scenario_case(&mut c, &cfg, 0))) {
        case.generator = GeneratorKind::FallbackScenario;
        case.config = format!("{} (after: {why})", case.config);
        return case;
    }
    Case {
        wasm: wasm_encoder::Module::new().finish(),
        plan: Plan::default(),
        generator: GeneratorKind::FallbackEmpty,
        config: why,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Cases per profile in the validity test.
    const CASES: u64 = 3000;

    #[test]
    fn every_case_validates_and_no_generator_fails() {
        for profile in Profile::ALL {
            let mut generators: BTreeMap<GeneratorKind, u32> = BTreeMap::new();
            for index in 0..CASES {
                let case = generate(0xca7c_4a11, index, profile);
                if let Err(e) = validate(&case.wasm) {
                    panic!("{profile} case {index} ({}) invalid: {e}", case.generator);
                }
                assert!(
                    !case.generator.is_fallback(),
                    "{profile} case {index}: {} {}",
                    case.generator,
                    case.config
                );
                assert!(case.plan.calls.len() <= plan::MAX_CALLS);
                *generators.entry(case.generator).or_default() += 1;
            }
            eprintln!("{profile}: {generators:?}");
            let scenarios: u32 = generators
                .iter()
                .filter(|(g, _)| g.is_scenario())
                .map(|(_, n)| n)
                .sum();
            let idioms: u32 = generators
                .iter()
                .filter(|(g, _)| g.is_idioms())
                .map(|(_, n)| n)
                .sum();
            let smith = generators.get(&GeneratorKind::WasmSmith).copied();
            assert_eq!(smith.is_some(), profile != Profile::Idioms, "{profile}");
            assert_eq!(
                scenarios > 0,
                !matches!(profile, Profile::Smith | Profile::Idioms),
                "{profile}"
            );
            assert_eq!(idioms > 0, profile != Profile::Smith, "{profile}");
        }
    }

    #[test]
    fn strict_generation_makes_the_same_cases_without_a_safety_net() {
        for profile in Profile::ALL {
            for index in 0..100 {
                let data = case_input(77, index);
                let strict = generate_strict(&data, profile).expect("no generator bug");
                assert_eq!(
                    strict,
                    generate_from_bytes(&data, profile),
                    "{profile} {index}"
                );
            }
        }
        assert_eq!(Profile::from_name("no-such-profile"), None);
    }

    #[test]
    fn cases_are_pure_functions_of_seed_and_index() {
        for profile in Profile::ALL {
            for index in [0, 1, 17, 999] {
                let a = generate(42, index, profile);
                let b = generate(42, index, profile);
                assert_eq!(a, b, "{profile} {index}");
                assert_ne!(
                    a.wasm,
                    generate(43, index, profile).wasm,
                    "{profile} {index}"
                );
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_break_generation() {
        let mut rng = Rng::new(11);
        for len in [0usize, 1, 7, 64, 300, 2000] {
            for _ in 0..20 {
                let data: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
                for profile in Profile::ALL {
                    let case = generate_from_bytes(&data, profile);
                    validate(&case.wasm).unwrap();
                    assert!(!case.generator.is_fallback(), "{}", case.config);
                }
            }
        }
    }

    #[test]
    fn cases_without_exceptions_use_none_and_use_memory64() {
        let mut memory64 = 0;
        for index in 0..300 {
            let case = generate_without_exceptions(9, index);
            validate(&case.wasm).unwrap();
            assert_eq!(
                case.generator,
                GeneratorKind::WasmSmith,
                "{index}: {}",
                case.config
            );
            assert!(!case.config.contains("exceptions"), "{}", case.config);
            let f = oracles::ModuleInfo::parse(&case.wasm).unwrap().features;
            assert!(!f.contains(oracles::Features::EXCEPTIONS), "{index}");
            memory64 += u32::from(f.contains(oracles::Features::MEMORY64));
            assert_eq!(case, generate_without_exceptions(9, index));
        }
        assert!(memory64 > 100, "{memory64} of 300 use memory64");
    }

    #[test]
    #[cfg(feature = "cli")]
    fn profiles_have_their_names() {
        use clap::ValueEnum;
        for p in Profile::ALL {
            assert_eq!(p.to_possible_value().unwrap().get_name(), p.to_string());
            assert_eq!(Profile::from_str(p.name(), false), Ok(p));
            assert_eq!(Profile::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn profiles_force_their_proposals() {
        for index in 0..200 {
            let e = generate(5, index, Profile::Exceptions);
            let m = generate(5, index, Profile::Memory64);
            let fe = oracles::ModuleInfo::parse(&e.wasm).unwrap().features;
            let fm = oracles::ModuleInfo::parse(&m.wasm).unwrap().features;
            if e.generator.is_scenario() {
                assert!(fe.contains(oracles::Features::EXCEPTIONS), "{}", e.config);
            }
            if m.generator.is_scenario() {
                assert!(fm.contains(oracles::Features::MEMORY64), "{}", m.config);
            }
        }
    }
}

#[cfg(test)]
mod generator_kind_tests {
    use super::GeneratorKind;

    #[test]
    fn names_round_trip_and_are_distinct() {
        for g in GeneratorKind::ALL {
            assert_eq!(GeneratorKind::from_name(g.name()), Some(g));
            assert_eq!(g.to_string(), g.name());
        }
        assert_eq!(GeneratorKind::from_name("no-such-generator"), None);
    }
}
