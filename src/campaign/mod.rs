//! The differential campaign: generate cases on all cores, run each on every engine, keep what
//! diverges, count everything else.
//!
//! A case is a pure function of (campaign seed, case index); workers pull indices from one
//! counter, so `--seed S --case I` reruns exactly one case of any campaign.

pub mod findings;
pub mod inflight;
pub mod known;
pub mod stats;
pub mod worker;

use crate::generate::{Case, Profile, generate};
use findings::{BucketKey, Finding, FindingsError, FindingsStore, Prepared};
use oracles::compare::{ComparePolicy, NanPolicy, Verdict};
use oracles::differential::{RunOptions, run_case};
use oracles::{CaseReport, Engine, Limits};
use serde::{Deserialize, Serialize};
use stats::{CaseTally, Stats};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// What a campaign does.
#[derive(Clone, Debug)]
pub struct CampaignConfig {
    /// The campaign seed.
    pub seed: u64,
    /// The generation profile.
    pub profile: Profile,
    /// Worker threads.
    pub jobs: usize,
    /// Stop after this many cases.
    pub cases: Option<u64>,
    /// Stop after this long.
    pub time: Option<Duration>,
    /// Budgets for every step.
    pub limits: Limits,
    /// The findings folder.
    pub out: PathBuf,
    /// Stop once the first divergence is saved (the cases already running finish first).
    pub stop_on_divergence: bool,
    /// Reduce the first finding of each new bucket while the campaign runs, for at most this
    /// long each (one reduction at a time); `None` turns in-campaign reduction off.
    pub reduce: Option<Duration>,
    /// Run cases in worker processes (`None`: on threads of this process, which an engine that
    /// crashes takes down with it).
    pub isolation: Option<Isolation>,
    /// Continue the campaign saved in `out` (its `campaign.json`).
    pub resume: Option<Checkpoint>,
}

/// How worker processes are run and watched.
#[derive(Clone, Debug)]
pub struct Isolation {
    /// The `catchall` binary (run as `catchall worker`).
    pub exe: PathBuf,
    /// The wall-clock deadline of every step (compile, instantiate, call, snapshot, on each
    /// engine); a worker that begins no new step for this long, plus a margin, is killed.
    pub step_timeout: Duration,
    /// The most resident memory a worker may use, in bytes; over it, it is killed.
    pub memory: u64,
}

/// What `<out>/campaign.json` holds: enough to continue a campaign (`catchall fuzz --resume`)
/// with the same seed, profile and engines, at the next case indices, with cumulative
/// statistics. Written atomically, a few times a second; after a `kill -9` the campaign
/// resumes from the last one (cases recorded since are rerun, and counted once).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The campaign seed.
    pub seed: u64,
    /// The profile's name.
    pub profile: String,
    /// The engines, comma-separated.
    pub engines: String,
    /// Fuel per step.
    pub fuel: u64,
    /// The case limit of the whole campaign, if any.
    pub cases: Option<u64>,
    /// Every case index below this one is done.
    pub done_below: u64,
    /// Cases done at or above `done_below`.
    pub done_above: BTreeSet<u64>,
    /// Seconds of campaign time so far, over every sitting.
    pub seconds: f64,
    /// The statistics so far.
    pub stats: Stats,
}

impl Checkpoint {
    /// The file's name in the findings folder.
    pub const FILE: &'static str = "campaign.json";

    /// Reads `<out>/campaign.json`.
    pub fn load(out: &Path) -> Result<Checkpoint, FindingsError> {
        let path = out.join(Checkpoint::FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| FindingsError::Io {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| FindingsError::Corrupt {
            path,
            message: format!("not a campaign checkpoint: {e}"),
        })
    }
}

/// Which case indices are done.
#[derive(Debug, Default)]
struct Done {
    below: u64,
    above: BTreeSet<u64>,
}

impl Done {
    /// Marks `index` done; false when it already was.
    fn mark(&mut self, index: u64) -> bool {
        if index < self.below || !self.above.insert(index) {
            return false;
        }
        while self.above.remove(&self.below) {
            self.below += 1;
        }
        true
    }
}

/// One case's result as the campaign records it: its contribution to the statistics, its
/// finding written aside (committed by the process that owns the findings store), and what it
/// was. A worker process sends this back to the campaign.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseResult {
    /// The case index.
    pub index: u64,
    /// `agree`, `poisoned` or `diverge`; `lost` for a case whose worker died, hung or outgrew
    /// its memory (filed without a report).
    pub verdict: String,
    /// The case's statistics.
    pub stats: Stats,
    /// Its finding, prepared (a divergence, or a known bug's case).
    pub finding: Option<Prepared>,
    /// The known bug the divergence was confirmed to be.
    pub known: Option<String>,
    /// An error that did not stop the campaign (its finding could not be written).
    pub error: Option<String>,
}

impl CaseResult {
    /// Whether the case is a new finding (it diverged and is no known bug).
    pub fn is_finding(&self) -> bool {
        matches!(self.verdict.as_str(), "diverge" | "lost") && self.known.is_none()
    }
}

/// Generates and runs case `index` on `engines`, classifies a divergence (known bug or new
/// bucket), prepares its finding in `store` and tallies it. With `sidestep`, the module is
/// first rewritten by that known bug's sidestep (how a crash is confirmed to be the known bug).
#[allow(clippy::too_many_arguments)] // reason: the coordinates of a case, each needed
pub fn evaluate(
    engines: &[&dyn Engine],
    engine_list: &str,
    store: &FindingsStore,
    seed: u64,
    profile: Profile,
    limits: Limits,
    index: u64,
    sidestep: Option<&str>,
) -> (CaseRun, CaseResult) {
    let t = Instant::now();
    let case = generate(seed, index, profile);
    let mut wasm = oracles::expose::expose(&case.wasm).unwrap_or_else(|_| case.wasm.clone());
    if let Some(bug) = sidestep.and_then(|n| known::KNOWN.iter().find(|b| b.name == n))
        && let Some(rewritten) = (bug.sidestep)(&wasm)
    {
        wasm = rewritten;
    }
    let generation = t.elapsed();
    let options = RunOptions {
        limits,
        policy: policy_for(&case),
        continue_after_verdict: false,
    };
    let report = run_case(engines, &wasm, &case.plan, &options);
    let run = CaseRun {
        case,
        wasm,
        report,
        generation,
        options,
    };
    // A divergence that a known bug's sidestep makes disappear is that bug: counted under
    // its name and kept (capped) in its own bucket, not filed as a new finding.
    let known = matches!(run.report.verdict, Verdict::Diverge(_))
        .then(|| {
            known::classify(
                engines,
                &run.wasm,
                &run.case.plan,
                &run.options,
                &run.report,
            )
        })
        .flatten();
    let key = match (&run.report.verdict, known) {
        (Verdict::Diverge(_), Some(bug)) => Some(BucketKey::known(bug.name)),
        (Verdict::Diverge(d), None) => Some(BucketKey::of(d)),
        _ => None,
    };
    let mut prepared = None;
    let mut error = None;
    if let Some(key) = &key {
        let finding = Finding {
            seed,
            index,
            profile: profile.name(),
            generator: run.case.generator.name(),
            config: &run.case.config,
            wasm: &run.wasm,
            plan: &run.case.plan,
            report: &run.report,
            engines: engine_list,
            nan: run.options.policy.nan,
            fuel: run.options.limits.fuel,
            known: known.map(|b| (b.name, b.regression)),
        };
        match store.prepare(&finding, key) {
            Ok(p) => prepared = p,
            Err(e) => error = Some(e.to_string()),
        }
    }
    let key_text = key.as_ref().map(|k| k.to_string());
    let mut stats = Stats::default();
    stats.add(&CaseTally {
        report: &run.report,
        generation: run.generation,
        generator: run.case.generator.name(),
        bucket: key_text.as_deref(),
        known: known.map(|b| b.name),
    });
    let verdict = match &run.report.verdict {
        Verdict::Agree => "agree",
        Verdict::Poisoned { .. } => "poisoned",
        Verdict::Diverge(_) => "diverge",
    };
    let result = CaseResult {
        error: error.map(|e| format!("case {index}: could not save the finding: {e}")),
        index,
        verdict: verdict.to_string(),
        stats,
        finding: prepared,
        known: known.map(|b| b.name.to_string()),
    };
    (run, result)
}

/// A reduction done while the campaign ran.
#[derive(Clone, Debug)]
pub struct ReducedEntry {
    /// The bucket's folder name.
    pub bucket: String,
    /// Module bytes before.
    pub original: u64,
    /// Module bytes after (`None`: not reduced, see `note`).
    pub reduced: Option<u64>,
    /// Seconds spent.
    pub seconds: f64,
    /// Why not, or whether the regression was verified.
    pub note: String,
}

/// One case, generated and run.
pub struct CaseRun {
    /// The generated case.
    pub case: Case,
    /// The bytes the engines ran (the module with every item exported).
    pub wasm: Vec<u8>,
    /// What happened.
    pub report: CaseReport,
    /// Time spent generating.
    pub generation: Duration,
    /// How it was run (limits and comparison policy), for reruns of the same case.
    pub options: RunOptions,
}

/// The comparison policy for a case: generated code from wasm-smith canonicalizes every NaN
/// its arithmetic produces, so NaN bits must match exactly; scenario modules compute float
/// payloads from arbitrary arguments, where differing quiet-NaN payloads are spec-permitted
/// (and poison the case, counted as `nan-payload`).
pub fn policy_for(case: &Case) -> ComparePolicy {
    ComparePolicy {
        nan: if case.generator.canonical_nans() {
            NanPolicy::Exact
        } else {
            NanPolicy::ArithmeticPoisons
        },
    }
}

/// Generates case `index` of campaign `seed` and runs it on `engines`.
pub fn run_one(
    engines: &[&dyn Engine],
    seed: u64,
    index: u64,
    profile: Profile,
    limits: Limits,
    continue_after_verdict: bool,
) -> CaseRun {
    let t = Instant::now();
    let case = generate(seed, index, profile);
    let wasm = oracles::expose::expose(&case.wasm).unwrap_or_else(|_| case.wasm.clone());
    let generation = t.elapsed();
    let options = RunOptions {
        limits,
        policy: policy_for(&case),
        continue_after_verdict,
    };
    let report = run_case(engines, &wasm, &case.plan, &options);
    CaseRun {
        case,
        wasm,
        report,
        generation,
        options,
    }
}

/// A live view of a running campaign, for progress display.
#[derive(Clone, Debug, Default)]
pub struct Progress {
    /// Cases finished.
    pub cases: u64,
    /// Divergent cases.
    pub divergences: u64,
    /// Poisoned cases.
    pub poisoned: u64,
    /// Cases in which the reference saw an exception thrown.
    pub thrown: u64,
    /// Cases the reference counted.
    pub counted: u64,
}

/// A running or finished campaign.
pub struct Campaign<'a> {
    config: CampaignConfig,
    engines: Vec<&'a dyn Engine>,
    engine_list: String,
    store: FindingsStore,
    stats: Mutex<Stats>,
    next: AtomicU64,
    saved: Mutex<Vec<PathBuf>>,
    errors: Mutex<Vec<String>>,
    /// Set when `stop_on_divergence` saw its divergence.
    halted: AtomicBool,
    /// Which case each worker is running, on disk.
    inflight: inflight::Inflight,
    /// Called for every divergence that is not a known bug (see [`Campaign::on_divergence`]).
    on_divergence: Option<DivergenceHook<'a>>,
    /// Findings that opened a bucket, waiting for the background reducer.
    to_reduce: Mutex<std::collections::VecDeque<PathBuf>>,
    /// The bucket being reduced now.
    reducing: Mutex<Option<String>>,
    /// Reductions done.
    reduced: Mutex<Vec<ReducedEntry>>,
    /// Which case indices are done (for the checkpoint).
    done: Mutex<Done>,
    /// Indices a resumed campaign had done beyond its contiguous prefix: not run again.
    resumed_done: BTreeSet<u64>,
    /// Campaign time of earlier sittings.
    prior: Duration,
    /// When this sitting started.
    started: OnceLock<Instant>,
    /// When the checkpoint was last written.
    checkpointed: Mutex<Option<Instant>>,
}

/// A callback a campaign calls, on the worker that ran it, for every divergent case that is not
/// a known bug: the case index and the run.
pub type DivergenceHook<'a> = Box<dyn Fn(u64, &CaseRun) + Send + Sync + 'a>;

impl<'a> Campaign<'a> {
    /// Prepares a campaign (opening the findings folder).
    pub fn new(
        config: CampaignConfig,
        engines: Vec<&'a dyn Engine>,
    ) -> Result<Self, FindingsError> {
        let store = FindingsStore::open(&config.out)?;
        let inflight = inflight::Inflight::open(&config.out)?;
        let engine_list = engines
            .iter()
            .map(|e| e.name().to_string())
            .collect::<Vec<_>>()
            .join(",");
        let (stats, done, resumed_done, prior) = match &config.resume {
            Some(c) => (
                c.stats.clone(),
                Done {
                    below: c.done_below,
                    above: c.done_above.clone(),
                },
                c.done_above.clone(),
                Duration::from_secs_f64(c.seconds.max(0.0)),
            ),
            None => (
                Stats::default(),
                Done::default(),
                BTreeSet::new(),
                Duration::ZERO,
            ),
        };
        Ok(Campaign {
            next: AtomicU64::new(done.below),
            done: Mutex::new(done),
            resumed_done,
            prior,
            started: OnceLock::new(),
            checkpointed: Mutex::new(None),
            config,
            engines,
            engine_list,
            store,
            stats: Mutex::new(stats),
            saved: Mutex::new(Vec::new()),
            errors: Mutex::new(Vec::new()),
            halted: AtomicBool::new(false),
            inflight,
            on_divergence: None,
            to_reduce: Mutex::new(Default::default()),
            reducing: Mutex::new(None),
            reduced: Mutex::new(Vec::new()),
        })
    }

    /// Calls `hook` for every divergent case that is not a known bug, after it is saved (on
    /// the worker that ran it; `catchall calibrate` confirms there whose divergence it is).
    pub fn on_divergence(mut self, hook: impl Fn(u64, &CaseRun) + Send + Sync + 'a) -> Self {
        self.on_divergence = Some(Box::new(hook));
        self
    }

    /// The configuration.
    pub fn config(&self) -> &CampaignConfig {
        &self.config
    }

    /// The engines, comma-separated.
    pub fn engine_list(&self) -> &str {
        &self.engine_list
    }

    /// A copy of the statistics so far.
    pub fn stats(&self) -> Stats {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The live progress numbers.
    pub fn progress(&self) -> Progress {
        let s = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        Progress {
            cases: s.cases,
            divergences: s.divergences,
            poisoned: s.poisoned_total(),
            thrown: s.coverage.thrown,
            counted: s.coverage.cases,
        }
    }

    /// Folders of the findings saved so far.
    pub fn saved(&self) -> Vec<PathBuf> {
        self.saved.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Errors that did not stop the campaign (a finding that could not be written, a worker
    /// panic).
    pub fn errors(&self) -> Vec<String> {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The bucket being reduced now, if any.
    pub fn reducing(&self) -> Option<String> {
        self.reducing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The reductions done (and those the campaign's end left undone).
    pub fn reduced(&self) -> Vec<ReducedEntry> {
        self.reduced
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The background reducer: takes the first finding of each new bucket, one at a time,
    /// until the campaign is done; `finish` stops a reduction in progress (it keeps its best
    /// so far) so the campaign's end waits at most one candidate batch.
    fn reducer(&self, limit: Duration, stop: &AtomicBool, done: &AtomicBool, finish: &AtomicBool) {
        loop {
            let next = self
                .to_reduce
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .pop_front();
            let Some(dir) = next else {
                if done.load(Ordering::SeqCst) {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
                continue;
            };
            let bucket = dir
                .parent()
                .and_then(|p| p.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let original = std::fs::metadata(dir.join("module.wasm")).map_or(0, |m| m.len());
            if finish.load(Ordering::SeqCst) || stop.load(Ordering::SeqCst) {
                self.push_reduced(ReducedEntry {
                    bucket,
                    original,
                    reduced: None,
                    seconds: 0.0,
                    note: "not reduced: the campaign ended first (catchall triage reduces it)"
                        .into(),
                });
                continue;
            }
            *self.reducing.lock().unwrap_or_else(|p| p.into_inner()) = Some(bucket.clone());
            let settings = triage::reduce::Settings {
                time: limit,
                threads: 1,
                wasm_shrink: true,
            };
            let t = Instant::now();
            if let Some(isolation) = &self.config.isolation {
                // Candidates can crash an engine as the finding did: reduce in a child.
                let entry = reduce_in_child(&isolation.exe, &dir, limit, finish, bucket, original);
                self.push_reduced(entry);
                *self.reducing.lock().unwrap_or_else(|p| p.into_inner()) = None;
                continue;
            }
            let result = triage::finding::load(&dir)
                .map_err(triage::workflow::TriageError::from)
                .and_then(|f| {
                    triage::workflow::reduce_finding(&f, &self.engines, settings, Some(finish))
                });
            let entry = match result {
                Ok(r) => ReducedEntry {
                    bucket,
                    original,
                    reduced: Some(r.doc.reduced_bytes),
                    seconds: r.doc.seconds,
                    note: format!("regression {}", r.doc.regression_status()),
                },
                Err(e) => ReducedEntry {
                    bucket,
                    original,
                    reduced: None,
                    seconds: t.elapsed().as_secs_f64(),
                    note: format!("not reduced: {e}"),
                },
            };
            self.push_reduced(entry);
            *self.reducing.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
    }

    fn push_reduced(&self, e: ReducedEntry) {
        self.reduced
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(e);
    }

    /// Runs the campaign on `jobs` rayon threads (or, isolated, `jobs` worker processes each
    /// watched by a thread) until the case or time limit, or until `stop` is set; `tick` is
    /// called on the calling thread about ten times a second.
    pub fn run(&self, stop: &AtomicBool, mut tick: impl FnMut(&Self)) -> Duration {
        let started = *self.started.get_or_init(Instant::now);
        let deadline = self.config.time.map(|t| started + t);
        let done = AtomicBool::new(false);
        let finish = AtomicBool::new(false);
        let jobs = self.config.jobs.max(1);
        std::thread::scope(|scope| {
            let reducer = self.config.reduce.map(|limit| {
                let (stop, done, finish) = (&stop, &done, &finish);
                scope.spawn(move || self.reducer(limit, stop, done, finish))
            });
            scope.spawn(|| {
                match &self.config.isolation {
                    Some(iso) => std::thread::scope(|s| {
                        for slot in 0..jobs {
                            std::thread::Builder::new()
                                .name(format!("catchall-slot-{slot}"))
                                .spawn_scoped(s, move || worker::slot(self, iso, stop, deadline))
                                .map(|_| ())
                                .unwrap_or_else(|e| {
                                    self.error(format!("could not start worker slot: {e}"))
                                });
                        }
                    }),
                    None => {
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(jobs)
                            .thread_name(|i| format!("catchall-worker-{i}"))
                            .build();
                        let work = || {
                            rayon::scope(|s| {
                                for worker in 0..jobs {
                                    s.spawn(move |_| self.worker(worker, stop, deadline));
                                }
                            })
                        };
                        match &pool {
                            Ok(pool) => pool.install(work),
                            Err(_) => work(),
                        }
                    }
                }
                done.store(true, Ordering::SeqCst);
            });
            while !done.load(Ordering::SeqCst) {
                tick(self);
                std::thread::sleep(Duration::from_millis(100));
            }
            // The campaign is over: a reduction in progress keeps its best so far.
            finish.store(true, Ordering::SeqCst);
            if let Some(r) = reducer {
                while !r.is_finished() {
                    tick(self);
                    std::thread::sleep(Duration::from_millis(100));
                }
            }
        });
        tick(self);
        self.inflight.finish();
        self.checkpoint(true);
        started.elapsed()
    }

    /// Campaign time over every sitting (this one so far, plus earlier ones when resumed).
    pub fn total_elapsed(&self) -> Duration {
        self.prior + self.started.get().map_or(Duration::ZERO, |s| s.elapsed())
    }

    /// Whether the workers should take no new case.
    fn stopping(&self, stop: &AtomicBool, deadline: Option<Instant>) -> bool {
        stop.load(Ordering::Relaxed)
            || self.halted.load(Ordering::Relaxed)
            || deadline.is_some_and(|d| Instant::now() >= d)
    }

    /// The next case index to run, skipping those a resumed campaign already did; `None` past
    /// the case limit.
    fn next_index(&self) -> Option<u64> {
        loop {
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if self.config.cases.is_some_and(|n| index >= n) {
                return None;
            }
            if !self.resumed_done.contains(&index) {
                return Some(index);
            }
        }
    }

    fn worker(&self, worker: usize, stop: &AtomicBool, deadline: Option<Instant>) {
        loop {
            if self.stopping(stop, deadline) {
                return;
            }
            let Some(index) = self.next_index() else {
                return;
            };
            if let Err(e) = self.inflight.begin(
                worker,
                self.config.seed,
                index,
                self.config.profile,
                &self.engine_list,
            ) {
                self.error(format!(
                    "case {index}: could not write its in-flight marker: {e}"
                ));
            }
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                evaluate(
                    &self.engines,
                    &self.engine_list,
                    &self.store,
                    self.config.seed,
                    self.config.profile,
                    self.config.limits,
                    index,
                    None,
                )
            }));
            match result {
                Ok((run, result)) => self.record(result, Some(&run)),
                Err(_) => self.error(format!(
                    "case {index}: catchall panicked while generating or running it \
                     (rerun: catchall fuzz --seed {} --case {index})",
                    self.config.seed
                )),
            }
        }
    }

    /// Records one case's result: commits its finding, queues a new bucket's first finding for
    /// reduction, calls the divergence hook (in process only: `run` is the case itself) and
    /// adds its statistics.
    pub(crate) fn record(&self, result: CaseResult, run: Option<&CaseRun>) {
        if let Some(e) = &result.error {
            self.error(e.clone());
        }
        if let Some(prepared) = &result.finding {
            match self.store.commit(prepared) {
                Ok(Some(saved)) if result.known.is_none() => {
                    // A lost case has no report to reduce against, and reducing it here would
                    // run the engine that kills its process in this one.
                    if saved.new_bucket && self.config.reduce.is_some() && result.verdict != "lost"
                    {
                        self.to_reduce
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push_back(saved.dir.clone());
                    }
                    self.saved
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(saved.dir)
                }
                Ok(_) => {}
                Err(e) => self.error(format!(
                    "case {}: could not save the finding: {e}",
                    result.index
                )),
            }
        }
        if result.is_finding() {
            if self.config.stop_on_divergence {
                self.halted.store(true, Ordering::SeqCst);
            }
            if let (Some(hook), Some(run)) = (&self.on_divergence, run) {
                hook(result.index, run);
            }
        }
        self.add_stats(result.index, &result.stats);
    }

    /// Adds a case's statistics, marks it done and writes the checkpoint (at most a few times
    /// a second).
    pub(crate) fn add_stats(&self, index: u64, delta: &Stats) {
        {
            let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
            stats.merge(delta);
            let fresh = self
                .done
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .mark(index);
            if !fresh {
                drop(stats);
                self.error(format!("case {index} was recorded twice"));
            }
        }
        self.checkpoint(false);
    }

    /// Writes `<out>/campaign.json` (statistics and done indices read together, so they
    /// always agree); unless `force`, at most four times a second.
    fn checkpoint(&self, force: bool) {
        {
            let mut last = self.checkpointed.lock().unwrap_or_else(|p| p.into_inner());
            if !force && last.is_some_and(|t| t.elapsed() < Duration::from_millis(250)) {
                return;
            }
            *last = Some(Instant::now());
        }
        let stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        let done = self.done.lock().unwrap_or_else(|p| p.into_inner());
        let checkpoint = Checkpoint {
            seed: self.config.seed,
            profile: self.config.profile.name().to_string(),
            engines: self.engine_list.clone(),
            fuel: self.config.limits.fuel,
            cases: self.config.cases,
            done_below: done.below,
            done_above: done.above.clone(),
            seconds: self.total_elapsed().as_secs_f64(),
            stats: stats.clone(),
        };
        drop(done);
        // Written while the statistics are held, so two writers never race the rename.
        let text = serde_json::to_string(&checkpoint).unwrap_or_default();
        if let Err(e) = findings::write_atomic(&self.store.root().join(Checkpoint::FILE), &text) {
            drop(stats);
            self.error(format!("could not write the campaign checkpoint: {e}"));
        }
    }

    /// The campaign's engines (built in this process).
    pub fn engines(&self) -> &[&'a dyn Engine] {
        &self.engines
    }

    /// The findings store.
    pub(crate) fn store(&self) -> &FindingsStore {
        &self.store
    }

    pub(crate) fn error(&self, message: String) {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(message);
    }

    /// Whether the campaign stopped at its first divergence (`stop_on_divergence`).
    pub fn halted(&self) -> bool {
        self.halted.load(Ordering::SeqCst)
    }

    /// The findings folder.
    pub fn out(&self) -> &std::path::Path {
        self.store.root()
    }
}

/// Reduces the finding `dir` in a `catchall reduce` child process (worker mode: a candidate
/// that crashes an engine kills the child, not the campaign), killed once `finish` is set.
fn reduce_in_child(
    exe: &Path,
    dir: &Path,
    limit: Duration,
    finish: &AtomicBool,
    bucket: String,
    original: u64,
) -> ReducedEntry {
    let t = Instant::now();
    let entry = |reduced: Option<u64>, seconds: f64, note: String| ReducedEntry {
        bucket: bucket.clone(),
        original,
        reduced,
        seconds,
        note,
    };
    let child = std::process::Command::new(exe)
        .arg("reduce")
        .arg(dir)
        .args(["--time", &format!("{:.3}s", limit.as_secs_f64().max(0.001))])
        .args(["--jobs", "1"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return entry(
                None,
                0.0,
                format!("not reduced: cannot start the reducer: {e}"),
            );
        }
    };
    // At the campaign's end the child is asked to stop (SIGINT: it writes its smallest
    // candidate so far) and given a few seconds before it is killed.
    let mut asked: Option<Instant> = None;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) if finish.load(Ordering::SeqCst) => match asked {
                None => {
                    #[cfg(unix)]
                    // SAFETY: `kill` only sends a signal to our own child's pid.
                    unsafe {
                        libc::kill(child.id() as libc::pid_t, libc::SIGINT);
                    }
                    #[cfg(not(unix))]
                    let _ = child.kill();
                    asked = Some(Instant::now());
                }
                Some(at) if at.elapsed() > Duration::from_secs(10) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Some(_) => std::thread::sleep(Duration::from_millis(50)),
            },
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(_) => break None,
        }
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read as _;
        let _ = e.read_to_string(&mut stderr);
    }
    let seconds = t.elapsed().as_secs_f64();
    match status {
        None => entry(
            None,
            seconds,
            "not reduced: the campaign ended first (catchall triage reduces it)".into(),
        ),
        Some(s) if s.success() => match triage::workflow::load_reduced_doc(dir) {
            Ok(doc) => entry(
                Some(doc.reduced_bytes),
                doc.seconds,
                format!("regression {}", doc.regression_status()),
            ),
            Err(e) => entry(None, seconds, format!("not reduced: {e}")),
        },
        Some(s) => entry(
            None,
            seconds,
            format!(
                "not reduced: the reducer's process ended with {s}{}",
                stderr
                    .lines()
                    .last()
                    .map(|l| format!(": {l}"))
                    .unwrap_or_default()
            ),
        ),
    }
}

/// The compile-only bound: generates cases `0..cases` of `seed` and compiles each (exposed, as
/// the campaign does) with every engine that would run it, on `jobs` threads. Returns the
/// wall time of the compile phase alone (generation happens before the clock starts).
pub fn compile_bound(
    engines: &[&dyn Engine],
    seed: u64,
    cases: u64,
    profile: Profile,
    jobs: usize,
) -> Duration {
    let modules: Vec<Vec<u8>> = (0..cases)
        .map(|i| {
            let case = generate(seed, i, profile);
            oracles::expose::expose(&case.wasm).unwrap_or(case.wasm)
        })
        .collect();
    let next = AtomicU64::new(0);
    let started = Instant::now();
    let work = || {
        rayon::scope(|s| {
            for _ in 0..jobs.max(1) {
                s.spawn(|_| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed) as usize;
                        let Some(wasm) = modules.get(i) else { return };
                        let features = oracles::ModuleInfo::parse(wasm)
                            .map(|m| m.features)
                            .unwrap_or_default();
                        for e in engines {
                            if e.features().contains(features) {
                                let _ = std::hint::black_box(e.compile(wasm));
                            }
                        }
                    }
                });
            }
        })
    };
    match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
    {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    }
    started.elapsed()
}
