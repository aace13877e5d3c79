//! Triage of catchall's findings: the typed bucket key, reduction that keeps it, `.wast` regressions and upstream-ready reports.
#![deny(missing_docs)]

pub mod finding;
pub mod key;
pub mod reduce;

pub use key::BucketKey;
pub mod wast;
pub mod workflow;
