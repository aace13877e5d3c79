//! Campaign statistics: throughput, verdicts, poison reasons, time per phase, buckets and the
//! runtime coverage of exception and memory64 paths — accumulated per case, written as
//! `stats.json`.

use oracles::compare::Verdict;
use oracles::coverage::CATCH_KINDS;
use oracles::{CaseReport, Coverage};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::time::Duration;

/// Seconds spent in each phase, summed over cases (and so over threads).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Phases {
    /// Generating modules and plans.
    pub generating: f64,
    /// Compiling, per engine.
    pub compiling: BTreeMap<String, f64>,
    /// Instantiating, calling and snapshotting, per engine.
    pub executing: BTreeMap<String, f64>,
    /// Comparing observations.
    pub comparing: f64,
}

/// Per-case coverage flags, counted by the reference interpreter.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CoverageTally {
    /// Cases for which the reference reported counters.
    pub cases: u64,
    /// Cases in which an exception was thrown at runtime.
    pub thrown: u64,
    /// ... caught within wasm.
    pub caught: u64,
    /// ... caught after unwinding at least one frame.
    pub caught_across_frames: u64,
    /// ... escaped to the host.
    pub escaped: u64,
    /// ... caught by each catch kind.
    pub caught_by_kind: [u64; 4],
    /// ... in which `throw_ref` ran.
    pub throw_ref: u64,
    /// Cases with memory64 accesses.
    pub mem64_cases: u64,
    /// Cases with memory64 accesses within 16 bytes of a bound.
    pub mem64_near_bound_cases: u64,
    /// Cases with memory64 accesses at addresses at or above 2^32.
    pub mem64_high_cases: u64,
    /// Cases with `memory.grow` on a 64-bit memory.
    pub grow64_cases: u64,
    /// Totals of every counter.
    pub totals: Coverage,
}

impl CoverageTally {
    /// Adds one case's counters.
    pub fn add(&mut self, c: &Coverage) {
        let flag = |n: u64| u64::from(n > 0);
        self.cases += 1;
        self.thrown += flag(c.thrown);
        self.caught += flag(c.caught);
        self.caught_across_frames += flag(c.caught_across_frames);
        self.escaped += flag(c.uncaught);
        for (t, n) in self.caught_by_kind.iter_mut().zip(c.caught_by_kind) {
            *t += flag(n);
        }
        self.throw_ref += flag(c.throw_refs);
        self.mem64_cases += flag(c.mem64_accesses);
        self.mem64_near_bound_cases += flag(c.mem64_near_bound);
        self.mem64_high_cases += flag(c.mem64_high);
        self.grow64_cases += flag(c.grow64);
        self.totals.add(c);
    }

    fn merge(&mut self, o: &CoverageTally) {
        self.cases += o.cases;
        self.thrown += o.thrown;
        self.caught += o.caught;
        self.caught_across_frames += o.caught_across_frames;
        self.escaped += o.escaped;
        for (t, n) in self.caught_by_kind.iter_mut().zip(o.caught_by_kind) {
            *t += n;
        }
        self.throw_ref += o.throw_ref;
        self.mem64_cases += o.mem64_cases;
        self.mem64_near_bound_cases += o.mem64_near_bound_cases;
        self.mem64_high_cases += o.mem64_high_cases;
        self.grow64_cases += o.grow64_cases;
        self.totals.add(&o.totals);
    }

    /// The share of cases with an exception thrown at runtime.
    pub fn thrown_share(&self) -> f64 {
        share(self.thrown, self.cases)
    }

    /// The JSON form: shares of cases, plus totals.
    pub fn to_json(&self) -> Value {
        let s = |n| round4(share(n, self.cases));
        let by_kind: serde_json::Map<String, Value> = CATCH_KINDS
            .iter()
            .zip(self.caught_by_kind)
            .map(|(k, n)| (k.to_string(), json!(s(n))))
            .collect();
        json!({
            "cases_counted": self.cases,
            "exception_thrown": s(self.thrown),
            "caught_in_wasm": s(self.caught),
            "caught_across_frames": s(self.caught_across_frames),
            "escaped_to_host": s(self.escaped),
            "caught_by_kind": by_kind,
            "rethrown_by_throw_ref": s(self.throw_ref),
            "memory64_accesses": s(self.mem64_cases),
            "memory64_near_bound": s(self.mem64_near_bound_cases),
            "memory64_at_or_above_4gib": s(self.mem64_high_cases),
            "memory64_grow": s(self.grow64_cases),
            "totals": self.totals,
        })
    }
}

fn share(n: u64, of: u64) -> f64 {
    if of == 0 { 0.0 } else { n as f64 / of as f64 }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Everything a campaign counts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Stats {
    /// Cases run to the end.
    pub cases: u64,
    /// Cases where every engine agreed.
    pub agreed: u64,
    /// Divergent cases.
    pub divergences: u64,
    /// Poisoned cases per reason.
    pub poisoned: BTreeMap<String, u64>,
    /// Findings per divergence kind.
    pub buckets: BTreeMap<String, u64>,
    /// Distinct buckets (bucket key → count).
    pub distinct_buckets: BTreeMap<String, u64>,
    /// Cases each engine ran (was given the module, not skipped).
    pub ran: BTreeMap<String, u64>,
    /// Cases each engine skipped, by reason (the proposals it lacks, or a named known engine
    /// problem such as a module it would abort on).
    pub skipped: BTreeMap<String, BTreeMap<String, u64>>,
    /// Cases in which an exception escaped on at least one engine (known even without the
    /// reference's counters).
    pub escaped_any_engine: u64,
    /// Time per phase.
    pub phases: Phases,
    /// Runtime coverage.
    pub coverage: CoverageTally,
    /// Cases per generator.
    pub generators: BTreeMap<String, u64>,
    /// Divergent cases confirmed to be a known engine bug, by the bug's name (not counted as
    /// divergences).
    pub known_bugs: BTreeMap<String, u64>,
    /// Worker processes lost per engine and how (`crash`, `hang`, `memory`), as named by
    /// rerunning the case on each engine alone (`unknown` when none alone reproduced it).
    #[serde(default)]
    pub engine_failures: BTreeMap<String, BTreeMap<String, u64>>,
    /// Worker processes replaced after they died, hung or outgrew their memory cap.
    #[serde(default)]
    pub worker_restarts: u64,
}

/// One case's contribution to the statistics.
pub struct CaseTally<'a> {
    /// The case's report.
    pub report: &'a CaseReport,
    /// Time spent generating it.
    pub generation: Duration,
    /// Which generator made it.
    pub generator: &'a str,
    /// Its bucket key, when it diverged.
    pub bucket: Option<&'a str>,
    /// The known bug its divergence was confirmed to be.
    pub known: Option<&'a str>,
}

impl Stats {
    /// Adds one case.
    pub fn add(&mut self, case: &CaseTally) {
        let r = case.report;
        self.cases += 1;
        *self
            .generators
            .entry(case.generator.to_string())
            .or_default() += 1;
        match (&r.verdict, case.known) {
            (Verdict::Agree, _) => self.agreed += 1,
            (Verdict::Poisoned { reason, .. }, _) => {
                *self.poisoned.entry(reason.name().to_string()).or_default() += 1;
            }
            (Verdict::Diverge(_), Some(bug)) => {
                *self.known_bugs.entry(bug.to_string()).or_default() += 1;
            }
            (Verdict::Diverge(d), None) => {
                self.divergences += 1;
                *self.buckets.entry(d.kind.name().to_string()).or_default() += 1;
                if let Some(b) = case.bucket {
                    *self.distinct_buckets.entry(b.to_string()).or_default() += 1;
                }
            }
        }
        for e in &r.engines {
            if e.status == oracles::differential::EngineStatus::Ran {
                *self.ran.entry(e.name.clone()).or_default() += 1;
            }
            if let oracles::differential::EngineStatus::Skipped(why) = &e.status {
                *self
                    .skipped
                    .entry(e.name.clone())
                    .or_default()
                    .entry(why.clone())
                    .or_default() += 1;
            }
            *self.phases.compiling.entry(e.name.clone()).or_default() +=
                e.compile_time.as_secs_f64();
            *self.phases.executing.entry(e.name.clone()).or_default() +=
                e.execute_time.as_secs_f64();
        }
        self.phases.generating += case.generation.as_secs_f64();
        self.phases.comparing += r.compare_time.as_secs_f64();
        let escaped = r.steps.iter().any(|s| {
            s.observations
                .iter()
                .flatten()
                .any(|o| matches!(o.outcome, Ok(oracles::Outcome::Exception(_))))
        });
        self.escaped_any_engine += u64::from(escaped);
        if let Some(c) = &r.coverage {
            self.coverage.add(c);
        }
    }

    /// Merges another thread's statistics.
    pub fn merge(&mut self, o: &Stats) {
        self.cases += o.cases;
        self.agreed += o.agreed;
        self.divergences += o.divergences;
        for (k, v) in &o.poisoned {
            *self.poisoned.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.buckets {
            *self.buckets.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.distinct_buckets {
            *self.distinct_buckets.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.ran {
            *self.ran.entry(k.clone()).or_default() += v;
        }
        for (engine, reasons) in &o.skipped {
            let mine = self.skipped.entry(engine.clone()).or_default();
            for (why, n) in reasons {
                *mine.entry(why.clone()).or_default() += n;
            }
        }
        for (k, v) in &o.generators {
            *self.generators.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.known_bugs {
            *self.known_bugs.entry(k.clone()).or_default() += v;
        }
        self.escaped_any_engine += o.escaped_any_engine;
        for (engine, hows) in &o.engine_failures {
            let mine = self.engine_failures.entry(engine.clone()).or_default();
            for (how, n) in hows {
                *mine.entry(how.clone()).or_default() += n;
            }
        }
        self.worker_restarts += o.worker_restarts;
        self.phases.generating += o.phases.generating;
        self.phases.comparing += o.phases.comparing;
        for (k, v) in &o.phases.compiling {
            *self.phases.compiling.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.phases.executing {
            *self.phases.executing.entry(k.clone()).or_default() += v;
        }
        self.coverage.merge(&o.coverage);
    }

    /// Counts a case lost with its worker process (no report): a finding under bucket `key`,
    /// a known bug, or poisoned with `poison` as its reason; `culprit` is the engine named and
    /// `how` the way its worker ended (`crash`, `hang`, `memory`).
    pub fn add_lost(
        &mut self,
        culprit: &str,
        how: &str,
        key: Option<&str>,
        known: Option<&str>,
        poison: Option<&str>,
    ) {
        self.cases += 1;
        *self
            .engine_failures
            .entry(culprit.to_string())
            .or_default()
            .entry(how.to_string())
            .or_default() += 1;
        if let Some(bug) = known {
            *self.known_bugs.entry(bug.to_string()).or_default() += 1;
        } else if let Some(reason) = poison {
            *self.poisoned.entry(reason.to_string()).or_default() += 1;
        } else {
            self.divergences += 1;
            *self.buckets.entry(format!("engine-{how}")).or_default() += 1;
            if let Some(k) = key {
                *self.distinct_buckets.entry(k.to_string()).or_default() += 1;
            }
        }
    }

    /// Poisoned cases in total.
    pub fn poisoned_total(&self) -> u64 {
        self.poisoned.values().sum()
    }

    /// The `stats.json` document.
    pub fn to_json(&self, seconds: f64, meta: Value) -> Value {
        let round = |x: f64| (x * 1000.0).round() / 1000.0;
        let map = |m: &BTreeMap<String, f64>| -> serde_json::Map<String, Value> {
            m.iter()
                .map(|(k, v)| (k.clone(), json!(round(*v))))
                .collect()
        };
        json!({
            "campaign": meta,
            "cases": self.cases,
            "seconds": round(seconds),
            "cases_per_second": round(if seconds > 0.0 { self.cases as f64 / seconds } else { 0.0 }),
            "agreed": self.agreed,
            "divergences": self.divergences,
            "known_bugs": self.known_bugs,
            "engine_failures": self.engine_failures,
            "worker_restarts": self.worker_restarts,
            "poisoned": self.poisoned,
            "poisoned_total": self.poisoned_total(),
            "phases": {
                "generating": round(self.phases.generating),
                "compiling": map(&self.phases.compiling),
                "executing": map(&self.phases.executing),
                "comparing": round(self.phases.comparing),
            },
            "buckets": self.buckets,
            "distinct_buckets": self.distinct_buckets.len(),
            "engines_ran": self.ran.iter().map(|(e, n)| {
                (e.clone(), json!({"cases": n, "share": round4(share(*n, self.cases))}))
            }).collect::<serde_json::Map<String, Value>>(),
            "skipped": self.skipped,
            "generators": self.generators,
            "escaped_on_any_engine": round4(share(self.escaped_any_engine, self.cases)),
            "coverage": self.coverage.to_json(),
        })
    }
}
