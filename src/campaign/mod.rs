//! The differential campaign: generate cases on all cores, run each on every engine, keep what
//! diverges, count everything else.
//!
//! A case is a pure function of (campaign seed, case index); workers pull indices from one
//! counter, so `--seed S --case I` reruns exactly one case of any campaign.

pub mod findings;
pub mod inflight;
pub mod known;
pub mod stats;

use crate::generate::{Case, Profile, generate};
use findings::{BucketKey, Finding, FindingsError, FindingsStore};
use oracles::compare::{ComparePolicy, NanPolicy, Verdict};
use oracles::differential::{RunOptions, run_case};
use oracles::{CaseReport, Engine, Limits};
use stats::{CaseTally, Stats};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
        Ok(Campaign {
            config,
            engines,
            engine_list,
            store,
            stats: Mutex::new(Stats::default()),
            next: AtomicU64::new(0),
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
                    note: if r.doc.regression_verified {
                        "regression verified".into()
                    } else {
                        "regression not verified".into()
                    },
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

    /// Runs the campaign on `jobs` rayon threads until the case or time limit, or until `stop`
    /// is set; `tick` is called on the calling thread about ten times a second.
    pub fn run(&self, stop: &AtomicBool, mut tick: impl FnMut(&Self)) -> Duration {
        let started = Instant::now();
        let deadline = self.config.time.map(|t| started + t);
        let done = AtomicBool::new(false);
        let finish = AtomicBool::new(false);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.config.jobs.max(1))
            .thread_name(|i| format!("catchall-worker-{i}"))
            .build();
        std::thread::scope(|scope| {
            let reducer = self.config.reduce.map(|limit| {
                let (stop, done, finish) = (&stop, &done, &finish);
                scope.spawn(move || self.reducer(limit, stop, done, finish))
            });
            scope.spawn(|| {
                let work = || {
                    rayon::scope(|s| {
                        for worker in 0..self.config.jobs.max(1) {
                            s.spawn(move |_| self.worker(worker, stop, deadline));
                        }
                    })
                };
                match &pool {
                    Ok(pool) => pool.install(work),
                    Err(_) => work(),
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
        started.elapsed()
    }

    fn worker(&self, worker: usize, stop: &AtomicBool, deadline: Option<Instant>) {
        loop {
            if stop.load(Ordering::Relaxed)
                || self.halted.load(Ordering::Relaxed)
                || deadline.is_some_and(|d| Instant::now() >= d)
            {
                return;
            }
            let index = self.next.fetch_add(1, Ordering::Relaxed);
            if self.config.cases.is_some_and(|n| index >= n) {
                return;
            }
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
                run_one(
                    &self.engines,
                    self.config.seed,
                    index,
                    self.config.profile,
                    self.config.limits,
                    false,
                )
            }));
            match result {
                Ok(run) => self.record(index, &run),
                Err(_) => self.error(format!(
                    "case {index}: catchall panicked while generating or running it \
                     (rerun: catchall fuzz --seed {} --case {index})",
                    self.config.seed
                )),
            }
        }
    }

    fn record(&self, index: u64, run: &CaseRun) {
        // A divergence that a known bug's sidestep makes disappear is that bug: counted under
        // its name and kept (capped) in its own bucket, not filed as a new finding.
        let known = matches!(run.report.verdict, Verdict::Diverge(_))
            .then(|| {
                known::classify(
                    &self.engines,
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
        if let Some(key) = &key {
            let finding = Finding {
                seed: self.config.seed,
                index,
                profile: self.config.profile.name(),
                generator: run.case.generator.name(),
                config: &run.case.config,
                wasm: &run.wasm,
                plan: &run.case.plan,
                report: &run.report,
                engines: &self.engine_list,
                nan: run.options.policy.nan,
                fuel: run.options.limits.fuel,
                known: known.map(|b| (b.name, b.regression)),
            };
            match self.store.save(&finding, key) {
                Ok(Some(saved)) if known.is_none() => {
                    if saved.new_bucket && self.config.reduce.is_some() {
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
                Err(e) => self.error(format!("case {index}: could not save the finding: {e}")),
            }
            if self.config.stop_on_divergence && known.is_none() {
                self.halted.store(true, Ordering::SeqCst);
            }
            if let (Some(hook), None) = (&self.on_divergence, known) {
                hook(index, run);
            }
        }
        let key_text = key.as_ref().map(|k| k.to_string());
        let tally = CaseTally {
            report: &run.report,
            generation: run.generation,
            generator: run.case.generator.name(),
            bucket: key_text.as_deref(),
            known: known.map(|b| b.name),
        };
        self.stats
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .add(&tally);
    }

    fn error(&self, message: String) {
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
