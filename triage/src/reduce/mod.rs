//! Reduction: shrink a finding's module and plan while rerunning them on the same engines keeps the same bucket key.
//!
//! Candidates come from passes that understand the module ([`passes`]): the plan first (calls
//! dropped, arguments shrunk), then whole items (function bodies, functions, exports, tags,
//! globals, tables, memories, segments), then expressions inside bodies (statements deleted,
//! values replaced by constants of their type or by one of their operands, blocks unwrapped,
//! `try_table` turned into `block`, catch clauses dropped) — both as contiguous spans and as
//! dataflow trees ([`spans`]), so a value pushed far from the instruction that consumes it goes
//! with it — values observed directly (a store of a value that decided its address, a
//! function returning a value it computes), branches made unconditional and `br_table` labels
//! merged, dead code after a throw or branch deleted, code that may never run replaced by
//! `unreachable`, `catch_ref` turned into `catch`, signatures and tag payloads shortened (callers, throws, catch blocks and their consumers
//! edited together), then constants, offsets and limits shrunk. Each candidate is validated,
//! looked up in a cache of candidates already tried, and run on the finding's engines in
//! parallel with its neighbours; the first (in pass order) that keeps the key and costs less
//! becomes the new module. Passes repeat until none makes
//! progress or the time is up; wasm-shrink runs as one more pass on modules it accepts.

pub mod ir;
pub mod passes;
pub mod spans;

use crate::key::BucketKey;
use oracles::compare::Verdict;
use oracles::differential::{Plan, RunOptions, run_case};
use oracles::{Engine, Val};
use rayon::prelude::*;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A module and the plan that runs it.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// The module.
    pub wasm: Vec<u8>,
    /// The plan.
    pub plan: Plan,
}

/// What a candidate costs: smaller is better, compared in order (module bytes, then the plan's
/// size, then the magnitude of its constants and arguments).
pub fn cost(c: &Candidate) -> (usize, usize, u64) {
    let plan: usize = c.plan.calls.iter().map(|call| 2 + call.args.len()).sum();
    let mut magnitude: u64 = c
        .plan
        .calls
        .iter()
        .flat_map(|call| &call.args)
        .map(val_weight)
        .sum();
    magnitude += passes::const_weight(&c.wasm);
    (c.wasm.len(), plan, magnitude)
}

fn val_weight(v: &Val) -> u64 {
    let bits = |x: u64| u64::from(64 - x.leading_zeros());
    match v {
        Val::I32(x) => bits(u64::from(x.unsigned_abs())),
        Val::I64(x) => bits(x.unsigned_abs()),
        Val::F32(x) => bits(u64::from(*x)),
        Val::F64(x) => bits(*x),
        Val::V128(x) => bits(*x as u64) + bits((*x >> 64) as u64),
        _ => 0,
    }
}

/// The bucket key of running `wasm` and `plan` on `engines`, `None` when they agree (or the
/// case is poisoned).
pub fn key_of(
    engines: &[&dyn Engine],
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
) -> Option<BucketKey> {
    let options = RunOptions {
        continue_after_verdict: false,
        ..*options
    };
    match run_case(engines, wasm, plan, &options).verdict {
        Verdict::Diverge(d) => Some(BucketKey::of(&d)),
        _ => None,
    }
}

/// Settings of one reduction.
#[derive(Clone, Copy, Debug)]
pub struct Settings {
    /// Stop after this long (the best candidate so far is the result).
    pub time: Duration,
    /// Candidates tested at once.
    pub threads: usize,
    /// Also run wasm-shrink as a pass (on modules it accepts).
    pub wasm_shrink: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            time: Duration::from_secs(60),
            threads: 2,
            wasm_shrink: true,
        }
    }
}

/// What a reduction did.
#[derive(Clone, Debug)]
pub struct Reduction {
    /// The smallest candidate that keeps the key.
    pub best: Candidate,
    /// The key it keeps.
    pub key: BucketKey,
    /// Candidates run on the engines.
    pub tested: u64,
    /// Candidates skipped because they were tried before.
    pub cache_hits: u64,
    /// Candidates that did not validate (never run).
    pub invalid: u64,
    /// Candidates accepted.
    pub accepted: u64,
    /// Whether the time ran out before the passes stopped making progress.
    pub timed_out: bool,
    /// How wasm-shrink took part: `None` when it was not run, else what it said.
    pub wasm_shrink: Option<String>,
    /// Passes skipped because generating their candidates panicked (a reducer bug).
    pub pass_panics: u64,
    /// Time spent.
    pub elapsed: Duration,
}

/// Reduction could not start.
#[derive(Debug, thiserror::Error)]
pub enum ReduceError {
    /// The finding does not reproduce on its engines.
    #[error(
        "the finding does not reproduce: expected bucket `{expected}`, the rerun gives {actual}"
    )]
    NotReproduced {
        /// The finding's key.
        expected: String,
        /// What the rerun gave.
        actual: String,
    },
}

/// The reducer: engines, run options, the key to keep and the cache of tried candidates.
pub struct Reducer<'e> {
    engines: Vec<&'e dyn Engine>,
    options: RunOptions,
    key: BucketKey,
    settings: Settings,
    cache: Mutex<HashSet<u64>>,
    tested: AtomicU64,
    cache_hits: AtomicU64,
    invalid: AtomicU64,
    pass_panics: AtomicU64,
    stop: Option<&'e AtomicBool>,
}

fn fingerprint(c: &Candidate) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.wasm.hash(&mut h);
    serde_json::to_string(&c.plan)
        .unwrap_or_default()
        .hash(&mut h);
    h.finish()
}

impl<'e> Reducer<'e> {
    /// A reducer keeping `key` on `engines`.
    pub fn new(
        engines: Vec<&'e dyn Engine>,
        options: RunOptions,
        key: BucketKey,
        settings: Settings,
    ) -> Reducer<'e> {
        Reducer {
            engines,
            options,
            key,
            settings,
            cache: Mutex::new(HashSet::new()),
            tested: AtomicU64::new(0),
            cache_hits: AtomicU64::new(0),
            invalid: AtomicU64::new(0),
            pass_panics: AtomicU64::new(0),
            stop: None,
        }
    }

    /// Stops early (keeping the best so far) once `stop` is set.
    pub fn with_stop(mut self, stop: &'e AtomicBool) -> Reducer<'e> {
        self.stop = Some(stop);
        self
    }

    /// Whether a candidate keeps the key; each distinct candidate is run at most once.
    pub fn interesting(&self, c: &Candidate) -> bool {
        let fp = fingerprint(c);
        if !self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(fp)
        {
            self.cache_hits.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        if wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&c.wasm)
            .is_err()
        {
            self.invalid.fetch_add(1, Ordering::Relaxed);
            return false;
        }
        self.tested.fetch_add(1, Ordering::Relaxed);
        key_of(&self.engines, &c.wasm, &c.plan, &self.options).as_ref() == Some(&self.key)
    }

    fn out_of_time(&self, deadline: Instant) -> bool {
        Instant::now() >= deadline || self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }

    /// Reduces `start`, which must reproduce the key.
    pub fn reduce(&self, start: Candidate) -> Result<Reduction, ReduceError> {
        let t0 = Instant::now();
        let deadline = t0 + self.settings.time;
        let actual = key_of(&self.engines, &start.wasm, &start.plan, &self.options);
        if actual.as_ref() != Some(&self.key) {
            return Err(ReduceError::NotReproduced {
                expected: self.key.to_string(),
                actual: actual.map_or("agreement".to_string(), |k| format!("`{k}`")),
            });
        }
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(fingerprint(&start));
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(self.settings.threads.max(1))
            .build()
            .ok();
        let batch_size = self.settings.threads.max(1) * 2;
        let mut best = start;
        let mut accepted = 0u64;
        let mut timed_out = false;
        let mut shrink_note = None;
        'rounds: loop {
            let before = cost(&best);
            for pass in passes::ALL {
                let mut position = 0usize;
                // The pass's candidates from the current best, generated again only after
                // one is accepted (generating encodes every candidate).
                let mut list: Option<Vec<Candidate>> = None;
                loop {
                    if self.out_of_time(deadline) {
                        timed_out = true;
                        break 'rounds;
                    }
                    if list.is_none() {
                        // A pass that panics (a bug of ours on some module) is skipped, not
                        // the end of the reduction; the panic is counted.
                        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            (pass.generate)(&best)
                        })) {
                            Ok(l) => list = Some(l),
                            Err(_) => {
                                self.pass_panics.fetch_add(1, Ordering::Relaxed);
                                break;
                            }
                        }
                    }
                    let Some(candidates) = list.as_ref() else {
                        break;
                    };
                    // The next few candidates that would cost less than the best.
                    let best_cost = cost(&best);
                    let mut batch: Vec<usize> = Vec::new();
                    while position < candidates.len() && batch.len() < batch_size {
                        if cost(&candidates[position]) < best_cost {
                            batch.push(position);
                        }
                        position += 1;
                    }
                    if batch.is_empty() {
                        break;
                    }
                    let test = || -> Vec<bool> {
                        batch
                            .par_iter()
                            .map(|&k| self.interesting(&candidates[k]))
                            .collect()
                    };
                    let results = match &pool {
                        Some(p) => p.install(test),
                        None => test(),
                    };
                    if let Some(k) = results.iter().position(|&ok| ok) {
                        let at = batch[k];
                        best = candidates[at].clone();
                        accepted += 1;
                        // The list shifts after an accepted edit: go on from the same place.
                        position = at;
                        list = None;
                    }
                }
            }
            if self.settings.wasm_shrink && !self.out_of_time(deadline) {
                let (shrunk, note) = self.wasm_shrink(&best, deadline);
                shrink_note = Some(note);
                if let Some(s) = shrunk
                    && cost(&s) < cost(&best)
                {
                    best = s;
                    accepted += 1;
                }
            }
            if cost(&best) >= before {
                break;
            }
        }
        Ok(Reduction {
            best,
            key: self.key.clone(),
            tested: self.tested.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            invalid: self.invalid.load(Ordering::Relaxed),
            accepted,
            timed_out,
            wasm_shrink: shrink_note,
            pass_panics: self.pass_panics.load(Ordering::Relaxed),
            elapsed: t0.elapsed(),
        })
    }

    /// wasm-shrink alone on `start` with this reducer's predicate (same key, same engines, the
    /// plan fixed), rounds of mutations until it stops shrinking or the time is up: the yardstick
    /// our passes are compared against. The last refusal or panic of wasm-shrink, if any, is in
    /// the result's `wasm_shrink` note; `Err` when the start does not reproduce.
    pub fn wasm_shrink_alone(&self, start: Candidate) -> Result<Reduction, String> {
        let t0 = Instant::now();
        let deadline = t0 + self.settings.time;
        let actual = key_of(&self.engines, &start.wasm, &start.plan, &self.options);
        if actual.as_ref() != Some(&self.key) {
            return Err("the finding does not reproduce".to_string());
        }
        let mut best = start;
        let mut accepted = 0u64;
        let mut note = String::new();
        let mut round = 0u64;
        // Rounds with fresh seeds while any of the last few made progress (a round also ends
        // when wasm-mutate panics, which with some modules happens early in most rounds).
        let mut fruitless = 0;
        while !self.out_of_time(deadline) && fruitless < 8 {
            round += 1;
            let plan = best.plan.clone();
            let outcome = run_wasm_shrink_seeded(best.wasm.clone(), 1000, round, |wasm| {
                !self.out_of_time(deadline)
                    && self.interesting(&Candidate {
                        wasm: wasm.to_vec(),
                        plan: plan.clone(),
                    })
            });
            match outcome {
                Ok(wasm) if wasm.len() < best.wasm.len() => {
                    best = Candidate { wasm, plan };
                    accepted += 1;
                    fruitless = 0;
                }
                Ok(_) => fruitless += 1,
                Err(e) => {
                    note = e;
                    fruitless += 1;
                }
            }
        }
        Ok(Reduction {
            best,
            key: self.key.clone(),
            tested: self.tested.load(Ordering::Relaxed),
            cache_hits: self.cache_hits.load(Ordering::Relaxed),
            invalid: self.invalid.load(Ordering::Relaxed),
            accepted,
            timed_out: self.out_of_time(deadline),
            wasm_shrink: (!note.is_empty()).then_some(note),
            pass_panics: self.pass_panics.load(Ordering::Relaxed),
            elapsed: t0.elapsed(),
        })
    }

    /// wasm-shrink on the module with the plan fixed: the smaller module it found, if any,
    /// and what happened.
    fn wasm_shrink(&self, best: &Candidate, deadline: Instant) -> (Option<Candidate>, String) {
        let plan = best.plan.clone();
        let result = run_wasm_shrink(best.wasm.clone(), 300, |wasm| {
            if self.out_of_time(deadline) {
                return false;
            }
            self.interesting(&Candidate {
                wasm: wasm.to_vec(),
                plan: plan.clone(),
            })
        });
        match result {
            Ok(wasm) => {
                let note = format!("shrank {} to {} bytes", best.wasm.len(), wasm.len());
                (Some(Candidate { wasm, plan }), note)
            }
            Err(e) => (None, e),
        }
    }
}

/// Runs wasm-shrink for `attempts` mutations with `predicate`; its error as one line when it
/// refuses the module.
pub fn run_wasm_shrink(
    wasm: Vec<u8>,
    attempts: u32,
    predicate: impl FnMut(&[u8]) -> bool,
) -> Result<Vec<u8>, String> {
    run_wasm_shrink_seeded(wasm, attempts, 1, predicate)
}

/// [`run_wasm_shrink`] with wasm-shrink's mutation seed.
pub fn run_wasm_shrink_seeded(
    wasm: Vec<u8>,
    attempts: u32,
    seed: u64,
    mut predicate: impl FnMut(&[u8]) -> bool,
) -> Result<Vec<u8>, String> {
    // wasm-shrink checks that the input is interesting first; our cache would answer "tried
    // already" for the current best, so the first call is answered directly.
    let original = wasm.clone();
    // wasm-mutate's mutators can panic on valid modules (0.263's export renamer on a module
    // that exports a tag): that ends this run of wasm-shrink, with its smallest so far.
    // The smallest so far survives such a panic.
    let smallest = std::rc::Rc::new(std::cell::RefCell::new(wasm.clone()));
    let record = std::rc::Rc::clone(&smallest);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        wasm_shrink::WasmShrink::default()
            .attempts(attempts)
            .seed(seed)
            .on_new_smallest(Some(Box::new(move |w: &[u8]| {
                *record.borrow_mut() = w.to_vec();
                Ok(())
            })))
            .run(wasm, |w: &[u8]| -> anyhow::Result<bool> {
                Ok(w == original.as_slice() || predicate(w))
            })
    }));
    let smallest = smallest.borrow().clone();
    match outcome {
        Ok(Ok(info)) => Ok(info.output),
        Ok(Err(e)) => Err(format!("{e:#}").replace('\n', " ")),
        Err(_) if smallest.len() < original.len() => Ok(smallest),
        Err(payload) => Err(format!(
            "wasm-shrink panicked: {}",
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into())
                .replace('\n', " ")
        )),
    }
}

#[cfg(test)]
mod tests;
