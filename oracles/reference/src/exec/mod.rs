//! Execution (spec chapter 4): runtime structures, numerics, instantiation and evaluation.

mod counters;
mod eval;
mod instantiate;
pub mod memory;
pub mod numerics;
mod store;
mod value;

pub use counters::Counters;
pub use instantiate::INCOMPATIBLE_IMPORT;
pub use memory::Memory;
pub use store::{
    Config, ExnInst, Extern, FuncInst, GlobalInst, HostFunc, ModuleInst, Store, Table, TagInst,
    TypeId,
};
pub use value::{
    DataAddr, ElemAddr, ExnAddr, FuncAddr, GlobalAddr, InstAddr, MemAddr, Operand, TableAddr,
    TagAddr, Value,
};
