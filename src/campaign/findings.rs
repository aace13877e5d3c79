//! The findings store: each divergent case saved self-contained and atomically under its bucket
//! (what diverged, not where), with a one-line reproduction command.
//!
//! Layout: `<root>/<bucket>/<case>/` holding `module.wasm` (the exact bytes every engine ran),
//! `module.wat`, `plan.json`, `finding.json` (verdict, seed, generator configuration, engine
//! versions, reproduction commands), `report.txt` and `report.json` (every engine's outcome of
//! every step, side by side); `<root>/<bucket>/bucket.json` counts the bucket's cases. Every
//! file is written to a temporary name and renamed into place, and a case directory is
//! assembled under `<root>/.tmp` and renamed whole, so an interrupted campaign never leaves a
//! half-written finding.

use crate::report::Table;
use oracles::compare::{Divergence, NanPolicy, Verdict};
use oracles::differential::EngineStatus;
use oracles::{CaseReport, Plan};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// At most this many cases of one bucket are saved; the rest are only counted.
pub const MAX_SAVED_PER_BUCKET: u64 = 8;

/// A failure of the findings store.
#[derive(Debug, thiserror::Error)]
pub enum FindingsError {
    /// The filesystem refused an operation.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A file of a finding is missing or unreadable.
    #[error("{path}: {message}")]
    Corrupt {
        /// The path involved.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> FindingsError + '_ {
    move |source| FindingsError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Everything a saved finding records about its case.
pub struct Finding<'a> {
    /// The campaign seed.
    pub seed: u64,
    /// The case index.
    pub index: u64,
    /// The generation profile's name.
    pub profile: &'a str,
    /// The generator that made the module.
    pub generator: &'a str,
    /// The generator's configuration, one line.
    pub config: &'a str,
    /// The exact bytes every engine ran.
    pub wasm: &'a [u8],
    /// The invocation plan.
    pub plan: &'a Plan,
    /// What happened.
    pub report: &'a CaseReport,
    /// The engines the campaign ran, comma-separated.
    pub engines: &'a str,
    /// How NaN bits were compared (the reproduction command compares them the same way).
    pub nan: NanPolicy,
    /// The known bug the divergence was confirmed to be (its name and regression), if any.
    pub known: Option<(&'a str, &'a str)>,
}

/// The directory name of a case.
pub fn case_name(seed: u64, index: u64) -> String {
    format!("case-{seed}-{index}")
}

/// The bucket key of a divergence: its kind, which engines sided with which and what each side
/// observed (outcome kinds, trap kinds, tags — not values), and the module's proposals.
pub fn bucket_key(d: &Divergence, features: &[&str]) -> String {
    let sides: Vec<String> = d
        .groups
        .iter()
        .map(|g| format!("{}={}", g.engines.join("+"), observed_class(&g.observed)))
        .collect();
    format!(
        "{}|{}|{}",
        d.kind.name(),
        sides.join("|"),
        features.join(",")
    )
}

/// The class of an observation cell, without its values: `trap oob`, `exn $e`, `return`.
fn observed_class(cell: &str) -> String {
    if let Some(rest) = cell.strip_prefix("exn ") {
        let tag = rest.split('(').next().unwrap_or(rest);
        format!("exn {tag}")
    } else if cell.starts_with("trap ")
        || cell.starts_with("exhausted")
        || cell.starts_with("CRASH")
        || matches!(cell, "invalid" | "malformed" | "unlinkable" | "internal")
    {
        cell.split(':').next().unwrap_or(cell).to_string()
    } else {
        "return".into()
    }
}

/// The bucket key of the cases confirmed to be the known bug `name`.
pub fn known_bucket_key(name: &str) -> String {
    format!("known|{name}")
}

/// A short, filesystem-safe directory name for a bucket key (`known-<bug name>` for a known
/// bug's bucket).
pub fn bucket_dir(key: &str) -> String {
    if let Some(name) = key.strip_prefix("known|") {
        return format!("known-{name}");
    }
    let kind = key.split('|').next().unwrap_or("divergence");
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{kind}-{:08x}", h as u32)
}

/// Where findings go.
pub struct FindingsStore {
    root: PathBuf,
    lock: Mutex<()>,
    tmp_counter: AtomicU64,
}

impl FindingsStore {
    /// Opens (creating if needed) a findings folder.
    pub fn open(root: &Path) -> Result<FindingsStore, FindingsError> {
        std::fs::create_dir_all(root.join(".tmp")).map_err(io(root))?;
        Ok(FindingsStore {
            root: root.to_path_buf(),
            lock: Mutex::new(()),
            tmp_counter: AtomicU64::new(0),
        })
    }

    /// The folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Saves a divergent case under bucket `key` ([`bucket_key`], or [`known_bucket_key`]);
    /// returns its folder, or `None` when its bucket already holds
    /// [`MAX_SAVED_PER_BUCKET`] cases (the bucket's count still grows).
    pub fn save(&self, f: &Finding, key: &str) -> Result<Option<PathBuf>, FindingsError> {
        let Verdict::Diverge(d) = &f.report.verdict else {
            return Ok(None);
        };
        let bucket = self.root.join(bucket_dir(key));
        let name = case_name(f.seed, f.index);
        let target = bucket.join(&name);
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        std::fs::create_dir_all(&bucket).map_err(io(&bucket))?;
        let mut meta = read_bucket(&bucket)
            .unwrap_or_else(|| json!({"key": key, "kind": d.kind.name(), "count": 0, "saved": []}));
        meta["count"] = json!(meta["count"].as_u64().unwrap_or(0) + 1);
        let saved_count = meta["saved"].as_array().map_or(0, Vec::len) as u64;
        let already = meta["saved"]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == &json!(name)));
        let keep = already || saved_count < MAX_SAVED_PER_BUCKET;
        if keep {
            let tmp = self.root.join(".tmp").join(format!(
                "{name}-{}-{}",
                std::process::id(),
                self.tmp_counter.fetch_add(1, Ordering::Relaxed)
            ));
            self.write_case(&tmp, f, d, key, &target)?;
            move_into_place(&tmp, &target)?;
            if !already && let Some(a) = meta["saved"].as_array_mut() {
                a.push(json!(name));
            }
        }
        write_atomic(&bucket.join("bucket.json"), &pretty(&meta))?;
        Ok(keep.then_some(target))
    }

    fn write_case(
        &self,
        dir: &Path,
        f: &Finding,
        d: &Divergence,
        key: &str,
        target: &Path,
    ) -> Result<(), FindingsError> {
        write_module_files(dir, f.wasm, f.plan)?;
        let put = |file: &str, bytes: &[u8]| {
            let p = dir.join(file);
            std::fs::write(&p, bytes).map_err(io(&p))
        };
        let title = case_name(f.seed, f.index);
        let table = Table::from_case(&title, f.report);
        put("report.txt", table.render().as_bytes())?;
        put("report.json", pretty(&table.to_json()).as_bytes())?;
        let engines: Vec<Value> = f
            .report
            .engines
            .iter()
            .map(|e| {
                json!({
                    "name": e.name,
                    "version": e.version,
                    "skipped": match &e.status {
                        EngineStatus::Skipped(why) => Some(why.clone()),
                        EngineStatus::Ran => None,
                    },
                })
            })
            .collect();
        let finding = json!({
            "verdict": "diverge",
            "divergence": d,
            "bucket": key,
            "seed": f.seed,
            "case": f.index,
            "profile": f.profile,
            "generator": f.generator,
            "generator_config": f.config,
            "features": f.report.features,
            "engines": engines,
            "catchall": env!("CARGO_PKG_VERSION"),
            "nan": nan_arg(f.nan),
            "known_bug": f.known.map(|(name, regression)| json!({"name": name, "regression": regression})),
            "reproduce": reproduce_command(target, f.engines, f.nan),
            "regenerate": format!(
                "cargo run --release -- fuzz --seed {} --case {} --profile {} --engines {}",
                f.seed, f.index, f.profile, f.engines
            ),
        });
        put("finding.json", pretty(&finding).as_bytes())
    }
}

/// Creates `dir` and writes what every finding holds to rerun its case: `module.wasm` (the
/// exact bytes), `module.wat` and `plan.json`.
pub fn write_module_files(dir: &Path, wasm: &[u8], plan: &Plan) -> Result<(), FindingsError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let put = |file: &str, bytes: &[u8]| {
        let p = dir.join(file);
        std::fs::write(&p, bytes).map_err(io(&p))
    };
    put("module.wasm", wasm)?;
    let wat = wasmprinter::print_bytes(wasm)
        .unwrap_or_else(|e| format!(";; wasmprinter could not print the module: {e}\n"));
    put("module.wat", wat.as_bytes())?;
    put(
        "plan.json",
        pretty(&serde_json::to_value(plan).unwrap_or(Value::Null)).as_bytes(),
    )
}

/// Moves a case folder assembled at `tmp` to `target`, replacing an older one, so that a
/// reader sees a whole case or none.
pub fn move_into_place(tmp: &Path, target: &Path) -> Result<(), FindingsError> {
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(io(target))?;
    }
    std::fs::rename(tmp, target).map_err(io(target))
}

/// The one-line command that reruns a saved finding exactly (same bytes, same plan, same
/// NaN comparison).
pub fn reproduce_command(dir: &Path, engines: &str, nan: NanPolicy) -> String {
    format!(
        "cargo run --release -- run {} --engines {engines} --nan {}",
        dir.display(),
        nan_arg(nan)
    )
}

/// The reproduction command recorded in a saved finding's `finding.json`.
pub fn saved_reproduce_command(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("finding.json")).ok()?;
    let doc: Value = serde_json::from_str(&text).ok()?;
    doc["reproduce"].as_str().map(str::to_string)
}

/// A NaN policy as `catchall run --nan` spells it.
pub fn nan_arg(nan: NanPolicy) -> &'static str {
    match nan {
        NanPolicy::Exact => "exact",
        NanPolicy::ArithmeticPoisons => "arithmetic",
    }
}

fn read_bucket(bucket: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(bucket.join("bucket.json")).ok()?;
    serde_json::from_str(&text).ok()
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), FindingsError> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, contents).map_err(io(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io(path))
}

/// A saved finding read back: the module and plan to rerun.
pub struct SavedCase {
    /// The module bytes.
    pub wasm: Vec<u8>,
    /// The plan.
    pub plan: Plan,
}

/// Reads a finding folder written by [`FindingsStore::save`].
pub fn load_case(dir: &Path) -> Result<SavedCase, FindingsError> {
    let wasm_path = dir.join("module.wasm");
    let wasm = std::fs::read(&wasm_path).map_err(|e| FindingsError::Corrupt {
        path: wasm_path.clone(),
        message: format!("cannot read the finding's module: {e}"),
    })?;
    let plan_path = dir.join("plan.json");
    let text = std::fs::read_to_string(&plan_path).map_err(|e| FindingsError::Corrupt {
        path: plan_path.clone(),
        message: format!("cannot read the finding's plan: {e}"),
    })?;
    let plan: Plan = serde_json::from_str(&text).map_err(|e| FindingsError::Corrupt {
        path: plan_path.clone(),
        message: format!("not a plan: {e}"),
    })?;
    Ok(SavedCase { wasm, plan })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_classes_drop_values() {
        assert_eq!(observed_class("exn $e(i32:1, i64:2)"), "exn $e");
        assert_eq!(observed_class("trap oob"), "trap oob");
        assert_eq!(observed_class("i32:7, i64:1"), "return");
        assert_eq!(observed_class("ok"), "return");
        assert_eq!(observed_class("invalid"), "invalid");
    }

    #[test]
    fn bucket_dirs_are_stable_and_distinct() {
        let a = bucket_dir("value-mismatch|reference=return|cranelift=return|exceptions");
        assert_eq!(
            a,
            bucket_dir("value-mismatch|reference=return|cranelift=return|exceptions")
        );
        assert!(a.starts_with("value-mismatch-"));
        assert_ne!(
            a,
            bucket_dir("value-mismatch|reference=return|pulley=return|exceptions")
        );
    }
}
