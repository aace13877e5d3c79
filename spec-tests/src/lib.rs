//! An engine-generic `.wast` runner over catchall's `Engine` / `Store` traits, with a strict expectations ledger: the CI conformance gate.
//!
//! Two reusable layers and the gate on top:
//! - [`script`] parses a `.wast` file into engine-neutral [`Command`]s (module bytes, argument
//!   [`oracles::Val`]s, expectations);
//! - [`session`] performs commands on one engine ([`Session::perform`]) and reports
//!   [`oracles::Observation`]s, judging nothing — a differential runner compares those across
//!   engines;
//! - [`check`], [`run`], [`ledger`] and [`report`] are the conformance gate: each observation
//!   checked against the script, files run in parallel, results held against
//!   `expectations/<engine>.toml`, and a matrix in text, JSON and Markdown.
#![deny(missing_docs)]

pub mod check;
pub mod ledger;
pub mod report;
pub mod run;
pub mod script;
pub mod session;
pub mod suite;

pub use ledger::{Errata, Ledger, LedgerError};
pub use report::{EngineInfo, Report};
pub use run::{FileRun, Unexpected};
pub use script::{Command, CommandKind, ParseError, Script};
pub use session::{Performed, Session, Step};
pub use suite::{SuiteError, SuiteFile};

use oracles::Engine;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The command that regenerates `spec-tests/CONFORMANCE.md`.
pub const CONFORMANCE_COMMAND: &str =
    "cargo run --release -- spec --markdown > spec-tests/CONFORMANCE.md";

/// `spec-tests/CONFORMANCE.md` of this checkout.
pub fn conformance_md_path() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/CONFORMANCE.md"))
}

/// Why a conformance run could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A script does not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// A ledger is unusable.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A test file cannot be found or read.
    #[error(transparent)]
    Suite(#[from] SuiteError),
}

/// Runs `files` on `engines` (in parallel) and holds the results against the ledgers in
/// `ledger_dir`. `whole_suite` says the files are the whole default set, so that ledger entries
/// naming no file are caught.
pub fn conformance(
    engines: &[&dyn Engine],
    files: &[SuiteFile],
    ledger_dir: &Path,
    whole_suite: bool,
) -> Result<Report, Error> {
    let ledgers = engines
        .iter()
        .map(|e| Ledger::load(ledger_dir, e.name()))
        .collect::<Result<Vec<_>, _>>()?;
    let errata = Errata::load(ledger_dir)?;
    let scripts = run::parse_all(files)?;
    errata.verify(&scripts, whole_suite)?;
    let runs = run::run_all(engines, files, &scripts, run::spec_limits(), &errata);
    let keys: HashSet<String> = files.iter().map(|f| f.key.clone()).collect();
    Ok(Report::new(
        engines.iter().map(|e| EngineInfo::of(*e)).collect(),
        runs,
        ledgers,
        errata.entries,
        whole_suite.then_some(&keys),
    ))
}
