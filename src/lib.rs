//! catchall: differential fuzzing and conformance for WebAssembly engines — the generators, the campaign library and (feature `cli`, on by default) the command line.
#![deny(missing_docs)]

pub mod campaign;
#[cfg(feature = "cli")]
pub mod cli;
pub mod fuzzing;
pub mod generate;
pub mod report;
