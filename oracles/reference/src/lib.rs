//! A spec-faithful WebAssembly reference interpreter: catchall's oracle (work in progress).
#![deny(missing_docs)]
