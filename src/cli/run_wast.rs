//! `catchall run FILE.wast`: a script's actions performed on every engine, compared action by
//! action.

use crate::report::Table;
use oracles::Engine;
use oracles::differential::RunOptions;
use std::path::Path;

/// Runs a script differentially.
pub fn run_script(
    path: &Path,
    _text: &str,
    _engines: &[&dyn Engine],
    _options: &RunOptions,
) -> anyhow::Result<Table> {
    anyhow::bail!("{}: .wast scripts are not supported by `run` yet", path.display())
}
