//! `catchall reduce <FINDING>...`: shrink findings' modules and plans while the rerun on their engines keeps the same bucket key; each result goes to `<FINDING>/reduced/` with a verified `.wast` regression, and several findings give a table (optionally against wasm-shrink alone).

use crate::cli::fuzz::parse_duration;
use anyhow::{Context, bail};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Set by the first Ctrl-C (SIGINT): the reduction in progress stops with its best so far,
/// which is written as usual, and findings not started yet are left alone.
static STOP: AtomicBool = AtomicBool::new(false);

/// Arguments of `catchall reduce`.
#[derive(clap::Args, Debug)]
#[command(after_help = "\
A FINDING is a finding folder saved by `catchall fuzz` (findings/<bucket>/case-<seed>-<index>) \
or any folder holding some (a findings folder, a `catchall calibrate` output): every finding \
under it is reduced, one after the other. With one finding the reduced module is printed; with \
several, one row per finding and the medians. Known bugs and process crashes are listed, not \
reduced.\n\n\
--compare-wasm-shrink also runs wasm-shrink alone on each original module with the same \
predicate (the same bucket key on the same engines, the plan fixed) and the same time limit, \
and prints its size and time beside ours; a module wasm-shrink refuses says so.\n\n\
Ctrl-C (SIGINT) stops the reduction in progress and writes its smallest candidate so far (its \
regression verified as usual); findings not started are left alone. A second Ctrl-C exits at \
once.")]
pub struct ReduceArgs {
    /// Finding folders, or folders holding findings.
    #[arg(required = true)]
    pub findings: Vec<PathBuf>,
    /// Stop each reduction after this long and keep the smallest candidate so far.
    #[arg(long, value_parser = parse_duration, default_value = "60s", value_name = "DURATION")]
    pub time: Duration,
    /// Candidates tested at once.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub jobs: usize,
    /// Do not run wasm-shrink as one more pass.
    #[arg(long)]
    pub no_wasm_shrink: bool,
    /// Also reduce each original with wasm-shrink alone (same predicate and time) and compare.
    #[arg(long)]
    pub compare_wasm_shrink: bool,
    /// Print the rows and the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

/// One finding's row of the table.
#[derive(Serialize, Debug)]
struct Row {
    finding: String,
    bucket: String,
    original_bytes: u64,
    reduced_bytes: Option<u64>,
    seconds: Option<f64>,
    regression_verified: Option<bool>,
    /// Why no script can assert the divergence, when none can.
    regression_inexpressible: Option<String>,
    wasm_shrink_bytes: Option<u64>,
    wasm_shrink_seconds: Option<f64>,
    wasm_shrink_note: Option<String>,
    not_reduced: Option<String>,
}

/// Finding folders at or under `path` (a folder with `finding.json`; `reduced/` skipped).
fn finding_dirs(path: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if !path.is_dir() {
        bail!(
            "{}: not a folder (pass a finding folder such as findings/<bucket>/case-<seed>-<index>, or a folder holding findings)",
            path.display()
        );
    }
    if path.join("finding.json").exists() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .with_context(|| format!("reading {}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n != "reduced"))
        .collect();
    entries.sort();
    for e in entries {
        finding_dirs(&e, out)?;
    }
    Ok(())
}

/// Runs `catchall reduce`.
pub fn run(args: ReduceArgs) -> anyhow::Result<ExitCode> {
    let mut dirs = Vec::new();
    for f in &args.findings {
        finding_dirs(f, &mut dirs)?;
    }
    if dirs.is_empty() {
        bail!("no finding folder (one holding finding.json) under the given paths");
    }
    let settings = triage::reduce::Settings {
        time: args.time,
        threads: args.jobs.max(1),
        wasm_shrink: !args.no_wasm_shrink,
    };
    oracles::differential::quiet_panics(true);
    let _ = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            std::process::exit(130);
        }
    });
    if dirs.len() == 1 && !args.compare_wasm_shrink && !args.json {
        return reduce_one(&dirs[0], settings);
    }
    let mut rows = Vec::new();
    for dir in &dirs {
        if STOP.load(Ordering::SeqCst) {
            break;
        }
        let row = reduce_row(dir, settings, args.compare_wasm_shrink)?;
        if !args.json {
            eprintln!("{}", row_line(&row));
        }
        rows.push(row);
    }
    let summary = summarize(&rows);
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({"rows": rows, "summary": summary}))?
        );
    } else {
        println!("{}", table(&rows));
        println!("{summary}");
    }
    Ok(ExitCode::SUCCESS)
}

fn reduce_one(dir: &Path, settings: triage::reduce::Settings) -> anyhow::Result<ExitCode> {
    let finding = triage::finding::load(dir)?;
    let built = triage::workflow::build_engines(dir, &finding.doc)?;
    let engines: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
    let reduced = triage::workflow::reduce_finding(&finding, &engines, settings, Some(&STOP))
        .with_context(|| format!("reducing {}", dir.display()))?;
    let d = &reduced.doc;
    println!("bucket     {}", d.bucket);
    println!(
        "reduced    {} -> {} bytes, {} -> {} calls in {:.1} s{}",
        d.original_bytes,
        d.reduced_bytes,
        d.original_calls,
        d.reduced_calls,
        d.seconds,
        match (d.timed_out, STOP.load(Ordering::SeqCst)) {
            (_, true) => " (interrupted: the smallest so far)",
            (true, false) => " (time ran out)",
            (false, false) => "",
        }
    );
    println!(
        "candidates {} run, {} from the cache, {} invalid",
        d.tested, d.cache_hits, d.invalid
    );
    if d.pass_panics > 0 {
        println!(
            "warning    {} reduction pass(es) panicked on this module and were skipped (a catchall bug: please report it with the finding)",
            d.pass_panics
        );
    }
    for c in &d.regression {
        println!(
            "regression {:<18} {}{}",
            c.engine,
            match (&c.skipped, c.failures.is_empty()) {
                (Some(why), _) => format!("skipped ({why})"),
                (None, true) => format!("passes ({} assertions)", c.passed),
                (None, false) => format!("fails ({})", c.failures.join("; ")),
            },
            if c.dissenting { "  [dissenting]" } else { "" }
        );
    }
    println!("written    {}", reduced.reduced_dir.display());
    print!(
        "{}",
        triage::finding::module_text(&reduced.reduction.best.wasm)
    );
    Ok(ExitCode::SUCCESS)
}

/// Reduces one finding of several; a finding that cannot be reduced is a row that says why
/// (a broken folder is still an error: it is bad input).
fn reduce_row(
    dir: &Path,
    settings: triage::reduce::Settings,
    compare: bool,
) -> anyhow::Result<Row> {
    let finding = triage::finding::load(dir)?;
    let built = triage::workflow::build_engines(dir, &finding.doc)?;
    let engines: Vec<&dyn oracles::Engine> = built.iter().map(|e| e.as_ref()).collect();
    let mut row = Row {
        finding: dir.display().to_string(),
        bucket: finding.doc.bucket.to_string(),
        original_bytes: finding.wasm.len() as u64,
        reduced_bytes: None,
        seconds: None,
        regression_verified: None,
        regression_inexpressible: None,
        wasm_shrink_bytes: None,
        wasm_shrink_seconds: None,
        wasm_shrink_note: None,
        not_reduced: None,
    };
    match triage::workflow::reduce_finding(&finding, &engines, settings, Some(&STOP)) {
        Ok(r) => {
            row.reduced_bytes = Some(r.doc.reduced_bytes);
            row.seconds = Some(r.doc.seconds);
            row.regression_verified = Some(r.doc.regression_verified);
            row.regression_inexpressible = r.doc.regression_inexpressible.clone();
        }
        Err(e) => {
            row.not_reduced = Some(e.to_string());
            return Ok(row);
        }
    }
    if compare {
        let reducer = triage::reduce::Reducer::new(
            engines.clone(),
            finding.doc.run_options(),
            finding.doc.bucket.clone(),
            settings,
        );
        match reducer.wasm_shrink_alone(triage::reduce::Candidate {
            wasm: finding.wasm.clone(),
            plan: finding.plan.clone(),
        }) {
            Ok(r) if r.best.wasm.len() >= finding.wasm.len() => {
                // No smaller module kept the key: with exception handling wasm-mutate's
                // mutations fail or are refused, and the module comes back unchanged.
                let tags = oracles::ModuleInfo::parse(&finding.wasm)
                    .map(|i| !i.tags.is_empty())
                    .unwrap_or(false);
                row.wasm_shrink_note = Some(format!(
                    "cannot reduce it: no smaller module in {:.1} s{}",
                    r.elapsed.as_secs_f64(),
                    if tags {
                        " (the module uses exception handling)"
                    } else {
                        ""
                    }
                ));
            }
            Ok(r) => {
                row.wasm_shrink_bytes = Some(r.best.wasm.len() as u64);
                row.wasm_shrink_seconds = Some((r.elapsed.as_secs_f64() * 100.0).round() / 100.0);
                row.wasm_shrink_note = r.wasm_shrink;
            }
            Err(e) => row.wasm_shrink_note = Some(format!("refused: {e}")),
        }
    }
    Ok(row)
}

fn row_line(r: &Row) -> String {
    match (&r.not_reduced, r.reduced_bytes) {
        (Some(why), _) => format!("{}: not reduced: {why}", r.finding),
        (None, Some(b)) => format!(
            "{}: {} -> {} bytes in {:.1} s{}",
            r.finding,
            r.original_bytes,
            b,
            r.seconds.unwrap_or(0.0),
            match (r.wasm_shrink_bytes, &r.wasm_shrink_note) {
                (Some(w), _) => format!(
                    "; wasm-shrink {w} bytes in {:.1} s",
                    r.wasm_shrink_seconds.unwrap_or(0.0)
                ),
                (None, Some(n)) => format!("; wasm-shrink {n}"),
                (None, None) => String::new(),
            }
        ),
        (None, None) => format!("{}: no result", r.finding),
    }
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    Some(if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    })
}

/// The medians and extremes of a reduction table.
#[derive(Serialize, Debug)]
struct Summary {
    findings: usize,
    reduced: usize,
    median_bytes: Option<f64>,
    max_bytes: Option<u64>,
    median_seconds: Option<f64>,
    verified: usize,
    /// Reduced findings whose divergence no script can assert (a named reason each).
    inexpressible: usize,
    wasm_shrink_accepted: usize,
    wasm_shrink_median_bytes: Option<f64>,
    wasm_shrink_median_seconds: Option<f64>,
    median_size_ratio_to_wasm_shrink: Option<f64>,
}

fn summarize(rows: &[Row]) -> Summary {
    let reduced: Vec<&Row> = rows.iter().filter(|r| r.reduced_bytes.is_some()).collect();
    let shrunk: Vec<&Row> = reduced
        .iter()
        .copied()
        .filter(|r| r.wasm_shrink_bytes.is_some())
        .collect();
    Summary {
        findings: rows.len(),
        reduced: reduced.len(),
        median_bytes: median(
            reduced
                .iter()
                .filter_map(|r| r.reduced_bytes.map(|b| b as f64))
                .collect(),
        ),
        max_bytes: reduced.iter().filter_map(|r| r.reduced_bytes).max(),
        median_seconds: median(reduced.iter().filter_map(|r| r.seconds).collect()),
        verified: reduced
            .iter()
            .filter(|r| r.regression_verified == Some(true))
            .count(),
        inexpressible: reduced
            .iter()
            .filter(|r| r.regression_inexpressible.is_some())
            .count(),
        wasm_shrink_accepted: shrunk.len(),
        wasm_shrink_median_bytes: median(
            shrunk
                .iter()
                .filter_map(|r| r.wasm_shrink_bytes.map(|b| b as f64))
                .collect(),
        ),
        wasm_shrink_median_seconds: median(
            shrunk
                .iter()
                .filter_map(|r| r.wasm_shrink_seconds)
                .collect(),
        ),
        median_size_ratio_to_wasm_shrink: median(
            shrunk
                .iter()
                .filter_map(|r| Some(r.reduced_bytes? as f64 / r.wasm_shrink_bytes?.max(1) as f64))
                .collect(),
        ),
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let num = |x: Option<f64>| x.map_or("-".to_string(), |x| format!("{x:.1}"));
        write!(
            f,
            "{} findings, {} reduced: median {} bytes (max {}), median {} s, {} regressions verified",
            self.findings,
            self.reduced,
            num(self.median_bytes),
            self.max_bytes.map_or("-".to_string(), |b| b.to_string()),
            num(self.median_seconds),
            self.verified
        )?;
        if self.inexpressible > 0 {
            write!(
                f,
                " ({} not expressible in a script, see the table)",
                self.inexpressible
            )?;
        }
        if self.wasm_shrink_accepted > 0 || self.reduced > 0 {
            write!(
                f,
                "\nwasm-shrink alone accepted {} of {}: median {} bytes in {} s; ours / wasm-shrink median size ratio {}",
                self.wasm_shrink_accepted,
                self.reduced,
                num(self.wasm_shrink_median_bytes),
                num(self.wasm_shrink_median_seconds),
                self.median_size_ratio_to_wasm_shrink
                    .map_or("-".to_string(), |x| format!("{x:.2}"))
            )?;
        }
        Ok(())
    }
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| finding | bucket | original | reduced | s | verified | wasm-shrink alone |\n|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let shrink = match (r.wasm_shrink_bytes, &r.wasm_shrink_note) {
            (Some(b), None) => format!("{b} B in {:.1} s", r.wasm_shrink_seconds.unwrap_or(0.0)),
            (Some(b), Some(n)) => format!(
                "{b} B in {:.1} s (stopped: {})",
                r.wasm_shrink_seconds.unwrap_or(0.0),
                n.chars().take(60).collect::<String>()
            ),
            (None, Some(n)) => n.chars().take(80).collect(),
            (None, None) => "-".to_string(),
        };
        out.push_str(&format!(
            "| {} | `{}` | {} | {} | {} | {} | {} |\n",
            r.finding,
            r.bucket,
            r.original_bytes,
            r.reduced_bytes
                .map_or_else(|| "-".to_string(), |b| b.to_string()),
            r.seconds
                .map_or_else(|| "-".to_string(), |s| format!("{s:.1}")),
            match (r.regression_verified, &r.not_reduced) {
                (Some(_), _) if r.regression_inexpressible.is_some() => format!(
                    "inexpressible: {}",
                    r.regression_inexpressible
                        .as_deref()
                        .and_then(|w| w.split(':').next())
                        .unwrap_or_default()
                ),
                (Some(v), _) => v.to_string(),
                (None, Some(why)) => format!("not reduced: {why}"),
                (None, None) => "-".to_string(),
            },
            shrink
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn folders_holding_findings_are_walked_and_reduced_folders_skipped() {
        let root =
            std::env::temp_dir().join(format!("catchall-reduce-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["a/case-1-1", "a/case-1-1/reduced", "b/seed-1/x/case-1-2"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
            std::fs::write(root.join(d).join("finding.json"), "{}").unwrap();
        }
        let mut found = Vec::new();
        finding_dirs(&root, &mut found).unwrap();
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(&root).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["a/case-1-1", "b/seed-1/x/case-1-2"]);
        assert!(finding_dirs(&root.join("missing"), &mut found).is_err());
        let _ = std::fs::remove_dir_all(&root);
    }
}
