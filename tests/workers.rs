//! Tests of campaigns in worker processes: engines that segfault, spin or eat memory cost one worker each and are filed once; the same cases give the same counts in and out of process; a campaign killed with SIGKILL resumes without losing or repeating a case.

mod common;

use common::{catchall, root, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("worker-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The bucket folders (those with a `bucket.json`) of a findings folder.
fn buckets(out: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(out)
        .expect("the findings folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("bucket.json").exists())
        .collect();
    found.sort();
    found
}

/// Every saved case folder, each checked whole: its finding reads back and its module is there.
fn whole_findings(out: &Path) -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for bucket in buckets(out) {
        let doc = read_json(&bucket.join("bucket.json"));
        for name in doc["saved"].as_array().expect("saved cases") {
            let case = bucket.join(name.as_str().expect("a case name"));
            // A saved case may be missing only if it was being replaced at the kill; it is
            // never half there.
            if !case.exists() {
                continue;
            }
            let finding = read_json(&case.join("finding.json"));
            assert!(finding["bucket"].is_string(), "{}", case.display());
            for file in ["module.wasm", "plan.json"] {
                assert!(case.join(file).exists(), "{} lacks {file}", case.display());
            }
            cases.push(case);
        }
    }
    cases
}

/// The planted engines fire on modules with `i64.rem_u`; this seed and profile make few.
const PROFILE: &str = "memory64";
const SEED: &str = "11";
const CASES: u64 = 200;

/// A campaign of `CASES` cases against the reference and one fatal planted engine: it runs
/// every case, files exactly one bucket (the engine and how it was lost), and the finding's
/// reproduction command names the engine again.
fn fatal_engine_campaign(engine: &str, key: &str, verdict: &str, how: &str, alone: &str) {
    let out = fresh_dir(engine);
    let out_arg = out.display().to_string();
    let engines = format!("reference,{engine}");
    let cases = CASES.to_string();
    let started = Instant::now();
    let run = catchall(&[
        "fuzz",
        "--engines",
        &engines,
        "--profile",
        PROFILE,
        "--seed",
        SEED,
        "--cases",
        &cases,
        "--jobs",
        "2",
        "--no-reduce",
        "--step-timeout",
        "1s",
        "--worker-memory",
        "512M",
        "--out",
        &out_arg,
    ]);
    assert_eq!(
        run.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(&run),
        stderr(&run)
    );
    let stats = read_json(&out.join("stats.json"));
    assert_eq!(stats["cases"], CASES, "every case ran: {stats:#}");
    let lost = stats["engine_failures"][engine][how].as_u64().unwrap_or(0);
    assert!(lost > 0, "{engine} was never lost: {stats:#}");
    assert_eq!(stats["worker_restarts"], lost, "{stats:#}");
    assert_eq!(stats["divergences"], lost, "{stats:#}");
    let found = buckets(&out);
    assert_eq!(found.len(), 1, "exactly one bucket: {found:?}");
    let bucket = read_json(&found[0].join("bucket.json"));
    assert_eq!(bucket["key"], key);
    assert_eq!(bucket["count"], lost);
    let cases = whole_findings(&out);
    let finding = read_json(&cases[0].join("finding.json"));
    assert_eq!(finding["verdict"], verdict, "{finding:#}");
    // The reproduction command runs the case in a worker again and names the engine.
    let reproduce = finding["reproduce"].as_str().expect("a reproduce command");
    let args: Vec<&str> = reproduce
        .strip_prefix("cargo run --release -- ")
        .expect("a cargo run command")
        .split(' ')
        .chain(["--step-timeout", "1s", "--worker-memory", "512M"])
        .collect();
    let again = catchall(&args);
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    let text = stdout(&again);
    assert!(
        text.contains(&format!("{engine} alone: {alone}")),
        "`{reproduce}` printed:\n{text}"
    );
    eprintln!(
        "{engine}: {CASES} cases, {lost} workers lost, in {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_engine_that_segfaults_is_filed_once_and_the_campaign_goes_on() {
    fatal_engine_campaign(
        "planted-segv",
        "process-crash|engine=planted-segv|signal=SIGSEGV",
        "engine-crash",
        "crash",
        "killed by SIGSEGV",
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_engine_that_aborts_is_filed_once_and_the_campaign_goes_on() {
    fatal_engine_campaign(
        "planted-abort",
        "process-crash|engine=planted-abort|signal=SIGABRT",
        "engine-crash",
        "crash",
        "killed by SIGABRT",
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_engine_that_spins_is_filed_once_and_the_campaign_goes_on() {
    fatal_engine_campaign(
        "planted-spin",
        "process-crash|engine=planted-spin|signal=hang",
        "engine-hang",
        "hang",
        "began no new step",
    );
}

#[cfg(target_os = "linux")]
#[test]
fn an_engine_that_eats_memory_is_filed_once_and_the_campaign_goes_on() {
    fatal_engine_campaign(
        "planted-alloc",
        "process-crash|engine=planted-alloc|signal=memory",
        "engine-memory",
        "memory",
        "reached",
    );
}

/// The same cases give the same verdicts in worker processes as on threads in process.
#[test]
fn workers_and_threads_count_the_same_cases_the_same_way() {
    let mut counts = Vec::new();
    for mode in ["--in-process", "--jobs=2"] {
        let out = fresh_dir(&format!("same-{}", mode.trim_start_matches('-')));
        let out_arg = out.display().to_string();
        let run = catchall(&[
            "fuzz",
            mode,
            "--cases",
            "40",
            "--seed",
            "3",
            "--no-reduce",
            "--out",
            &out_arg,
        ]);
        assert!(
            matches!(run.status.code(), Some(0 | 1)),
            "{mode}: {}",
            stderr(&run)
        );
        let s = read_json(&out.join("stats.json"));
        counts.push((
            s["cases"].clone(),
            s["agreed"].clone(),
            s["divergences"].clone(),
            s["poisoned"].clone(),
            s["known_bugs"].clone(),
            s["engines_ran"].clone(),
            s["coverage"]["cases_counted"].clone(),
        ));
    }
    assert_eq!(counts[0], counts[1]);
}

/// `kill -9` of the campaign's process at any moment leaves every finding whole; `--resume`
/// continues with the same seed at the next indices, and the totals add up: every case index
/// counted exactly once.
#[cfg(unix)]
#[test]
fn a_campaign_killed_with_sigkill_resumes_without_losing_or_repeating_a_case() {
    let out = fresh_dir("resume");
    let total = 150u64;
    let mut child = Command::new(env!("CARGO_BIN_EXE_catchall"))
        .args(["fuzz", "--seed", "5", "--cases", &total.to_string()])
        .args([
            "--engines",
            "reference,wasmi,pulley",
            "--jobs",
            "2",
            "--no-reduce",
        ])
        .arg("--out")
        .arg(&out)
        .current_dir(root())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the catchall binary starts");
    // Kill it once some cases are checkpointed.
    let started = Instant::now();
    let checkpoint = out.join("campaign.json");
    loop {
        let done = std::fs::read_to_string(&checkpoint)
            .ok()
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|v| v["stats"]["cases"].as_u64())
            .unwrap_or(0);
        if done >= 30 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the campaign made no progress"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().expect("SIGKILL");
    let status = child.wait().expect("the campaign is gone");
    assert!(status.code().is_none(), "killed, not exited: {status:?}");
    // Whatever is on disk now is whole.
    whole_findings(&out);
    let before = read_json(&checkpoint);
    let done_before = before["stats"]["cases"].as_u64().unwrap_or(0);
    assert!(done_before < total, "killed too late to test anything");

    let out_arg = out.display().to_string();
    let resumed = catchall(&["fuzz", "--resume", &out_arg, "--no-reduce", "--jobs", "2"]);
    assert!(
        matches!(resumed.status.code(), Some(0 | 1)),
        "{}",
        stderr(&resumed)
    );
    assert!(stderr(&resumed).contains("resumed"), "{}", stderr(&resumed));
    assert!(
        !stderr(&resumed).contains("recorded twice"),
        "{}",
        stderr(&resumed)
    );
    let stats = read_json(&out.join("stats.json"));
    assert_eq!(stats["campaign"]["seed"], 5);
    assert_eq!(stats["campaign"]["resumed"], true);
    assert_eq!(stats["cases"], total, "{stats:#}");
    let sum = |v: &Value| -> u64 {
        v.as_object()
            .map(|m| m.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0)
    };
    let accounted = stats["agreed"].as_u64().unwrap_or(0)
        + stats["divergences"].as_u64().unwrap_or(0)
        + stats["poisoned_total"].as_u64().unwrap_or(0)
        + sum(&stats["known_bugs"]);
    assert_eq!(accounted, total, "the totals add up: {stats:#}");
    let after = read_json(&checkpoint);
    assert_eq!(
        after["done_below"], total,
        "every index done once: {after:#}"
    );
    assert_eq!(after["done_above"], serde_json::json!([]));
    // Each bucket's count is the number of its cases in the statistics.
    let mut counted = 0;
    for bucket in buckets(&out) {
        counted += read_json(&bucket.join("bucket.json"))["count"]
            .as_u64()
            .unwrap_or(0);
    }
    assert!(
        counted >= stats["divergences"].as_u64().unwrap_or(0),
        "buckets count {counted} cases: {stats:#}"
    );
    whole_findings(&out);
}

/// In a worker-process campaign the first finding of a new bucket is reduced by a
/// `catchall reduce` child while the campaign runs, and the summary lists its reduced size;
/// Ctrl-C stops a `catchall reduce` part way with its best so far written.
#[test]
fn a_worker_campaign_reduces_its_first_finding_in_a_child() {
    let out = fresh_dir("reduce-in-child");
    let out_arg = out.display().to_string();
    let run = catchall(&[
        "fuzz",
        "--engines",
        "reference,cranelift,planted",
        "--seed",
        "7",
        "--time",
        "20s",
        "--jobs",
        "2",
        "--reduce-time",
        "10s",
        "--out",
        &out_arg,
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let text = stdout(&run);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("reduced "))
        .unwrap_or_else(|| panic!("no reduced finding in the summary:\n{text}"));
    assert!(line.contains(" bytes in "), "{line}");
    let reduced = buckets(&out)
        .iter()
        .flat_map(|b| std::fs::read_dir(b).into_iter().flatten().flatten())
        .any(|case| case.path().join("reduced/module.wasm").exists());
    assert!(reduced, "no reduced/ folder beside a finding:\n{text}");

    // Ctrl-C stops `catchall reduce` over all of them part way: the reduction in progress
    // writes its best so far, the rest are left alone, and the table is printed (the
    // campaign's end stops its reducer child the same way).
    #[cfg(unix)]
    {
        let findings = buckets(&out)
            .iter()
            .flat_map(|b| std::fs::read_dir(b).into_iter().flatten().flatten())
            .filter(|case| case.path().join("finding.json").exists())
            .count();
        let child = Command::new(env!("CARGO_BIN_EXE_catchall"))
            .args(["reduce", &out_arg, "--time", "60s", "--json"])
            .current_dir(root())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the catchall binary starts");
        std::thread::sleep(Duration::from_millis(1500));
        let sent = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let done = child.wait_with_output().expect("reduce ends");
        assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
        let doc: Value = serde_json::from_slice(&done.stdout).expect("the JSON table");
        let rows = doc["rows"].as_array().expect("rows");
        assert!(
            !rows.is_empty() && rows.len() < findings,
            "{} of {findings}",
            rows.len()
        );
        let last = rows.last().expect("a row");
        assert!(last["reduced_bytes"].as_u64().is_some(), "{last:#}");
    }
}
