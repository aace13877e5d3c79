//! `catchall run FILE --target NAME`: libFuzzer inputs replayed through the fuzz targets' derivation, saved as findings that `reduce` and `triage` read, and bad input.

mod common;

use common::{catchall, stderr, stdout};
use std::path::{Path, PathBuf};

/// A scratch directory under cargo's per-target temporary directory, emptied.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz-target-tests")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

/// A 5-byte input that the planted build of the `differential` target crashed on (found by
/// `cargo +nightly fuzz run -O --features planted differential` from the seed corpus): profile
/// byte 4 (`idioms`), then a counter.
const PLANTED_CRASH: [u8; 5] = [4, 1, 0, 0, 0];

#[test]
fn a_planted_crash_replays_to_its_bucket_and_saves_a_finding_triage_reads() {
    let dir = scratch("planted");
    let input = dir.join("crash-planted");
    std::fs::write(&input, PLANTED_CRASH).unwrap();
    let findings = dir.join("findings");
    let input_arg = input.to_str().unwrap();
    let out = catchall(&[
        "run",
        input_arg,
        "--target",
        "differential",
        "--engines",
        "reference,planted",
        "--save",
        findings.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(
            "bucket: trap-kind-mismatch|expected=trap:integer-overflow|planted=trap:memory-out-of-bounds"
        ),
        "{text}"
    );
    let buckets: Vec<PathBuf> = std::fs::read_dir(&findings)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().is_some_and(|n| n != ".tmp"))
        .collect();
    assert_eq!(buckets.len(), 1, "{buckets:?}");
    let case = std::fs::read_dir(&buckets[0])
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("a case folder");
    let finding = triage::finding::load(&case).expect("triage reads the saved finding");
    assert!(finding.doc.regenerate.contains("--target differential"));
    assert_eq!(finding.doc.bucket.dissenters(), vec!["planted".to_string()]);

    // Without the planted engine the same input agrees.
    let out = catchall(&["run", input_arg, "--target", "differential"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

#[test]
fn the_other_targets_replay_too() {
    let dir = scratch("others");
    let input = dir.join("input");
    std::fs::write(&input, [1u8, 3, 0, 0, 0]).unwrap();
    for target in ["reference", "wast", "idioms"] {
        let out = catchall(&["run", input.to_str().unwrap(), "--target", target]);
        assert_eq!(out.status.code(), Some(0), "{target}: {}", stderr(&out));
    }
    let out = catchall(&["run", input.to_str().unwrap(), "--target", "wast"]);
    assert!(
        stdout(&out).contains("---- script ----"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn bad_targets_and_flags_exit_2_with_one_line() {
    let dir = scratch("bad");
    let input = dir.join("input");
    std::fs::write(&input, [0u8]).unwrap();
    let input = input.to_str().unwrap();
    for args in [
        vec!["run", input, "--target", "no-such-target"],
        vec!["run", input, "--target", "wast", "--save", "x"],
        vec!["run", input, "--save", "x"],
        vec!["run", "/no/such/file", "--target", "differential"],
    ] {
        let out = catchall(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out).trim().lines().count(),
            1,
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
