//! Running scripts on engines (files in parallel) and holding the results against the ledger: the gate.
//!
//! **Skipping by feature.** A file none of whose valid modules the engine can run (each uses a
//! proposal the engine lacks) is skipped for that engine as a whole, naming the missing
//! proposals, and never appears in a ledger. In a file that does run, a module using a
//! proposal the engine lacks (say, the three typed-function-reference modules at the end of
//! the exceptions proposal's `try_table.wast`) is skipped with the commands that depend on it,
//! rather than costing the engine the whole file; so is a module the engine reports as
//! unsupported ([`oracles::ModuleError::Unsupported`]).
//!
//! **Checks.** Inside a file, every directive that runs something is one check (a module must
//! instantiate, a bare action must complete, an assertion must hold). Checks skipped by
//! feature, blocked by an earlier failure (see [`crate::session`]), outside catchall's
//! vocabulary, or covered by a suite erratum ([`Errata`]) are counted as skipped, each with its
//! reason.

use crate::check::{Check, check};
use crate::ledger::{Errata, Ledger};
use crate::script::{self, ParseError, Script};
use crate::session::Session;
use crate::suite::SuiteFile;
use oracles::{Engine, Features, Limits};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// The budgets of a conformance run: the default fuel per step is raised, since the official
/// suite has a few long-running loops and nothing in it relies on running out of fuel.
pub fn spec_limits() -> Limits {
    Limits {
        fuel: 1_000_000_000,
        ..Limits::default()
    }
}

/// A check that failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Failure {
    /// The directive's line.
    pub line: u32,
    /// The directive (`assert_return`, `module`, ...).
    pub directive: String,
    /// What the script expects.
    pub expected: String,
    /// What the engine did.
    pub actual: String,
    /// The ledger's reason, when the ledger expects this failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ledger: Option<String>,
}

impl Failure {
    /// `assert_return: expected i32:1, got i32:2`.
    pub fn message(&self) -> String {
        format!(
            "{}: expected {}, got {}",
            self.directive, self.expected, self.actual
        )
    }
}

/// A remark on a check that passed, or the reason a check was skipped.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// The directive's line.
    pub line: u32,
    /// The remark.
    pub message: String,
}

/// One file on one engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FileRun {
    /// The engine's name.
    pub engine: String,
    /// The file's suite key.
    pub file: String,
    /// The file's group (matrix row).
    pub group: String,
    /// Why the whole file was skipped on this engine (the proposals it lacks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped_by: Option<String>,
    /// Checks that held.
    pub passed: usize,
    /// Checks that did not.
    pub failed: usize,
    /// Checks not run.
    pub skipped: usize,
    /// Every failed check.
    pub failures: Vec<Failure>,
    /// Passes worth a remark (an invalid module rejected as malformed, ...).
    pub notes: Vec<Note>,
    /// Why checks were skipped.
    pub skips: Vec<Note>,
}

/// Why a file is skipped as a whole on an engine with `features`: every module the file
/// expects to be valid uses a proposal outside them. `None` when the file runs.
pub fn file_skip(script: &Script, features: Features) -> Option<String> {
    let mut missing = Features::NONE;
    let mut any = false;
    for m in script.valid_modules() {
        let lacks = m.features.difference(features);
        if lacks.is_empty() {
            return None;
        }
        any = true;
        missing.insert(lacks);
    }
    any.then(|| format!("needs {missing}"))
}

/// Runs one parsed script on one engine.
pub fn run_script(
    engine: &dyn Engine,
    file: &SuiteFile,
    script: &Script,
    limits: Limits,
    errata: &Errata,
) -> FileRun {
    let mut run = FileRun {
        engine: engine.name().to_string(),
        file: file.key.clone(),
        group: file.group.clone(),
        skipped_by: None,
        passed: 0,
        failed: 0,
        skipped: 0,
        failures: Vec::new(),
        notes: Vec::new(),
        skips: Vec::new(),
    };
    if let Some(why) = file_skip(script, engine.features()) {
        run.skipped_by = Some(why);
        return run;
    }
    let strict = engine.spec_messages();
    let mut session = Session::new(engine, limits, false).with_snapshots(false);
    for command in &script.commands {
        let verdict = match errata.covering(&file.key, command.line) {
            Some(erratum) => Some(Check::Skip(format!("suite erratum: {}", erratum.reason))),
            None => check(command, &session.step(command), strict),
        };
        match verdict {
            None => {}
            Some(Check::Pass(note)) => {
                run.passed += 1;
                if let Some(message) = note {
                    run.notes.push(Note {
                        line: command.line,
                        message,
                    });
                }
            }
            Some(Check::Fail { expected, actual }) => {
                run.failed += 1;
                run.failures.push(Failure {
                    line: command.line,
                    directive: command.kind.directive().to_string(),
                    expected,
                    actual,
                    ledger: None,
                });
            }
            Some(Check::Skip(reason)) => {
                run.skipped += 1;
                run.skips.push(Note {
                    line: command.line,
                    message: reason,
                });
            }
        }
    }
    run
}

/// Parses every file (in parallel); the first error in file order.
pub fn parse_all(files: &[SuiteFile]) -> Result<Vec<Script>, ParseError> {
    files
        .par_iter()
        .map(|f| script::parse(&f.key, &f.text))
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Runs every file on every engine, in parallel; results in file order, then engine order.
pub fn run_all(
    engines: &[&dyn Engine],
    files: &[SuiteFile],
    scripts: &[Script],
    limits: Limits,
    errata: &Errata,
) -> Vec<FileRun> {
    let pairs: Vec<(usize, usize)> = (0..files.len())
        .flat_map(|f| (0..engines.len()).map(move |e| (f, e)))
        .collect();
    pairs
        .par_iter()
        .with_max_len(1)
        .map(|&(f, e)| run_script(engines[e], &files[f], &scripts[f], limits, errata))
        .collect()
}

/// A result the ledger does not account for: it fails the gate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Unexpected {
    /// The engine.
    pub engine: String,
    /// The file's suite key.
    pub file: String,
    /// The line, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// What was expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
}

impl Unexpected {
    /// `expected X, got Y`.
    pub fn message(&self) -> String {
        format!("expected {}, got {}", self.expected, self.actual)
    }
}

impl fmt::Display for Unexpected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}: {}", self.file, self.engine, self.message()),
            None => write!(f, "{}: {}: {}", self.file, self.engine, self.message()),
        }
    }
}

/// Holds one engine's runs against its ledger: marks the failures the ledger expects, and
/// returns every unexpected result — failures it does not list, entries that matched no
/// failure of a file that ran, entries for files skipped by feature, and (when `suite` is the
/// set of every file of the default suite, i.e. the whole suite ran) entries naming no file.
/// Entries for files that did not run are otherwise ignored.
pub fn apply_ledger(
    runs: &mut [FileRun],
    ledger: &Ledger,
    suite: Option<&HashSet<String>>,
) -> Vec<Unexpected> {
    let mut used = vec![false; ledger.entries.len()];
    let mut unexpected = Vec::new();
    let mut ran: HashSet<&str> = HashSet::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    for run in runs.iter_mut().filter(|r| r.engine == ledger.engine) {
        if let Some(reason) = &run.skipped_by {
            skipped.push((run.file.clone(), reason.clone()));
            continue;
        }
        for failure in &mut run.failures {
            match ledger.covering(&run.file, failure.line) {
                Some((i, entry)) => {
                    used[i] = true;
                    failure.ledger = Some(entry.reason.clone());
                }
                None => unexpected.push(Unexpected {
                    engine: run.engine.clone(),
                    file: run.file.clone(),
                    line: Some(failure.line),
                    expected: failure.expected.clone(),
                    actual: failure.actual.clone(),
                }),
            }
        }
    }
    for run in runs
        .iter()
        .filter(|r| r.engine == ledger.engine && r.skipped_by.is_none())
    {
        ran.insert(&run.file);
    }
    for (i, entry) in ledger.entries.iter().enumerate() {
        if used[i] {
            continue;
        }
        let stale = |actual: String| Unexpected {
            engine: ledger.engine.clone(),
            file: entry.file.clone(),
            line: entry.line,
            expected: format!("a failure (ledger: {})", entry.reason),
            actual,
        };
        if ran.contains(entry.file.as_str()) {
            unexpected.push(stale(
                "a pass: remove the entry from the ledger".to_string(),
            ));
        } else if let Some((_, why)) = skipped.iter().find(|(f, _)| *f == entry.file) {
            unexpected.push(stale(format!(
                "a file skipped by feature ({why}): remove the entry from the ledger"
            )));
        } else if suite.is_some_and(|s| !s.contains(&entry.file)) {
            unexpected.push(stale(
                "no such file in the suite: fix or remove the entry".to_string(),
            ));
        }
    }
    unexpected
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::Entry;

    fn run(file: &str, failing_lines: &[u32]) -> FileRun {
        FileRun {
            engine: "e".into(),
            file: file.into(),
            group: "g".into(),
            skipped_by: None,
            passed: 1,
            failed: failing_lines.len(),
            skipped: 0,
            failures: failing_lines
                .iter()
                .map(|&line| Failure {
                    line,
                    directive: "assert_return".into(),
                    expected: "i32:1".into(),
                    actual: "i32:2".into(),
                    ledger: None,
                })
                .collect(),
            notes: vec![],
            skips: vec![],
        }
    }

    fn ledger(entries: &[(&str, Option<u32>)]) -> Ledger {
        Ledger {
            engine: "e".into(),
            path: None,
            entries: entries
                .iter()
                .map(|(f, l)| Entry {
                    file: f.to_string(),
                    line: *l,
                    reason: "because".into(),
                    not_run: false,
                })
                .collect(),
        }
    }

    #[test]
    fn the_gate_is_strict_both_ways() {
        // Listed failure: expected. Unlisted: unexpected.
        let mut runs = vec![run("a.wast", &[3, 5])];
        let u = apply_ledger(&mut runs, &ledger(&[("a.wast", Some(3))]), None);
        assert_eq!(u.len(), 1);
        assert_eq!(u[0].to_string(), "a.wast:5: e: expected i32:1, got i32:2");
        assert_eq!(runs[0].failures[0].ledger.as_deref(), Some("because"));
        // A whole-file entry covers every failure.
        let mut runs = vec![run("a.wast", &[3, 5])];
        assert!(apply_ledger(&mut runs, &ledger(&[("a.wast", None)]), None).is_empty());
        // An entry for a passing check is unexpected.
        let mut runs = vec![run("a.wast", &[])];
        let u = apply_ledger(&mut runs, &ledger(&[("a.wast", Some(3))]), None);
        assert_eq!(u.len(), 1);
        assert!(
            u[0].to_string().contains("got a pass: remove the entry"),
            "{}",
            u[0]
        );
        // Entries for files that did not run are ignored, unless the whole suite ran.
        let mut runs = vec![run("a.wast", &[])];
        assert!(apply_ledger(&mut runs, &ledger(&[("b.wast", None)]), None).is_empty());
        let suite: HashSet<String> = ["a.wast".to_string()].into();
        let u = apply_ledger(&mut runs, &ledger(&[("b.wast", None)]), Some(&suite));
        assert!(u[0].actual.contains("no such file"), "{}", u[0]);
        // Entries for files skipped by feature are unexpected.
        let mut skipped = run("a.wast", &[]);
        skipped.skipped_by = Some("needs gc".into());
        let u = apply_ledger(&mut [skipped], &ledger(&[("a.wast", None)]), None);
        assert!(u[0].actual.contains("skipped by feature"), "{}", u[0]);
    }
}
