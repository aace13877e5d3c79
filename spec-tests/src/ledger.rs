//! The expectations ledger, `spec-tests/expectations/<engine>.toml`: every failure an engine is known to have, with its reason.
//!
//! ```toml
//! [[expected-failure]]
//! file = "proposals/memory64/memory_grow64.wast"   # a suite key (see `crate::suite`)
//! line = 123                                       # optional: without it, every failure of the file
//! reason = "https://github.com/bytecodealliance/wasmtime/issues/NNNN: what goes wrong"
//! ```
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
        let file: LedgerFile = toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            LedgerError::Parse {
                path: path.to_string(),
                line: line as u32,
                message: e.message().trim().to_string(),
            }
        })?;
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
        let e = Ledger::parse("x.toml", "e", "[[expected-failure]]\nfile = \"a\"\nreason = \" \"\n")
            .unwrap_err();
        assert!(e.to_string().contains("reason is empty"), "{e}");
        let e = Ledger::parse(
            "x.toml",
            "e",
            "[[expected-failure]]\nfile = \"a\"\nreason = \"r\"\n[[expected-failure]]\nfile = \"a\"\nreason = \"s\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("listed twice"), "{e}");
        let e = Ledger::parse("x.toml", "e", "[[expected-failures]]\nfile = \"a\"\nreason = \"r\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("expected-failures"), "{e}");
    }
}
