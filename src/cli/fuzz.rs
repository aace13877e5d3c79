//! `catchall fuzz`: the differential campaign on all cores, with a progress bar, findings on
//! disk, a summary table and `stats.json`; `--case` reruns one case.

use crate::campaign::{Campaign, CampaignConfig, Checkpoint, Isolation, compile_bound, run_one};
use crate::cli::{EXIT_FINDING, engines};
use crate::generate::Profile;
use crate::report::Table;
use anyhow::{Context, bail};
use indicatif::{ProgressBar, ProgressStyle};
use oracles::Limits;
use oracles::compare::Verdict;
use serde_json::json;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The long help of the subcommand (`--help`).
pub const LONG_ABOUT: &str = "Generates modules (wasm-smith under a swarm configuration, and catchall's own \
exception and memory64 scenarios), runs each on every selected engine with the reference \
interpreter as the oracle, and saves every divergence under --out, bucketed by what diverged.\n\n\
Each case is a pure function of (--seed, case index): `catchall fuzz --seed S --case I` reruns \
one case and prints its report. Every saved finding holds a one-line reproduction command.\n\n\
Cases run in worker processes (`--in-process`: threads of this one): an engine that crashes, \
hangs past --step-timeout or grows past --worker-memory costs one worker, is named by rerunning \
the case on each engine alone, and is filed (engine-crash, engine-hang, engine-memory) or \
counted as a known bug; the campaign goes on. `--resume DIR` continues a stopped or killed \
campaign.\n\n\
Ctrl-C stops cleanly: the summary is printed and stats.json and every finding are intact.\n\n\
Exit status: 0 when no divergence was found, 1 when one was, 2 on bad input.";

/// Arguments of `catchall fuzz`.
#[derive(clap::Args, Debug)]
pub struct FuzzArgs {
    /// Stop after this long (e.g. 90s, 10m, 1h; default: run until Ctrl-C or --cases).
    #[arg(long, value_parser = parse_duration, value_name = "DURATION")]
    pub time: Option<Duration>,
    /// Stop after this many cases.
    #[arg(long, value_name = "N")]
    pub cases: Option<u64>,
    /// Comma-separated engines (default: every engine built in).
    #[arg(long, value_name = "A,B,..")]
    pub engines: Option<String>,
    /// What to generate.
    #[arg(long, value_enum, default_value_t = Profile::Mixed)]
    pub profile: Profile,
    /// The findings folder.
    #[arg(long, default_value = "findings", value_name = "DIR")]
    pub out: PathBuf,
    /// The campaign seed (default: from the clock; printed so the campaign can be repeated).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Rerun only this case of the campaign given by --seed, and print its report.
    #[arg(long, value_name = "INDEX", requires = "seed")]
    pub case: Option<u64>,
    /// Worker threads (default: every core).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Fuel for each step (instantiation or call).
    #[arg(long, default_value_t = Limits::default().fuel)]
    pub fuel: u64,
    /// After the campaign, compile the same cases with the same engines and nothing else, and
    /// report the campaign's throughput as a share of that compile-only bound.
    #[arg(long)]
    pub compile_bound: bool,
    /// Stop as soon as the first divergence is saved.
    #[arg(long)]
    pub stop_on_divergence: bool,
    /// Reduce the first finding of each new bucket while the campaign runs (one at a time, in
    /// the background), for at most this long each; written to <finding>/reduced/.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub reduce_time: Duration,
    /// Do not reduce findings during the campaign (`catchall triage` reduces them later).
    #[arg(long)]
    pub no_reduce: bool,
    /// With --case: print the report as JSON.
    #[arg(long, requires = "case")]
    pub json: bool,
    /// Run the campaign's cases on threads of this process instead of in worker processes
    /// (faster to start, but an engine that crashes or hangs takes the campaign with it).
    #[arg(long, conflicts_with = "isolated")]
    pub in_process: bool,
    /// With --case: run the case in a worker process, as the campaign does, and report how it
    /// ended (a crash, a hang, a memory blow-up) instead of dying with it.
    #[arg(long, requires = "case")]
    pub isolated: bool,
    /// The wall-clock deadline of every step (compile, instantiate, call) on each engine, on
    /// top of fuel: a worker that begins no new step for this long is killed.
    #[arg(long, value_parser = parse_duration, default_value = "10s", value_name = "DURATION")]
    pub step_timeout: Duration,
    /// The most resident memory one worker process may use (e.g. 512M, 4G; default: half the
    /// machine's memory shared among the workers).
    #[arg(long, value_parser = parse_size, value_name = "SIZE")]
    pub worker_memory: Option<u64>,
    /// Continue the campaign saved in DIR (same seed, profile, engines and fuel; the next
    /// case indices; cumulative statistics).
    #[arg(long, value_name = "DIR", conflicts_with_all = ["seed", "case", "engines", "profile", "out", "fuel"])]
    pub resume: Option<PathBuf>,
}

/// Parses `512M`, `4G`, `1.5G`, `65536` (bytes; K, M, G and T are powers of 1024).
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let (number, unit) = match t.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => t.split_at(i),
        None => (t, ""),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (try 512M or 4G)"))?;
    let scale: u64 = match unit
        .trim()
        .to_ascii_uppercase()
        .trim_end_matches("IB")
        .trim_end_matches('B')
    {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (use K, M, G or T)"
            ));
        }
    };
    let bytes = value * scale as f64;
    if !bytes.is_finite() || bytes < f64::from(1u32 << 20) || bytes > 1e18 {
        return Err(format!(
            "`{text}`: a worker needs between 1M and 1E of memory"
        ));
    }
    Ok(bytes as u64)
}

/// Parses `90`, `90s`, `500ms`, `10m`, `2h`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit() && c != '.') {
        Some(i) => text.split_at(i),
        None => (text, "s"),
    };
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration (try 90s, 10m or 1h)"))?;
    let scale = match unit {
        "ms" => 0.001,
        "s" | "sec" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (use ms, s, m or h)"
            ));
        }
    };
    let seconds = value * scale;
    // Ten years is past any campaign; beyond it (or NaN) `Duration` cannot hold the value.
    if !seconds.is_finite() || !(0.0..=315_360_000.0).contains(&seconds) {
        return Err(format!("`{text}`: a duration between 0s and ten years"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

static STOP: AtomicBool = AtomicBool::new(false);

/// Runs `catchall fuzz`.
pub fn run(mut args: FuzzArgs) -> anyhow::Result<ExitCode> {
    let resume = match &args.resume {
        Some(dir) => {
            let c = Checkpoint::load(dir)
                .with_context(|| format!("resuming the campaign in {}", dir.display()))?;
            args.seed = Some(c.seed);
            args.profile = Profile::ALL
                .into_iter()
                .find(|p| p.name() == c.profile)
                .with_context(|| format!("{}: unknown profile `{}`", dir.display(), c.profile))?;
            args.engines = Some(c.engines.clone());
            args.fuel = c.fuel;
            args.out = dir.clone();
            if args.cases.is_none() {
                args.cases = c.cases;
            }
            Some(c)
        }
        None => None,
    };
    if args.step_timeout.is_zero() || args.step_timeout > Duration::from_secs(86_400) {
        bail!("--step-timeout must be between 1ms and 24h");
    }
    let built = engines::select(args.engines.as_deref())?;
    let engine_refs: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
    let limits = Limits {
        fuel: args.fuel,
        ..Limits::default()
    };
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if jobs == 0 || jobs > 1024 {
        bail!("--jobs must be between 1 and 1024");
    }
    let isolation = |jobs: usize| -> anyhow::Result<Isolation> {
        Ok(Isolation {
            exe: std::env::current_exe().context("locating the catchall binary")?,
            step_timeout: args.step_timeout,
            memory: args
                .worker_memory
                .unwrap_or_else(|| crate::campaign::worker::default_memory_cap(jobs)),
        })
    };
    if let Some(index) = args.case {
        let seed = args.seed.context("--case needs --seed")?;
        if args.isolated {
            let names = engine_refs
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(",");
            return rerun_isolated(&isolation(1)?, &names, seed, index, args.profile, args.fuel);
        }
        return rerun_case(&engine_refs, seed, index, args.profile, limits, args.json);
    }
    let seed = args.seed.unwrap_or_else(clock_seed);
    if args.cases == Some(0) {
        bail!("--cases must be at least 1");
    }
    let isolation = if args.in_process {
        None
    } else {
        Some(isolation(jobs)?)
    };
    let config = CampaignConfig {
        seed,
        profile: args.profile,
        jobs,
        cases: args.cases,
        time: args.time,
        limits,
        out: args.out.clone(),
        stop_on_divergence: args.stop_on_divergence,
        reduce: (!args.no_reduce).then_some(args.reduce_time),
        isolation: isolation.clone(),
        resume: resume.clone(),
    };
    recover_orphans(&args.out)?;
    let campaign = Campaign::new(config, engine_refs.clone())
        .with_context(|| format!("opening the findings folder {}", args.out.display()))?;
    // Ctrl-C asks the workers to finish their case and stop; a second Ctrl-C exits at once.
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    // Engine panics are caught and reported as crashes with their message; the default hook
    // would print over the progress bar.
    oracles::differential::quiet_panics(true);
    eprintln!(
        "catchall fuzz: seed {seed}, profile {}, {jobs} {}, engines {}, findings in {}{}",
        args.profile,
        match &isolation {
            Some(iso) => format!(
                "worker processes (step deadline {:.0} s, {} MiB each)",
                iso.step_timeout.as_secs_f64(),
                iso.memory >> 20
            ),
            None => "threads in process".to_string(),
        },
        campaign.engine_list(),
        args.out.display(),
        match &resume {
            Some(c) => format!(
                " (resumed: {} cases done, continuing at case {})",
                c.stats.cases, c.done_below
            ),
            None => String::new(),
        }
    );
    let meta = |interrupted: bool, halted: bool| {
        json!({
            "seed": seed,
            "profile": args.profile.name(),
            "jobs": jobs,
            "engines": campaign.engine_list(),
            "interrupted": interrupted,
            "stopped_on_divergence": halted,
            "fuel": args.fuel,
            "isolation": isolation.as_ref().map(|iso| json!({
                "step_timeout_seconds": iso.step_timeout.as_secs_f64(),
                "worker_memory_bytes": iso.memory,
            })),
            "resumed": resume.is_some(),
        })
    };
    let stats_path = args.out.join("stats.json");
    let mut last_stats_write = std::time::Instant::now();
    let bar = progress_bar(args.cases);
    bar.set_position(resume.as_ref().map_or(0, |c| c.stats.cases));
    let elapsed = campaign.run(&STOP, |c| {
        // stats.json is rewritten (atomically) every ten seconds, not only at the end.
        if last_stats_write.elapsed() >= Duration::from_secs(10) {
            last_stats_write = std::time::Instant::now();
            let doc = c
                .stats()
                .to_json(c.total_elapsed().as_secs_f64(), meta(false, false));
            let _ = crate::campaign::findings::write_atomic(
                &stats_path,
                &(serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"),
            );
        }
        let p = c.progress();
        bar.set_position(p.cases);
        let secs = bar.elapsed().as_secs_f64().max(1e-3);
        bar.set_message(format!(
            "{:.1} cases/s | divergences {} | poisoned {:.1}% | exception thrown {:.1}%{}",
            p.cases as f64 / secs,
            p.divergences,
            pct(p.poisoned, p.cases),
            pct(p.thrown, p.counted),
            c.reducing()
                .map_or(String::new(), |b| format!(" | reducing {b}"))
        ));
    });
    bar.finish_and_clear();
    oracles::differential::quiet_panics(false);
    let stats = campaign.stats();
    let seconds = campaign.total_elapsed().as_secs_f64();
    let mut meta = meta(STOP.load(Ordering::SeqCst), campaign.halted());
    if args.compile_bound && stats.cases > 0 {
        eprintln!(
            "measuring the compile-only bound over the same {} cases...",
            stats.cases
        );
        let bound = compile_bound(&engine_refs, seed, stats.cases, args.profile, jobs);
        let bound_rate = stats.cases as f64 / bound.as_secs_f64().max(1e-9);
        let rate = stats.cases as f64 / elapsed.as_secs_f64().max(1e-9);
        meta["compile_bound"] = json!({
            "seconds": bound.as_secs_f64(),
            "cases_per_second": bound_rate,
            "campaign_share_of_bound": rate / bound_rate,
        });
    }
    let doc = stats.to_json(seconds, meta.clone());
    crate::campaign::findings::write_atomic(
        &stats_path,
        &(serde_json::to_string_pretty(&doc)? + "\n"),
    )
    .with_context(|| format!("writing {}", stats_path.display()))?;
    print!("{}", summary(&doc, &campaign));
    for e in campaign.errors() {
        eprintln!("warning: {e}");
    }
    Ok(if stats.divergences > 0 {
        ExitCode::from(EXIT_FINDING)
    } else {
        ExitCode::SUCCESS
    })
}

/// Saves the cases a previous campaign in `out` died on (its in-flight markers outlived it) as
/// `process-crash` findings, finding the engine that dies by rerunning each alone.
fn recover_orphans(out: &std::path::Path) -> anyhow::Result<()> {
    let orphans = crate::campaign::inflight::orphans(out)
        .with_context(|| format!("reading the in-flight markers in {}", out.display()))?;
    if orphans.is_empty() {
        return Ok(());
    }
    let exe = std::env::current_exe().context("locating the catchall binary")?;
    for orphan in &orphans {
        eprintln!(
            "catchall fuzz: a previous campaign in {} died while running case {} of seed {}; \
             rerunning it on each engine alone...",
            out.display(),
            orphan.index,
            orphan.seed
        );
        let (dir, reruns) = crate::campaign::inflight::recover(&exe, out, orphan)
            .with_context(|| format!("recovering case {} of seed {}", orphan.index, orphan.seed))?;
        let died: Vec<String> = reruns
            .iter()
            .filter(|r| r.died)
            .map(|r| format!("{} ({})", r.engine, r.ended))
            .collect();
        eprintln!(
            "catchall fuzz: saved {} (the process dies on: {})",
            dir.display(),
            if died.is_empty() {
                "no engine alone".to_string()
            } else {
                died.join(", ")
            }
        );
    }
    Ok(())
}

fn rerun_case(
    engines: &[&dyn oracles::Engine],
    seed: u64,
    index: u64,
    profile: Profile,
    limits: Limits,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let run = run_one(engines, seed, index, profile, limits, true);
    let table = Table::from_case(
        &format!(
            "case {index} of seed {seed} ({profile}, {}: {})",
            run.case.generator, run.case.config
        ),
        &run.report,
    );
    let known = crate::campaign::known::classify(
        engines,
        &run.wasm,
        &run.case.plan,
        &run.options,
        &run.report,
    );
    if json {
        let mut doc = table.to_json();
        doc["known_bug"] = serde_json::to_value(known.map(|b| b.name))?;
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        print!("{}", table.render());
        if let Some(bug) = known {
            println!(
                "known bug: {} in {} (confirmed: the sidestepped module agrees; {})",
                bug.name, bug.engine, bug.regression
            );
        }
    }
    Ok(match run.report.verdict {
        Verdict::Diverge(_) => ExitCode::from(EXIT_FINDING),
        _ => ExitCode::SUCCESS,
    })
}

/// `fuzz --case N --isolated`: the case in a worker process, as the campaign runs it; a lost
/// worker is followed by a rerun on each engine alone, which names the engine.
fn rerun_isolated(
    iso: &Isolation,
    engines: &str,
    seed: u64,
    index: u64,
    profile: Profile,
    fuel: u64,
) -> anyhow::Result<ExitCode> {
    use crate::campaign::worker::{Ended, Request, WorkerProc, WorkerSpec, rerun_alone};
    let out = std::env::temp_dir().join(format!("catchall-case-{}", std::process::id()));
    let spec = WorkerSpec {
        seed,
        profile,
        engines: engines.to_string(),
        fuel,
        out: out.clone(),
    };
    let mut worker = WorkerProc::spawn(&iso.exe, &spec).context("starting a worker process")?;
    let request = Request {
        case: index,
        sidestep: None,
    };
    let ended = worker.run(&request, iso.step_timeout, iso.memory);
    drop(worker);
    let code = match ended {
        Ended::Done(r) => {
            println!(
                "case {index} of seed {seed} ({profile}) on {engines}: {}{}",
                r.verdict,
                r.known
                    .as_ref()
                    .map_or(String::new(), |k| format!(" (known bug {k})"))
            );
            if r.is_finding() { EXIT_FINDING } else { 0 }
        }
        Ended::Failed(message) => {
            let _ = std::fs::remove_dir_all(&out);
            bail!("case {index}: {message}");
        }
        Ended::Lost(loss) => {
            println!(
                "case {index} of seed {seed} ({profile}) on {engines}: the worker {}",
                loss.describe()
            );
            for (rerun, _) in rerun_alone(iso, &spec, index) {
                println!("  {} alone: {}", rerun.engine, rerun.ended);
            }
            EXIT_FINDING
        }
    };
    let _ = std::fs::remove_dir_all(&out);
    Ok(ExitCode::from(code))
}

fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn pct(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

fn progress_bar(cases: Option<u64>) -> ProgressBar {
    let bar = match cases {
        Some(n) => ProgressBar::new(n).with_style(
            ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{elapsed_precise} {spinner} {pos} cases | {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    };
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The end-of-campaign summary table.
fn summary(doc: &serde_json::Value, campaign: &Campaign) -> String {
    use std::fmt::Write as _;
    let mut s = String::new();
    let get = |k: &str| doc[k].as_f64().unwrap_or(0.0);
    let cases = doc["cases"].as_u64().unwrap_or(0);
    let _ = writeln!(s);
    let _ = writeln!(
        s,
        "campaign  seed {}  profile {}  jobs {}  {}",
        doc["campaign"]["seed"],
        doc["campaign"]["profile"].as_str().unwrap_or(""),
        doc["campaign"]["jobs"],
        if doc["campaign"]["interrupted"].as_bool() == Some(true) {
            "(interrupted)"
        } else {
            ""
        }
    );
    let _ = writeln!(
        s,
        "cases        {cases} in {:.1} s ({:.1} cases/s)",
        get("seconds"),
        get("cases_per_second")
    );
    let _ = writeln!(s, "agreed       {}", doc["agreed"]);
    let _ = writeln!(s, "divergences  {}", doc["divergences"]);
    if let Some(known) = doc["known_bugs"].as_object().filter(|m| !m.is_empty()) {
        let list: Vec<String> = known.iter().map(|(k, v)| format!("{k} {v}")).collect();
        let _ = writeln!(
            s,
            "known bugs   {} (confirmed case by case; kept in {}/known-*)",
            list.join(", "),
            campaign.out().display()
        );
    }
    if let Some(lost) = doc["engine_failures"].as_object().filter(|m| !m.is_empty()) {
        let list: Vec<String> = lost
            .iter()
            .flat_map(|(engine, hows)| {
                hows.as_object()
                    .into_iter()
                    .flatten()
                    .map(move |(how, n)| format!("{engine} {how} {n}"))
            })
            .collect();
        let _ = writeln!(
            s,
            "lost workers {} ({}; each case rerun on every engine alone)",
            doc["worker_restarts"],
            list.join(", ")
        );
    }
    let poisoned = doc["poisoned"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "poisoned     {} ({:.1}%){}",
        doc["poisoned_total"],
        pct(doc["poisoned_total"].as_u64().unwrap_or(0), cases),
        if poisoned.is_empty() {
            String::new()
        } else {
            format!(": {poisoned}")
        }
    );
    let c = &doc["coverage"];
    let share = |k: &str| 100.0 * c[k].as_f64().unwrap_or(0.0);
    let _ = writeln!(
        s,
        "exceptions   thrown {:.1}% | caught {:.1}% | across frames {:.1}% | escaped {:.1}% | throw_ref {:.1}%  (of {} cases counted by the reference)",
        share("exception_thrown"),
        share("caught_in_wasm"),
        share("caught_across_frames"),
        share("escaped_to_host"),
        share("rethrown_by_throw_ref"),
        c["cases_counted"]
    );
    let kinds = c["caught_by_kind"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {:.1}%", 100.0 * v.as_f64().unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default();
    let _ = writeln!(s, "catch kinds  {kinds}");
    let _ = writeln!(
        s,
        "memory64     accesses {:.1}% | near a bound {:.1}% | at >= 4 GiB {:.1}% | grow {:.1}%",
        share("memory64_accesses"),
        share("memory64_near_bound"),
        share("memory64_at_or_above_4gib"),
        share("memory64_grow")
    );
    let phases = &doc["phases"];
    let per_engine = |k: &str| {
        phases[k]
            .as_object()
            .map(|m| {
                m.iter()
                    .map(|(e, v)| format!("{e} {:.1}", v.as_f64().unwrap_or(0.0)))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    let _ = writeln!(
        s,
        "phases (s)   generating {:.1} | comparing {:.1}",
        phases["generating"].as_f64().unwrap_or(0.0),
        phases["comparing"].as_f64().unwrap_or(0.0)
    );
    let ran = doc["engines_ran"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(e, v)| format!("{e} {:.1}%", 100.0 * v["share"].as_f64().unwrap_or(0.0)))
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "engines ran  {ran}  (share of cases each engine was given)"
    );
    let _ = writeln!(s, "  compiling  {}", per_engine("compiling"));
    let _ = writeln!(s, "  executing  {}", per_engine("executing"));
    if let Some(b) = doc["campaign"].get("compile_bound") {
        let _ = writeln!(
            s,
            "throughput   {:.1}% of the compile-only bound ({:.1} cases/s compiling alone)",
            100.0 * b["campaign_share_of_bound"].as_f64().unwrap_or(0.0),
            b["cases_per_second"].as_f64().unwrap_or(0.0)
        );
    }
    let buckets = doc["buckets"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "findings     {} distinct buckets{} in {}",
        doc["distinct_buckets"],
        if buckets.is_empty() {
            String::new()
        } else {
            format!(" ({buckets})")
        },
        campaign.out().display()
    );
    let reduced = campaign.reduced();
    for r in &reduced {
        let _ = match r.reduced {
            Some(b) => writeln!(
                s,
                "  reduced {}: {} -> {b} bytes in {:.1} s ({})",
                r.bucket, r.original, r.seconds, r.note
            ),
            None => writeln!(s, "  {}: {}", r.bucket, r.note),
        };
    }
    for dir in campaign.saved().iter().take(10) {
        if let Some(command) = crate::campaign::findings::saved_reproduce_command(dir) {
            let _ = writeln!(s, "  reproduce: {command}");
        }
    }
    let _ = writeln!(
        s,
        "stats        {}",
        campaign.out().join("stats.json").display()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512M"), Ok(512 << 20));
        assert_eq!(parse_size("4G"), Ok(4 << 30));
        assert_eq!(parse_size("1.5GiB"), Ok(3 << 29));
        assert!(parse_size("12").is_err(), "too small");
        assert!(parse_size("4 parsecs").is_err());
        assert!(parse_size("99999999T").is_err());
    }

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1500ms"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("m").is_err());
        assert!(parse_duration("99999999999999999999999").is_err());
        assert!(parse_duration("1e400").is_err());
    }
}
