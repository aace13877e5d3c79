//! Tests of `catchall calibrate` as a user runs it: the JSON document's shape, an easily killed mutant killed, the mutant list, and bad flags refused with one line and status 2.

mod common;

use common::{catchall, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("calibrate-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn an_easily_killed_mutant_is_killed_and_reported_as_json() {
    let out_dir = fresh_dir("json");
    // A try_table whose clauses are reversed: the exception scenarios catch with several
    // clauses in almost every case, so the first seconds kill it (the time limit is generous;
    // the seed's campaign stops at the kill).
    let out = catchall(&[
        "calibrate",
        "--time-per-mutant",
        "60s",
        "--seeds",
        "1",
        "--profile",
        "exceptions",
        "--mutants",
        "eh-clauses-reversed",
        "--json",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(doc["total"], 1);
    assert_eq!(doc["seeds"], serde_json::json!([1]));
    let m = &doc["mutants"][0];
    assert_eq!(m["name"], "eh-clauses-reversed");
    assert_eq!(m["engine"], "mutant:eh-clauses-reversed");
    assert_eq!(m["category"], "exceptions");
    assert_eq!(m["host"], "cranelift");
    assert_eq!(m["killed"], true, "{m:#}");
    assert_eq!(m["killed_seeds"], 1);
    assert!(m["median_seconds_to_kill"].as_f64().unwrap() < 60.0);
    assert!(m["generator"].is_string());
    assert!(m["rule"].as_str().unwrap().contains("try_table"));
    let run = &m["runs"][0];
    assert_eq!(run["killed"], true);
    assert!(run["case"].is_u64());
    assert!(
        run["reproduce"]
            .as_str()
            .unwrap()
            .contains("--engines reference,mutant:eh-clauses-reversed")
    );
    assert_eq!(doc["kill_rate"], 1.0);
    // The same document is kept beside the findings.
    let kept: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("calibrate.json")).unwrap())
            .unwrap();
    assert_eq!(kept["mutants"][0]["name"], "eh-clauses-reversed");
    assert!(out_dir.join("eh-clauses-reversed").join("seed-1").is_dir());
}

#[test]
fn the_list_names_every_mutant_with_its_rule() {
    let out = catchall(&["calibrate", "--list", "--category", "memory64"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("cl-m64-last-byte (memory64, on cranelift)"),
        "{text}"
    );
    assert!(text.contains("rule:"));
    assert!(!text.contains("(exceptions,"));
}

#[test]
fn bad_flags_and_unknown_mutants_exit_2_with_one_line() {
    for args in [
        &["calibrate", "--mutants", "no-such-mutant"][..],
        &["calibrate", "--category", "no-such-category"],
        &["calibrate", "--seeds", "0"],
        &["calibrate", "--time-per-mutant", "soon"],
        &["calibrate", "--min-kill-rate", "150%"],
        &["calibrate", "--no-such-flag"],
    ] {
        let out = catchall(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).trim().lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
}
