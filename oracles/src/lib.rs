//! The comparison vocabulary of catchall and its engine adapters.
//!
//! Data flows one way: wasm bytes and an invocation plan go to every [`Engine`] that supports
//! the module's [`Features`]; each step yields an [`Outcome`] and a [`Snapshot`]; the
//! [`compare`] module turns them into a [`Verdict`].
#![deny(missing_docs)]

pub mod compare;
pub mod coverage;
pub mod differential;
pub mod digest;
pub mod engine;
pub mod engines;
pub mod expose;
pub mod features;
pub mod module_info;
pub mod outcome;
pub mod rejection;
pub mod value;

pub use compare::{
    ComparePolicy, Divergence, DivergenceKind, NanPolicy, Observation, PoisonReason, Verdict,
};
pub use coverage::Coverage;
pub use differential::{CaseReport, Plan, RunOptions, run_case};
pub use engine::{Engine, EngineError, EngineKind, InstanceId, Limits, Module, Store};
pub use features::Features;
pub use module_info::{ItemKind, ModuleInfo};
pub use outcome::{
    Exhaustion, IndexType, ModuleError, Outcome, Snapshot, TagId, Thrown, Trap, TrapKind,
};
pub use value::{ExnId, FuncId, Val, ValType};
