//! In-flight markers: which case each worker is running, on disk, so that a campaign the process could not survive (an engine that aborts, a segfault, the OOM killer) still leaves the case that killed it.
//!
//! Each worker overwrites `<out>/.inflight/<pid>-<worker>.json` before every case; a campaign
//! that ends normally deletes its markers. A marker whose process is gone is an *orphan*: the
//! next campaign in the same folder recovers it ([`recover`]) by rerunning the case once per
//! engine, each in a child process, to find the engine that dies, and saves the case as a
//! `process-crash` finding with everything needed to reproduce it.

use crate::campaign::findings::{
    BucketKey, FINDING_FORMAT, FindingDoc, FindingsError, FindingsStore, Prepared, case_name,
    pretty, write_atomic, write_module_files,
};
use crate::generate::{Profile, generate};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The markers of one campaign process.
pub struct Inflight {
    dir: PathBuf,
    pid: u32,
}

/// A marker left by a process that is gone.
#[derive(Clone, Debug, PartialEq)]
pub struct Orphan {
    /// The marker file.
    pub path: PathBuf,
    /// The campaign seed.
    pub seed: u64,
    /// The case index.
    pub index: u64,
    /// The profile's name.
    pub profile: String,
    /// The engines the campaign ran, comma-separated.
    pub engines: String,
}

impl Inflight {
    /// Prepares the markers folder of `out`.
    pub fn open(out: &Path) -> Result<Inflight, FindingsError> {
        let dir = out.join(".inflight");
        std::fs::create_dir_all(&dir).map_err(|source| FindingsError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(Inflight {
            dir,
            pid: std::process::id(),
        })
    }

    fn path(&self, worker: usize) -> PathBuf {
        self.dir.join(format!("{}-{worker}.json", self.pid))
    }

    /// Records that `worker` is starting case `index`.
    pub fn begin(
        &self,
        worker: usize,
        seed: u64,
        index: u64,
        profile: Profile,
        engines: &str,
    ) -> Result<(), FindingsError> {
        let marker = json!({
            "pid": self.pid,
            "seed": seed,
            "case": index,
            "profile": profile.name(),
            "engines": engines,
        });
        write_atomic(&self.path(worker), &marker.to_string())
    }

    /// Removes this process's markers: the campaign ended normally.
    pub fn finish(&self) {
        let prefix = format!("{}-", self.pid);
        for entry in std::fs::read_dir(&self.dir).into_iter().flatten().flatten() {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// Whether process `pid` is alive. Only Linux can tell (through `/proc`); elsewhere every
/// process counts as alive, so no marker is ever taken for an orphan.
fn alive(pid: u32) -> bool {
    if !Path::new("/proc/self").exists() {
        return true;
    }
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The markers under `out` whose process is gone. A marker that cannot be read is reported as
/// an error rather than skipped: it may be the only trace of a crash.
pub fn orphans(out: &Path) -> Result<Vec<Orphan>, FindingsError> {
    let dir = out.join(".inflight");
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(found);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let corrupt = |message: String| FindingsError::Corrupt {
            path: path.clone(),
            message,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| corrupt(e.to_string()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| corrupt(format!("not an in-flight marker: {e}")))?;
        let field = |k: &str| {
            v.get(k)
                .cloned()
                .ok_or_else(|| corrupt(format!("an in-flight marker without `{k}`")))
        };
        let pid = field("pid")?.as_u64().unwrap_or(0) as u32;
        if pid == std::process::id() || alive(pid) {
            continue;
        }
        found.push(Orphan {
            path: path.clone(),
            seed: field("seed")?.as_u64().unwrap_or(0),
            index: field("case")?.as_u64().unwrap_or(0),
            profile: field("profile")?.as_str().unwrap_or("mixed").to_string(),
            engines: field("engines")?.as_str().unwrap_or("").to_string(),
        });
    }
    found.sort_by_key(|o| (o.seed, o.index));
    Ok(found)
}

/// What rerunning one engine alone on an orphaned case did.
#[derive(Clone, Debug, PartialEq)]
pub struct EngineRerun {
    /// The engine.
    pub engine: String,
    /// How its child process ended (`exit status 0`, `signal 6`).
    pub ended: String,
    /// Whether the process died rather than exiting.
    pub died: bool,
    /// The last lines it wrote on stderr.
    pub stderr_tail: String,
    /// The signal that ended it, if one did.
    pub signal: Option<i32>,
}

/// Recovers one orphan: regenerates its case, reruns it on each engine alone in a child
/// process (`exe fuzz --seed S --case I --engines E`), saves it as a `process-crash` finding
/// under `out`, and removes the marker. Returns the finding's folder and the reruns.
pub fn recover(
    exe: &Path,
    out: &Path,
    orphan: &Orphan,
) -> Result<(PathBuf, Vec<EngineRerun>), FindingsError> {
    let profile = Profile::ALL
        .into_iter()
        .find(|p| p.name() == orphan.profile)
        .unwrap_or(Profile::Mixed);
    let reruns: Vec<EngineRerun> = orphan
        .engines
        .split(',')
        .filter(|e| !e.is_empty())
        .map(|engine| rerun_alone(exe, orphan, profile, engine))
        .collect();
    let culprits: Vec<&str> = reruns
        .iter()
        .filter(|r| r.died)
        .map(|r| r.engine.as_str())
        .collect();
    // The key names the first engine that dies and how: the module's features, the seed and
    // the other engines are recorded, not keyed.
    let key = BucketKey::ProcessCrash {
        engine: culprits.first().map(|e| triage::key::engine_family(e)),
        signal: reruns
            .iter()
            .find(|r| r.died)
            .and_then(|r| r.signal)
            .map_or("unknown".to_string(), triage::key::signal_name),
    };
    let store = FindingsStore::open(out)?;
    let detail = if culprits.is_empty() {
        "the campaign's process died while running this case, but no engine died running it \
         alone (the crash may need the other worker's case, or resource pressure)"
            .to_string()
    } else {
        format!(
            "the process dies when {} runs this case",
            culprits.join(" and ")
        )
    };
    let lost = Lost {
        seed: orphan.seed,
        index: orphan.index,
        profile,
        engines: &orphan.engines,
        fuel: oracles::Limits::default().fuel,
        verdict: "process-crash",
        detail,
        reruns: &reruns,
    };
    let prepared = prepare_lost(&store, &key, &lost)?;
    let target = store
        .commit(&prepared)?
        .map_or_else(|| out.join(key.dir_name()), |s| s.dir);
    std::fs::remove_file(&orphan.path).map_err(|source| FindingsError::Io {
        path: orphan.path.clone(),
        source,
    })?;
    Ok((target, reruns))
}

/// A case whose process was lost (it died, hung or outgrew its memory cap), to be saved as a
/// finding without a report: the module, the plan, and how each engine alone ended.
pub struct Lost<'a> {
    /// The campaign seed.
    pub seed: u64,
    /// The case index.
    pub index: u64,
    /// The profile.
    pub profile: Profile,
    /// The engines the campaign ran, comma-separated.
    pub engines: &'a str,
    /// Fuel per step.
    pub fuel: u64,
    /// `process-crash` (found after the fact), `engine-crash`, `engine-hang`, `engine-memory`.
    pub verdict: &'a str,
    /// One sentence: what happened.
    pub detail: String,
    /// Each engine alone.
    pub reruns: &'a [EngineRerun],
}

/// Writes a lost case's folder aside (see [`FindingsStore::prepare`]), regenerating its module
/// from its coordinates; [`FindingsStore::commit`] files it under `key`.
pub fn prepare_lost(
    store: &FindingsStore,
    key: &BucketKey,
    lost: &Lost,
) -> Result<Prepared, FindingsError> {
    let case = generate(lost.seed, lost.index, lost.profile);
    let wasm = oracles::expose::expose(&case.wasm).unwrap_or_else(|_| case.wasm.clone());
    let name = case_name(lost.seed, lost.index);
    let tmp = store.tmp_dir(&name);
    write_module_files(&tmp, &wasm, &case.plan)?;
    let culprits: Vec<&str> = lost
        .reruns
        .iter()
        .filter(|r| r.died)
        .map(|r| r.engine.as_str())
        .collect();
    let regenerate = |engines: &str| {
        format!(
            "cargo run --release -- fuzz --seed {} --case {} --profile {} --isolated --engines {engines}",
            lost.seed,
            lost.index,
            lost.profile.name()
        )
    };
    let finding = FindingDoc {
        format: FINDING_FORMAT,
        verdict: lost.verdict.to_string(),
        bucket: key.clone(),
        divergence: None,
        detail: lost.detail.clone(),
        seed: lost.seed,
        case: lost.index,
        profile: lost.profile.name().to_string(),
        generator: case.generator.name().to_string(),
        generator_config: case.config.clone(),
        features: oracles::ModuleInfo::parse(&wasm)
            .map(|i| i.features.names().iter().map(|s| s.to_string()).collect())
            .unwrap_or_default(),
        wasm_bytes: wasm.len() as u64,
        engines: lost
            .engines
            .split(',')
            .filter(|e| !e.is_empty())
            .map(|name| triage::finding::EngineEntry {
                name: name.to_string(),
                version: oracles::EngineKind::from_name(name)
                    .and_then(|k| k.build().ok())
                    .map_or_else(String::new, |e| e.version()),
                skipped: None,
            })
            .collect(),
        catchall: env!("CARGO_PKG_VERSION").to_string(),
        nan: "arithmetic".into(),
        fuel: lost.fuel,
        known_bug: None,
        reruns: lost
            .reruns
            .iter()
            .map(|r| triage::finding::Rerun {
                engine: r.engine.clone(),
                ended: r.ended.clone(),
                died: r.died,
                stderr_tail: r.stderr_tail.clone(),
            })
            .collect(),
        reproduce: regenerate(culprits.first().copied().unwrap_or(lost.engines)),
        regenerate: regenerate(lost.engines),
    };
    write_atomic(&tmp.join("finding.json"), &pretty(&finding))?;
    Ok(Prepared {
        tmp,
        key: key.to_string(),
        name,
    })
}

fn rerun_alone(exe: &Path, orphan: &Orphan, profile: Profile, engine: &str) -> EngineRerun {
    let output = Command::new(exe)
        .args(["fuzz", "--seed", &orphan.seed.to_string()])
        .args(["--case", &orphan.index.to_string()])
        .args(["--profile", profile.name(), "--engines", engine])
        .output();
    match output {
        Ok(o) => {
            let signal = exit_signal(&o.status);
            let stderr = String::from_utf8_lossy(&o.stderr);
            let lines: Vec<&str> = stderr.lines().collect();
            EngineRerun {
                engine: engine.to_string(),
                ended: match (o.status.code(), signal) {
                    (Some(code), _) => format!("exit status {code}"),
                    (None, Some(s)) => format!("signal {s}"),
                    (None, None) => "killed".to_string(),
                },
                died: o.status.code().is_none(),
                stderr_tail: lines[lines.len().saturating_sub(12)..].join("\n"),
                signal,
            }
        }
        Err(e) => EngineRerun {
            engine: engine.to_string(),
            ended: format!("could not start: {e}"),
            died: false,
            stderr_tail: String::new(),
            signal: None,
        },
    }
}

#[cfg(unix)]
fn exit_signal(status: &std::process::ExitStatus) -> Option<i32> {
    use std::os::unix::process::ExitStatusExt;
    status.signal()
}

#[cfg(not(unix))]
fn exit_signal(_status: &std::process::ExitStatus) -> Option<i32> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_of_live_processes_are_not_orphans_and_dead_ones_are() {
        let out = std::env::temp_dir().join(format!("catchall-inflight-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let inflight = Inflight::open(&out).unwrap();
        inflight
            .begin(0, 7, 42, Profile::Mixed, "reference,cranelift")
            .unwrap();
        // Our own marker is never an orphan.
        assert_eq!(orphans(&out).unwrap(), vec![]);
        // A marker of a process that does not exist is (pid 0 is never a user process).
        let dead = out.join(".inflight/0-1.json");
        std::fs::write(
            &dead,
            r#"{"pid": 0, "seed": 7, "case": 43, "profile": "memory64", "engines": "wasmi"}"#,
        )
        .unwrap();
        if Path::new("/proc/self").exists() && !Path::new("/proc/0").exists() {
            let found = orphans(&out).unwrap();
            assert_eq!(found.len(), 1);
            assert_eq!((found[0].seed, found[0].index), (7, 43));
            assert_eq!(found[0].profile, "memory64");
        }
        // A marker that cannot be read is an error, not silence.
        std::fs::write(out.join(".inflight/0-2.json"), "{ half").unwrap();
        assert!(orphans(&out).is_err());
        std::fs::remove_file(out.join(".inflight/0-2.json")).unwrap();
        inflight.finish();
        assert!(!inflight.path(0).exists());
        assert!(dead.exists(), "finish removes only this process's markers");
        let _ = std::fs::remove_dir_all(&out);
    }
}
