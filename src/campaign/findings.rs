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
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
pub use triage::finding::{
    BucketDoc, EngineEntry, FINDING_FORMAT, FindingDoc, FindingError as FindingsError, KnownBugRef,
    move_into_place, nan_arg, pretty, write_module_files,
};
use triage::finding::{io, read_bucket};
pub use triage::key::BucketKey;

/// At most this many cases of one bucket are saved; the rest are only counted.
pub const MAX_SAVED_PER_BUCKET: u64 = 8;

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
    /// Fuel per step (the reproduction and the reducer rerun with the same).
    pub fuel: u64,
    /// The known bug the divergence was confirmed to be (its name and regression), if any.
    pub known: Option<(&'a str, &'a str)>,
}

/// The directory name of a case.
pub fn case_name(seed: u64, index: u64) -> String {
    format!("case-{seed}-{index}")
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

    /// Saves a divergent case under bucket `key`; returns its folder and whether it opened
    /// the bucket, or `None` when its bucket already holds [`MAX_SAVED_PER_BUCKET`] cases
    /// (the bucket's count still grows). [`FindingsStore::prepare`] then
    /// [`FindingsStore::commit`].
    pub fn save(&self, f: &Finding, key: &BucketKey) -> Result<Option<Saved>, FindingsError> {
        match self.prepare(f, key)? {
            Some(prepared) => self.commit(&prepared),
            None => Ok(None),
        }
    }

    /// Writes a divergent case's folder aside, under `<root>/.tmp`, without touching its bucket:
    /// what a worker process does, so that only the campaign's parent process commits
    /// ([`FindingsStore::commit`]) and bucket counts are never raced. `None` when the case did
    /// not diverge.
    pub fn prepare(&self, f: &Finding, key: &BucketKey) -> Result<Option<Prepared>, FindingsError> {
        let Verdict::Diverge(d) = &f.report.verdict else {
            return Ok(None);
        };
        let name = case_name(f.seed, f.index);
        let target = self.root.join(key.dir_name()).join(&name);
        let tmp = self.tmp_dir(&name);
        self.write_case(&tmp, f, d, key, &target)?;
        Ok(Some(Prepared {
            tmp,
            key: key.to_string(),
            name,
        }))
    }

    /// A fresh folder name under `<root>/.tmp`, unique across processes.
    pub fn tmp_dir(&self, name: &str) -> PathBuf {
        self.root.join(".tmp").join(format!(
            "{name}-{}-{}",
            std::process::id(),
            self.tmp_counter.fetch_add(1, Ordering::Relaxed)
        ))
    }

    /// Moves a prepared case folder into its bucket (whole, by one rename) and counts it in
    /// `bucket.json`; a case already saved there is replaced and not counted again (a case
    /// rerun after a resumed campaign). Returns `None`, deleting the prepared folder, when the
    /// bucket already holds [`MAX_SAVED_PER_BUCKET`] cases.
    pub fn commit(&self, p: &Prepared) -> Result<Option<Saved>, FindingsError> {
        let key: BucketKey = p.key.parse().map_err(|e| FindingsError::Corrupt {
            path: p.tmp.clone(),
            message: format!("a prepared finding with a bad bucket key: {e}"),
        })?;
        let bucket = self.root.join(key.dir_name());
        let target = bucket.join(&p.name);
        let _guard = self.lock.lock().unwrap_or_else(|p| p.into_inner());
        std::fs::create_dir_all(&bucket).map_err(io(&bucket))?;
        let mut meta = read_bucket(&bucket).unwrap_or_else(|_| BucketDoc {
            key: key.clone(),
            kind: key.kind_name().to_string(),
            count: 0,
            saved: Vec::new(),
            reduced: None,
        });
        let new_bucket = meta.count == 0;
        let already = meta.saved.contains(&p.name);
        if !already {
            meta.count += 1;
        }
        let keep = already || (meta.saved.len() as u64) < MAX_SAVED_PER_BUCKET;
        if keep {
            move_into_place(&p.tmp, &target)?;
            if !already {
                meta.saved.push(p.name.clone());
            }
        } else {
            let _ = std::fs::remove_dir_all(&p.tmp);
        }
        write_atomic(&bucket.join("bucket.json"), &pretty(&meta))?;
        Ok(keep.then_some(Saved {
            dir: target,
            new_bucket,
        }))
    }

    fn write_case(
        &self,
        dir: &Path,
        f: &Finding,
        d: &Divergence,
        key: &BucketKey,
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
        let engines: Vec<EngineEntry> = f
            .report
            .engines
            .iter()
            .map(|e| EngineEntry {
                name: e.name.clone(),
                version: e.version.clone(),
                skipped: match &e.status {
                    EngineStatus::Skipped(why) => Some(why.clone()),
                    EngineStatus::Ran => None,
                },
            })
            .collect();
        let finding = FindingDoc {
            format: FINDING_FORMAT,
            verdict: "diverge".into(),
            bucket: key.clone(),
            divergence: Some(d.clone()),
            detail: d.detail.clone(),
            seed: f.seed,
            case: f.index,
            profile: f.profile.to_string(),
            generator: f.generator.to_string(),
            generator_config: f.config.to_string(),
            features: f.report.features.iter().map(|s| s.to_string()).collect(),
            wasm_bytes: f.wasm.len() as u64,
            engines,
            catchall: env!("CARGO_PKG_VERSION").to_string(),
            nan: nan_arg(f.nan).to_string(),
            fuel: f.fuel,
            known_bug: f.known.map(|(name, regression)| KnownBugRef {
                name: name.to_string(),
                regression: regression.to_string(),
            }),
            reruns: Vec::new(),
            reproduce: reproduce_command(target, f.engines, f.nan),
            regenerate: format!(
                "cargo run --release -- fuzz --seed {} --case {} --profile {} --engines {}",
                f.seed, f.index, f.profile, f.engines
            ),
        };
        put("finding.json", pretty(&finding).as_bytes())
    }
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
    triage::finding::load_doc(dir).ok().map(|d| d.reproduce)
}

/// Writes a file through a temporary name and a rename, so readers never see half of it.
pub fn write_atomic(path: &Path, contents: &str) -> Result<(), FindingsError> {
    triage::finding::write_atomic(path, contents.as_bytes())
}

/// A case folder written aside by [`FindingsStore::prepare`] (possibly in another process),
/// waiting for [`FindingsStore::commit`].
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Prepared {
    /// The folder under `<root>/.tmp`.
    pub tmp: PathBuf,
    /// Its bucket key (the [`BucketKey`] text form).
    pub key: String,
    /// The case folder's name.
    pub name: String,
}

/// A case saved by [`FindingsStore::save`].
#[derive(Clone, Debug)]
pub struct Saved {
    /// Its folder.
    pub dir: PathBuf,
    /// Whether it is the first case of its bucket.
    pub new_bucket: bool,
}

/// A saved finding read back: the module and plan to rerun.
pub struct SavedCase {
    /// The module bytes.
    pub wasm: Vec<u8>,
    /// The plan.
    pub plan: Plan,
}

/// Reads the module and plan of a finding folder written by [`FindingsStore::save`].
pub fn load_case(dir: &Path) -> Result<SavedCase, FindingsError> {
    let (wasm, plan) = triage::finding::load_module_and_plan(dir)?;
    Ok(SavedCase { wasm, plan })
}
