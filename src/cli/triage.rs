//! `catchall triage <FINDINGS DIR>`: reduce the smallest finding of every bucket and write `triage/index.md` plus a Markdown and JSON report per bucket, each with an upstream-ready issue body.

use crate::cli::fuzz::parse_duration;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `catchall triage`.
#[derive(clap::Args, Debug)]
pub struct TriageArgs {
    /// A findings folder written by `catchall fuzz`.
    pub findings: PathBuf,
    /// The most time to reduce each bucket's finding.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub time: Duration,
    /// Candidates tested at once.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub jobs: usize,
}

/// Runs `catchall triage`.
pub fn run(args: TriageArgs) -> anyhow::Result<ExitCode> {
    if !args.findings.is_dir() {
        anyhow::bail!("{}: not a findings folder", args.findings.display());
    }
    let settings = triage::reduce::Settings {
        time: args.time,
        threads: args.jobs.max(1),
        wasm_shrink: true,
    };
    oracles::differential::quiet_panics(true);
    let reports = triage::workflow::triage_dir(&args.findings, settings, None, |bucket| {
        eprintln!("catchall triage: {bucket}");
    })
    .with_context(|| format!("triaging {}", args.findings.display()))?;
    for r in &reports {
        println!(
            "{:<48} {:>4} cases  {}",
            r.bucket,
            r.count,
            match (r.reduced_bytes, &r.not_reduced) {
                (Some(b), _) => format!(
                    "{} -> {b} bytes in {:.1} s, regression {}",
                    r.original_bytes,
                    r.seconds.unwrap_or(0.0),
                    r.regression_status.as_deref().unwrap_or("NOT verified")
                ),
                (None, Some(why)) => why.clone(),
                _ => "-".into(),
            }
        );
    }
    println!(
        "index      {}",
        args.findings.join("triage/index.md").display()
    );
    Ok(ExitCode::SUCCESS)
}
