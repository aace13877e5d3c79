//! Command-line parsing and dispatch; each subcommand lives in its own file.
//!
//! Exit status everywhere: 0 success (engines agree, gate passes), 1 a finding (divergence,
//! gate failure), 2 bad input or usage — always with one line on stderr.

pub mod bench;
pub mod calibrate;
pub mod engines;
pub mod fuzz;
pub mod reduce;
pub mod run;
pub mod run_wast;
pub mod spec;
pub mod triage;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Differential fuzzing and conformance for WebAssembly engines, aimed at exception handling
/// and memory64.
#[derive(Parser, Debug)]
#[command(name = "catchall", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// The differential campaign: generate modules, run them on every engine against the
    /// reference interpreter, and save what diverges.
    #[command(long_about = fuzz::LONG_ABOUT)]
    Fuzz(fuzz::FuzzArgs),
    /// Run one .wasm, .wat or .wast file on every engine and compare them step by step.
    #[command(long_about = run::LONG_ABOUT)]
    Run(run::RunArgs),
    /// Run the official WebAssembly test suite (and local .wast files) on every engine: the
    /// conformance matrix and the CI gate.
    Spec(spec::SpecArgs),
    /// Time the reference interpreter against wasmi on the same workloads.
    Bench(bench::BenchArgs),
    /// Measure catchall's own power: run the campaign against each mutant engine (a real engine
    /// with one planted, narrowly scoped bug) and report which it kills and how fast.
    #[command(long_about = calibrate::LONG_ABOUT)]
    Calibrate(calibrate::CalibrateArgs),
    /// Shrink a finding's module and plan while its bucket key stays the same.
    Reduce(reduce::ReduceArgs),
    /// Reduce the smallest finding of every bucket and write reports and regressions.
    Triage(triage::TriageArgs),
}

/// Exit status for a finding (divergence, gate failure).
pub const EXIT_FINDING: u8 = 1;
/// Exit status for bad input or usage.
pub const EXIT_USAGE: u8 = 2;

/// Parses the command line, runs the subcommand and maps errors to one line on stderr.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // Help and version go to stdout as clap formats them; so does the help shown for a
        // bare `catchall` (a request for orientation rather than a mistake).
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
        // A usage error: one line, like every other error.
        Err(e) => {
            eprintln!("{}", usage_line(&e.render().to_string()));
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let result = match cli.command {
        Command::Fuzz(args) => fuzz::run(args),
        Command::Run(args) => run::run(args),
        Command::Spec(args) => spec::run(args),
        Command::Bench(args) => bench::run(args),
        Command::Calibrate(args) => calibrate::run(args),
        Command::Reduce(args) => reduce::run(args),
        Command::Triage(args) => triage::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// An error and its causes on one line.
pub fn one_line(e: &anyhow::Error) -> String {
    format!("{e:#}").replace('\n', " ")
}

/// clap's rendering of a usage error (an `error:` paragraph, then tips and a usage block) as
/// one line: the first paragraph, its lines joined, and a pointer to `--help`.
fn usage_line(rendered: &str) -> String {
    let first = rendered.trim().split("\n\n").next().unwrap_or_default();
    let joined = first.split_whitespace().collect::<Vec<_>>().join(" ");
    format!("{joined} (see --help)")
}
