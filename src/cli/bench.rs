//! `catchall bench`: the reference interpreter against wasmi on the same fuel-bounded workloads (a batch of wasm-smith modules, a compute loop), with the speed targets.

use crate::cli::EXIT_FINDING;
use crate::generate::{self, Case};
use anyhow::{Context, bail};
use oracles::{Engine, EngineKind, InstanceId, Limits, ModuleInfo, Outcome, Val};
use serde_json::{Value, json};
use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `catchall bench`.
#[derive(clap::Args, Debug)]
#[command(
    long_about = "Times the reference interpreter against wasmi, both through the adapters \
the campaign uses, on the same fuel-bounded workloads:\n\n\
  wasm-smith batch: --modules modules from the swarm with exceptions off (so that wasmi runs \
them), memory64 on and SIMD off, generated from --seed before any timing; each is compiled \
(timed on its own), then instantiated and every exported function called on generated \
arguments (the execution time), with --fuel per step and memories capped at 64 MiB (so that \
timing a module that grows by GiB does not time page zeroing).\n\n\
  compute loop: a hand-written module of nested loops with arithmetic, 64-bit memory loads and \
stores, a call and a branch per inner iteration, about 45 instructions each; `run(N)` makes \
N x 1000 inner iterations (--iterations N), with fuel large enough never to run out.\n\n\
Each workload runs --repeat times on each engine, alternating engines; the fastest run counts. \
The table shows both times and their ratio (reference / wasmi) against the targets: at most 5x \
on the batch's execution, at most 10x on the compute loop. Both engines must agree on every \
outcome for a ratio to mean anything; disagreements are counted and shown.\n\n\
Timings depend on the machine and on what else runs on it: measure on a quiet one.\n\n\
Exit status: 0 when every ratio meets its target, 1 when one does not (or the engines disagree \
on the compute loop), 2 on bad input."
)]
pub struct BenchArgs {
    /// wasm-smith modules in the batch.
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub modules: u64,
    /// Seed of the batch.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Outer iterations of the compute loop, 1000 inner iterations each.
    #[arg(long, default_value_t = 6000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub iterations: u32,
    /// Runs of each workload on each engine; the fastest counts.
    #[arg(long, default_value_t = 3, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Fuel for each step of the batch (an instantiation or a call).
    #[arg(long, default_value_t = Limits::default().fuel, value_name = "N")]
    pub fuel: u64,
    /// Print one JSON document instead of the table.
    #[arg(long)]
    pub json: bool,
}

/// The compute loop. Per inner iteration: an address computation, a 64-bit load, a call to
/// `$mix`, an `if` choosing between two 64-bit results, a store and the loop's own test and
/// branch: about 45 instructions. `run(n)` returns the final accumulator, which both engines
/// must agree on.
pub const COMPUTE_LOOP: &str = r#"(module
  (memory i64 1)
  (func $mix (param $a i32) (param $b i32) (result i32)
    (i32.xor
      (i32.mul (local.get $a) (i32.const 0x9e3779b1))
      (i32.rotl (local.get $b) (i32.const 13))))
  (func (export "run") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $acc i32) (local $addr i64) (local $x i64)
    (loop $outer
      (local.set $j (i32.const 0))
      (loop $inner
        (local.set $addr
          (i64.extend_i32_u (i32.and (i32.shl (local.get $j) (i32.const 3)) (i32.const 0xfff8))))
        (local.set $x
          (i64.add (i64.load (local.get $addr)) (i64.extend_i32_u (local.get $i))))
        (local.set $acc
          (call $mix (i32.xor (local.get $acc) (i32.wrap_i64 (local.get $x))) (local.get $j)))
        (i64.store (local.get $addr)
          (if (result i64) (i32.and (local.get $acc) (i32.const 1))
            (then (i64.mul (local.get $x) (i64.const 3)))
            (else (i64.shr_u (local.get $x) (i64.const 1)))))
        (br_if $inner
          (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (i32.const 1000))))
      (br_if $outer
        (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $acc)))"#;

/// The speed target of the batch's execution: reference at most this many times wasmi.
pub const BATCH_TARGET: f64 = 5.0;
/// The most bytes a memory of the batch may have.
pub const BATCH_MEMORY_BYTES: u64 = 64 << 20;

/// The speed target of the compute loop.
pub const LOOP_TARGET: f64 = 10.0;

/// One row of the table: a workload's time on both engines.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// What was timed.
    pub name: String,
    /// The reference interpreter's fastest time.
    pub reference: Duration,
    /// wasmi's fastest time.
    pub wasmi: Duration,
    /// The largest acceptable ratio, when there is a target.
    pub target: Option<f64>,
}

impl Row {
    /// Reference time over wasmi time.
    pub fn ratio(&self) -> f64 {
        self.reference.as_secs_f64() / self.wasmi.as_secs_f64().max(1e-9)
    }

    /// Whether the row meets its target (rows without one always do).
    pub fn meets_target(&self) -> bool {
        self.target.is_none_or(|t| self.ratio() <= t)
    }
}

/// Everything `catchall bench` measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// The engines' versions, reference first.
    pub versions: [String; 2],
    /// Runs per workload and engine.
    pub repeat: u32,
    /// The rows, in table order.
    pub rows: Vec<Row>,
    /// What the workloads were and whether the engines agreed on them, one line each.
    pub notes: Vec<String>,
    /// The same facts as `notes`, for the JSON document.
    pub facts: Value,
}

impl Report {
    /// The aligned text table and the notes.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "catchall bench: {} against {}, fastest of {} run{} each\n",
            self.versions[0],
            self.versions[1],
            self.repeat,
            if self.repeat == 1 { "" } else { "s" }
        );
        let header = ["workload", "reference", "wasmi", "ratio", "target", ""];
        let mut lines: Vec<[String; 6]> = vec![header.map(String::from)];
        for r in &self.rows {
            let (target, verdict) = match r.target {
                Some(t) => (
                    format!("<= {t}x"),
                    if r.meets_target() { "ok" } else { "MISSED" }.to_string(),
                ),
                None => (String::new(), String::new()),
            };
            lines.push([
                r.name.clone(),
                seconds(r.reference),
                seconds(r.wasmi),
                format!("{:.2}x", r.ratio()),
                target,
                verdict,
            ]);
        }
        let widths: Vec<usize> = (0..6)
            .map(|c| {
                lines
                    .iter()
                    .map(|l| l[c].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        for l in &lines {
            let mut line = format!("{:<w$}", l[0], w = widths[0]);
            for c in 1..5 {
                let _ = write!(line, "  {:>w$}", l[c], w = widths[c]);
            }
            let _ = write!(line, "  {}", l[5]);
            let _ = writeln!(s, "{}", line.trim_end());
        }
        s.push('\n');
        for n in &self.notes {
            let _ = writeln!(s, "{n}");
        }
        s
    }

    /// The report as one JSON document.
    pub fn to_json(&self) -> Value {
        json!({
            "engines": {"reference": self.versions[0], "wasmi": self.versions[1]},
            "repeat": self.repeat,
            "workloads": self.rows.iter().map(|r| json!({
                "name": r.name,
                "reference_seconds": r.reference.as_secs_f64(),
                "wasmi_seconds": r.wasmi.as_secs_f64(),
                "ratio": r.ratio(),
                "target": r.target,
                "meets_target": r.meets_target(),
            })).collect::<Vec<_>>(),
            "facts": self.facts,
        })
    }
}

/// A duration with three significant digits and a unit.
fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 {
        format!("{s:.3} s")
    } else if s >= 1e-3 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{:.1} us", s * 1e6)
    }
}

/// Runs `catchall bench`.
pub fn run(args: BenchArgs) -> anyhow::Result<ExitCode> {
    let reference = EngineKind::Reference
        .build()
        .context("building the reference engine")?;
    let wasmi = EngineKind::Wasmi.build().context("building wasmi")?;
    let engines = [reference.as_ref(), wasmi.as_ref()];
    let batch = batch(&engines, &args)?;
    let compute = compute_loop(&engines, &args)?;
    let report = Report {
        versions: engines.map(|e| e.version()),
        repeat: args.repeat,
        rows: vec![
            batch.execute,
            batch.compile,
            compute.execute,
            compute.compile,
        ],
        notes: vec![batch.note, compute.note],
        facts: json!({"wasm_smith_batch": batch.facts, "compute_loop": compute.facts}),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report.to_json())?);
    } else {
        print!("{}", report.render());
    }
    Ok(
        if compute.sound && report.rows.iter().all(Row::meets_target) {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(EXIT_FINDING)
        },
    )
}

/// What one workload produced.
struct Measured {
    execute: Row,
    compile: Row,
    note: String,
    facts: Value,
    /// Whether the timing means anything: the engines computed the same thing.
    sound: bool,
}

/// The fastest of `repeat` runs of `f` on each engine, engines alternating.
fn fastest<T>(
    repeat: u32,
    engines: &[&dyn Engine; 2],
    mut f: impl FnMut(&dyn Engine) -> anyhow::Result<(Duration, Duration, T)>,
) -> anyhow::Result<([Duration; 2], [Duration; 2], [T; 2])> {
    let mut execute = [Duration::MAX; 2];
    let mut compile = [Duration::MAX; 2];
    let mut last: [Option<T>; 2] = [None, None];
    for _ in 0..repeat {
        for (i, e) in engines.iter().enumerate() {
            let (c, x, out) = f(*e)?;
            compile[i] = compile[i].min(c);
            execute[i] = execute[i].min(x);
            last[i] = Some(out);
        }
    }
    let [Some(a), Some(b)] = last else {
        unreachable!("repeat is at least 1")
    };
    Ok((compile, execute, [a, b]))
}

/// The wasm-smith batch.
fn batch(engines: &[&dyn Engine; 2], args: &BenchArgs) -> anyhow::Result<Measured> {
    let cases: Vec<Case> = (0..args.modules)
        .map(|i| generate::generate_without_exceptions(args.seed, i))
        .collect();
    // Only modules both engines support (the generator avoids exceptions, so this is every
    // module unless a generator fallback slipped one in), and none declaring a memory of 2^48
    // pages: wasmi 2.0.0 aborts the process when such a memory grows (its maximum in bytes,
    // 2^64, overflows; corpus/regressions/wasmi-grow-memory64-max-2p48.wast).
    let runnable: Vec<&Case> = cases
        .iter()
        .filter(|c| {
            ModuleInfo::parse(&c.wasm).is_ok_and(|i| {
                engines
                    .iter()
                    .all(|e| i.features.difference(e.features()).is_empty())
                    && oracles::engines::wasmi::skip_reason(&i).is_none()
                    && !oracles::engines::wasmi::aborts_on(&i)
            })
        })
        .collect();
    // Memories capped at 64 MiB (a larger grow returns -1 on both engines): otherwise the
    // few modules that grow by GiB time how fast an engine zeroes pages (wasmi allocates
    // them, the reference stores them sparsely), not how fast it interprets.
    let limits = Limits {
        fuel: args.fuel,
        max_memory_bytes: BATCH_MEMORY_BYTES,
        ..Limits::default()
    };
    let (compile, execute, outcomes) = fastest(args.repeat, engines, |engine| {
        let mut compile = Duration::ZERO;
        let mut execute = Duration::ZERO;
        let mut outcomes = Vec::new();
        for case in &runnable {
            let t = Instant::now();
            let module = engine.compile(&case.wasm);
            compile += t.elapsed();
            let module = module.map_err(|e| {
                anyhow::anyhow!("{} cannot compile a batch module: {e:?}", engine.name())
            })?;
            let t = Instant::now();
            let mut store = engine.new_store(limits);
            let instance = store.instantiate(module.as_ref());
            let mut results = Vec::new();
            if let Ok(Outcome::Return(id)) = instance {
                for call in &case.plan.calls {
                    results.push(store.call(id, &call.func, &call.args));
                }
            }
            execute += t.elapsed();
            outcomes.push((instance.map(|o| o.map(|_: InstanceId| ())), results));
        }
        Ok((compile, execute, outcomes))
    })?;
    let calls: usize = outcomes[0].iter().map(|(_, r)| r.len()).sum();
    let instantiated = outcomes[0]
        .iter()
        .filter(|(i, _)| matches!(i, Ok(Outcome::Return(()))))
        .count();
    // Per module, the first step whose outcomes differ decides: exhaustion on either side is
    // spec-permitted (wasmi's call stack is shallower), anything else a real difference.
    let (mut exhausted, mut differing) = (0, 0);
    for ((ia, ra), (ib, rb)) in outcomes[0].iter().zip(&outcomes[1]) {
        let first = if ia != ib {
            Some(
                matches!(ia, Ok(Outcome::Exhaustion(_)))
                    || matches!(ib, Ok(Outcome::Exhaustion(_))),
            )
        } else {
            ra.iter().zip(rb).find(|(a, b)| a != b).map(|(a, b)| {
                matches!(a, Outcome::Exhaustion(_)) || matches!(b, Outcome::Exhaustion(_))
            })
        };
        match first {
            Some(true) => exhausted += 1,
            Some(false) => differing += 1,
            None => {}
        }
    }
    let skipped = cases.len() - runnable.len();
    let note = format!(
        "wasm-smith batch: {} modules of seed {} (exceptions and SIMD off, memory64 on), {} run \
         on both engines ({skipped} skipped), {instantiated} instantiated, {calls} calls, fuel {} \
         per step, memories up to {} MiB; modules on which the engines' outcomes differ: {differing}, plus {exhausted} \
         where one engine exhausted its call stack first (spec-permitted)",
        cases.len(),
        args.seed,
        runnable.len(),
        args.fuel,
        BATCH_MEMORY_BYTES >> 20
    );
    let facts = json!({
        "modules": cases.len(),
        "seed": args.seed,
        "ran": runnable.len(),
        "skipped": skipped,
        "instantiated": instantiated,
        "calls": calls,
        "fuel_per_step": args.fuel,
        "max_memory_bytes": BATCH_MEMORY_BYTES,
        "modules_differing": differing,
        "modules_exhausted_on_one_engine": exhausted,
    });
    Ok(Measured {
        execute: Row {
            name: "wasm-smith batch: instantiate + calls".into(),
            reference: execute[0],
            wasmi: execute[1],
            target: Some(BATCH_TARGET),
        },
        compile: Row {
            name: "wasm-smith batch: decode + compile".into(),
            reference: compile[0],
            wasmi: compile[1],
            target: None,
        },
        note,
        facts,
        // Differences on generated modules are findings for `catchall fuzz`, not a reason to
        // distrust the timing.
        sound: true,
    })
}

/// The compute loop.
fn compute_loop(engines: &[&dyn Engine; 2], args: &BenchArgs) -> anyhow::Result<Measured> {
    let wasm = wat::parse_str(COMPUTE_LOOP).context("the compute loop's text")?;
    let limits = Limits {
        fuel: u64::MAX,
        ..Limits::default()
    };
    let n = Val::I32(args.iterations as i32);
    let (compile, execute, results) = fastest(args.repeat, engines, |engine| {
        let t = Instant::now();
        let module = engine.compile(&wasm);
        let compile = t.elapsed();
        let module = module
            .map_err(|e| anyhow::anyhow!("{} cannot compile the loop: {e:?}", engine.name()))?;
        let mut store = engine.new_store(limits);
        let Ok(Outcome::Return(id)) = store.instantiate(module.as_ref()) else {
            bail!("{} cannot instantiate the compute loop", engine.name());
        };
        let t = Instant::now();
        let result = store.call(id, "run", std::slice::from_ref(&n));
        Ok((compile, t.elapsed(), result))
    })?;
    let agree = results[0] == results[1];
    let shown = |o: &Outcome<Vec<Val>>| match o {
        Outcome::Return(v) => v.iter().map(Val::to_string).collect::<Vec<_>>().join(", "),
        other => format!("{other:?}"),
    };
    let note = format!(
        "compute loop: run({}) = {} x 1000 inner iterations, about {:.1} M instructions; {}",
        args.iterations,
        args.iterations,
        f64::from(args.iterations) * 45.0 / 1000.0,
        if agree {
            format!("both engines returned {}", shown(&results[0]))
        } else {
            format!(
                "the engines DISAGREE: reference {}, wasmi {}",
                shown(&results[0]),
                shown(&results[1])
            )
        }
    );
    let facts = json!({
        "iterations": args.iterations,
        "inner_iterations": u64::from(args.iterations) * 1000,
        "results": {"reference": shown(&results[0]), "wasmi": shown(&results[1])},
        "agree": agree,
    });
    Ok(Measured {
        execute: Row {
            name: "compute loop: run".into(),
            reference: execute[0],
            wasmi: execute[1],
            target: Some(LOOP_TARGET),
        },
        compile: Row {
            name: "compute loop: decode + compile".into(),
            reference: compile[0],
            wasmi: compile[1],
            target: None,
        },
        note,
        facts,
        sound: agree,
    })
}
