//! Worker processes: the campaign runs its cases in `catchall worker` children, one per slot, so an engine that segfaults, aborts, hangs or eats memory costs one worker and names itself, and the campaign goes on.
//!
//! The protocol is JSON lines over the child's stdin and stdout (ARCHITECTURE.md describes it):
//! the parent sends a [`Request`] (a case index, optionally a known bug's sidestep), the worker
//! sends [`FromWorker::Progress`] each time it begins a new engine step and one
//! [`FromWorker::Done`] with the case's [`CaseResult`] (its statistics and its finding written
//! aside under `<out>/.tmp`). The parent alone commits findings, keeps the statistics and
//! writes `stats.json`.
//!
//! The parent watches each worker: no new step for `step_timeout` plus a margin is a hang, a
//! resident set over the memory cap is a blow-up, a closed pipe is a death; in each case the
//! worker is killed and replaced, and the case is rerun on each engine alone (each in a fresh
//! worker) to name the engine ([`Campaign`]'s `lost` path).

use super::findings::{BucketKey, FindingsStore};
use super::inflight::{EngineRerun, Lost, prepare_lost};
use super::stats::Stats;
use super::{Campaign, CaseResult, Isolation, evaluate};
use crate::generate::Profile;
use oracles::{Engine, Limits};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long past its step deadline a worker is given before it is killed (at most the deadline
/// itself again).
pub const KILL_MARGIN: Duration = Duration::from_secs(2);

/// How often the parent reads a worker's resident memory.
const POLL: Duration = Duration::from_millis(50);

/// What the parent asks a worker to run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Request {
    /// The case index (of the worker's seed and profile).
    pub case: u64,
    /// Rewrite the module with this known bug's sidestep first.
    #[serde(default)]
    pub sidestep: Option<String>,
}

/// What a worker sends back.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromWorker {
    /// The number of engine steps begun so far (sent whenever it changes).
    Progress(u64),
    /// The case is done.
    Done(Box<CaseResult>),
    /// The case could not be run (catchall itself panicked); the worker lives on.
    Failed(String),
}

/// How a worker is started: `catchall worker` with these arguments.
#[derive(Clone, Debug)]
pub struct WorkerSpec {
    /// The campaign seed.
    pub seed: u64,
    /// The profile.
    pub profile: Profile,
    /// The engines, comma-separated.
    pub engines: String,
    /// Fuel per step.
    pub fuel: u64,
    /// The findings folder (findings are prepared under its `.tmp`).
    pub out: PathBuf,
}

/// How a worker's case ended, as the parent saw it.
#[derive(Clone, Debug)]
pub enum Ended {
    /// The worker sent the case's result.
    Done(Box<CaseResult>),
    /// The worker reported that catchall itself failed on the case.
    Failed(String),
    /// The worker was lost.
    Lost(Loss),
}

/// How a worker was lost.
#[derive(Clone, Debug, PartialEq)]
pub enum Loss {
    /// It died: killed by a signal, or it exited.
    Died {
        /// The signal that killed it.
        signal: Option<i32>,
        /// Its exit code, if it exited.
        code: Option<i32>,
    },
    /// It began no new step within the deadline and was killed.
    Hung(Duration),
    /// Its resident memory passed the cap (bytes) and it was killed.
    Memory(u64),
}

impl Loss {
    /// `crash`, `hang` or `memory`.
    pub fn how(&self) -> &'static str {
        match self {
            Loss::Died { .. } => "crash",
            Loss::Hung(_) => "hang",
            Loss::Memory(_) => "memory",
        }
    }

    /// The bucket key's `signal` part: `SIGSEGV`, `exit-N`, `hang`, `memory`.
    pub fn key_part(&self) -> String {
        match self {
            Loss::Died {
                signal: Some(s), ..
            } => triage::key::signal_name(*s),
            Loss::Died { code: Some(c), .. } => format!("exit-{c}"),
            Loss::Died { .. } => "unknown".into(),
            Loss::Hung(_) => "hang".into(),
            Loss::Memory(_) => "memory".into(),
        }
    }

    /// One phrase: how it ended.
    pub fn describe(&self) -> String {
        match self {
            Loss::Died {
                signal: Some(s), ..
            } => format!("killed by {}", triage::key::signal_name(*s)),
            Loss::Died { code: Some(c), .. } => format!("exited with status {c}"),
            Loss::Died { .. } => "died".into(),
            Loss::Hung(d) => format!(
                "began no new step for {:.1} s (killed: over the step deadline)",
                d.as_secs_f64()
            ),
            Loss::Memory(b) => format!(
                "reached {} MiB resident (killed: over the worker memory cap)",
                b >> 20
            ),
        }
    }
}

/// A running worker process.
pub struct WorkerProc {
    child: Child,
    stdin: Option<ChildStdin>,
    from: Receiver<FromWorker>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// Whether the worker has sent anything yet.
    heard: bool,
}

impl WorkerProc {
    /// Starts `exe worker ...` for `spec`.
    pub fn spawn(exe: &Path, spec: &WorkerSpec) -> std::io::Result<WorkerProc> {
        let mut command = Command::new(exe);
        command
            .arg("worker")
            .args(["--seed", &spec.seed.to_string()])
            .args(["--profile", spec.profile.name()])
            .args(["--engines", &spec.engines])
            .args(["--fuel", &spec.fuel.to_string()])
            .arg("--out")
            .arg(&spec.out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        #[cfg(unix)]
        {
            // Its own process group: a Ctrl-C at the terminal reaches the campaign, which stops
            // its workers itself, and never looks like a worker's death.
            use std::os::unix::process::CommandExt;
            command.process_group(0);
        }
        let mut child = command.spawn()?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| std::io::Error::other("no stdout"))?;
        let stderr_pipe = child
            .stderr
            .take()
            .ok_or_else(|| std::io::Error::other("no stderr"))?;
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                match serde_json::from_str::<FromWorker>(&line) {
                    Ok(m) => {
                        if tx.send(m).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        let _ = tx.send(FromWorker::Failed(format!(
                            "the worker wrote a line that is not a message ({e}): {line}"
                        )));
                    }
                }
            }
        });
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr_pipe).lines() {
                let Ok(line) = line else { return };
                let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
                t.push_back(line);
                if t.len() > 12 {
                    t.pop_front();
                }
            }
        });
        Ok(WorkerProc {
            stdin: child.stdin.take(),
            child,
            from: rx,
            stderr,
            heard: false,
        })
    }

    /// Whether the worker has answered anything yet (a worker that exits before it does could
    /// not start: bad arguments, an engine that cannot be built).
    pub fn heard(&self) -> bool {
        self.heard
    }

    /// The last lines the worker wrote on stderr.
    pub fn stderr_tail(&self) -> String {
        let t = self.stderr.lock().unwrap_or_else(|p| p.into_inner());
        t.iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Sends `request` and watches the worker until the case ends.
    pub fn run(&mut self, request: &Request, step_timeout: Duration, memory: u64) -> Ended {
        let line = serde_json::to_string(request).unwrap_or_default() + "\n";
        let sent = self
            .stdin
            .as_mut()
            .map(|s| s.write_all(line.as_bytes()).and_then(|()| s.flush()));
        if !matches!(sent, Some(Ok(()))) {
            return Ended::Lost(self.reap());
        }
        let mut last_step = Instant::now();
        let mut steps = None;
        loop {
            let message = self.from.recv_timeout(POLL);
            self.heard |= message.is_ok();
            match message {
                Ok(FromWorker::Progress(n)) => {
                    if steps != Some(n) {
                        steps = Some(n);
                        last_step = Instant::now();
                    }
                }
                Ok(FromWorker::Done(result)) => return Ended::Done(result),
                Ok(FromWorker::Failed(message)) => return Ended::Failed(message),
                Err(RecvTimeoutError::Disconnected) => return Ended::Lost(self.reap()),
                Err(RecvTimeoutError::Timeout) => {}
            }
            let quiet = last_step.elapsed();
            if quiet > step_timeout + KILL_MARGIN.min(step_timeout) {
                self.kill();
                return Ended::Lost(Loss::Hung(quiet));
            }
            if let Some(rss) = resident_bytes(self.child.id())
                && rss > memory
            {
                self.kill();
                return Ended::Lost(Loss::Memory(rss));
            }
        }
    }

    /// Waits for a worker whose pipe closed and says how it ended.
    fn reap(&mut self) -> Loss {
        // The pipe closes a moment before the process is gone.
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    return Loss::Died {
                        signal: exit_signal(&status),
                        code: status.code(),
                    };
                }
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(10))
                }
                _ => {
                    self.kill();
                    return Loss::Died {
                        signal: None,
                        code: None,
                    };
                }
            }
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for WorkerProc {
    fn drop(&mut self) {
        // Closing stdin asks it to exit; a worker stuck in a case is killed.
        self.stdin.take();
        let deadline = Instant::now() + Duration::from_millis(200);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.kill();
    }
}

/// A process's resident memory in bytes (Linux: `/proc/<pid>/statm`); `None` elsewhere.
pub fn resident_bytes(pid: u32) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = text.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

fn page_size() -> u64 {
    // SAFETY: sysconf has no preconditions.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if n > 0 { n as u64 } else { 4096 }
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

/// The default worker memory cap: half the machine's memory shared among the workers (or
/// 4 GiB each when the machine's memory cannot be read).
pub fn default_memory_cap(workers: usize) -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map(|kb| kb * 1024);
    match total {
        Some(t) => (t / workers.max(1) as u64 / 2).max(256 << 20),
        None => 4 << 30,
    }
}

/// One slot of an isolated campaign: keeps a worker process alive and feeds it cases until
/// the campaign stops; a lost worker is replaced and its case diagnosed.
pub(crate) fn slot(c: &Campaign, iso: &Isolation, stop: &AtomicBool, deadline: Option<Instant>) {
    let spec = WorkerSpec {
        seed: c.config.seed,
        profile: c.config.profile,
        engines: c.engine_list.clone(),
        fuel: c.config.limits.fuel,
        out: c.store().root().to_path_buf(),
    };
    let mut worker: Option<WorkerProc> = None;
    let mut failures_in_a_row = 0;
    loop {
        if c.stopping(stop, deadline) {
            return;
        }
        let Some(index) = c.next_index() else { return };
        if worker.is_none() {
            match WorkerProc::spawn(&iso.exe, &spec) {
                Ok(w) => worker = Some(w),
                Err(e) => {
                    c.error(format!("could not start a worker process: {e}"));
                    return;
                }
            }
        }
        let Some(w) = worker.as_mut() else { return };
        let request = Request {
            case: index,
            sidestep: None,
        };
        match w.run(&request, iso.step_timeout, iso.memory) {
            Ended::Done(result) => {
                failures_in_a_row = 0;
                c.record(*result, None);
            }
            Ended::Failed(message) => c.error(format!(
                "case {index}: {message} (rerun: catchall fuzz --seed {} --case {index})",
                c.config.seed
            )),
            Ended::Lost(Loss::Died {
                signal: None,
                code: Some(code),
            }) if !w.heard() => {
                // Not an engine's death: the worker could not start.
                std::thread::sleep(Duration::from_millis(20));
                c.error(format!(
                    "a worker process exited with status {code} before running a case: {}",
                    w.stderr_tail().lines().last().unwrap_or("no message")
                ));
                return;
            }
            Ended::Lost(loss) => {
                let tail = w.stderr_tail();
                worker = None;
                failures_in_a_row += 1;
                lost(c, iso, &spec, index, &loss, &tail);
                if failures_in_a_row >= 50 {
                    c.error(format!(
                        "50 worker processes in a row were lost (the last: {}); this slot stops",
                        loss.describe()
                    ));
                    return;
                }
            }
        }
    }
}

/// Reruns case `index` on each engine alone, each in a fresh worker.
pub fn rerun_alone(iso: &Isolation, spec: &WorkerSpec, index: u64) -> Vec<(EngineRerun, Ended)> {
    spec.engines
        .split(',')
        .filter(|e| !e.is_empty())
        .map(|engine| {
            let alone = WorkerSpec {
                engines: engine.to_string(),
                ..spec.clone()
            };
            let request = Request {
                case: index,
                sidestep: None,
            };
            let (ended, tail) = match WorkerProc::spawn(&iso.exe, &alone) {
                Ok(mut w) => {
                    let ended = w.run(&request, iso.step_timeout, iso.memory);
                    // The stderr reader may be a moment behind the process's end.
                    std::thread::sleep(Duration::from_millis(20));
                    (ended, w.stderr_tail())
                }
                Err(e) => (
                    Ended::Failed(format!("could not start: {e}")),
                    String::new(),
                ),
            };
            let rerun = EngineRerun {
                engine: engine.to_string(),
                ended: match &ended {
                    Ended::Done(_) => "finished".into(),
                    Ended::Failed(m) => m.clone(),
                    Ended::Lost(l) => l.describe(),
                },
                died: matches!(ended, Ended::Lost(_)),
                stderr_tail: tail,
                signal: match &ended {
                    Ended::Lost(Loss::Died { signal, .. }) => *signal,
                    _ => None,
                },
            };
            (rerun, ended)
        })
        .collect()
}

/// A case whose worker was lost: reruns it on each engine alone to name the engine, then files
/// it (an `engine-crash`, `engine-hang` or `engine-memory` finding, or a known crash bug) or
/// poisons it with a named reason (a step slow everywhere, memory the reference needs too).
fn lost(c: &Campaign, iso: &Isolation, spec: &WorkerSpec, index: u64, loss: &Loss, tail: &str) {
    let reruns = rerun_alone(iso, spec, index);
    let how_alone = |e: &Ended| match e {
        Ended::Lost(l) => Some(l.how()),
        _ => None,
    };
    // The engine named is the first whose lone rerun is lost too, however it is lost (a
    // worker that hung while an engine allocated may be over its memory cap when alone). The
    // reference can be named for a crash (a crash of the oracle is a finding against
    // catchall), never for a resource overrun (then the case is too big for everyone).
    let crash_alone = reruns.iter().find(|(_, e)| how_alone(e) == Some("crash"));
    let culprit = crash_alone.or_else(|| {
        reruns
            .iter()
            .find(|(r, e)| how_alone(e).is_some() && r.engine != "reference")
    });
    let how = culprit
        .and_then(|(_, e)| how_alone(e))
        .unwrap_or(loss.how());
    let reference_too = reruns
        .iter()
        .any(|(r, e)| r.engine == "reference" && how_alone(e).is_some());
    let mut delta = Stats {
        worker_restarts: 1,
        ..Stats::default()
    };
    let named = culprit.map_or("unknown", |(r, _)| r.engine.as_str());
    // Resource overruns are findings only when one engine alone overruns while the reference
    // finishes the same case: otherwise the case itself is too big, poisoned by name.
    let poison = match how {
        "hang" if culprit.is_none() || reference_too => Some("step-timeout"),
        "memory" if culprit.is_none() || reference_too => Some("worker-memory"),
        _ => None,
    };
    if let Some(reason) = poison {
        delta.add_lost(named, how, None, None, Some(reason));
        c.add_stats(index, &delta);
        return;
    }
    // A crash of an engine with a known crash bug is that bug when the bug's sidestep makes
    // the whole case run through.
    let known = match (how, culprit) {
        ("crash", Some((r, _))) => super::known::KNOWN
            .iter()
            .filter(|b| b.engine == r.engine)
            .find(|b| sidestep_runs(iso, spec, index, b.name)),
        _ => None,
    };
    let key = match known {
        Some(bug) => BucketKey::known(bug.name),
        None => BucketKey::ProcessCrash {
            engine: culprit.map(|(r, _)| triage::key::engine_family(&r.engine)),
            signal: match culprit {
                Some((_, Ended::Lost(l))) => l.key_part(),
                _ => loss.key_part(),
            },
        },
    };
    let detail = match culprit {
        Some((r, _)) => format!(
            "the worker running this case {}; rerun alone, {} {}",
            loss.describe(),
            r.engine,
            r.ended
        ),
        None => format!(
            "the worker running this case {}, but no engine alone did (its last stderr: {})",
            loss.describe(),
            tail.lines().last().unwrap_or("nothing")
        ),
    };
    let verdict = match known {
        Some(_) => "known".to_string(),
        None => format!("engine-{how}"),
    };
    let reruns: Vec<EngineRerun> = reruns.iter().map(|(r, _)| r.clone()).collect();
    let lost = Lost {
        seed: spec.seed,
        index,
        profile: spec.profile,
        engines: &spec.engines,
        fuel: spec.fuel,
        verdict: &verdict,
        detail,
        reruns: &reruns,
    };
    let key_text = key.to_string();
    let prepared = prepare_lost(c.store(), &key, &lost);
    let result = CaseResult {
        index,
        verdict: "lost".into(),
        stats: {
            delta.add_lost(named, how, Some(&key_text), known.map(|b| b.name), None);
            delta
        },
        error: prepared
            .as_ref()
            .err()
            .map(|e| format!("case {index}: could not save the finding: {e}")),
        finding: prepared.ok(),
        known: known.map(|b| b.name.to_string()),
    };
    c.record(result, None);
}

/// Whether case `index`, rewritten by known bug `bug`'s sidestep, runs through on every engine
/// in a fresh worker without a divergence.
fn sidestep_runs(iso: &Isolation, spec: &WorkerSpec, index: u64, bug: &str) -> bool {
    let Ok(mut w) = WorkerProc::spawn(&iso.exe, spec) else {
        return false;
    };
    let request = Request {
        case: index,
        sidestep: Some(bug.to_string()),
    };
    match w.run(&request, iso.step_timeout, iso.memory) {
        Ended::Done(r) => {
            // Only the statistics are wanted: drop the prepared folder, if any.
            if let Some(p) = &r.finding {
                let _ = std::fs::remove_dir_all(&p.tmp);
            }
            r.verdict != "diverge"
        }
        _ => false,
    }
}

/// The worker's side: builds the engines, then reads requests from stdin and answers each on
/// stdout until stdin closes. Returns when the parent is gone.
pub fn serve(
    engines: &[&dyn Engine],
    engine_list: &str,
    seed: u64,
    profile: Profile,
    limits: Limits,
    out: &Path,
) -> Result<(), super::findings::FindingsError> {
    die_with_parent();
    let store = FindingsStore::open(out)?;
    oracles::differential::quiet_panics(true);
    let stdout = Arc::new(Mutex::new(std::io::stdout()));
    let send = |out: &Mutex<std::io::Stdout>, m: &FromWorker| -> bool {
        let line = serde_json::to_string(m).unwrap_or_default() + "\n";
        let mut o = out.lock().unwrap_or_else(|p| p.into_inner());
        o.write_all(line.as_bytes())
            .and_then(|()| o.flush())
            .is_ok()
    };
    // The heartbeat: each new engine step begun, so the parent can time every step.
    let beat = Arc::clone(&stdout);
    std::thread::spawn(move || {
        let mut last = u64::MAX;
        loop {
            let now = oracles::differential::steps_begun();
            if now != last {
                last = now;
                if !send(&beat, &FromWorker::Progress(now)) {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let reply = match serde_json::from_str::<Request>(&line) {
            Err(e) => FromWorker::Failed(format!("a request that is not one ({e}): {line}")),
            Ok(req) => {
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    evaluate(
                        engines,
                        engine_list,
                        &store,
                        seed,
                        profile,
                        limits,
                        req.case,
                        req.sidestep.as_deref(),
                    )
                    .1
                }));
                match run {
                    Ok(result) => FromWorker::Done(Box::new(result)),
                    Err(_) => FromWorker::Failed(
                        "catchall panicked while generating or running it".to_string(),
                    ),
                }
            }
        };
        if !send(&stdout, &reply) {
            break;
        }
    }
    Ok(())
}

/// Asks the kernel to kill this process when its parent dies (Linux), so a campaign killed
/// with SIGKILL leaves no worker behind.
fn die_with_parent() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_PDEATHSIG) takes a signal number and has no memory effects.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
}
