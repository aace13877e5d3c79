//! `catchall calibrate`: the measure of catchall's own power — the campaign run against each mutant engine alone (mutant plus reference), reporting which mutants it kills, how fast, and with which generator.

use crate::campaign::{Campaign, CampaignConfig, CaseRun};
use crate::cli::EXIT_FINDING;
use crate::cli::fuzz::parse_duration;
use crate::generate::Profile;
use anyhow::{Context, bail};
use oracles::compare::Verdict;
use oracles::differential::run_case;
use oracles::engines::mutants::{Category, MUTANTS, Mutant};
use oracles::{Engine, EngineKind, Limits};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The long help of the subcommand (`--help`).
pub const LONG_ABOUT: &str = "Measures what catchall can find. A mutant is a real engine \
(Cranelift, Pulley or wasmi) with one narrowly scoped wrong behaviour of the kind real engine \
bugs have — a constant operand in some range, one pair of fused operators, an access at the last \
byte of a bound, a handler in a certain position — planted by rewriting each module in front of \
the engine. Each mutant is written from the engines' own rules (Cranelift's ISLE lowering and \
mid-end rules, Pulley's lowering, wasmi's translator fusions) or the spec's exception-handling and \
memory64 rules; `catchall calibrate --list` shows them.\n\n\
For each mutant and each seed, the differential campaign runs on two engines, the reference \
interpreter and the mutant (`--engines reference,mutant:NAME` in `catchall fuzz`), for at most \
--time-per-mutant. The mutant is killed on that seed by the first divergence confirmed to be the \
mutant's: the case is rerun on the reference and the unmutated host engine, and a divergence the \
host shows by itself (a real bug of the host) does not count. The seed's campaign stops at the kill; \
the time to kill is measured from the campaign's start.\n\n\
A mutant counts as killed when a majority of its seeds kill it (one lucky seed is not enough); its \
time to kill is the median over seeds (an unkilled seed counts as infinite). Seeds are --seed, \
--seed + 1, ..., the same for every mutant, so a run is repeatable and mutants are comparable. \
The table gives each mutant's category, host, seeds that killed it, median time to kill and the \
generator of the killing case; --json prints the same as one document, also written to \
<out>/calibrate.json. Findings go under <out>/<mutant>/seed-<seed>/.\n\n\
Judge a generator change by the kill rate and the times to kill. Exit status: 0 when the run \
completed (the kill rate is a measurement), 1 when --min-kill-rate is given and not reached, 2 on \
bad input.";

/// Arguments of `catchall calibrate`.
#[derive(clap::Args, Debug)]
pub struct CalibrateArgs {
    /// How long each seed's campaign may run against one mutant (e.g. 30s, 2m).
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub time_per_mutant: Duration,
    /// How many seeds each mutant is run with.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub seeds: u64,
    /// The first seed; the others follow it (default 1, so runs are repeatable).
    #[arg(long, default_value_t = 1, value_name = "BASE")]
    pub seed: u64,
    /// Only these mutants (comma-separated names, as --list shows them).
    #[arg(long, value_name = "A,B,..")]
    pub mutants: Option<String>,
    /// Only the mutants of this category (lowering, fusion, exceptions, memory64, trap-state).
    #[arg(long, value_name = "CATEGORY")]
    pub category: Option<String>,
    /// What to generate.
    #[arg(long, value_enum, default_value_t = Profile::Mixed)]
    pub profile: Profile,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Where findings and calibrate.json go.
    #[arg(long, default_value = "calibrate", value_name = "DIR")]
    pub out: PathBuf,
    /// Print the results as one JSON document.
    #[arg(long)]
    pub json: bool,
    /// Exit with status 1 when fewer than this share of the mutants is killed (0.9 or 90%).
    #[arg(long, value_parser = parse_rate, value_name = "P")]
    pub min_kill_rate: Option<f64>,
    /// List the mutants (name, category, host, trigger, rule) and exit.
    #[arg(long)]
    pub list: bool,
}

/// Parses `0.9` or `90%`.
fn parse_rate(text: &str) -> Result<f64, String> {
    let (number, scale) = match text.trim().strip_suffix('%') {
        Some(n) => (n, 100.0),
        None => (text.trim(), 1.0),
    };
    let value = number
        .parse::<f64>()
        .ok()
        .map(|v| v / scale)
        .filter(|v| (0.0..=1.0).contains(v));
    value.ok_or_else(|| format!("`{text}` is not a rate between 0 and 1 (or 0% and 100%)"))
}

/// One seed's campaign against one mutant.
#[derive(Clone, Debug)]
struct SeedRun {
    seed: u64,
    kill: Option<Kill>,
    cases: u64,
    seconds: f64,
    /// Divergences the host engine showed by itself (its own bugs), not kills.
    host_divergences: u64,
}

/// The first confirmed kill of a seed's campaign.
#[derive(Clone, Debug)]
struct Kill {
    seconds: f64,
    index: u64,
    generator: &'static str,
}

static STOP: AtomicBool = AtomicBool::new(false);

/// Runs `catchall calibrate`.
pub fn run(args: CalibrateArgs) -> anyhow::Result<ExitCode> {
    let selected = select(args.mutants.as_deref(), args.category.as_deref())?;
    if args.list {
        print!("{}", list(&selected));
        return Ok(ExitCode::SUCCESS);
    }
    if args.seeds == 0 {
        bail!("--seeds must be at least 1");
    }
    if args.time_per_mutant.is_zero() {
        bail!("--time-per-mutant must be more than 0s");
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let seeds: Vec<u64> = (0..args.seeds).map(|k| args.seed.wrapping_add(k)).collect();
    let reference = EngineKind::Reference
        .build()
        .context("building the reference")?;
    // Ctrl-C stops the run after the current campaign; a second one exits at once.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    eprintln!(
        "catchall calibrate: {} mutants x {} seeds ({}..={}), {} each, profile {}, {jobs} jobs, findings in {}",
        selected.len(),
        seeds.len(),
        seeds[0],
        seeds[seeds.len() - 1],
        humantime(args.time_per_mutant.as_secs_f64()),
        args.profile,
        args.out.display()
    );
    let mut results: Vec<(&'static Mutant, Vec<SeedRun>)> = Vec::new();
    for &(index, mutant) in &selected {
        let engine = EngineKind::Mutant(index)
            .build()
            .with_context(|| format!("building {}", mutant.engine_name))?;
        let host = mutant
            .host
            .build()
            .with_context(|| format!("building {}", mutant.host))?;
        let mut runs = Vec::new();
        for &seed in &seeds {
            if STOP.load(Ordering::SeqCst) {
                break;
            }
            let run = run_seed(
                &args,
                jobs,
                mutant,
                seed,
                [reference.as_ref(), engine.as_ref()],
                host.as_ref(),
                reference.as_ref(),
            )?;
            eprintln!("  {}", describe(mutant, &run));
            runs.push(run);
        }
        results.push((mutant, runs));
        if STOP.load(Ordering::SeqCst) {
            break;
        }
    }
    std::panic::set_hook(hook);
    let doc = document(&args, jobs, &seeds, &results);
    let path = args.out.join("calibrate.json");
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    crate::campaign::findings::write_atomic(&path, &(serde_json::to_string_pretty(&doc)? + "\n"))
        .with_context(|| format!("writing {}", path.display()))?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", table(&doc));
    }
    let rate = doc["kill_rate"].as_f64().unwrap_or(0.0);
    Ok(match args.min_kill_rate {
        Some(min) if rate < min => {
            eprintln!(
                "catchall calibrate: kill rate {:.1}% is below --min-kill-rate {:.1}%",
                rate * 100.0,
                min * 100.0
            );
            ExitCode::from(EXIT_FINDING)
        }
        _ => ExitCode::SUCCESS,
    })
}

/// The mutants selected by `--mutants` and `--category`, with their registry indices.
fn select(
    names: Option<&str>,
    category: Option<&str>,
) -> anyhow::Result<Vec<(u16, &'static Mutant)>> {
    let category = match category {
        None => None,
        Some(c) => Some(Category::from_name(c).with_context(|| {
            format!(
                "unknown category `{c}` (categories: {})",
                Category::ALL.map(Category::name).join(", ")
            )
        })?),
    };
    let mut selected = Vec::new();
    match names {
        None => {
            for (i, m) in MUTANTS.iter().enumerate() {
                selected.push((i as u16, m));
            }
        }
        Some(list) => {
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                let bare = name.strip_prefix("mutant:").unwrap_or(name);
                let Some(found) = oracles::engines::mutants::find(bare) else {
                    bail!("unknown mutant `{name}` (see catchall calibrate --list)");
                };
                if !selected.iter().any(|(i, _)| *i == found.0) {
                    selected.push(found);
                }
            }
        }
    }
    selected.retain(|(_, m)| category.is_none_or(|c| m.category == c));
    if selected.is_empty() {
        bail!("no mutant selected (see catchall calibrate --list)");
    }
    Ok(selected)
}

/// Runs one seed's campaign against one mutant, stopping at the first confirmed kill.
fn run_seed(
    args: &CalibrateArgs,
    jobs: usize,
    mutant: &'static Mutant,
    seed: u64,
    engines: [&dyn Engine; 2],
    host: &dyn Engine,
    reference: &dyn Engine,
) -> anyhow::Result<SeedRun> {
    let out = args.out.join(mutant.name).join(format!("seed-{seed}"));
    let config = CampaignConfig {
        seed,
        profile: args.profile,
        jobs,
        cases: None,
        time: Some(args.time_per_mutant),
        limits: Limits::default(),
        out: out.clone(),
        stop_on_divergence: false,
        // Calibration measures time to kill; reducing would compete for the same cores.
        reduce: None,
        // The kill is confirmed in process (`on_divergence` needs the case's run).
        isolation: None,
        resume: None,
    };
    let stop = AtomicBool::new(false);
    let kill: Mutex<Option<Kill>> = Mutex::new(None);
    let host_divergences = std::sync::atomic::AtomicU64::new(0);
    let started = Instant::now();
    let confirm = |index: u64, run: &CaseRun| {
        let seconds = started.elapsed().as_secs_f64();
        // Whose divergence is it? The host engine without the mutation, on the same case.
        let host_pair: [&dyn Engine; 2] = [reference, host];
        let again = run_case(&host_pair, &run.wasm, &run.case.plan, &run.options);
        if again.verdict != Verdict::Agree {
            host_divergences.fetch_add(1, Ordering::Relaxed);
            return;
        }
        let mut k = kill.lock().unwrap_or_else(|p| p.into_inner());
        if k.as_ref().is_none_or(|k| seconds < k.seconds) {
            *k = Some(Kill {
                seconds,
                index,
                generator: run.case.generator.name(),
            });
        }
        stop.store(true, Ordering::SeqCst);
    };
    let campaign = Campaign::new(config, engines.to_vec())
        .with_context(|| format!("opening the findings folder {}", out.display()))?
        .on_divergence(confirm);
    let elapsed = campaign.run(&stop, |_| {
        if STOP.load(Ordering::SeqCst) {
            stop.store(true, Ordering::SeqCst);
        }
    });
    for e in campaign.errors() {
        eprintln!("warning: {} seed {seed}: {e}", mutant.name);
    }
    let cases = campaign.progress().cases;
    drop(campaign);
    Ok(SeedRun {
        seed,
        kill: kill.into_inner().unwrap_or_else(|p| p.into_inner()),
        cases,
        seconds: elapsed.as_secs_f64(),
        host_divergences: host_divergences.into_inner(),
    })
}

fn describe(mutant: &Mutant, run: &SeedRun) -> String {
    let host = match run.host_divergences {
        0 => String::new(),
        n => format!(", {n} divergence(s) of the host itself not counted"),
    };
    match &run.kill {
        Some(k) => format!(
            "{} seed {}: killed in {} by {} (case {}){host}",
            mutant.name,
            run.seed,
            humantime(k.seconds),
            k.generator,
            k.index
        ),
        None => format!(
            "{} seed {}: not killed in {} ({} cases){host}",
            mutant.name,
            run.seed,
            humantime(run.seconds),
            run.cases
        ),
    }
}

/// The upper median of the seeds' times to kill, an unkilled seed counting as infinite: finite
/// exactly when a majority of seeds killed the mutant.
fn median(runs: &[SeedRun]) -> Option<&SeedRun> {
    let mut sorted: Vec<&SeedRun> = runs.iter().collect();
    sorted.sort_by(|a, b| {
        let t = |r: &SeedRun| r.kill.as_ref().map_or(f64::INFINITY, |k| k.seconds);
        t(a).total_cmp(&t(b))
    });
    let mid = *sorted.get(runs.len() / 2)?;
    mid.kill.is_some().then_some(mid)
}

fn document(
    args: &CalibrateArgs,
    jobs: usize,
    seeds: &[u64],
    results: &[(&'static Mutant, Vec<SeedRun>)],
) -> Value {
    let mut killed = 0;
    let mutants: Vec<Value> = results
        .iter()
        .map(|(m, runs)| {
            let mid = median(runs);
            if mid.is_some() {
                killed += 1;
            }
            let kill = mid.and_then(|r| r.kill.as_ref());
            json!({
                "name": m.name,
                "engine": m.engine_name,
                "category": m.category.name(),
                "host": m.host.name(),
                "rule": m.rule,
                "trigger": m.trigger,
                "killed": mid.is_some(),
                "killed_seeds": runs.iter().filter(|r| r.kill.is_some()).count(),
                "seeds": runs.len(),
                "median_seconds_to_kill": kill.map(|k| k.seconds),
                "generator": kill.map(|k| k.generator),
                "runs": runs.iter().map(|r| json!({
                    "seed": r.seed,
                    "killed": r.kill.is_some(),
                    "seconds_to_kill": r.kill.as_ref().map(|k| k.seconds),
                    "generator": r.kill.as_ref().map(|k| k.generator),
                    "case": r.kill.as_ref().map(|k| k.index),
                    "cases_run": r.cases,
                    "seconds_run": r.seconds,
                    "host_divergences": r.host_divergences,
                    "reproduce": r.kill.as_ref().map(|k| format!(
                        "catchall fuzz --engines reference,{} --profile {} --seed {} --case {}",
                        m.engine_name, args.profile, r.seed, k.index
                    )),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let total = results.len();
    json!({
        "time_per_mutant_seconds": args.time_per_mutant.as_secs_f64(),
        "seeds": seeds,
        "profile": args.profile.name(),
        "jobs": jobs,
        "interrupted": STOP.load(Ordering::SeqCst),
        "killed": killed,
        "total": total,
        "kill_rate": if total == 0 { 0.0 } else { killed as f64 / total as f64 },
        "mutants": mutants,
    })
}

fn table(doc: &Value) -> String {
    let mut rows: Vec<[String; 6]> = vec![[
        "mutant".into(),
        "category".into(),
        "host".into(),
        "killed".into(),
        "median time".into(),
        "generator".into(),
    ]];
    for m in doc["mutants"].as_array().into_iter().flatten() {
        let s = |k: &str| m[k].as_str().unwrap_or("-").to_string();
        rows.push([
            s("name"),
            s("category"),
            s("host"),
            format!(
                "{}/{}{}",
                m["killed_seeds"],
                m["seeds"],
                if m["killed"].as_bool() == Some(true) {
                    ""
                } else {
                    " (no)"
                }
            ),
            m["median_seconds_to_kill"]
                .as_f64()
                .map_or("-".into(), humantime),
            s("generator"),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|c| rows.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str(&format!(
        "\nkilled {} of {} mutants ({:.1}%) in {} per mutant and seed, seeds {}\n",
        doc["killed"],
        doc["total"],
        doc["kill_rate"].as_f64().unwrap_or(0.0) * 100.0,
        humantime(doc["time_per_mutant_seconds"].as_f64().unwrap_or(0.0)),
        doc["seeds"]
    ));
    out
}

fn list(selected: &[(u16, &'static Mutant)]) -> String {
    let mut out = String::new();
    for (_, m) in selected {
        out.push_str(&format!(
            "{} ({}, on {})\n  trigger: {}\n  rule:    {}\n",
            m.name,
            m.category.name(),
            m.host.name(),
            m.trigger,
            m.rule
        ));
    }
    out
}

fn humantime(seconds: f64) -> String {
    if seconds < 60.0 {
        format!("{seconds:.1}s")
    } else {
        format!("{:.0}m{:02.0}s", (seconds / 60.0).floor(), seconds % 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(seed: u64, seconds: Option<f64>) -> SeedRun {
        SeedRun {
            seed,
            kill: seconds.map(|seconds| Kill {
                seconds,
                index: 0,
                generator: "g",
            }),
            cases: 1,
            seconds: 1.0,
            host_divergences: 0,
        }
    }

    #[test]
    fn a_mutant_is_killed_by_a_majority_of_seeds_and_timed_by_the_median() {
        let t = |runs: &[SeedRun]| median(runs).and_then(|r| r.kill.as_ref().map(|k| k.seconds));
        assert_eq!(
            t(&[run(1, Some(5.0)), run(2, None), run(3, Some(1.0))]),
            Some(5.0)
        );
        assert_eq!(t(&[run(1, Some(5.0)), run(2, None), run(3, None)]), None);
        assert_eq!(t(&[run(1, Some(5.0)), run(2, None)]), None);
        assert_eq!(t(&[run(1, Some(5.0)), run(2, Some(7.0))]), Some(7.0));
        assert_eq!(t(&[run(1, Some(2.0))]), Some(2.0));
    }

    #[test]
    fn rates_parse_as_fractions_or_percentages() {
        assert_eq!(parse_rate("0.9"), Ok(0.9));
        assert_eq!(parse_rate("90%"), Ok(0.9));
        assert!(parse_rate("1.5").is_err());
        assert!(parse_rate("x").is_err());
    }

    #[test]
    fn selection_by_name_and_category() {
        let all = select(None, None).unwrap();
        assert_eq!(all.len(), MUTANTS.len());
        let one = select(Some("mutant:cl-sdiv-pow2, cl-sdiv-pow2"), None).unwrap();
        assert_eq!(one.len(), 1);
        let eh = select(None, Some("exceptions")).unwrap();
        assert!(eh.iter().all(|(_, m)| m.category == Category::Exceptions));
        assert!(select(Some("nope"), None).is_err());
        assert!(select(None, Some("nope")).is_err());
        assert!(select(Some("cl-sdiv-pow2"), Some("exceptions")).is_err());
    }
}
