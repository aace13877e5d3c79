//! Mutant engines for `catchall calibrate`: real engines (Cranelift, Pulley, wasmi) with one narrowly scoped wrong behaviour each, written from the engines' own rules and the spec's, as a rewrite of the module in front of the real engine.
//!
//! A mutant fires only for one specific shape — a constant operand in some range, a particular
//! pair of operators, an access at the last byte of a bound, a handler in a certain position —
//! never on every use of an opcode, the way real engine bugs do. Each is a [`Mutant`] in
//! [`MUTANTS`]: its name, [`Category`], host engine, the rule it was derived from, its trigger
//! and its rewrite. A module the rewrite does not handle runs unchanged (the mutant does not
//! fire). Mutants are never in the default engine set: they are selected by name as
//! `mutant:NAME` ([`crate::EngineKind::Mutant`]).
//!
//! The rewrites are in one file per category; [`body`] is their shared driver.

use crate::engine::{Engine, EngineError, EngineKind, Limits, Module, Store};
use crate::features::Features;
use crate::outcome::ModuleError;

/// Declares a [`Mutant`]: its engine name is `mutant:` and its name.
macro_rules! mutant {
    (
        name: $name:literal,
        category: $category:expr,
        host: $host:expr,
        rule: $rule:literal,
        trigger: $trigger:literal,
        rewrite: $rewrite:expr $(,)?
    ) => {
        $crate::engines::mutants::Mutant {
            name: $name,
            engine_name: concat!("mutant:", $name),
            category: $category,
            host: $host,
            rule: $rule,
            trigger: $trigger,
            rewrite: $rewrite,
        }
    };
}

pub mod body;
mod exceptions;
mod fusion;
mod lowering;
mod memory64;
mod trap_state;

/// What kind of engine bug a mutant models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// A backend lowering or mid-end rewrite rule gone wrong (Cranelift's ISLE rules, Pulley's
    /// lowering).
    Lowering,
    /// An interpreter's fusion of operators (compare+branch, compare+select, `eqz` chains,
    /// immediate forms, register copies) gone wrong.
    Fusion,
    /// Exception handling: clause selection, payload order, exnref identity, unwinding through
    /// indirect calls, tail calls and many frames.
    Exceptions,
    /// memory64 bounds: the last byte of a bound, offsets that overflow, addresses above
    /// 4 GiB, bulk operations, `memory.grow` results.
    Memory64,
    /// The state a trap leaves behind (memory, globals, tables written or not).
    TrapState,
}

impl Category {
    /// Every category, in report order.
    pub const ALL: [Category; 5] = [
        Category::Lowering,
        Category::Fusion,
        Category::Exceptions,
        Category::Memory64,
        Category::TrapState,
    ];

    /// The name the CLI uses.
    pub fn name(self) -> &'static str {
        match self {
            Category::Lowering => "lowering",
            Category::Fusion => "fusion",
            Category::Exceptions => "exceptions",
            Category::Memory64 => "memory64",
            Category::TrapState => "trap-state",
        }
    }

    /// The category with this name.
    pub fn from_name(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// One mutant engine: a real engine with one narrowly scoped wrong behaviour.
pub struct Mutant {
    /// Its name (`cl-shl-shl-fold`).
    pub name: &'static str,
    /// Its engine name (`mutant:cl-shl-shl-fold`).
    pub engine_name: &'static str,
    /// What kind of bug it models.
    pub category: Category,
    /// The real engine it runs on: [`EngineKind::Cranelift`], [`EngineKind::Pulley`] or
    /// [`EngineKind::Wasmi`] (which runs no module with exceptions).
    pub host: EngineKind,
    /// The engine rule or spec rule it was derived from.
    pub rule: &'static str,
    /// The shape it fires on.
    pub trigger: &'static str,
    /// The rewrite of a function body that plants the wrong behaviour.
    pub(crate) rewrite: body::Rewrite,
}

impl Mutant {
    /// The module the host engine runs: `wasm` rewritten, or `None` when the mutant's trigger
    /// shape is not in it (or the module cannot be rewritten) and the original runs.
    pub fn rewrite(&self, wasm: &[u8]) -> Option<Vec<u8>> {
        body::rewrite_module(wasm, self.rewrite)
    }
}

/// Every mutant, in report order (by category).
pub static MUTANTS: &[Mutant] = &[
    lowering::SHL_SHL_FOLD,
    lowering::UDIV_MAGIC,
    lowering::SDIV_POW2,
    lowering::LOAD_SEXT_FOLD,
    lowering::ICMP_IMM32,
    lowering::CMP_CONST_LHS,
    lowering::BRIF_LE_U,
    lowering::PULLEY_SHIFT_U6,
    lowering::PULLEY_MUL_S8,
    fusion::EQZ_LT_NEGATION,
    fusion::SELECT_NE0_SWAP,
    fusion::BRIF_AND_LOGICAL,
    fusion::EQZ_EQZ,
    fusion::LOCAL_SET_PRESERVE,
    fusion::BR_COPY_OVERLAP,
    fusion::SUB_IMM_LHS,
    fusion::PULLEY_BR_IMM_U32,
    exceptions::CLAUSES_REVERSED,
    exceptions::PAYLOAD_SWAPPED,
    exceptions::THROW_REF_FRESH,
    exceptions::RETURN_CALL_HANDLER,
    exceptions::CALL_INDIRECT_SKIP,
    exceptions::DEEP_UNWIND,
    memory64::LAST_BYTE,
    memory64::OFFSET_WRAP,
    memory64::LOW32_BOUND,
    memory64::FILL_PARTIAL,
    memory64::GROW_FAIL_U32,
    memory64::WASMI_OFFSET16,
    trap_state::STORE_PARTIAL,
    trap_state::GLOBAL_SUNK,
    trap_state::WASMI_COPY_PARTIAL,
    trap_state::PULLEY_TABLE_FILL,
];

/// The mutant named `name` (without the `mutant:` prefix) and its index.
pub fn find(name: &str) -> Option<(u16, &'static Mutant)> {
    MUTANTS
        .iter()
        .position(|m| m.name == name)
        .map(|i| (i as u16, &MUTANTS[i]))
}

/// A mutant running on its host engine.
pub struct MutantEngine {
    mutant: &'static Mutant,
    host: Box<dyn Engine>,
    version: String,
}

impl MutantEngine {
    /// Creates the engine for entry `index` of [`MUTANTS`].
    pub fn new(index: u16) -> Result<MutantEngine, EngineError> {
        let mutant = MUTANTS.get(usize::from(index)).ok_or_else(|| EngineError {
            engine: format!("mutant #{index}"),
            message: "no such mutant".into(),
        })?;
        let host = crate::engines::build(mutant.host)?;
        Ok(MutantEngine {
            mutant,
            version: format!(
                "mutant {} on {} ({})",
                mutant.name,
                mutant.host.name(),
                host.version()
            ),
            host,
        })
    }

    /// The mutant.
    pub fn mutant(&self) -> &'static Mutant {
        self.mutant
    }
}

impl Engine for MutantEngine {
    #[expect(
        clippy::misnamed_getters,
        reason = "an engine is named `mutant:NAME`, its mutant's engine name, not its bare name"
    )]
    fn name(&self) -> &str {
        self.mutant.engine_name
    }

    fn features(&self) -> Features {
        self.host.features()
    }

    fn version(&self) -> String {
        self.version.clone()
    }

    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError> {
        match self.mutant.rewrite(wasm) {
            Some(rewritten) => self.host.compile(&rewritten),
            None => self.host.compile(wasm),
        }
    }

    fn new_store(&self, limits: Limits) -> Box<dyn Store> {
        self.host.new_store(limits)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Running a mutant against the reference on a small module.

    use super::*;
    use crate::compare::Verdict;
    use crate::differential::{Call, Plan, RunOptions, run_case};
    use crate::value::Val;

    /// The verdict of `calls` on `wat` run on the reference and the mutant `name`, with the
    /// module exposed as the campaign exposes it.
    pub fn verdict(name: &str, wat: &str, calls: &[(&str, Vec<Val>)]) -> Verdict {
        let (index, _) = find(name).unwrap_or_else(|| panic!("no mutant {name}"));
        let wasm = wat::parse_str(wat).expect("the test module parses");
        let wasm = crate::expose::expose(&wasm).unwrap_or(wasm);
        let reference = crate::engines::build(EngineKind::Reference).unwrap();
        let mutant = MutantEngine::new(index).unwrap();
        let plan = Plan {
            calls: calls
                .iter()
                .map(|(f, args)| Call {
                    func: f.to_string(),
                    args: args.clone(),
                })
                .collect(),
        };
        let engines: [&dyn Engine; 2] = [reference.as_ref(), &mutant];
        run_case(&engines, &wasm, &plan, &RunOptions::default()).verdict
    }

    /// Asserts the mutant diverges from the reference on `trigger` and agrees on `near_miss`
    /// (and that its host alone agrees on the trigger: the divergence is the mutant's).
    pub fn check(
        name: &str,
        trigger: (&str, &[(&str, Vec<Val>)]),
        near_miss: (&str, &[(&str, Vec<Val>)]),
    ) {
        let v = verdict(name, trigger.0, trigger.1);
        let (_, m) = find(name).unwrap();
        let wasm = wat::parse_str(trigger.0).unwrap();
        let wasm = crate::expose::expose(&wasm).unwrap_or(wasm);
        assert!(
            matches!(v, Verdict::Diverge(_)),
            "{name} must fire on its trigger: {v:?}\nrewrite: {}",
            match body::rewrite_module_explained(&wasm, m.rewrite) {
                Ok(bytes) => wasmprinter::print_bytes(bytes).unwrap_or_default(),
                Err(e) => e,
            }
        );
        let reference = crate::engines::build(EngineKind::Reference).unwrap();
        let host = crate::engines::build(m.host).unwrap();
        let plan = Plan {
            calls: trigger
                .1
                .iter()
                .map(|(f, args)| Call {
                    func: f.to_string(),
                    args: args.clone(),
                })
                .collect(),
        };
        let engines: [&dyn Engine; 2] = [reference.as_ref(), host.as_ref()];
        let host_verdict = run_case(&engines, &wasm, &plan, &RunOptions::default()).verdict;
        assert_eq!(
            host_verdict,
            Verdict::Agree,
            "{name}: the host alone agrees on the trigger"
        );
        let v = verdict(name, near_miss.0, near_miss.1);
        assert_eq!(v, Verdict::Agree, "{name} must not fire on the near miss");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_round_trip_and_stay_out_of_the_default_set() {
        let mut names: Vec<&str> = MUTANTS.iter().map(|m| m.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MUTANTS.len());
        for (i, m) in MUTANTS.iter().enumerate() {
            let kind = EngineKind::Mutant(i as u16);
            assert_eq!(kind.name(), m.engine_name);
            assert_eq!(EngineKind::from_name(m.engine_name), Some(kind));
            assert!(!EngineKind::ALL.contains(&kind));
            assert!(matches!(
                m.host,
                EngineKind::Cranelift | EngineKind::Pulley | EngineKind::Wasmi
            ));
        }
        assert_eq!(EngineKind::from_name("mutant:no-such-mutant"), None);
    }

    #[test]
    fn every_category_has_at_least_four_mutants() {
        for c in Category::ALL {
            let n = MUTANTS.iter().filter(|m| m.category == c).count();
            assert!(n >= 4, "{}: {n}", c.name());
            assert_eq!(Category::from_name(c.name()), Some(c));
        }
        assert!(MUTANTS.len() >= 24);
    }

    #[test]
    fn a_module_without_the_trigger_is_left_alone() {
        let wasm = wat::parse_str(
            r#"(module (memory 1) (func (export "f") (param i32) (result i32)
                 (i32.add (local.get 0) (i32.const 1))))"#,
        )
        .unwrap();
        for m in MUTANTS {
            assert_eq!(m.rewrite(&wasm), None, "{}", m.name);
        }
    }
}
