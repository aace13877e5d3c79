//! Snapshot tests of the conformance report (text, JSON, Markdown) on a small fixture; `BLESS=1 cargo test` rewrites the snapshots.

use oracles::{Engine, EngineKind};
use spec_tests::{Report, SuiteFile};
use std::borrow::Cow;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// The fixture run on cranelift and wasmi, held against the fixture ledger.
fn report() -> Report {
    let engines: Vec<Box<dyn Engine>> = [EngineKind::Cranelift, EngineKind::Wasmi]
        .into_iter()
        .map(|k| k.build().expect("the engine builds"))
        .collect();
    let refs: Vec<&dyn Engine> = engines.iter().map(|e| &**e).collect();
    let files: Vec<SuiteFile> = ["mixed.wast", "exceptions.wast"]
        .into_iter()
        .map(|name| SuiteFile {
            key: format!("fixtures/{name}"),
            group: "fixtures".into(),
            text: Cow::Owned(
                std::fs::read_to_string(dir().join("fixtures").join(name)).expect("fixture"),
            ),
        })
        .collect();
    spec_tests::conformance(&refs, &files, &dir().join("fixtures/expectations"), false)
        .expect("the fixture runs")
}

/// Compares `actual` with the snapshot `name`, or rewrites it when `BLESS` is set.
fn snapshot(name: &str, actual: &str) {
    let path = dir().join("snapshots").join(name);
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, actual).expect("write the snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        expected == actual,
        "{} differs; rerun with BLESS=1 to accept:\n--- expected\n{expected}\n--- actual\n{actual}",
        path.display()
    );
}

#[test]
fn text_report() {
    snapshot("report.txt", &report().text());
}

#[test]
fn json_report() {
    let json = serde_json::to_string_pretty(&report().json()).expect("serializes");
    snapshot("report.json", &format!("{json}\n"));
}

#[test]
fn markdown_report() {
    snapshot(
        "report.md",
        &report().markdown("catchall spec --markdown tests/fixtures"),
    );
}

#[test]
fn the_fixture_gate_fails_exactly_on_the_unlisted_failure_and_the_stale_entry() {
    let r = report();
    let lines: Vec<String> = r.unexpected.iter().map(|u| u.to_string()).collect();
    let expected = [
        "fixtures/mixed.wast:10: cranelift: expected i32:2, got i32:1",
        "fixtures/mixed.wast:10: wasmi: expected i32:2, got i32:1",
        "fixtures/mixed.wast:12: wasmi: expected i32:7, got i32:1",
        "fixtures/mixed.wast:13: cranelift: expected a failure (ledger: fixture: this check passes, \
         so the entry is stale), got a pass: remove the entry from the ledger",
        "fixtures/mixed.wast:18: cranelift: expected the module to instantiate, got unlinkable \
         module: unknown import nowhere::f",
        "fixtures/mixed.wast:18: wasmi: expected the module to instantiate, got unlinkable \
         module: unknown import nowhere::f",
    ];
    assert_eq!(lines, expected);
    assert!(!r.gate_passes());
    // The failure at line 12 is expected on cranelift (its fixture ledger lists it).
    let cranelift = r
        .runs
        .iter()
        .find(|run| run.engine == "cranelift" && run.file == "fixtures/mixed.wast")
        .expect("ran");
    assert_eq!(
        cranelift
            .failures
            .iter()
            .find(|f| f.line == 12)
            .and_then(|f| f.ledger.as_deref()),
        Some("fixture: an expected failure")
    );
    // The invokes after the unlinkable module are skipped, not failed.
    assert_eq!(cranelift.skipped, 2);
}
