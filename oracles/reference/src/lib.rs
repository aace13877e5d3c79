//! A spec-faithful WebAssembly reference interpreter: catchall's oracle.
//!
//! Folders follow the spec's chapters: [`syntax`] (structure), [`binary`] (decoding, with
//! validation by wasmparser), [`exec`] (execution). The scope is WebAssembly 2.0 without SIMD,
//! plus tail calls, extended constant expressions, multi-memory, memory64 (with 64-bit tables)
//! and exception handling; everything else is rejected at decode time as unsupported.
//!
//! ```
//! use reference::exec::{Store, Value, Extern};
//! let wasm = wat::parse_str(r#"(module (func (export "add") (param i32 i32) (result i32)
//!     (i32.add (local.get 0) (local.get 1))))"#).unwrap();
//! let module = std::sync::Arc::new(reference::decode(&wasm).unwrap());
//! let mut store = Store::default();
//! let inst = store.instantiate(&module, &[]).unwrap();
//! let Some(Extern::Func(add)) = store.export(inst, "add") else { panic!() };
//! assert_eq!(store.invoke(add, &[Value::I32(2), Value::I32(3)]), Ok(vec![Value::I32(5)]));
//! ```
#![deny(missing_docs)]

pub mod binary;
pub mod error;
pub mod exec;
pub mod syntax;

pub use binary::decode;

/// The crate's version, for findings.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
pub use error::{DecodeError, Exhaustion, InstantiateError, Stop, Trap};
