//! The expectations ledger, `spec-tests/expectations/<engine>.toml`: every failure an engine is known to have, with its reason.
//!
//! ```toml
//! [[expected-failure]]
//! file = "proposals/memory64/memory_grow64.wast"   # a suite key (see `crate::suite`)
//! line = 123                                       # optional: without it, every failure of the file
//! reason = "https://github.com/bytecodealliance/wasmtime/issues/NNNN: what goes wrong"
//! ```
//!
//! Beside the ledgers, `errata.toml` lists the few assertions of the pinned suite that are
//! false under the feature set every engine (and the spec, since Wasm 3.0) implements — for
//! example the memory64 proposal's snapshot asserting that two memories are invalid, from
//! before multi-memory. Those checks are skipped on every engine, with the erratum's reason.
//! An erratum names the exact line and directive, and one that no longer matches the suite
//! is an error, so errata cannot silently outlive the test they correct.
//!
//! The ledger is strict both ways: a failure it does not list is unexpected, and so is an
//! entry that matches no failure (the test passes now: remove the entry), an entry for a file
//! the engine skips by feature (skipped files are never listed), and, when the whole suite
//! ran, an entry naming no file of the suite.

use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One expected failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file's suite key (`wasm-v3/...`, `proposals/<name>/...`, `local/...`).
    pub file: String,
    /// The directive's line; `None` covers every failure of the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// Why it fails; for engine bugs, the upstream issue's URL first.
    pub reason: String,
    /// The file is not run on this engine at all: the engine would take the test process
    /// down with it (an abort, a crash no `catch_unwind` can stop). Only for whole files.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_run: bool,
}

impl Entry {
    /// Whether this entry covers a failure at `line` of `file`.
    pub fn covers(&self, file: &str, line: u32) -> bool {
        self.file == file && self.line.is_none_or(|l| l == line)
    }

    /// `file:line` or `file`.
    pub fn location(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LedgerFile {
    #[serde(rename = "expected-failure", default)]
    expected_failure: Vec<Entry>,
}

/// One engine's ledger.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    /// The engine.
    pub engine: String,
    /// Where it was read from, if from a file.
    pub path: Option<PathBuf>,
    /// The entries, in file order.
    pub entries: Vec<Entry>,
}

/// A ledger that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, or not the ledger's shape.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The line of the problem (1 when unknown).
        line: u32,
        /// What is wrong.
        message: String,
    },
    /// An entry is unusable.
    #[error("{path}: expected-failure #{index} ({location}): {message}")]
    Entry {
        /// The file.
        path: String,
        /// The entry's position, from 1.
        index: usize,
        /// The entry's file and line.
        location: String,
        /// What is wrong.
        message: String,
    },
}

/// The directory of the ledgers of this checkout, `spec-tests/expectations/`.
pub fn default_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/expectations"))
}

impl Ledger {
    /// An empty ledger.
    pub fn empty(engine: &str) -> Ledger {
        Ledger {
            engine: engine.to_string(),
            path: None,
            entries: Vec::new(),
        }
    }

    /// Reads `<dir>/<engine>.toml`; a missing file is an empty ledger.
    pub fn load(dir: &Path, engine: &str) -> Result<Ledger, LedgerError> {
        let path = dir.join(format!("{engine}.toml"));
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Ledger::empty(engine)),
            Err(source) => {
                return Err(LedgerError::Read {
                    path: path.display().to_string(),
                    source,
                });
            }
        };
        let mut ledger = Ledger::parse(&path.display().to_string(), engine, &text)?;
        ledger.path = Some(path);
        Ok(ledger)
    }

    /// Parses a ledger's text; `path` names it in errors.
    pub fn parse(path: &str, engine: &str, text: &str) -> Result<Ledger, LedgerError> {
        let file: LedgerFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let mut seen = HashSet::new();
        for (i, entry) in file.expected_failure.iter().enumerate() {
            let bad = |message: &str| LedgerError::Entry {
                path: path.to_string(),
                index: i + 1,
                location: entry.location(),
                message: message.to_string(),
            };
            if entry.reason.trim().is_empty() {
                return Err(bad("the reason is empty"));
            }
            if entry.file.trim().is_empty() {
                return Err(bad("the file is empty"));
            }
            if entry.not_run && entry.line.is_some() {
                return Err(bad("`not_run` applies to a whole file: remove the line"));
            }
            if entry.line == Some(0) {
                return Err(bad("lines count from 1"));
            }
            if !seen.insert((entry.file.clone(), entry.line)) {
                return Err(bad("listed twice"));
            }
        }
        Ok(Ledger {
            engine: engine.to_string(),
            path: None,
            entries: file.expected_failure,
        })
    }

    /// The entry that says `file` is not run on this engine, if any.
    pub fn not_run(&self, file: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.not_run && e.file == file)
    }

    /// The entry covering a failure at `line` of `file`: one naming the line before one
    /// covering the whole file.
    pub fn covering(&self, file: &str, line: u32) -> Option<(usize, &Entry)> {
        let mut whole_file = None;
        for (i, e) in self.entries.iter().enumerate() {
            if e.file == file && e.line == Some(line) {
                return Some((i, e));
            }
            if e.file == file && e.line.is_none() && whole_file.is_none() {
                whole_file = Some((i, e));
            }
        }
        whole_file
    }
}

/// An assertion of the pinned suite that is false under the feature set catchall's engines
/// implement; skipped on every engine.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// The file's suite key.
    pub file: String,
    /// The directive's line.
    pub line: u32,
    /// The directive's keyword (`assert_invalid`, ...), checked against the file.
    pub directive: String,
    /// Why the assertion is false.
    pub reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ErrataFile {
    #[serde(default)]
    erratum: Vec<Erratum>,
}

/// The directives an erratum may cover: assertions about one module, which bind nothing a
/// later command depends on.
const ERRATUM_DIRECTIVES: &[&str] = &[
    "assert_invalid",
    "assert_malformed",
    "assert_unlinkable",
    "assert_uninstantiable",
];

/// The suite's errata, `expectations/errata.toml`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Errata {
    /// Where they were read from.
    pub path: String,
    /// The errata, in file order.
    pub entries: Vec<Erratum>,
}

impl Errata {
    /// Reads `<dir>/errata.toml`; a missing file means no errata.
    pub fn load(dir: &Path) -> Result<Errata, LedgerError> {
        let path = dir.join("errata.toml");
        let shown = path.display().to_string();
        match std::fs::read_to_string(&path) {
            Ok(text) => Errata::parse(&shown, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Errata {
                path: shown,
                entries: Vec::new(),
            }),
            Err(source) => Err(LedgerError::Read {
                path: shown,
                source,
            }),
        }
    }

    /// Parses errata; `path` names the file in errors.
    pub fn parse(path: &str, text: &str) -> Result<Errata, LedgerError> {
        let file: ErrataFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        let mut seen = HashSet::new();
        for (i, entry) in file.erratum.iter().enumerate() {
            let bad = |message: String| LedgerError::Entry {
                path: path.to_string(),
                index: i + 1,
                location: format!("{}:{}", entry.file, entry.line),
                message,
            };
            if entry.reason.trim().is_empty() {
                return Err(bad("the reason is empty".into()));
            }
            if !ERRATUM_DIRECTIVES.contains(&entry.directive.as_str()) {
                return Err(bad(format!(
                    "errata may only cover {}",
                    ERRATUM_DIRECTIVES.join(", ")
                )));
            }
            if !seen.insert((entry.file.clone(), entry.line)) {
                return Err(bad("listed twice".into()));
            }
        }
        Ok(Errata {
            path: path.to_string(),
            entries: file.erratum,
        })
    }

    /// The erratum for the directive at `line` of `file`.
    pub fn covering(&self, file: &str, line: u32) -> Option<&Erratum> {
        self.entries
            .iter()
            .find(|e| e.line == line && e.file == file)
    }

    /// Checks every erratum against the scripts that will run: it must name a line holding
    /// its directive. When `whole_suite`, an erratum naming a file that is not among them is
    /// an error too.
    pub fn verify(&self, scripts: &[crate::Script], whole_suite: bool) -> Result<(), LedgerError> {
        for (i, entry) in self.entries.iter().enumerate() {
            let bad = |message: String| LedgerError::Entry {
                path: self.path.clone(),
                index: i + 1,
                location: format!("{}:{}", entry.file, entry.line),
                message,
            };
            let Some(script) = scripts.iter().find(|s| s.file == entry.file) else {
                if whole_suite {
                    return Err(bad("no such file in the suite".into()));
                }
                continue;
            };
            let found = script
                .commands
                .iter()
                .find(|c| c.line == entry.line)
                .map(|c| c.kind.directive());
            if found != Some(entry.directive.as_str()) {
                return Err(bad(format!(
                    "the file has {} at that line, not {}: the suite changed, update or remove the erratum",
                    found.map_or("no directive".to_string(), |d| format!("`{d}`")),
                    entry.directive
                )));
            }
        }
        Ok(())
    }
}

fn toml_error(path: &str, text: &str, e: &toml::de::Error) -> LedgerError {
    let line = e.span().map_or(1, |s| {
        text[..s.start.min(text.len())].matches('\n').count() + 1
    });
    LedgerError::Parse {
        path: path.to_string(),
        line: line as u32,
        message: e.message().trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_entries_and_matches_lines() {
        let l = Ledger::parse(
            "x.toml",
            "cranelift",
            r#"
[[expected-failure]]
file = "a.wast"
line = 3
reason = "r1"

[[expected-failure]]
file = "b.wast"
reason = "r2"
"#,
        )
        .unwrap();
        assert_eq!(l.entries.len(), 2);
        assert_eq!(l.covering("a.wast", 3).map(|(i, _)| i), Some(0));
        assert_eq!(l.covering("a.wast", 4), None);
        assert_eq!(l.covering("b.wast", 99).map(|(i, _)| i), Some(1));
        assert!(Ledger::parse("x.toml", "e", "").unwrap().entries.is_empty());
    }

    #[test]
    fn rejects_unknown_keys_bad_toml_and_bad_entries() {
        let e = Ledger::parse(
            "x.toml",
            "e",
            "[[expected-failure]]\nfile = \"a\"\nreason = \"r\"\nlnie = 3\n",
        )
        .unwrap_err();
        assert!(e.to_string().starts_with("x.toml:"), "{e}");
        assert!(e.to_string().contains("lnie"), "{e}");
        let e = Ledger::parse("x.toml", "e", "[[expected-failure]\n").unwrap_err();
        assert!(matches!(e, LedgerError::Parse { line: 1, .. }), "{e}");
        let e = Ledger::parse(
            "x.toml",
            "e",
            "[[expected-failure]]\nfile = \"a\"\nreason = \" \"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("reason is empty"), "{e}");
        let e = Ledger::parse(
            "x.toml",
            "e",
            "[[expected-failure]]\nfile = \"a\"\nreason = \"r\"\n[[expected-failure]]\nfile = \"a\"\nreason = \"s\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
        let e = Ledger::parse(
            "x.toml",
            "e",
            "[[expected-failures]]\nfile = \"a\"\nreason = \"r\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("expected-failures"), "{e}");
    }

    #[test]
    fn errata_must_match_the_suite() {
        let text = "[[erratum]]\nfile = \"t.wast\"\nline = 2\ndirective = \"assert_invalid\"\nreason = \"r\"\n";
        let errata = Errata::parse("errata.toml", text).unwrap();
        let script = crate::script::parse(
            "t.wast",
            "(module)\n(assert_invalid (module (func (result i32))) \"type mismatch\")\n",
        )
        .unwrap();
        errata.verify(std::slice::from_ref(&script), true).unwrap();
        assert!(errata.covering("t.wast", 2).is_some());
        let moved = crate::script::parse(
            "t.wast",
            "(module)\n\n(assert_invalid (module (func (result i32))) \"x\")\n",
        )
        .unwrap();
        let e = errata.verify(&[moved], true).unwrap_err();
        assert!(e.to_string().contains("no directive at that line"), "{e}");
        assert!(errata.verify(&[], true).is_err());
        assert!(errata.verify(&[], false).is_ok());
        let e = Errata::parse(
            "errata.toml",
            &text.replace("assert_invalid", "assert_return"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("errata may only cover"), "{e}");
    }
}
