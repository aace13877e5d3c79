//! `catchall reduce <FINDING>`: shrink a finding's module and plan while the rerun on its engines keeps the same bucket key; the result goes to `<FINDING>/reduced/` with a verified `.wast` regression.

use crate::cli::fuzz::parse_duration;
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Arguments of `catchall reduce`.
#[derive(clap::Args, Debug)]
pub struct ReduceArgs {
    /// A finding folder saved by `catchall fuzz` (findings/<bucket>/case-<seed>-<index>).
    pub finding: PathBuf,
    /// Stop after this long and keep the smallest candidate so far.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub time: Duration,
    /// Candidates tested at once.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub jobs: usize,
    /// Do not run wasm-shrink as one more pass.
    #[arg(long)]
    pub no_wasm_shrink: bool,
}

/// Runs `catchall reduce`.
pub fn run(args: ReduceArgs) -> anyhow::Result<ExitCode> {
    let finding = triage::finding::load(&args.finding)?;
    let built = triage::workflow::build_engines(&args.finding, &finding.doc)?;
    let engines: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
    let settings = triage::reduce::Settings {
        time: args.time,
        threads: args.jobs.max(1),
        wasm_shrink: !args.no_wasm_shrink,
    };
    oracles::differential::quiet_panics(true);
    let reduced = triage::workflow::reduce_finding(&finding, &engines, settings, None)
        .with_context(|| format!("reducing {}", args.finding.display()))?;
    let d = &reduced.doc;
    println!("bucket     {}", d.bucket);
    println!(
        "reduced    {} -> {} bytes, {} -> {} calls in {:.1} s{}",
        d.original_bytes,
        d.reduced_bytes,
        d.original_calls,
        d.reduced_calls,
        d.seconds,
        if d.timed_out { " (time ran out)" } else { "" }
    );
    println!(
        "candidates {} run, {} from the cache, {} invalid",
        d.tested, d.cache_hits, d.invalid
    );
    for c in &d.regression {
        println!(
            "regression {:<18} {}{}",
            c.engine,
            match (&c.skipped, c.failures.is_empty()) {
                (Some(why), _) => format!("skipped ({why})"),
                (None, true) => format!("passes ({} assertions)", c.passed),
                (None, false) => format!("fails ({})", c.failures.join("; ")),
            },
            if c.dissenting { "  [dissenting]" } else { "" }
        );
    }
    println!("written    {}", reduced.reduced_dir.display());
    print!(
        "{}",
        triage::finding::module_text(&reduced.reduction.best.wasm)
    );
    Ok(ExitCode::SUCCESS)
}
