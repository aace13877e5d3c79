//! The `Engine`, `Module` and `Store` traits every engine adapter implements, and `EngineKind`,
//! the catalogue of engines catchall knows.

use crate::coverage::Coverage;
use crate::features::Features;
use crate::module_info::ModuleInfo;
use crate::outcome::{ModuleError, Outcome, Snapshot};
use crate::value::Val;
use std::any::Any;
use std::fmt;

/// Budgets that bound every step, identical for every engine of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Fuel for each step (instantiation, or one call). Engines count fuel differently (roughly
    /// one unit per instruction), so running out is [`crate::Exhaustion::Fuel`], which poisons
    /// rather than diverges.
    pub fuel: u64,
    /// The most bytes any one memory may grow to. Past this, `memory.grow` returns -1 on every
    /// engine (the spec allows a grow to fail for host reasons; applying one limit everywhere
    /// keeps engines comparable). A memory whose declared minimum exceeds it fails to
    /// instantiate with [`crate::Exhaustion::Resource`].
    pub max_memory_bytes: u64,
    /// The most bytes a memory that is not empty may grow to; past this, `memory.grow` of a
    /// non-empty memory returns -1 on every engine. A memory's declared size, and a grow of an
    /// empty memory, are bounded by `max_memory_bytes` alone: engines map those lazily, so a
    /// declared 8 GiB memory costs the pages touched. Growing a non-empty memory can move it
    /// instead (wasmtime copies a memory that grows past its reservation, and
    /// `cranelift-explicit` reserves nothing), which touches every page: this bound keeps a
    /// campaign's resident memory in check. See [`Limits::allows_memory`].
    pub max_grow_bytes: u64,
    /// The most elements any one table may grow to, with the same rules as memories.
    pub max_table_elements: u64,
}

impl Limits {
    /// The one rule every adapter's resource limiter applies to a memory going from `current`
    /// to `desired` bytes (an allocation is a growth from 0): at most `max_memory_bytes`, and
    /// at most `max_grow_bytes` unless the memory was empty. A grow by zero pages is never
    /// asked about: it returns the old size on every engine.
    pub fn allows_memory(&self, current: u64, desired: u64) -> bool {
        desired <= self.max_memory_bytes && (current == 0 || desired <= self.max_grow_bytes)
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            fuel: 10_000_000,
            max_memory_bytes: 16 << 30,
            max_grow_bytes: 1 << 30,
            max_table_elements: 1 << 20,
        }
    }
}

/// An engine in one configuration: compiles modules and creates stores.
///
/// Implementations are shared across threads; each store is used by one thread.
pub trait Engine: Send + Sync {
    /// The engine's name as the CLI spells it (`cranelift`, `pulley`, ...).
    fn name(&self) -> &str;

    /// The proposals this engine runs. A module that uses anything else is not given to it:
    /// the engine is reported as skipped, never as diverging.
    fn features(&self) -> Features;

    /// Whether this engine's trap messages are the spec interpreter's texts, so that a `.wast`
    /// runner may check them strictly (by prefix) instead of by [`crate::TrapKind`].
    fn spec_messages(&self) -> bool {
        false
    }

    /// The engine's version, for findings (`wasmtime 48.0.8`).
    fn version(&self) -> String;

    /// Decodes, validates and compiles a module.
    ///
    /// Errors say why the module cannot run at all: [`ModuleError::Malformed`] or
    /// [`ModuleError::Invalid`] for bad input, [`ModuleError::Unsupported`] when the engine
    /// lacks something the module needs (the engine is then skipped), and
    /// [`ModuleError::Internal`] for engine failures (a finding). Every adapter tells these
    /// apart by one rule, [`crate::rejection::classify`], never by the engine's message.
    fn compile(&self, wasm: &[u8]) -> Result<Box<dyn Module>, ModuleError>;

    /// A fresh store, bounded by `limits` (memories by [`Limits::allows_memory`]). Every store has the spec test harness's `spectest`
    /// module registered, so modules importing from it link.
    fn new_store(&self, limits: Limits) -> Box<dyn Store>;
}

/// A compiled module, instantiable in any store of the engine that compiled it.
pub trait Module: Send + Sync {
    /// What the host knows about the module.
    fn info(&self) -> &ModuleInfo;

    /// Upcast for the engine's own downcast in [`Store::instantiate`].
    fn as_any(&self) -> &dyn Any;
}

/// An engine's compiled module beside what the host knows about it: the one [`Module`] every
/// adapter returns, downcast back with [`Compiled::of`] by that engine's stores.
pub struct Compiled<M> {
    /// The engine's own module.
    pub module: M,
    /// What the host knows about it.
    pub info: ModuleInfo,
}

impl<M: Send + Sync + 'static> Compiled<M> {
    /// The engine's module behind `module`, which must have been compiled by the same kind of
    /// engine (a store given another engine's module is the caller's mistake, and panics).
    pub fn of(module: &dyn Module) -> &Compiled<M> {
        module
            .as_any()
            .downcast_ref::<Compiled<M>>()
            .expect("a module compiled by this store's engine")
    }
}

impl<M: Send + Sync + 'static> Module for Compiled<M> {
    fn info(&self) -> &ModuleInfo {
        &self.info
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// An instance inside a [`Store`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstanceId(pub u32);

/// A store: instances that can import from each other, and the host's view of them.
///
/// Every method that runs WebAssembly code reports what happened as an [`Outcome`]; only
/// misuse by the caller (an unknown instance, a module of another engine) panics.
pub trait Store {
    /// Links and instantiates a module, running its start function.
    ///
    /// Imports are resolved against the registered instances (and `spectest`); a failure is
    /// `Err(ModuleError::Unlinkable)`. A trap or an exception during segment initialization
    /// or in the start function is the corresponding `Outcome`; the instance is then unusable.
    fn instantiate(&mut self, module: &dyn Module) -> Result<Outcome<InstanceId>, ModuleError>;

    /// Makes an instance's exports importable under the module name `name`.
    fn register(&mut self, name: &str, instance: InstanceId);

    /// Calls the exported function `func` with `args`.
    ///
    /// Arguments must match the function's parameter types; a mismatch or an unknown export is
    /// reported as `Outcome::Crash` naming the caller's mistake. Returned references are
    /// resolved to identities against `instance` ([`crate::FuncId`], [`crate::ExnId`]).
    fn call(&mut self, instance: InstanceId, func: &str, args: &[Val]) -> Outcome<Vec<Val>>;

    /// Reads the exported global `name`, `None` when there is no such global.
    fn global(&mut self, instance: InstanceId, name: &str) -> Option<Val>;

    /// The observable state of `instance`: every memory, global and table reachable through
    /// its exports, and every exception object the host has seen in this store.
    fn snapshot(&mut self, instance: InstanceId) -> Snapshot;

    /// The full contents of memory `index` (an index of the instance's memory index space,
    /// reachable through an export), `None` when there is no such exported memory. Used only
    /// to locate a difference once digests disagree.
    fn memory_contents(&mut self, instance: InstanceId, index: u32) -> Option<Vec<u8>>;

    /// Execution counters for coverage statistics, for engines that count.
    fn coverage(&self) -> Option<Coverage> {
        None
    }
}

/// The engines catchall knows, each a fixed configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EngineKind {
    /// wasmtime, Cranelift at opt level speed, default memory configuration.
    Cranelift,
    /// wasmtime, Cranelift, with every bounds check explicit (no signal-based traps, no
    /// reservation, no guard pages).
    CraneliftExplicit,
    /// wasmtime, Cranelift without optimization.
    CraneliftO0,
    /// wasmtime's Pulley interpreter backend.
    Pulley,
    /// wasmtime's Winch baseline compiler (no exceptions).
    Winch,
    /// wasmi (no exceptions).
    Wasmi,
    /// catchall's reference interpreter, the oracle.
    Reference,
    /// A deliberately broken engine for testing catchall itself (Cranelift with `i64.rem_u`
    /// miscompiled); never in the default set, selectable by name only.
    Planted,
    /// A deliberately fatal engine for testing catchall itself: Cranelift that aborts the whole
    /// process when it runs a module containing `i64.rem_u`, the way an engine bug that cannot
    /// unwind does; never in the default set, selectable by name only.
    PlantedAbort,
    /// A test engine that dies of a real SIGSEGV (a write through an unmapped address) when it
    /// compiles a module containing `i64.rem_u`; never in the default set.
    PlantedSegv,
    /// A test engine that spins forever in native code when it compiles a module containing
    /// `i64.rem_u`; never in the default set.
    PlantedSpin,
    /// A test engine that allocates (and touches) memory without bound when it compiles a
    /// module containing `i64.rem_u`; never in the default set.
    PlantedAlloc,
    /// A mutant engine for `catchall calibrate`: a real engine with one narrowly scoped wrong
    /// behaviour, the entry of [`crate::engines::mutants::MUTANTS`] at this index; never in the
    /// default set, selectable by name only (`mutant:NAME`).
    Mutant(u16),
}

impl EngineKind {
    /// Every engine, in report column order (the oracle first).
    pub const ALL: [EngineKind; 7] = [
        EngineKind::Reference,
        EngineKind::Cranelift,
        EngineKind::CraneliftExplicit,
        EngineKind::CraneliftO0,
        EngineKind::Pulley,
        EngineKind::Winch,
        EngineKind::Wasmi,
    ];

    /// The name the CLI uses.
    pub fn name(self) -> &'static str {
        match self {
            EngineKind::Cranelift => "cranelift",
            EngineKind::CraneliftExplicit => "cranelift-explicit",
            EngineKind::CraneliftO0 => "cranelift-o0",
            EngineKind::Pulley => "pulley",
            EngineKind::Winch => "winch",
            EngineKind::Wasmi => "wasmi",
            EngineKind::Reference => "reference",
            EngineKind::Planted => "planted",
            EngineKind::PlantedAbort => "planted-abort",
            EngineKind::PlantedSegv => "planted-segv",
            EngineKind::PlantedSpin => "planted-spin",
            EngineKind::PlantedAlloc => "planted-alloc",
            EngineKind::Mutant(i) => crate::engines::mutants::MUTANTS
                .get(usize::from(i))
                .map_or("mutant:?", |m| m.engine_name),
        }
    }

    /// Engines selectable by name but never part of the default set.
    pub const HIDDEN: [EngineKind; 5] = [
        EngineKind::Planted,
        EngineKind::PlantedAbort,
        EngineKind::PlantedSegv,
        EngineKind::PlantedSpin,
        EngineKind::PlantedAlloc,
    ];

    /// The engine with this name (`mutant:NAME` names a mutant engine).
    pub fn from_name(name: &str) -> Option<EngineKind> {
        if let Some(mutant) = name.strip_prefix("mutant:") {
            return crate::engines::mutants::find(mutant).map(|(i, _)| EngineKind::Mutant(i));
        }
        EngineKind::ALL
            .into_iter()
            .chain(EngineKind::HIDDEN)
            .find(|k| k.name() == name)
    }

    /// The names of every engine, comma-separated, for error messages.
    pub fn all_names() -> String {
        EngineKind::ALL
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether this is one of wasmtime's configurations.
    pub fn is_wasmtime(self) -> bool {
        matches!(
            self,
            EngineKind::Cranelift
                | EngineKind::CraneliftExplicit
                | EngineKind::CraneliftO0
                | EngineKind::Pulley
                | EngineKind::Winch
        )
    }

    /// Creates the engine.
    pub fn build(self) -> Result<Box<dyn Engine>, EngineError> {
        crate::engines::build(self)
    }
}

impl fmt::Display for EngineKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An engine could not be created.
#[derive(Debug, thiserror::Error)]
#[error("cannot create engine {engine}: {message}")]
pub struct EngineError {
    /// The engine.
    pub engine: String,
    /// Why.
    pub message: String,
}
