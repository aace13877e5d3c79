//! `catchall worker` (hidden): the worker process of an isolated campaign, answering case requests on stdin with results on stdout (see `campaign::worker`).

use crate::cli::engines;
use crate::generate::Profile;
use anyhow::Context;
use oracles::Limits;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `catchall worker`; the campaign's parent process passes them.
#[derive(clap::Args, Debug)]
pub struct WorkerArgs {
    /// The campaign seed.
    #[arg(long)]
    pub seed: u64,
    /// The profile.
    #[arg(long, value_enum)]
    pub profile: Profile,
    /// The engines, comma-separated.
    #[arg(long, value_name = "A,B,..")]
    pub engines: String,
    /// Fuel per step.
    #[arg(long)]
    pub fuel: u64,
    /// The findings folder (findings are prepared under its `.tmp`).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// Runs `catchall worker`.
pub fn run(args: WorkerArgs) -> anyhow::Result<ExitCode> {
    let built = engines::select(Some(&args.engines))?;
    let refs: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
    let list = refs
        .iter()
        .map(|e| e.name().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let limits = Limits {
        fuel: args.fuel,
        ..Limits::default()
    };
    crate::campaign::worker::serve(&refs, &list, args.seed, args.profile, limits, &args.out)
        .with_context(|| format!("opening the findings folder {}", args.out.display()))?;
    Ok(ExitCode::SUCCESS)
}
