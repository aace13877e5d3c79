//! `catchall spec`: the official test suite on every engine (being built: see spec-tests/).

use std::process::ExitCode;

/// Arguments of `catchall spec`.
#[derive(clap::Args, Debug)]
pub struct SpecArgs {}

/// Runs `catchall spec`.
pub fn run(_args: SpecArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`catchall spec` is not available yet")
}
