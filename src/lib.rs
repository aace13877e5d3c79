//! catchall: differential fuzzing and conformance for WebAssembly engines — the CLI and the
//! campaign library.
#![deny(missing_docs)]

pub mod campaign;
pub mod cli;
pub mod generate;
pub mod report;
