//! An engine-generic `.wast` runner with a strict expectations ledger (work in progress).
#![deny(missing_docs)]
