//! The triage workflow: reduce one finding into its `reduced/` folder (module, text, plan, verified `.wast` regression), and triage a whole findings folder (the smallest finding of each bucket reduced, `triage/index.md`, and per bucket `report.md` + `report.json` with an upstream-ready issue body).

use crate::finding::{
    FindingDoc, FindingError, LoadedFinding, ReducedSummary, io, load, move_into_place, pretty,
    read_bucket, write_atomic, write_module_files,
};
use crate::key::BucketKey;
use crate::reduce::{Candidate, ReduceError, Reducer, Reduction, Settings};
use crate::wast::{Verification, regression, verify};
use oracles::compare::{DivergenceKind, Observation, Verdict};
use oracles::differential::{Plan, RunOptions, run_case};
use oracles::{Engine, EngineKind, Val};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

/// A triage step failed.
#[derive(Debug, thiserror::Error)]
pub enum TriageError {
    /// A finding could not be read or written.
    #[error(transparent)]
    Finding(#[from] FindingError),
    /// The finding names an engine this catchall cannot build.
    #[error("{dir}: engine `{engine}` cannot be built: {message}")]
    Engine {
        /// The finding.
        dir: PathBuf,
        /// The engine.
        engine: String,
        /// Why.
        message: String,
    },
    /// The finding's bucket cannot be reduced in this process.
    #[error("{dir}: bucket `{key}` is not reduced: {why}")]
    NotReducible {
        /// The finding.
        dir: PathBuf,
        /// Its key.
        key: String,
        /// Why.
        why: String,
    },
    /// The finding does not reproduce.
    #[error("{dir}: {source}")]
    Reduce {
        /// The finding.
        dir: PathBuf,
        /// Why.
        source: ReduceError,
    },
}

/// Builds the engines a finding names, in its order.
pub fn build_engines(dir: &Path, doc: &FindingDoc) -> Result<Vec<Box<dyn Engine>>, TriageError> {
    doc.engines
        .iter()
        .map(|e| {
            let bad = |message: String| TriageError::Engine {
                dir: dir.to_path_buf(),
                engine: e.name.clone(),
                message,
            };
            EngineKind::from_name(&e.name)
                .ok_or_else(|| bad("unknown engine".into()))?
                .build()
                .map_err(|err| bad(err.to_string()))
        })
        .collect()
}

/// `reduced/reduced.json`: what reduction made of a finding.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct ReducedDoc {
    /// The key kept.
    pub bucket: BucketKey,
    /// Module bytes before.
    pub original_bytes: u64,
    /// Module bytes after.
    pub reduced_bytes: u64,
    /// Plan calls before.
    pub original_calls: usize,
    /// Plan calls after.
    pub reduced_calls: usize,
    /// Seconds spent.
    pub seconds: f64,
    /// Candidates run on the engines.
    pub tested: u64,
    /// Candidates answered by the cache.
    pub cache_hits: u64,
    /// Candidates that did not validate.
    pub invalid: u64,
    /// Whether the time ran out first.
    pub timed_out: bool,
    /// Passes skipped because they panicked on this module (a reducer bug to report).
    #[serde(default)]
    pub pass_panics: u64,
    /// What wasm-shrink said, when it ran.
    pub wasm_shrink: Option<String>,
    /// The regression run on each engine.
    pub regression: Vec<RegressionCheck>,
    /// Whether the regression passes on the reference and the agreeing engines and fails on
    /// every dissenting engine.
    pub regression_verified: bool,
    /// Why no `.wast` assertion can tell the engines apart, when none can (the regression
    /// then records the outcomes only and is not counted as verified).
    #[serde(default)]
    pub regression_inexpressible: Option<String>,
}

impl ReducedDoc {
    /// The regression's standing in a word or three: `verified`, `inexpressible (REASON)` or
    /// `NOT verified`.
    pub fn regression_status(&self) -> String {
        match (&self.regression_inexpressible, self.regression_verified) {
            (Some(why), _) => format!(
                "inexpressible ({})",
                why.split(':').next().unwrap_or_default()
            ),
            (None, true) => "verified".into(),
            (None, false) => "NOT verified".into(),
        }
    }
}

/// Why a divergence cannot be asserted in a `.wast` script.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inexpressible {
    /// The engines' exceptions (escaping, or held in `exnref` globals) have the same tags and
    /// payloads and differ only in which exception object they are: the host tells them apart
    /// by identity, but wasm cannot compare two `exnref`s (they are not `eqref`), so no script
    /// can.
    ExceptionIdentity,
}

impl std::fmt::Display for Inexpressible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Inexpressible::ExceptionIdentity => {
                "exception-identity: the engines' exceptions have the same tags and payloads and \
                 differ only in which exception object they are; wasm cannot compare exnrefs \
                 (no ref.eq), only the host sees it"
            }
        })
    }
}

/// Whether two values are equal but for which exception objects they refer to.
fn same_but_identity(a: &Val, b: &Val) -> bool {
    matches!((a, b), (Val::ExnRef(Some(_)), Val::ExnRef(Some(_)))) || a == b
}

/// Whether two exceptions have the same tag and payload.
fn same_exception(a: &oracles::Thrown, b: &oracles::Thrown) -> bool {
    a.tag == b.tag
        && a.payload.len() == b.payload.len()
        && a.payload
            .iter()
            .zip(&b.payload)
            .all(|(x, y)| same_but_identity(x, y))
}

/// Why the divergence of `report` cannot be asserted in a script, if it cannot: a global or
/// exception payload mismatch where everything that differs differs only in the identity of
/// exception objects.
pub fn inexpressible(report: &oracles::differential::CaseReport) -> Option<Inexpressible> {
    let Verdict::Diverge(d) = &report.verdict else {
        return None;
    };
    let observations: Vec<&Observation> = report
        .steps
        .get(d.step)?
        .observations
        .iter()
        .flatten()
        .collect();
    let (first, rest) = observations.split_first()?;
    let identity_only = match d.kind {
        DivergenceKind::GlobalMismatch => {
            let globals = |o: &Observation| o.snapshot.as_ref().map(|s| s.globals.clone());
            let a = globals(first)?;
            rest.iter().all(|o| {
                globals(o).is_some_and(|b| {
                    a.len() == b.len()
                        && a.iter().zip(&b).all(|(x, y)| {
                            x.index == y.index && same_but_identity(&x.value, &y.value)
                        })
                })
            })
        }
        DivergenceKind::ExceptionPayloadMismatch => {
            let thrown = |o: &Observation| match &o.outcome {
                Ok(oracles::Outcome::Exception(e)) => Some(e.clone()),
                _ => None,
            };
            let seen = |o: &Observation| o.snapshot.as_ref().map(|s| s.exceptions.clone());
            let (a, a_seen) = (thrown(first)?, seen(first));
            rest.iter().all(|o| {
                thrown(o).is_some_and(|b| same_exception(&a, &b))
                    && match (&a_seen, seen(o)) {
                        // Identity decides how many objects the host saw: compare what
                        // they hold, each against any of the other side's.
                        (Some(x), Some(y)) => {
                            let covered = |from: &[oracles::Thrown], to: &[oracles::Thrown]| {
                                from.iter().all(|p| to.iter().any(|q| same_exception(p, q)))
                            };
                            covered(x, &y) && covered(&y, x)
                        }
                        (None, None) => true,
                        _ => false,
                    }
            })
        }
        _ => false,
    };
    identity_only.then_some(Inexpressible::ExceptionIdentity)
}

/// The regression on one engine.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct RegressionCheck {
    /// The engine.
    pub engine: String,
    /// Whether it dissents in the finding (its run must fail).
    pub dissenting: bool,
    /// Assertions that held.
    pub passed: usize,
    /// Assertions that failed.
    pub failures: Vec<String>,
    /// Why it did not run, if it did not.
    pub skipped: Option<String>,
}

/// A reduced finding.
#[derive(Clone, Debug)]
pub struct ReducedFinding {
    /// The finding's folder.
    pub dir: PathBuf,
    /// Its `reduced/` folder.
    pub reduced_dir: PathBuf,
    /// The reduction.
    pub reduction: Reduction,
    /// `reduced.json`.
    pub doc: ReducedDoc,
    /// The regression script.
    pub regression: String,
}

/// Reduces a finding on `engines` (its own, in its order) and writes `<dir>/reduced/`.
pub fn reduce_finding(
    finding: &LoadedFinding,
    engines: &[&dyn Engine],
    settings: Settings,
    stop: Option<&AtomicBool>,
) -> Result<ReducedFinding, TriageError> {
    let dir = &finding.dir;
    let key = finding.doc.bucket.clone();
    let not = |why: &str| TriageError::NotReducible {
        dir: dir.clone(),
        key: key.to_string(),
        why: why.to_string(),
    };
    match &key {
        BucketKey::Known { .. } => return Err(not("a known bug (its regression exists)")),
        BucketKey::ProcessCrash { .. } => {
            return Err(not(
                "the process dies running it, and candidates are run in process; rerun it with \
                 its `reproduce` command",
            ));
        }
        _ => {}
    }
    let options = finding.doc.run_options();
    let mut reducer = Reducer::new(engines.to_vec(), options, key.clone(), settings);
    if let Some(stop) = stop {
        reducer = reducer.with_stop(stop);
    }
    let reduction = reducer
        .reduce(Candidate {
            wasm: finding.wasm.clone(),
            plan: finding.plan.clone(),
        })
        .map_err(|source| TriageError::Reduce {
            dir: dir.clone(),
            source,
        })?;
    let best = &reduction.best;
    let reference = engines
        .iter()
        .find(|e| e.name() == oracles::differential::ORACLE)
        .copied();
    // Where the reduced case diverges, and how: the step whose state, memory or escaping
    // exception's payload the regression asserts beyond the outcomes.
    let rerun = run_case(engines, &best.wasm, &best.plan, &options);
    let inexpressible = inexpressible(&rerun);
    let focus = {
        let r = rerun;
        match r.verdict {
            Verdict::Diverge(d) => Some((
                d.kind,
                d.step,
                r.steps
                    .get(d.step)
                    .and_then(|st| st.first_memory_difference),
            )),
            _ => None,
        }
    };
    let state_step = focus.and_then(|(kind, step, _)| {
        matches!(
            kind,
            DivergenceKind::GlobalMismatch
                | DivergenceKind::MemoryMismatch
                | DivergenceKind::TableMismatch
        )
        .then_some(step)
    });
    let memory_difference = focus.and_then(|(_, _, m)| m);
    let payload_step = focus.and_then(|(kind, step, _)| {
        // Catching the expected tag and returning the payload also fails on an engine that
        // throws another tag.
        matches!(
            kind,
            DivergenceKind::ExceptionPayloadMismatch | DivergenceKind::ExceptionTagMismatch
        )
        .then_some(step)
    });
    let mut header = vec![
        format!("catchall regression: {key}"),
        format!(
            "Reduced from case {} of seed {} ({} bytes, {} calls) to {} bytes and {} calls.",
            finding.doc.case,
            finding.doc.seed,
            finding.wasm.len(),
            finding.plan.calls.len(),
            best.wasm.len(),
            best.plan.calls.len()
        ),
        format!(
            "Engines: {}. Expected outcomes are the reference interpreter's.",
            finding.doc.engine_list()
        ),
        format!("Dissenting: {}.", key.dissenters().join(", ")),
    ];
    if let Some(why) = inexpressible {
        header.push(format!(
            "No assertion below tells the engines apart ({why}): this script records the outcomes only."
        ));
    }
    let text = match reference {
        Some(r) => regression(
            r,
            &best.wasm,
            &best.plan,
            &options,
            &header,
            crate::wast::Focus {
                state_step,
                memory_difference,
                payload_step,
                tables: focus.is_some_and(|(kind, _, _)| kind == DivergenceKind::TableMismatch),
            },
        ),
        None => format!(
            ";; {}\n;; no reference engine took part: no expected outcomes\n{}",
            key,
            crate::finding::module_text(&best.wasm)
        ),
    };
    let dissenters = key.dissenters();
    let mut checks = Vec::new();
    for e in engines {
        let dissenting = dissenters
            .iter()
            .any(|d| d == e.name() || crate::key::engine_family(e.name()) == *d);
        match verify(*e, "regression.wast", &text) {
            Ok(Verification {
                engine,
                passed,
                failures,
                skipped,
            }) => checks.push(RegressionCheck {
                engine,
                dissenting,
                passed,
                failures,
                skipped,
            }),
            Err(message) => checks.push(RegressionCheck {
                engine: e.name().to_string(),
                dissenting,
                passed: 0,
                failures: vec![format!("the script does not parse: {message}")],
                skipped: None,
            }),
        }
    }
    let verified = inexpressible.is_none()
        && !checks.is_empty()
        && checks
            .iter()
            .all(|c| c.skipped.is_some() || (c.dissenting != c.failures.is_empty()))
        && checks
            .iter()
            .any(|c| c.dissenting && !c.failures.is_empty());
    let doc = ReducedDoc {
        bucket: key.clone(),
        original_bytes: finding.wasm.len() as u64,
        reduced_bytes: best.wasm.len() as u64,
        original_calls: finding.plan.calls.len(),
        reduced_calls: best.plan.calls.len(),
        seconds: (reduction.elapsed.as_secs_f64() * 100.0).round() / 100.0,
        tested: reduction.tested,
        cache_hits: reduction.cache_hits,
        invalid: reduction.invalid,
        timed_out: reduction.timed_out,
        pass_panics: reduction.pass_panics,
        wasm_shrink: reduction.wasm_shrink.clone(),
        regression: checks,
        regression_verified: verified,
        regression_inexpressible: inexpressible.map(|r| r.to_string()),
    };
    // Assembled aside and moved into place whole.
    let reduced_dir = dir.join("reduced");
    let tmp = dir.join(format!(".reduced-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    write_module_files(&tmp, &best.wasm, &best.plan)?;
    write_atomic(&tmp.join("regression.wast"), text.as_bytes())?;
    write_atomic(&tmp.join("reduced.json"), pretty(&doc).as_bytes())?;
    move_into_place(&tmp, &reduced_dir)?;
    // The bucket records its reduction.
    if let Some(bucket) = dir.parent()
        && let Ok(mut meta) = read_bucket(bucket)
    {
        meta.reduced = Some(ReducedSummary {
            case: dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            original_bytes: doc.original_bytes,
            reduced_bytes: doc.reduced_bytes,
            seconds: doc.seconds,
        });
        write_atomic(&bucket.join("bucket.json"), pretty(&meta).as_bytes())?;
    }
    Ok(ReducedFinding {
        dir: dir.clone(),
        reduced_dir,
        reduction,
        doc,
        regression: text,
    })
}

/// Reads `<dir>/reduced/reduced.json`, what a reduction of the finding `dir` wrote.
pub fn load_reduced_doc(dir: &Path) -> Result<ReducedDoc, FindingError> {
    let path = dir.join("reduced").join("reduced.json");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    serde_json::from_str(&text).map_err(|e| FindingError::Corrupt {
        path: path.clone(),
        message: format!("not a reduced.json: {e}"),
    })
}

/// The `wasmtime` CLI flags of a catchall configuration (wasmtime 48's `run` options), `None`
/// for engines that are not wasmtime.
pub fn wasmtime_flags(engine: &str) -> Option<String> {
    let proposals = "-W exceptions=y,gc=y,memory64=y,multi-memory=y,tail-call=y,extended-const=y";
    let extra = match EngineKind::from_name(engine)? {
        EngineKind::Cranelift | EngineKind::Planted | EngineKind::PlantedAbort => "-O opt-level=2",
        EngineKind::CraneliftExplicit => {
            "-O opt-level=2,signals-based-traps=n,memory-reservation=0,memory-guard-size=0,memory-reservation-for-growth=1073741824"
        }
        EngineKind::CraneliftO0 => "-O opt-level=0",
        EngineKind::Pulley => "--target pulley64",
        EngineKind::Winch => "-C compiler=winch",
        _ => return None,
    };
    Some(format!("{proposals} {extra}"))
}

fn cli_arg(v: &Val) -> String {
    match *v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(b) => f32::from_bits(b).to_string(),
        Val::F64(b) => f64::from_bits(b).to_string(),
        other => other.to_string(),
    }
}

/// The engine's own command line that reproduces the divergent call, where one exists.
pub fn engine_command(engine: &str, module: &str, plan: &Plan, step: usize) -> Option<String> {
    let call = plan.calls.get(step.checked_sub(1)?)?;
    let args: Vec<String> = call.args.iter().map(cli_arg).collect();
    if let Some(flags) = wasmtime_flags(engine) {
        return Some(format!(
            "wasmtime run {flags} --invoke '{}' {module} {}",
            call.func,
            args.join(" ")
        ));
    }
    if engine == "wasmi" {
        return Some(format!(
            "wasmi_cli {module} --invoke '{}' {}",
            call.func,
            args.join(" ")
        ));
    }
    None
}

/// One bucket's triage.
#[derive(Clone, Debug, Serialize)]
pub struct BucketReport {
    /// The bucket's folder name.
    pub bucket: String,
    /// Its key.
    pub key: BucketKey,
    /// Cases filed under it.
    pub count: u64,
    /// The finding reduced.
    pub finding: String,
    /// Original module bytes.
    pub original_bytes: u64,
    /// Reduced module bytes (`None` when not reduced).
    pub reduced_bytes: Option<u64>,
    /// Seconds spent reducing.
    pub seconds: Option<f64>,
    /// Whether the regression passes on the agreeing engines and fails on the dissenters.
    pub regression_verified: Option<bool>,
    /// The regression's standing (`ReducedDoc::regression_status`), when reduced.
    #[serde(default)]
    pub regression_status: Option<String>,
    /// The suspect, by engine voting.
    pub suspect: String,
    /// Why it was not reduced, if it was not.
    pub not_reduced: Option<String>,
    /// The report's Markdown.
    #[serde(skip)]
    pub markdown: String,
}

/// The report of a reduced finding: Markdown with an upstream-ready issue body.
pub fn report_markdown(
    finding: &LoadedFinding,
    reduced: &ReducedFinding,
    engines: &[&dyn Engine],
) -> String {
    let best = &reduced.reduction.best;
    let doc = &finding.doc;
    let options = RunOptions {
        continue_after_verdict: true,
        ..doc.run_options()
    };
    let case = run_case(engines, &best.wasm, &best.plan, &options);
    let mut s = String::new();
    let key = &doc.bucket;
    let _ = writeln!(s, "# `{key}`\n");
    let d = match &case.verdict {
        Verdict::Diverge(d) => Some(d.clone()),
        _ => None,
    };
    let suspect = d
        .as_ref()
        .map_or("undetermined".to_string(), |d| d.suspect.clone());
    let _ = writeln!(
        s,
        "- finding: `{}` (seed {}, case {}, {} generator)",
        finding.dir.display(),
        doc.seed,
        doc.case,
        doc.generator
    );
    let _ = writeln!(
        s,
        "- reduced: {} → {} bytes, {} → {} calls in {:.1} s (`{}`)",
        reduced.doc.original_bytes,
        reduced.doc.reduced_bytes,
        reduced.doc.original_calls,
        reduced.doc.reduced_calls,
        reduced.doc.seconds,
        reduced.reduced_dir.display()
    );
    let _ = writeln!(s, "- suspect: {suspect}");
    let _ = writeln!(
        s,
        "- regression: `{}` ({})\n",
        reduced.reduced_dir.join("regression.wast").display(),
        match (
            &reduced.doc.regression_inexpressible,
            reduced.doc.regression_verified
        ) {
            (Some(why), _) =>
                format!("records the outcomes only, no script can assert this: {why}"),
            (None, true) => "verified: passes on the reference and the agreeing engines, fails on \
                             the dissenters"
                .to_string(),
            (None, false) => "NOT verified, see reduced.json".to_string(),
        }
    );
    let _ = writeln!(
        s,
        "## Module\n\n```wat\n{}```\n",
        crate::finding::module_text(&best.wasm)
    );
    let _ = writeln!(s, "## Outcomes\n");
    let names: Vec<&str> = case.engines.iter().map(|e| e.name.as_str()).collect();
    let _ = writeln!(s, "| step | {} |", names.join(" | "));
    let _ = writeln!(s, "|---|{}", "---|".repeat(names.len()));
    for step in &case.steps {
        let cells: Vec<String> = step
            .observations
            .iter()
            .map(|o| {
                o.as_ref()
                    .map_or("-".to_string(), |o| o.cell().replace('|', "\\|"))
            })
            .collect();
        let _ = writeln!(s, "| `{}` | {} |", step.action, cells.join(" | "));
    }
    if let Some(d) = &d {
        let _ = writeln!(s, "\nWho sides with whom (step {}):\n", d.step);
        for g in &d.groups {
            let _ = writeln!(s, "- {}: `{}`", g.engines.join(", "), g.observed);
        }
    }
    let repro = format!(
        "catchall run {} --engines {} --nan {}",
        reduced.reduced_dir.display(),
        doc.engine_list(),
        doc.nan
    );
    let _ = writeln!(s, "\n## Reproduce\n\n```sh\n{repro}\n```\n");
    // The upstream issue.
    let dissenter = key.dissenters().first().cloned().unwrap_or_default();
    let dissenting_config = d
        .as_ref()
        .and_then(|d| d.groups.get(1))
        .and_then(|g| g.engines.first().cloned())
        .unwrap_or_else(|| dissenter.clone());
    let version = doc
        .engines
        .iter()
        .find(|e| e.name == dissenting_config)
        .map_or(String::new(), |e| e.version.clone());
    let (expected, actual) = d.as_ref().map_or((String::new(), String::new()), |d| {
        (
            d.groups
                .first()
                .map_or(String::new(), |g| g.observed.clone()),
            d.groups
                .get(1)
                .map_or(String::new(), |g| g.observed.clone()),
        )
    });
    let step = d.as_ref().map_or(0, |d| d.step);
    let action = case
        .steps
        .get(step)
        .map_or(String::new(), |s| s.action.clone());
    let _ = writeln!(s, "## Upstream issue\n");
    let _ = writeln!(
        s,
        "**Title:** {version}: `{action}` gives `{actual}`, the spec gives `{expected}` ({})\n",
        key.kind_name()
    );
    let _ = writeln!(
        s,
        "**Engine:** {version}, configuration `{dissenting_config}`{}\n",
        wasmtime_flags(&dissenting_config)
            .map_or(String::new(), |f| format!(" (`wasmtime` flags: `{f}`)"))
    );
    let _ = writeln!(
        s,
        "**Module** (`module.wat`, {} bytes as binary):\n\n```wat\n{}```\n",
        best.wasm.len(),
        crate::finding::module_text(&best.wasm)
    );
    let _ = writeln!(
        s,
        "**Expected** (the WebAssembly spec, as catchall's reference interpreter executes it): `{expected}`\n"
    );
    let _ = writeln!(s, "**Actual** ({dissenting_config}): `{actual}`\n");
    if let Some(d) = &d
        && !d.detail.is_empty()
    {
        let _ = writeln!(s, "Detail: {}\n", d.detail);
    }
    match engine_command(&dissenting_config, "module.wat", &best.plan, step) {
        Some(cmd) => {
            let _ = writeln!(s, "**Reproduce:**\n\n```sh\n{cmd}\n```\n");
        }
        None => {
            let _ = writeln!(
                s,
                "**Reproduce:** (no command line of its own for `{dissenting_config}`)\n"
            );
        }
    }
    let _ = writeln!(
        s,
        "Found by [catchall](https://github.com/catchall-fuzz/catchall) differential fuzzing; regression test attached (`regression.wast`)."
    );
    s
}

/// Triages every bucket of a findings folder: reduces the smallest saved finding of each
/// (known bugs and process crashes are listed, not reduced), writes `<dir>/triage/index.md`
/// and `<dir>/triage/<bucket>/report.{md,json}`.
pub fn triage_dir(
    dir: &Path,
    settings: Settings,
    stop: Option<&AtomicBool>,
    mut progress: impl FnMut(&str),
) -> Result<Vec<BucketReport>, TriageError> {
    let mut buckets: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("bucket.json").is_file())
        .collect();
    buckets.sort();
    if buckets.is_empty() {
        return Err(TriageError::Finding(FindingError::Corrupt {
            path: dir.to_path_buf(),
            message: "no buckets here (a findings folder holds <bucket>/bucket.json)".into(),
        }));
    }
    let out = dir.join("triage");
    std::fs::create_dir_all(&out).map_err(io(&out))?;
    let mut reports = Vec::new();
    for bucket in &buckets {
        let meta = read_bucket(bucket)?;
        let name = bucket
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        progress(&name);
        // The smallest saved finding.
        let smallest = meta
            .saved
            .iter()
            .map(|c| bucket.join(c))
            .filter(|c| c.join("module.wasm").is_file())
            .min_by_key(|c| std::fs::metadata(c.join("module.wasm")).map_or(u64::MAX, |m| m.len()));
        let Some(case_dir) = smallest else {
            continue;
        };
        let finding = load(&case_dir)?;
        let mut report = BucketReport {
            bucket: name.clone(),
            key: meta.key.clone(),
            count: meta.count,
            finding: case_dir.display().to_string(),
            original_bytes: finding.wasm.len() as u64,
            reduced_bytes: None,
            seconds: None,
            regression_verified: None,
            regression_status: None,
            suspect: finding
                .doc
                .divergence
                .as_ref()
                .map_or(finding.doc.detail.clone(), |d| d.suspect.clone()),
            not_reduced: None,
            markdown: String::new(),
        };
        let built = build_engines(&case_dir, &finding.doc)?;
        let engines: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
        match reduce_finding(&finding, &engines, settings, stop) {
            Ok(reduced) => {
                report.reduced_bytes = Some(reduced.doc.reduced_bytes);
                report.seconds = Some(reduced.doc.seconds);
                report.regression_verified = Some(reduced.doc.regression_verified);
                report.regression_status = Some(reduced.doc.regression_status());
                report.markdown = report_markdown(&finding, &reduced, &engines);
            }
            Err(e @ (TriageError::NotReducible { .. } | TriageError::Reduce { .. })) => {
                report.not_reduced = Some(e.to_string());
                report.markdown = format!(
                    "# `{}`\n\nNot reduced: {e}\n\nFinding: `{}`\n",
                    meta.key,
                    case_dir.display()
                );
            }
            Err(e) => return Err(e),
        }
        let bdir = out.join(&name);
        std::fs::create_dir_all(&bdir).map_err(io(&bdir))?;
        write_atomic(&bdir.join("report.md"), report.markdown.as_bytes())?;
        write_atomic(&bdir.join("report.json"), pretty(&report).as_bytes())?;
        reports.push(report);
    }
    let mut index = String::from(
        "# Triage\n\n| bucket | key | count | reduced size | suspect | report |\n|---|---|---|---|---|---|\n",
    );
    for r in &reports {
        let size = match (r.reduced_bytes, &r.not_reduced) {
            (Some(b), _) => format!("{b} B (from {} B)", r.original_bytes),
            (None, Some(_)) => "not reduced".into(),
            _ => "-".into(),
        };
        let _ = writeln!(
            index,
            "| {} | `{}` | {} | {} | {} | [report]({}/report.md) |",
            r.bucket,
            r.key.to_string().replace('|', "\\|"),
            r.count,
            size,
            r.suspect.replace('|', "\\|"),
            r.bucket
        );
    }
    write_atomic(&out.join("index.md"), index.as_bytes())?;
    Ok(reports)
}
