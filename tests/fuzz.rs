//! Tests of `catchall fuzz` as a user runs it: a planted bug is found, saved and reproduced; a campaign's `stats.json` holds what it promises; one case reruns alone.

mod common;

use common::{catchall, root, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs a command line recorded in a finding (`cargo run --release -- ...`) with the built
/// binary, asking for JSON; returns the exit status and the document.
fn rerun(recorded: &str) -> (Option<i32>, Value) {
    let args: Vec<&str> = recorded
        .strip_prefix("cargo run --release -- ")
        .unwrap_or_else(|| panic!("not a cargo run command: {recorded}"))
        .split(' ')
        .chain(["--json"])
        .collect();
    let out = catchall(&args);
    let doc = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| {
        panic!(
            "`{recorded}` printed no JSON ({e}); stderr: {}",
            stderr(&out)
        )
    });
    (out.status.code(), doc)
}

/// A fresh, empty folder under cargo's per-target temporary directory.
fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz-tests")
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

/// Every saved case folder under a findings folder.
fn saved_cases(out: &Path) -> Vec<PathBuf> {
    let mut cases = Vec::new();
    for bucket in std::fs::read_dir(out)
        .expect("the findings folder exists")
        .flatten()
    {
        let bucket = bucket.path();
        if !bucket.is_dir() || bucket.file_name().is_some_and(|n| n == ".tmp") {
            continue;
        }
        for case in std::fs::read_dir(&bucket)
            .expect("a bucket folder")
            .flatten()
        {
            if case.path().join("finding.json").exists() {
                cases.push(case.path());
            }
        }
    }
    cases.sort();
    cases
}

/// The `planted` engine (Cranelift with `i64.rem_u` executed as `i64.rem_s`) is caught within
/// 60 seconds, and the saved finding reruns with its own reproduction command to the same
/// verdict.
#[test]
fn a_planted_miscompilation_is_found_saved_and_reproduced() {
    let out = fresh_dir("planted");
    let out_arg = out.display().to_string();
    let started = Instant::now();
    let run = catchall(&[
        "fuzz",
        "--engines",
        "reference,planted",
        "--seed",
        "7",
        "--time",
        "60s",
        "--stop-on-divergence",
        "--out",
        &out_arg,
    ]);
    let elapsed = started.elapsed();
    assert_eq!(run.status.code(), Some(1), "stderr: {}", stderr(&run));
    assert!(
        elapsed < Duration::from_secs(60),
        "the planted bug took {elapsed:?}"
    );
    let stats = read_json(&out.join("stats.json"));
    assert_eq!(stats["campaign"]["stopped_on_divergence"], true);
    assert!(stats["divergences"].as_u64().unwrap_or(0) >= 1, "{stats:#}");

    let cases = saved_cases(&out);
    let case = cases.first().expect("a saved finding");
    for file in [
        "module.wasm",
        "module.wat",
        "plan.json",
        "report.txt",
        "report.json",
    ] {
        assert!(case.join(file).exists(), "{} lacks {file}", case.display());
    }
    let finding = read_json(&case.join("finding.json"));
    assert_eq!(finding["verdict"], "diverge");
    assert_eq!(finding["seed"], 7);
    let suspect = finding["divergence"]["suspect"].as_str().unwrap_or("");
    assert!(suspect.contains("planted"), "suspect: {suspect}");

    // The reproduction command, as recorded, reruns the saved bytes to the same divergence.
    let (status, doc) = rerun(finding["reproduce"].as_str().expect("a reproduce command"));
    assert_eq!(status, Some(1), "{doc:#}");
    assert_eq!(doc["verdict"], "diverge");
    let first = &doc["divergences"][0];
    assert_eq!(first["kind"], finding["divergence"]["kind"]);
    assert_eq!(first["step"], finding["divergence"]["step"]);
    assert_eq!(first["groups"], finding["divergence"]["groups"]);

    // The same case regenerated from (seed, index) diverges the same way.
    let (status, doc) = rerun(
        finding["regenerate"]
            .as_str()
            .expect("a regenerate command"),
    );
    assert_eq!(status, Some(1), "{doc:#}");
    assert_eq!(doc["divergences"][0]["kind"], finding["divergence"]["kind"]);

    // `catchall reduce` shrinks it below the byte target, keeping its key, with a regression
    // that passes on the reference and fails on the planted engine.
    let case_arg = case.display().to_string();
    let reduced = catchall(&["reduce", &case_arg, "--time", "60s"]);
    assert_eq!(
        reduced.status.code(),
        Some(0),
        "stderr: {}",
        stderr(&reduced)
    );
    let doc = read_json(&case.join("reduced/reduced.json"));
    assert_eq!(doc["bucket"], finding["bucket"]);
    let bytes = std::fs::metadata(case.join("reduced/module.wasm"))
        .unwrap()
        .len();
    assert!(bytes <= 120, "reduced to {bytes} bytes: {doc:#}");
    assert_eq!(doc["regression_verified"], true, "{doc:#}");
    let wast = std::fs::read_to_string(case.join("reduced/regression.wast")).unwrap();
    assert!(
        wast.contains("(module") && wast.contains("assert_"),
        "{wast}"
    );
    // The reduced folder reruns like a finding.
    let (status, _) = rerun(&format!(
        "cargo run --release -- run {} --engines reference,planted --nan {}",
        case.join("reduced").display(),
        finding["nan"].as_str().unwrap_or("exact")
    ));
    assert_eq!(status, Some(1));

    // `catchall triage` writes the index and a report per bucket with an issue body.
    let triaged = catchall(&["triage", &out_arg, "--time", "30s"]);
    assert_eq!(
        triaged.status.code(),
        Some(0),
        "stderr: {}",
        stderr(&triaged)
    );
    let index = std::fs::read_to_string(out.join("triage/index.md")).unwrap();
    assert!(index.contains("planted"), "{index}");
    let bucket = case
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let report =
        std::fs::read_to_string(out.join("triage").join(&bucket).join("report.md")).unwrap();
    for part in [
        "## Upstream issue",
        "**Expected**",
        "**Actual**",
        "wasmtime run",
        "--invoke",
    ] {
        assert!(report.contains(part), "{part} missing:\n{report}");
    }
    let json = read_json(&out.join("triage").join(&bucket).join("report.json"));
    assert_eq!(json["key"], finding["bucket"]);
}

/// `reduce` and `triage` on folders that are not findings: one line, exit 2.
#[test]
fn reduce_and_triage_reject_bad_input() {
    let dir = fresh_dir("bad-finding");
    let arg = dir.display().to_string();
    for args in [
        vec!["reduce", arg.as_str()],
        vec!["triage", arg.as_str()],
        vec!["reduce", "/no/such/finding"],
    ] {
        let out = catchall(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(stderr(&out).trim().lines().count(), 1, "{}", stderr(&out));
    }
    std::fs::write(dir.join("finding.json"), "{ truncated").unwrap();
    std::fs::write(dir.join("module.wasm"), b"\0asm\x01\0\0\0").unwrap();
    let out = catchall(&["reduce", &arg]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not JSON"), "{}", stderr(&out));
}

/// A short campaign on the default engines writes every field `stats.json` promises, and the
/// case counts add up.
#[test]
fn stats_json_holds_the_promised_fields() {
    let out = fresh_dir("stats");
    let out_arg = out.display().to_string();
    let run = catchall(&[
        "fuzz", "--cases", "40", "--seed", "3", "--jobs", "2", "--out", &out_arg,
    ]);
    assert!(
        matches!(run.status.code(), Some(0 | 1)),
        "stderr: {}",
        stderr(&run)
    );
    let summary = stdout(&run);
    assert!(summary.contains("cases        40"), "summary:\n{summary}");
    let stats = read_json(&out.join("stats.json"));
    assert_eq!(stats["cases"], 40);
    for key in [
        "seconds",
        "cases_per_second",
        "divergences",
        "poisoned",
        "phases",
        "buckets",
        "coverage",
    ] {
        assert!(
            stats.get(key).is_some(),
            "stats.json lacks `{key}`: {stats:#}"
        );
    }
    let agreed = stats["agreed"].as_u64().unwrap_or(0);
    let divergences = stats["divergences"].as_u64().unwrap_or(0);
    let poisoned = stats["poisoned_total"].as_u64().unwrap_or(0);
    let known: u64 = stats["known_bugs"]
        .as_object()
        .expect("known_bugs")
        .values()
        .filter_map(Value::as_u64)
        .sum();
    assert_eq!(agreed + divergences + poisoned + known, 40, "{stats:#}");
    for phase in ["compiling", "executing"] {
        let per_engine = stats["phases"][phase]
            .as_object()
            .expect("per-engine phases");
        assert!(per_engine.contains_key("cranelift") && per_engine.contains_key("reference"));
    }
    let coverage = &stats["coverage"];
    for key in [
        "exception_thrown",
        "caught_in_wasm",
        "caught_across_frames",
        "escaped_to_host",
        "caught_by_kind",
        "rethrown_by_throw_ref",
        "memory64_accesses",
        "memory64_near_bound",
        "memory64_at_or_above_4gib",
        "memory64_grow",
    ] {
        assert!(coverage.get(key).is_some(), "coverage lacks `{key}`");
    }
    // The mixed profile makes exceptions fly: far more than wasm-smith's < 1%.
    let thrown = coverage["exception_thrown"].as_f64().unwrap_or(0.0);
    assert!(
        thrown > 0.1,
        "exceptions thrown in only {thrown} of the cases"
    );
}

/// `--seed S --case I` reruns exactly one case and prints its report; bad flags are one line
/// and exit 2.
#[test]
fn one_case_reruns_alone_and_bad_flags_are_rejected() {
    let one = catchall(&["fuzz", "--seed", "3", "--case", "5", "--json"]);
    assert!(
        matches!(one.status.code(), Some(0 | 1)),
        "stderr: {}",
        stderr(&one)
    );
    let doc: Value = serde_json::from_str(&stdout(&one)).expect("one JSON document");
    assert!(
        doc["title"]
            .as_str()
            .unwrap_or("")
            .starts_with("case 5 of seed 3")
    );
    let again = catchall(&["fuzz", "--seed", "3", "--case", "5", "--json"]);
    assert_eq!(stdout(&one), stdout(&again), "a case is a pure function");

    for args in [
        &["fuzz", "--jobs", "0", "--cases", "1"][..],
        &["fuzz", "--time", "10 parsecs"][..],
        &["fuzz", "--profile", "nonsense"][..],
        &["fuzz", "--case", "3"][..],
        &["fuzz", "--engines", "cranelift,nope", "--cases", "1"][..],
    ] {
        let out = catchall(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = stderr(&out);
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

/// Ctrl-C (SIGINT) stops a campaign cleanly: the summary is printed, `stats.json` is written and
/// says so, and the exit status is the campaign's.
#[test]
fn sigint_stops_cleanly_with_summary_and_stats() {
    let out = fresh_dir("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_catchall"))
        .args(["fuzz", "--seed", "9", "--out"])
        .arg(&out)
        .current_dir(root())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the catchall binary starts");
    // Let it start and run some cases.
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(3));
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(kill.success());
    let output = child.wait_with_output().expect("the campaign ends");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the campaign did not stop promptly"
    );
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "status {:?}, stderr: {}",
        output.status,
        stderr(&output)
    );
    let summary = stdout(&output);
    assert!(summary.contains("(interrupted)"), "summary:\n{summary}");
    assert!(summary.contains("stats "), "summary:\n{summary}");
    let stats = read_json(&out.join("stats.json"));
    assert_eq!(stats["campaign"]["interrupted"], true);
    assert!(stats["cases"].as_u64().unwrap_or(0) > 0, "{stats:#}");
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(out.join(".tmp"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(leftovers.is_empty(), "left in .tmp: {leftovers:?}");
}

/// An engine that aborts the whole process (`planted-abort`) cannot be caught in process
/// (`--in-process`; by default cases run in worker processes, see tests/workers.rs); the
/// campaign's in-flight marker outlives it, and the next campaign in the same folder saves the
/// case as a `process-crash` finding naming the engine that dies.
#[cfg(unix)]
#[test]
fn a_case_that_kills_the_process_is_recovered_by_the_next_campaign() {
    let out = fresh_dir("abort");
    let out_arg = out.display().to_string();
    let died = catchall(&[
        "fuzz",
        "--in-process",
        "--engines",
        "reference,planted-abort",
        "--seed",
        "7",
        "--jobs",
        "1",
        "--time",
        "60s",
        "--out",
        &out_arg,
    ]);
    assert_eq!(
        died.status.code(),
        None,
        "the campaign should have died: {died:?}"
    );
    let markers: Vec<_> = std::fs::read_dir(out.join(".inflight"))
        .expect("the in-flight folder")
        .flatten()
        .collect();
    assert_eq!(markers.len(), 1, "one marker for the one worker");

    let next = catchall(&[
        "fuzz",
        "--engines",
        "reference",
        "--cases",
        "1",
        "--seed",
        "1",
        "--out",
        &out_arg,
    ]);
    assert_eq!(next.status.code(), Some(0), "stderr: {}", stderr(&next));
    assert!(
        stderr(&next).contains("died while running case"),
        "{}",
        stderr(&next)
    );
    let crash = std::fs::read_dir(&out)
        .expect("the findings folder")
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("process-crash-"))
        })
        .expect("a process-crash bucket");
    let case = saved_cases(&out)
        .into_iter()
        .find(|c| c.starts_with(&crash))
        .expect("a saved case in the process-crash bucket");
    let finding = read_json(&case.join("finding.json"));
    assert_eq!(finding["verdict"], "process-crash");
    assert_eq!(finding["seed"], 7);
    // The key is the engine and how it died: nothing about the module, so every seed's abort
    // on this engine lands in this one bucket.
    assert_eq!(
        finding["bucket"],
        "process-crash|engine=planted-abort|signal=SIGABRT"
    );
    let reruns = finding["reruns"].as_array().expect("reruns");
    let by_engine = |name: &str| {
        reruns
            .iter()
            .find(|r| r["engine"] == name)
            .unwrap_or_else(|| panic!("no rerun of {name}: {finding:#}"))
    };
    assert_eq!(by_engine("planted-abort")["died"], true, "{finding:#}");
    assert_eq!(by_engine("planted-abort")["ended"], "signal 6");
    assert_eq!(by_engine("reference")["died"], false);
    assert!(
        finding["reproduce"]
            .as_str()
            .unwrap_or("")
            .ends_with("--engines planted-abort")
    );
    assert!(case.join("module.wasm").exists() && case.join("plan.json").exists());
    let left = std::fs::read_dir(out.join(".inflight"))
        .expect("the in-flight folder")
        .flatten()
        .count();
    assert_eq!(left, 0, "the recovered marker is removed");
}
