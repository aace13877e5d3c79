//! A finding on disk: the serde types of `finding.json` and `bucket.json`, reading a finding folder back (with one clear error for each way it can be broken), and the atomic writes every finding file goes through.
//!
//! A finding folder holds `module.wasm` (the exact bytes every engine ran), `module.wat`,
//! `plan.json`, `finding.json` ([`FindingDoc`]), `report.txt` / `report.json` (every engine's
//! outcome side by side) and, once reduced, `reduced/` (the same files for the reduced module
//! plus `regression.wast`).

use crate::key::BucketKey;
use oracles::compare::{Divergence, NanPolicy};
use oracles::differential::{Plan, RunOptions};
use oracles::{ComparePolicy, Limits};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The version of `finding.json`'s layout this catchall writes and reads.
pub const FINDING_FORMAT: u32 = 2;

/// A failure reading or writing a finding.
#[derive(Debug, thiserror::Error)]
pub enum FindingError {
    /// The filesystem refused an operation.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file of a finding is missing, unreadable or not what it should be.
    #[error("{path}: {message}")]
    Corrupt {
        /// The path involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// An I/O error on `path`.
pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FindingError + '_ {
    move |source| FindingError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn corrupt(path: &Path, message: impl Into<String>) -> FindingError {
    FindingError::Corrupt {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// One engine's part in a finding.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineEntry {
    /// The engine's name (configuration).
    pub name: String,
    /// Its version.
    pub version: String,
    /// Why it did not run the module, if it did not.
    #[serde(default)]
    pub skipped: Option<String>,
}

/// The known bug a finding was confirmed to be.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownBugRef {
    /// The bug's name.
    pub name: String,
    /// Its regression under `corpus/regressions/`.
    pub regression: String,
}

/// One engine rerun alone on a case the process died on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Rerun {
    /// The engine.
    pub engine: String,
    /// How its process ended (`exit status 0`, `signal 6`).
    pub ended: String,
    /// Whether it died rather than exiting.
    pub died: bool,
    /// The last lines it wrote on stderr.
    pub stderr_tail: String,
}

/// `finding.json`: everything about a saved case.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingDoc {
    /// The layout version ([`FINDING_FORMAT`]).
    pub format: u32,
    /// `diverge` or `process-crash`.
    pub verdict: String,
    /// The bucket key.
    pub bucket: BucketKey,
    /// The divergence (absent for a process crash).
    #[serde(default)]
    pub divergence: Option<Divergence>,
    /// One line about what happened.
    pub detail: String,
    /// The campaign seed.
    pub seed: u64,
    /// The case index.
    pub case: u64,
    /// The generation profile.
    pub profile: String,
    /// The generator that made the module.
    pub generator: String,
    /// The generator's configuration.
    pub generator_config: String,
    /// The proposals the module uses (recorded, not part of the key).
    pub features: Vec<String>,
    /// The module's size in bytes (recorded, not part of the key).
    pub wasm_bytes: u64,
    /// Every engine the campaign ran, in column order (the oracle first).
    pub engines: Vec<EngineEntry>,
    /// catchall's version.
    pub catchall: String,
    /// How NaN bits were compared (`exact` or `arithmetic`).
    pub nan: String,
    /// Fuel per step.
    pub fuel: u64,
    /// The known bug it was confirmed to be.
    #[serde(default)]
    pub known_bug: Option<KnownBugRef>,
    /// For a process crash: each engine rerun alone.
    #[serde(default)]
    pub reruns: Vec<Rerun>,
    /// The one-line command that reruns the saved bytes and plan.
    pub reproduce: String,
    /// The command that regenerates the case from its seed.
    pub regenerate: String,
}

impl FindingDoc {
    /// The engines' names, comma-separated, as `--engines` takes them.
    pub fn engine_list(&self) -> String {
        self.engines
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    /// The NaN policy.
    pub fn nan_policy(&self) -> NanPolicy {
        match self.nan.as_str() {
            "exact" => NanPolicy::Exact,
            _ => NanPolicy::ArithmeticPoisons,
        }
    }

    /// How the campaign ran the case: its fuel and NaN policy, stopping at the first verdict.
    pub fn run_options(&self) -> RunOptions {
        RunOptions {
            limits: Limits {
                fuel: self.fuel,
                ..Limits::default()
            },
            policy: ComparePolicy {
                nan: self.nan_policy(),
            },
            continue_after_verdict: false,
        }
    }
}

/// What reduction made of a finding, recorded in `bucket.json`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReducedSummary {
    /// The case that was reduced.
    pub case: String,
    /// Its size before.
    pub original_bytes: u64,
    /// Its size after.
    pub reduced_bytes: u64,
    /// Seconds spent.
    pub seconds: f64,
}

/// `bucket.json`: a bucket's key and the cases it holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketDoc {
    /// The key.
    pub key: BucketKey,
    /// The key's kind name.
    pub kind: String,
    /// Cases filed under it (saved or not).
    pub count: u64,
    /// The case folders saved.
    pub saved: Vec<String>,
    /// The reduction of its first finding, once done.
    #[serde(default)]
    pub reduced: Option<ReducedSummary>,
}

/// Reads a bucket's `bucket.json`.
pub fn read_bucket(bucket: &Path) -> Result<BucketDoc, FindingError> {
    let path = bucket.join("bucket.json");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| corrupt(&path, format!("not a bucket.json: {e}")))
}

/// A finding folder read back.
#[derive(Clone, Debug)]
pub struct LoadedFinding {
    /// The folder.
    pub dir: PathBuf,
    /// `finding.json`.
    pub doc: FindingDoc,
    /// The module bytes.
    pub wasm: Vec<u8>,
    /// The invocation plan.
    pub plan: Plan,
}

/// Reads `module.wasm` and `plan.json` of a folder (a finding, or its `reduced/`).
pub fn load_module_and_plan(dir: &Path) -> Result<(Vec<u8>, Plan), FindingError> {
    let wasm_path = dir.join("module.wasm");
    let wasm = std::fs::read(&wasm_path)
        .map_err(|e| corrupt(&wasm_path, format!("cannot read the finding's module: {e}")))?;
    let plan_path = dir.join("plan.json");
    let text = std::fs::read_to_string(&plan_path)
        .map_err(|e| corrupt(&plan_path, format!("cannot read the finding's plan: {e}")))?;
    let plan: Plan =
        serde_json::from_str(&text).map_err(|e| corrupt(&plan_path, format!("not a plan: {e}")))?;
    Ok((wasm, plan))
}

/// Reads a finding's `finding.json`.
pub fn load_doc(dir: &Path) -> Result<FindingDoc, FindingError> {
    let path = dir.join("finding.json");
    let text = std::fs::read_to_string(&path)
        .map_err(|e| corrupt(&path, format!("cannot read the finding: {e}")))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| corrupt(&path, format!("not JSON: {e}")))?;
    match value.get("format").and_then(|f| f.as_u64()) {
        Some(f) if f == u64::from(FINDING_FORMAT) => {}
        Some(f) => {
            return Err(corrupt(
                &path,
                format!("finding format {f}, this catchall reads format {FINDING_FORMAT}"),
            ));
        }
        None => {
            return Err(corrupt(
                &path,
                "written by an older catchall (no `format`): rerun its case with `catchall \
                 run <folder>` or regenerate it with its `regenerate` command",
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| corrupt(&path, format!("not a finding: {e}")))
}

/// Reads a whole finding folder.
pub fn load(dir: &Path) -> Result<LoadedFinding, FindingError> {
    if !dir.is_dir() {
        return Err(corrupt(
            dir,
            "not a folder (pass a finding folder such as findings/<bucket>/case-<seed>-<index>)",
        ));
    }
    let doc = load_doc(dir)?;
    let (wasm, plan) = load_module_and_plan(dir)?;
    Ok(LoadedFinding {
        dir: dir.to_path_buf(),
        doc,
        wasm,
        plan,
    })
}

/// JSON with two-space indentation and a final newline.
pub fn pretty<T: Serialize>(value: &T) -> String {
    let mut s = serde_json::to_string_pretty(value).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<(), FindingError> {
    let tmp = path.with_extension(format!(
        "tmp{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::write(&tmp, contents).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// Creates `dir` and writes what every finding holds to rerun its case: `module.wasm` (the
/// exact bytes), `module.wat` and `plan.json`.
pub fn write_module_files(dir: &Path, wasm: &[u8], plan: &Plan) -> Result<(), FindingError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let put = |file: &str, bytes: &[u8]| {
        let p = dir.join(file);
        std::fs::write(&p, bytes).map_err(io(&p))
    };
    put("module.wasm", wasm)?;
    put("module.wat", module_text(wasm).as_bytes())?;
    put("plan.json", pretty(plan).as_bytes())
}

/// A module's text, or a comment saying why it cannot be printed.
pub fn module_text(wasm: &[u8]) -> String {
    wasmprinter::print_bytes(wasm)
        .unwrap_or_else(|e| format!(";; wasmprinter could not print the module: {e}\n"))
}

/// Moves a folder assembled at `tmp` to `target`, replacing an older one, so that a reader
/// sees a whole folder or none.
pub fn move_into_place(tmp: &Path, target: &Path) -> Result<(), FindingError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(io(target))?;
    }
    std::fs::rename(tmp, target).map_err(io(target))
}

/// A NaN policy as `catchall run --nan` spells it.
pub fn nan_arg(nan: NanPolicy) -> &'static str {
    match nan {
        NanPolicy::Exact => "exact",
        NanPolicy::ArithmeticPoisons => "arithmetic",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("catchall-finding-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn broken_folders_are_one_clear_error() {
        let d = temp("broken");
        let e = load(&d).unwrap_err().to_string();
        assert!(e.contains("cannot read the finding"), "{e}");
        std::fs::write(d.join("finding.json"), "{ half").unwrap();
        assert!(load(&d).unwrap_err().to_string().contains("not JSON"));
        std::fs::write(
            d.join("finding.json"),
            r#"{"bucket": "value-mismatch|a=return"}"#,
        )
        .unwrap();
        let e = load(&d).unwrap_err().to_string();
        assert!(e.contains("older catchall"), "{e}");
        std::fs::write(d.join("finding.json"), r#"{"format": 2, "bucket": "x"}"#).unwrap();
        assert!(load(&d).unwrap_err().to_string().contains("not a finding"));
        let _ = std::fs::remove_dir_all(&d);
    }
}
