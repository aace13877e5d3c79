//! The generation coverage measurement (an ignored test that prints tables): how often cases
//! of each profile, and of plain wasm-smith for comparison, throw, catch (by clause kind,
//! across frames), rethrow, let exceptions escape, and hit memory64 bounds, 2^32 and grows.
//!
//! ```text
//! CATCHALL_MEASURE_CASES=2000 cargo test --release --lib generate::measure -- --ignored --nocapture
//! ```
//!
//! Counts come from the probe pass ([`super::probe`]) run on Cranelift, plus the reference
//! interpreter's `Coverage` when that engine builds. Generation speed is measured separately,
//! without running anything.

use super::probe::{self, COUNTERS};
use super::rng::Rng;
use super::{Case, Profile, generate, plan};
use oracles::differential::{RunOptions, run_case};
use oracles::{Coverage, EngineKind, Limits, Outcome, Val};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

/// A column: a profile, or plain wasm-smith.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Column {
    Plain,
    Profile(Profile),
}

impl Column {
    fn name(self) -> String {
        match self {
            Column::Plain => "plain wasm-smith".into(),
            Column::Profile(p) => p.to_string(),
        }
    }

    fn case(self, seed: u64, index: u64) -> Case {
        match self {
            Column::Plain => plain_smith(seed, index),
            Column::Profile(p) => generate(seed, index, p),
        }
    }
}

/// wasm-smith with its default configuration, restricted to catchall's scope (no SIMD, GC,
/// threads or other out-of-scope proposals, no imports), exceptions and memory64 on (their
/// defaults), everything exported, NaNs canonicalized, `ensure_termination(1000)`, 4 KiB of
/// input: what a differential fuzzer gets without catchall's generators. Same plans.
fn plain_smith(seed: u64, index: u64) -> Case {
    let mut rng = Rng::derive(seed ^ 0x9e37_79b9, index);
    let bytes: Vec<u8> = (0..4096).map(|_| rng.next_u64() as u8).collect();
    let config = wasm_smith::Config {
        simd_enabled: false,
        relaxed_simd_enabled: false,
        gc_enabled: false,
        threads_enabled: false,
        wide_arithmetic_enabled: false,
        custom_page_sizes_enabled: false,
        shared_everything_threads_enabled: false,
        custom_descriptors_enabled: false,
        compact_imports_enabled: false,
        max_imports: 0,
        export_everything: true,
        canonicalize_nans: true,
        ..wasm_smith::Config::default()
    };
    let mut u = arbitrary::Unstructured::new(&bytes);
    let wasm = match wasm_smith::Module::new(config, &mut u) {
        Ok(mut m) => {
            let _ = m.ensure_termination(1000);
            m.to_bytes()
        }
        Err(_) => wasm_encoder::Module::new().finish(),
    };
    Case {
        plan: plan::for_module(&wasm, rng.next_u64()),
        wasm,
        generator: super::GeneratorKind::PlainWasmSmith,
        config: String::new(),
    }
}

/// The metrics, each the share of cases in which it happened at least once.
const METRICS: [&str; 21] = [
    "instantiated",
    "exception thrown",
    "caught in wasm",
    "caught across >= 1 frame",
    "escaped to the host",
    "caught by catch",
    "caught by catch_ref",
    "caught by catch_all",
    "caught by catch_all_ref",
    "rethrown by throw_ref",
    "a call trapped",
    "exhaustion (fuel, stack, limits)",
    "memory64 access",
    "memory64 access within 16 B of the bound",
    "memory64 access at >= 2^32",
    "memory.grow on a 64-bit memory",
    "memory.grow failed",
    "probe pass declined the module",
    "verdict: agree",
    "verdict: poisoned",
    "verdict: diverge",
];

#[derive(Default)]
struct Tally {
    cases: u64,
    hits: [u64; METRICS.len()],
    thrown: u64,
    caught: u64,
    reference: Option<Coverage>,
    reference_cases: u64,
}

/// Runs one case and returns which metrics it hit, the probe's thrown and caught counts, and
/// the reference's coverage when it ran.
fn measure_case(
    engines: &[&dyn oracles::Engine],
    case: &Case,
    limits: Limits,
) -> ([bool; METRICS.len()], u64, u64, Option<Coverage>) {
    let mut hit = [false; METRICS.len()];
    let Some(probed) = probe::instrument(&case.wasm) else {
        hit[17] = true;
        return (hit, 0, 0, None);
    };
    let exposed = oracles::expose::expose(&probed.wasm).unwrap_or(probed.wasm.clone());
    let options = RunOptions {
        limits,
        continue_after_verdict: true,
        ..RunOptions::default()
    };
    let report = run_case(engines, &exposed, &case.plan, &options);
    let cranelift = report
        .engines
        .iter()
        .position(|e| e.name == "cranelift")
        .unwrap_or(0);
    let mut last_snapshot = None;
    for (i, step) in report.steps.iter().enumerate() {
        let Some(obs) = &step.observations[cranelift] else {
            continue;
        };
        match &obs.outcome {
            Ok(Outcome::Return(_)) if i == 0 => hit[0] = true,
            Ok(Outcome::Exception(_)) => hit[4] = true,
            Ok(Outcome::Trap(_)) if i > 0 => hit[10] = true,
            Ok(Outcome::Exhaustion(_)) => hit[11] = true,
            _ => {}
        }
        if obs.snapshot.is_some() {
            last_snapshot = obs.snapshot.clone();
        }
    }
    let mut counters = [0u64; COUNTERS.len()];
    if let Some(s) = last_snapshot {
        for (k, c) in counters.iter_mut().enumerate() {
            let index = probed.first_counter + k as u32;
            if let Some(g) = s.globals.iter().find(|g| g.index == index)
                && let Val::I32(v) = g.value
            {
                *c = u64::from(v as u32);
            }
        }
    }
    let named: BTreeMap<&str, u64> = COUNTERS.iter().copied().zip(counters).collect();
    hit[1] = named["thrown"] > 0 || hit[4];
    hit[2] = named["caught"] > 0;
    hit[3] = named["caught_across_frames"] > 0;
    hit[5] = named["catch"] > 0;
    hit[6] = named["catch_ref"] > 0;
    hit[7] = named["catch_all"] > 0;
    hit[8] = named["catch_all_ref"] > 0;
    hit[9] = named["rethrown"] > 0;
    hit[12] = named["mem64_accesses"] > 0;
    hit[13] = named["mem64_near_bound"] > 0;
    hit[14] = named["mem64_high"] > 0;
    hit[15] = named["grow64"] > 0;
    hit[16] = named["grow_failures"] > 0;
    match report.verdict {
        oracles::Verdict::Agree => hit[18] = true,
        oracles::Verdict::Poisoned { .. } => hit[19] = true,
        oracles::Verdict::Diverge(_) => hit[20] = true,
    }
    (hit, named["thrown"], named["caught"], report.coverage)
}

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "measurement: prints the coverage table (see the module docs)"]
fn coverage_table() {
    let cases = env("CATCHALL_MEASURE_CASES", 2000);
    let threads = env("CATCHALL_MEASURE_THREADS", 2) as usize;
    let seed = env("CATCHALL_MEASURE_SEED", 1);
    // The campaign's fuel (probes roughly triple the instruction count, so less would poison
    // probed cases that run fine unprobed); memories capped so that plain wasm-smith's large
    // initial memories fail to instantiate rather than slow every snapshot down.
    let limits = Limits {
        max_memory_bytes: 64 << 20,
        ..Limits::default()
    };
    let with_reference = EngineKind::Reference.build().is_ok();
    let columns = [
        Column::Plain,
        Column::Profile(Profile::Mixed),
        Column::Profile(Profile::Exceptions),
        Column::Profile(Profile::Memory64),
    ];

    // Generation speed alone.
    let mut speed = Vec::new();
    for column in columns {
        let start = Instant::now();
        let n = cases.min(2000);
        let mut bytes = 0usize;
        for index in 0..n {
            bytes += column.case(seed, index).wasm.len();
        }
        let secs = start.elapsed().as_secs_f64();
        speed.push((column, n as f64 / secs, bytes as f64 / n as f64));
    }

    let tallies: Mutex<BTreeMap<(Column, &'static str), Tally>> = Mutex::new(BTreeMap::new());
    let next = Mutex::new(0u64);
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let cranelift = EngineKind::Cranelift.build().expect("cranelift");
                let reference = EngineKind::Reference.build().ok();
                let mut engines: Vec<&dyn oracles::Engine> = vec![cranelift.as_ref()];
                if let Some(r) = &reference {
                    engines.push(r.as_ref());
                }
                loop {
                    let job = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let job = *n;
                        *n += 1;
                        job
                    };
                    if job >= cases * columns.len() as u64 {
                        break;
                    }
                    let column = columns[(job % columns.len() as u64) as usize];
                    let index = job / columns.len() as u64;
                    let case = column.case(seed, index);
                    let (hit, thrown, caught, coverage) = measure_case(&engines, &case, limits);
                    let mut t = tallies.lock().unwrap_or_else(|e| e.into_inner());
                    for key in [(column, "all"), (column, case.generator.name())] {
                        let tally = t.entry(key).or_default();
                        tally.cases += 1;
                        tally.thrown += thrown;
                        tally.caught += caught;
                        for (h, &b) in tally.hits.iter_mut().zip(&hit) {
                            *h += u64::from(b);
                        }
                        if let Some(c) = &coverage {
                            tally.reference.get_or_insert_with(Coverage::default).add(c);
                            tally.reference_cases += 1;
                        }
                    }
                }
            });
        }
    });
    let elapsed = start.elapsed().as_secs_f64();
    let tallies = tallies.into_inner().unwrap_or_else(|e| e.into_inner());

    println!(
        "\n## Generation coverage: {cases} cases per column, seed {seed}, engine cranelift{}, \
         probe counters, fuel {} per step, memories capped at {} MiB ({elapsed:.0} s)\n",
        if with_reference { " + reference" } else { "" },
        limits.fuel,
        limits.max_memory_bytes >> 20
    );
    let cols: Vec<(Column, &str)> = columns.iter().map(|&c| (c, "all")).collect();
    print_table(&tallies, &cols, |c| c.0.name());
    let mut by_generator: Vec<(Column, &str)> = tallies
        .keys()
        .filter(|(_, g)| *g != "all" && *g != "plain-wasm-smith")
        .copied()
        .collect();
    by_generator.sort();
    println!("\n### By generator (share of that generator's cases within the profile)\n");
    print_table(&tallies, &by_generator, |c| {
        format!("{} / {}", c.0.name(), c.1)
    });

    println!("\n### Generation alone (no engine)\n");
    println!("| column | cases/s | mean module bytes |");
    println!("|---|---:|---:|");
    for (column, rate, bytes) in speed {
        println!("| {} | {rate:.0} | {bytes:.0} |", column.name());
    }
    if with_reference {
        println!("\n### Reference interpreter coverage (totals)\n");
        for ((column, generator), t) in &tallies {
            if *generator == "all"
                && let Some(c) = &t.reference
            {
                println!("{}: {} cases: {c:?}", column.name(), t.reference_cases);
            }
        }
    }
}

fn print_table(
    tallies: &BTreeMap<(Column, &'static str), Tally>,
    cols: &[(Column, &str)],
    title: impl Fn(&(Column, &str)) -> String,
) {
    print!("| metric |");
    for c in cols {
        print!(" {} |", title(c));
    }
    println!();
    print!("|---|");
    for _ in cols {
        print!("---:|");
    }
    println!();
    print!("| cases |");
    for c in cols {
        print!(" {} |", tallies.get(c).map_or(0, |t| t.cases));
    }
    println!();
    for (m, name) in METRICS.iter().enumerate() {
        print!("| {name} |");
        for c in cols {
            let t = tallies.get(c);
            let share = t.map_or(0.0, |t| 100.0 * t.hits[m] as f64 / t.cases.max(1) as f64);
            print!(" {share:.1}% |");
        }
        println!();
    }
    for (name, get) in [
        (
            "throws per case (mean)",
            (|t: &Tally| t.thrown) as fn(&Tally) -> u64,
        ),
        ("catches per case (mean)", |t: &Tally| t.caught),
    ] {
        print!("| {name} |");
        for c in cols {
            let v = tallies
                .get(c)
                .map_or(0.0, |t| get(t) as f64 / t.cases.max(1) as f64);
            print!(" {v:.2} |");
        }
        println!();
    }
}

/// One generator's share of cases with each reference counter, and of cases each engine runs.
#[derive(Default)]
struct RefTally {
    cases: u64,
    thrown: u64,
    across: u64,
    by_kind: [u64; 4],
    throw_ref: u64,
    engines_ran: BTreeMap<&'static str, u64>,
}

/// The reference interpreter's coverage per profile and generator, the numbers the campaign's
/// `stats.json` reports (exceptions thrown, caught across frames, each catch kind, `throw_ref`),
/// plus the share of cases wasmi and Winch accept (they lack exceptions):
///
/// ```text
/// CATCHALL_MEASURE_CASES=1000 cargo test --release --lib generate::measure::reference_coverage -- --ignored --nocapture
/// ```
#[test]
#[ignore = "measurement: prints the reference's coverage per generator"]
fn reference_coverage_by_generator() {
    let cases = env("CATCHALL_MEASURE_CASES", 1000);
    let seed = env("CATCHALL_MEASURE_SEED", 1);
    let threads = env("CATCHALL_MEASURE_THREADS", 2) as usize;
    let reference = EngineKind::Reference.build().expect("reference");
    let others: Vec<Box<dyn oracles::Engine>> = [EngineKind::Wasmi, EngineKind::Winch]
        .iter()
        .map(|k| k.build().expect("engine"))
        .collect();
    for profile in Profile::ALL {
        let tallies: Mutex<BTreeMap<&'static str, RefTally>> = Mutex::new(BTreeMap::new());
        let next = Mutex::new(0u64);
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let index = {
                            let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                            *n += 1;
                            *n - 1
                        };
                        if index >= cases {
                            break;
                        }
                        let case = generate(seed, index, profile);
                        let wasm = oracles::expose::expose(&case.wasm).unwrap_or(case.wasm.clone());
                        let report = run_case(
                            &[reference.as_ref()],
                            &wasm,
                            &case.plan,
                            &RunOptions::default(),
                        );
                        let features = oracles::ModuleInfo::parse(&wasm)
                            .map(|i| i.features)
                            .unwrap_or_default();
                        let ran: Vec<&'static str> = others
                            .iter()
                            .filter(|e| {
                                // A compile that panics (a wasmi bug) still counts as run: the
                                // campaign gives the engine the module and files the crash.
                                e.features().contains(features)
                                    && !matches!(
                                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(
                                            || e.compile(&wasm)
                                        )),
                                        Ok(Err(oracles::ModuleError::Unsupported(_)))
                                    )
                            })
                            .map(|e| {
                                if e.name() == "wasmi" {
                                    "wasmi"
                                } else {
                                    "winch"
                                }
                            })
                            .collect();
                        let c = report.coverage.unwrap_or_default();
                        let mut t = tallies.lock().unwrap_or_else(|e| e.into_inner());
                        for key in ["all", case.generator.name()] {
                            let t = t.entry(key).or_default();
                            t.cases += 1;
                            t.thrown += u64::from(c.thrown > 0);
                            t.across += u64::from(c.caught_across_frames > 0);
                            for (k, n) in t.by_kind.iter_mut().zip(c.caught_by_kind) {
                                *k += u64::from(n > 0);
                            }
                            t.throw_ref += u64::from(c.throw_refs > 0);
                            for e in &ran {
                                *t.engines_ran.entry(e).or_default() += 1;
                            }
                        }
                    }
                });
            }
        });
        let tallies = tallies.into_inner().unwrap_or_else(|e| e.into_inner());
        println!("\n## {profile}: {cases} cases, seed {seed}\n");
        println!(
            "| generator | share | thrown | across frames | catch | catch_ref | catch_all | catch_all_ref | throw_ref | wasmi runs | winch runs |"
        );
        println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        let pct = |n: u64, of: u64| 100.0 * n as f64 / of.max(1) as f64;
        for (g, t) in &tallies {
            print!(
                "| {g} | {:.1}% | {:.1}% | {:.1}% |",
                pct(t.cases, cases),
                pct(t.thrown, t.cases),
                pct(t.across, t.cases)
            );
            for k in t.by_kind {
                print!(" {:.1}% |", pct(k, t.cases));
            }
            println!(
                " {:.1}% | {:.1}% | {:.1}% |",
                pct(t.throw_ref, t.cases),
                pct(t.engines_ran.get("wasmi").copied().unwrap_or(0), t.cases),
                pct(t.engines_ran.get("winch").copied().unwrap_or(0), t.cases)
            );
        }
    }
}
