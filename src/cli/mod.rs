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
pub mod worker;

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
    /// A worker process of an isolated campaign (started by `catchall fuzz`; JSON lines on
    /// stdin and stdout).
    #[command(hide = true)]
    Worker(worker::WorkerArgs),
}

/// Exit status for a finding (divergence, gate failure).
pub const EXIT_FINDING: u8 = 1;
/// Exit status for bad input or usage.
pub const EXIT_USAGE: u8 = 2;

/// Parses the command line, runs the subcommand and maps errors to one line on stderr.
pub fn main() -> ExitCode {
    let run = execute(std::env::args_os());
    if let Some(text) = &run.help {
        if run.help_on_stderr {
            eprint!("{text}");
        } else {
            print!("{text}");
        }
    }
    if let Some(line) = &run.error {
        eprintln!("{line}");
    }
    run.code
}

/// What one command line did, for [`execute`]'s caller to print.
#[derive(Debug)]
pub struct Execution {
    /// The exit status.
    pub code: ExitCode,
    /// The one error line for stderr, if it failed.
    pub error: Option<String>,
    /// Help or version text, when that is what was asked (or shown for a bare `catchall`).
    pub help: Option<String>,
    /// Whether clap sends that text to stderr.
    pub help_on_stderr: bool,
}

/// Runs one command line (`args[0]` is the program's name) as the binary would, without
/// printing the error line or help (the caller does): the library entry of the CLI, so tests
/// can drive thousands of command lines without a process each.
pub fn execute<I, T>(args: I) -> Execution
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        // Help and version go to stdout as clap formats them; so does the help shown for a
        // bare `catchall` (a request for orientation rather than a mistake).
        Err(e)
            if !e.use_stderr()
                || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            return Execution {
                code: ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 }),
                error: None,
                help: Some(e.render().to_string()),
                help_on_stderr: e.use_stderr(),
            };
        }
        // A usage error: one line, like every other error.
        Err(e) => {
            return Execution {
                code: ExitCode::from(EXIT_USAGE),
                error: Some(usage_line(&e.render().to_string())),
                help: None,
                help_on_stderr: false,
            };
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
        Command::Worker(args) => worker::run(args),
    };
    match result {
        Ok(code) => Execution {
            code,
            error: None,
            help: None,
            help_on_stderr: false,
        },
        Err(e) => Execution {
            code: ExitCode::from(EXIT_USAGE),
            error: Some(format!("error: {}", one_line(&e))),
            help: None,
            help_on_stderr: false,
        },
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
