//! The differential driver: runs one module and its invocation plan on every engine in lockstep
//! (instantiate, then each call), snapshots state after every step, and compares each step.

use crate::compare::{ComparePolicy, Observation, Verdict, compare_step};
use crate::coverage::Coverage;
use crate::digest::first_difference;
use crate::engine::{Engine, InstanceId, Limits, Module, Store};
use crate::module_info::ModuleInfo;
use crate::outcome::{ModuleError, Outcome};
use crate::value::{Val, display_list};
use serde::Serialize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

/// One call of an invocation plan.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct Call {
    /// The exported function.
    pub func: String,
    /// Its arguments.
    pub args: Vec<Val>,
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.func, display_list(&self.args))
    }
}

/// What to do with a module after instantiating it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Plan {
    /// The calls, in order, all on the same instance.
    pub calls: Vec<Call>,
}

/// How to run a case.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Budgets for every step.
    pub limits: Limits,
    /// The comparator's policy.
    pub policy: ComparePolicy,
    /// Keep running and comparing the remaining steps after the first step that does not
    /// agree (for human-facing reports). A campaign stops at once.
    pub continue_after_verdict: bool,
}

/// Whether an engine ran the case.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "status", content = "reason")]
pub enum EngineStatus {
    /// It ran.
    Ran,
    /// It was not given the module: it lacks a proposal the module uses, or rejected the
    /// module as unsupported.
    Skipped(String),
}

/// One engine's part in a case.
#[derive(Clone, Debug, Serialize)]
pub struct EngineReport {
    /// The engine's name.
    pub name: String,
    /// The engine's version.
    pub version: String,
    /// Whether it ran.
    pub status: EngineStatus,
    /// Time spent compiling.
    #[serde(skip)]
    pub compile_time: Duration,
    /// Time spent instantiating, calling and snapshotting.
    #[serde(skip)]
    pub execute_time: Duration,
}

/// One step of a case on every engine.
#[derive(Clone, Debug)]
pub struct StepReport {
    /// `instantiate` or the call.
    pub action: String,
    /// Each engine's observation, in engine order; `None` for an engine that skipped the case
    /// or could not take the step.
    pub observations: Vec<Option<Observation>>,
    /// The verdict on this step alone.
    pub verdict: Verdict,
    /// Whether every engine that ran saw the same state after the step.
    pub state_equal: bool,
    /// For a memory mismatch, the first differing offset between the leading engine and the
    /// first dissenter, found by reading both memories.
    pub first_memory_difference: Option<(u32, u64)>,
}

/// Everything that happened in a case.
#[derive(Clone, Debug)]
pub struct CaseReport {
    /// The engines, in the order given.
    pub engines: Vec<EngineReport>,
    /// The steps, instantiation first.
    pub steps: Vec<StepReport>,
    /// The first step verdict that is not `Agree`, else `Agree`.
    pub verdict: Verdict,
    /// The module's proposals.
    pub features: Vec<&'static str>,
    /// The oracle's execution counters, when it counts.
    pub coverage: Option<Coverage>,
    /// Time spent comparing observations.
    pub compare_time: Duration,
}

/// The oracle's name: the reference interpreter whenever it takes part.
pub const ORACLE: &str = "reference";

struct Lane<'a> {
    engine: &'a dyn Engine,
    module: Option<Box<dyn Module>>,
    store: Option<Box<dyn Store>>,
    instance: Option<InstanceId>,
    /// Set once the engine crashed or has no instance: later steps are not taken.
    stopped: bool,
}

/// Runs `wasm` and `plan` on every engine and compares them step by step.
///
/// `wasm` is given to every engine as is (callers that want full state observation pass
/// bytes from [`crate::expose::expose`]).
pub fn run_case(
    engines: &[&dyn Engine],
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
) -> CaseReport {
    let info = ModuleInfo::parse(wasm).ok();
    let features = info.as_ref().map(|i| i.features).unwrap_or_default();
    let mut reports: Vec<EngineReport> = Vec::new();
    let mut lanes: Vec<Lane> = Vec::new();
    let mut first: Vec<Option<Observation>> = Vec::new();

    // Step 0: compile and instantiate.
    for &engine in engines {
        let mut report = EngineReport {
            name: engine.name().to_string(),
            version: engine.version(),
            status: EngineStatus::Ran,
            compile_time: Duration::ZERO,
            execute_time: Duration::ZERO,
        };
        let missing = features.difference(engine.features());
        let mut lane = Lane {
            engine,
            module: None,
            store: None,
            instance: None,
            stopped: true,
        };
        if !missing.is_empty() {
            report.status = EngineStatus::Skipped(missing.to_string());
            first.push(None);
        } else {
            let t = Instant::now();
            let compiled = guard(AssertUnwindSafe(|| engine.compile(wasm)))
                .unwrap_or_else(|panic| Err(ModuleError::Internal(panic)));
            report.compile_time = t.elapsed();
            match compiled {
                Err(ModuleError::Unsupported(why)) => {
                    report.status = EngineStatus::Skipped(why);
                    first.push(None);
                }
                Err(e) => first.push(Some(Observation {
                    outcome: Err(e),
                    snapshot: None,
                })),
                Ok(module) => {
                    let t = Instant::now();
                    let mut store = engine.new_store(options.limits);
                    let result = guard(AssertUnwindSafe(|| store.instantiate(module.as_ref())))
                        .unwrap_or_else(|panic| Ok(Outcome::Crash(panic)));
                    let observation = match result {
                        Ok(Outcome::Return(id)) => {
                            let snapshot = guard(AssertUnwindSafe(|| store.snapshot(id)));
                            match snapshot {
                                Ok(s) => {
                                    lane.instance = Some(id);
                                    lane.stopped = false;
                                    Observation {
                                        outcome: Ok(Outcome::Return(vec![])),
                                        snapshot: Some(s),
                                    }
                                }
                                Err(panic) => Observation {
                                    outcome: Ok(Outcome::Crash(panic)),
                                    snapshot: None,
                                },
                            }
                        }
                        Ok(other) => Observation {
                            outcome: Ok(other.map(|_| vec![])),
                            snapshot: None,
                        },
                        Err(e) => Observation {
                            outcome: Err(e),
                            snapshot: None,
                        },
                    };
                    report.execute_time += t.elapsed();
                    lane.module = Some(module);
                    lane.store = Some(store);
                    first.push(Some(observation));
                }
            }
        }
        reports.push(report);
        lanes.push(lane);
    }

    let mut steps = Vec::new();
    let mut verdict = Verdict::Agree;
    let oracle = engines.iter().any(|e| e.name() == ORACLE).then_some(ORACLE);
    let mut compare_time = Duration::ZERO;
    let t = Instant::now();
    let step0 = finish_step(0, "instantiate".into(), first, &mut lanes, oracle, options);
    compare_time += t.elapsed();
    let mut go_on = record(&mut verdict, &step0, options);
    steps.push(step0);

    for (i, call) in plan.calls.iter().enumerate() {
        if !go_on || lanes.iter().all(|l| l.stopped) {
            break;
        }
        let mut observations = Vec::with_capacity(lanes.len());
        for (lane, report) in lanes.iter_mut().zip(&mut reports) {
            if lane.stopped {
                observations.push(None);
                continue;
            }
            let (Some(store), Some(id)) = (lane.store.as_mut(), lane.instance) else {
                observations.push(None);
                continue;
            };
            let t = Instant::now();
            let result = guard(AssertUnwindSafe(|| {
                let outcome = store.call(id, &call.func, &call.args);
                let snapshot = store.snapshot(id);
                (outcome, snapshot)
            }));
            report.execute_time += t.elapsed();
            observations.push(Some(match result {
                Ok((outcome, snapshot)) => Observation {
                    outcome: Ok(outcome),
                    snapshot: Some(snapshot),
                },
                Err(panic) => {
                    lane.stopped = true;
                    Observation {
                        outcome: Ok(Outcome::Crash(panic)),
                        snapshot: None,
                    }
                }
            }));
        }
        let t = Instant::now();
        let step = finish_step(
            i + 1,
            call.to_string(),
            observations,
            &mut lanes,
            oracle,
            options,
        );
        compare_time += t.elapsed();
        go_on = record(&mut verdict, &step, options);
        steps.push(step);
    }

    let coverage = lanes
        .iter()
        .find(|l| l.engine.name() == ORACLE)
        .and_then(|l| l.store.as_ref())
        .and_then(|s| s.coverage());
    CaseReport {
        engines: reports,
        steps,
        verdict,
        features: features.names(),
        coverage,
        compare_time,
    }
}

/// Records a step's verdict into the case verdict; returns whether to take further steps.
fn record(verdict: &mut Verdict, step: &StepReport, options: &RunOptions) -> bool {
    if *verdict == Verdict::Agree && step.verdict != Verdict::Agree {
        *verdict = step.verdict.clone();
    }
    *verdict == Verdict::Agree || options.continue_after_verdict
}

fn finish_step(
    index: usize,
    action: String,
    observations: Vec<Option<Observation>>,
    lanes: &mut [Lane],
    oracle: Option<&str>,
    options: &RunOptions,
) -> StepReport {
    let named: Vec<(&str, &Observation)> = lanes
        .iter()
        .zip(&observations)
        .filter_map(|(l, o)| o.as_ref().map(|o| (l.engine.name(), o)))
        .collect();
    let verdict = compare_step(index, &named, oracle, options.policy);
    let snapshots: Vec<_> = named.iter().map(|(_, o)| &o.snapshot).collect();
    let state_equal = snapshots.windows(2).all(|w| w[0] == w[1]);
    let mut first_memory_difference = None;
    if let Verdict::Diverge(d) = &verdict
        && d.kind == crate::compare::DivergenceKind::MemoryMismatch
        && d.groups.len() >= 2
    {
        first_memory_difference =
            locate_memory_difference(lanes, &d.groups[0].engines[0], &d.groups[1].engines[0]);
    }
    // An engine whose instantiation did not return has nothing more to run.
    for (lane, o) in lanes.iter_mut().zip(&observations) {
        if let Some(o) = o
            && (o.snapshot.is_none() || matches!(o.outcome, Ok(Outcome::Crash(_))))
        {
            lane.stopped = true;
        }
    }
    StepReport {
        action,
        observations,
        verdict,
        state_equal,
        first_memory_difference,
    }
}

/// Reads every memory of two engines to find the first differing (memory, offset).
fn locate_memory_difference(lanes: &mut [Lane], a: &str, b: &str) -> Option<(u32, u64)> {
    let mut contents = |name: &str| {
        let lane = lanes.iter_mut().find(|l| l.engine.name() == name)?;
        let id = lane.instance?;
        let count = lane
            .module
            .as_ref()
            .map_or(0, |m| m.info().count(crate::module_info::ItemKind::Memory));
        let indices: Vec<u32> = (0..count).collect();
        Some(memory_contents(lane.store.as_deref_mut()?, id, &indices))
    };
    let ma = contents(a)?;
    let mb = contents(b)?;
    first_memory_difference(&ma, &mb)
}

/// The contents of memories `indices` of `instance`, each with its index (an absent memory
/// reads as empty).
pub fn memory_contents(
    store: &mut dyn Store,
    instance: InstanceId,
    indices: &[u32],
) -> Vec<(u32, Vec<u8>)> {
    indices
        .iter()
        .map(|&i| (i, store.memory_contents(instance, i).unwrap_or_default()))
        .collect()
}

/// The first (memory index, offset) at which two engines' memories, as read by
/// [`memory_contents`] for the same indices, differ.
pub fn first_memory_difference(a: &[(u32, Vec<u8>)], b: &[(u32, Vec<u8>)]) -> Option<(u32, u64)> {
    a.iter()
        .zip(b)
        .find_map(|((i, x), (_, y))| first_difference(x, y).map(|off| (*i, off)))
}

thread_local! {
    /// Where the last panic on this thread happened, recorded by the hook of
    /// [`quiet_panics`] / [`guard`].
    static PANIC_LOCATION: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static HOOK: std::sync::Once = std::sync::Once::new();

/// Installs (once) the panic hook that records each panic's location for [`guard`], chained
/// before the hook that was installed at that moment (which prints the message unless
/// [`quiet_panics`] silenced it).
fn install_location_hook() {
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            PANIC_LOCATION.with(|p| *p.borrow_mut() = location);
            if !QUIET.load(std::sync::atomic::Ordering::Relaxed) {
                previous(info);
            }
        }));
    });
}

/// Silences (or restores) the printing of panics caught inside engines: a campaign's
/// progress bar must not be drawn over. Their location is recorded either way.
pub fn quiet_panics(quiet: bool) {
    install_location_hook();
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

static STEPS_BEGUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many engine operations (compile, instantiate, call, snapshot) this process has begun:
/// a worker process reports it so its parent can tell a step that overruns its wall-clock
/// deadline from a case that is merely long.
pub fn steps_begun() -> u64 {
    STEPS_BEGUN.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `f`, turning a panic into `panic at <file>:<line>: <message>` (the location as the
/// panic hook saw it, without the column; see [`crate::outcome::crash_site`]).
fn guard<T>(f: impl FnOnce() -> T + std::panic::UnwindSafe) -> Result<T, String> {
    install_location_hook();
    STEPS_BEGUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    PANIC_LOCATION.with(|p| p.borrow_mut().take());
    catch_unwind(f).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        match PANIC_LOCATION.with(|p| p.borrow_mut().take()) {
            Some(at) => format!("panic at {at}: {message}"),
            None => format!("panic: {message}"),
        }
    })
}
