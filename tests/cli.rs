//! Tests of the built `catchall` binary: `run`'s JSON, exit codes, one-line errors and output snapshots.

mod common;

use common::{catchall, root, stderr, stdout};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The engines that run every exception-handling seed (wasmtime's configurations with
/// exceptions).
const WASMTIME_EH: [&str; 4] = ["cranelift", "cranelift-explicit", "cranelift-o0", "pulley"];

/// A scratch file under cargo's per-target temporary directory.
fn scratch(name: &str, contents: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, contents).expect("a scratch file");
    path
}

/// The step whose action is `action` in `run --json` output.
fn step<'a>(doc: &'a Value, action: &str) -> &'a Value {
    doc["steps"]
        .as_array()
        .expect("a steps array")
        .iter()
        .find(|s| s["action"] == action)
        .unwrap_or_else(|| panic!("no step `{action}` in {doc:#}"))
}

#[test]
fn json_shows_the_escaping_exception_on_every_wasmtime_engine_and_wasmi_skipped() {
    let out = catchall(&["run", "corpus/seeds/exn-escape-multivalue.wat", "--json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("stdout is one JSON document");
    assert_eq!(doc["verdict"], "agree");
    assert_eq!(doc["skipped"]["wasmi"], "exceptions");

    let throw_all = step(&doc, "throw_all(i32:0)");
    let nans = step(&doc, "throw_nans()");
    for engine in WASMTIME_EH {
        let o = &throw_all["outcomes"][engine];
        assert_eq!(o["kind"], "exception", "{engine}: {o}");
        assert_eq!(o["tag"], "e", "{engine}: {o}");
        assert_eq!(o["tag_index"], 0, "{engine}: {o}");
        assert_eq!(
            o["payload"],
            serde_json::json!([
                "i32:0",
                "i64:-9223372036854775808",
                "f32:0x3fc00000",
                "f64:0x8000000000000000"
            ]),
            "{engine}"
        );
        let o = &nans["outcomes"][engine];
        assert_eq!(o["kind"], "exception", "{engine}: {o}");
        assert_eq!(
            o["payload"],
            serde_json::json!([
                "i32:-1",
                "i64:-1",
                "f32:0x7fa00001",
                "f64:0xfff4000000000001"
            ]),
            "{engine}: signalling NaNs in a payload keep their bits"
        );
    }
    assert_eq!(throw_all["outcomes"]["wasmi"]["kind"], "skipped");
    assert_eq!(throw_all["outcomes"]["wasmi"]["reason"], "exceptions");
    assert_eq!(throw_all["verdict"], "agree");
}

#[test]
fn json_shows_an_exception_from_instantiation_and_a_trap() {
    let out = catchall(&["run", "corpus/seeds/start-function-throws.wat", "--json"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    let steps = doc["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 1, "no instance, no calls: {doc:#}");
    for engine in WASMTIME_EH {
        let o = &steps[0]["outcomes"][engine];
        assert_eq!(o["kind"], "exception", "{engine}: {o}");
        assert_eq!(o["tag"], "e", "{engine}: {o}");
        assert_eq!(
            o["payload"],
            serde_json::json!(["i32:9", "i64:-1"]),
            "{engine}"
        );
    }

    let oob = scratch(
        "first-invalid-byte.wat",
        b"(module (memory i64 1) (func (export \"oob\") (result i32) \
          (i32.load8_u (i64.const 65536))))",
    );
    let path = oob.to_str().expect("a UTF-8 path");
    let out = catchall(&["run", path, "--json", "--engines", "cranelift,wasmi"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(doc["engines"], serde_json::json!(["cranelift", "wasmi"]));
    let load = step(&doc, "oob()");
    for engine in ["cranelift", "wasmi"] {
        assert_eq!(load["outcomes"][engine]["kind"], "trap", "{engine}");
        assert_eq!(load["outcomes"][engine]["trap"], "oob", "{engine}");
    }
}

#[test]
fn an_agreeing_run_exits_0_with_a_table() {
    let out = catchall(&["run", "corpus/seeds/memory64-grow.wat"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("verdict: agree"), "{text}");
    assert!(
        text.starts_with("corpus/seeds/memory64-grow.wat (proposals: memory64)"),
        "{text}"
    );
}

#[test]
fn a_divergence_exits_1_and_names_it() {
    // `planted` is Cranelift with `i64.rem_u` miscompiled as `i64.rem_s`: -7 rem_u 2 is 1,
    // -7 rem_s 2 is -1.
    let rem = scratch(
        "planted-rem.wat",
        b"(module (func (export \"rem\") (result i64) (i64.rem_u (i64.const -7) (i64.const 2))))",
    );
    let path = rem.to_str().expect("a UTF-8 path");
    let out = catchall(&["run", path, "--engines", "cranelift,planted", "--json"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(doc["verdict"], "diverge");
    let rem = step(&doc, "rem()");
    assert_eq!(
        rem["outcomes"]["cranelift"]["values"],
        serde_json::json!(["i64:1"])
    );
    assert_eq!(
        rem["outcomes"]["planted"]["values"],
        serde_json::json!(["i64:-1"])
    );
    assert_eq!(doc["divergences"][0]["kind"], "value-mismatch", "{doc:#}");

    let out = catchall(&["run", path, "--engines", "cranelift,planted"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stdout(&out).contains("verdict: DIVERGE at step 1 `rem()`: value-mismatch"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_wast_script_is_compared_action_by_action() {
    let script = scratch(
        "script.wast",
        br#"(module $M
  (tag $e (export "e") (param i32 i64))
  (memory (export "mem") i64 1)
  (func (export "store-and-throw") (param i64)
    (i64.store (i64.const 8) (local.get 0))
    (throw $e (i32.const 1) (local.get 0)))
  (func (export "load") (result i64) (i64.load (i64.const 8))))
(assert_exception (invoke "store-and-throw" (i64.const 42)))
(assert_return (invoke "load") (i64.const 42))
(module $N (func (export "rem") (result i64) (i64.rem_u (i64.const -7) (i64.const 2))))
(assert_return (invoke $N "rem") (i64.const 1))
"#,
    );
    let path = script.to_str().expect("a UTF-8 path");
    let out = catchall(&[
        "run",
        path,
        "--engines",
        "reference,cranelift,pulley,wasmi",
        "--json",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let doc: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(doc["verdict"], "agree", "{doc:#}");
    let thrown = step(&doc, "8: invoke \"store-and-throw\"(i64:42)");
    for engine in ["reference", "cranelift", "pulley"] {
        let o = &thrown["outcomes"][engine];
        assert_eq!(o["kind"], "exception", "{engine}: {o}");
        assert_eq!(o["tag"], "e", "{engine}: {o}");
        assert_eq!(
            o["payload"],
            serde_json::json!(["i32:1", "i64:42"]),
            "{engine}"
        );
    }
    assert_eq!(thrown["outcomes"]["wasmi"]["kind"], "not-run");
    assert_eq!(
        step(&doc, "1: module $M")["outcomes"]["wasmi"]["kind"],
        "skipped"
    );
    let rem = step(&doc, "11: invoke $N \"rem\"()");
    assert_eq!(
        rem["outcomes"]["wasmi"]["values"],
        serde_json::json!(["i64:1"])
    );

    // The planted engine answers `i64.rem_u` wrongly: the script's run diverges at that action.
    let out = catchall(&["run", path, "--engines", "reference,planted"]);
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("value-mismatch"), "{text}");
    assert!(text.contains("11: invoke $N \"rem\"()"), "{text}");

    let broken = scratch("broken.wast", b"(module)\n(assert_return (invoke \"f\"\n");
    let path = broken.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "broken.wast:");
}

#[test]
fn a_folder_that_is_not_a_whole_finding_is_bad_input() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests/half-finding");
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    std::fs::write(dir.join("module.wasm"), b"\0asm\x01\0\0\0").expect("a module");
    let _ = std::fs::remove_file(dir.join("plan.json"));
    let path = dir.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "plan.json");
    let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-tests/empty-folder");
    std::fs::create_dir_all(&empty).expect("a scratch directory");
    assert_bad_input(&["run", empty.to_str().expect("UTF-8")], "not a finding");
}

/// Asserts that `catchall ARGS` fails as bad input: status 2, nothing on stdout, exactly one
/// line on stderr starting with `error:` and containing `needle`, no panic.
fn assert_bad_input(args: &[&str], needle: &str) {
    let out = catchall(args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{args:?}: stderr: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert!(!err.contains("stack backtrace"), "{args:?}: {err}");
    assert_eq!(
        err.lines().count(),
        1,
        "{args:?}: not one line on stderr:\n{err}"
    );
    assert!(err.ends_with('\n'), "{args:?}: {err:?}");
    assert!(err.starts_with("error: "), "{args:?}: {err}");
    assert!(err.contains(needle), "{args:?}: `{needle}` not in: {err}");
    assert_eq!(stdout(&out), "", "{args:?}: nothing on stdout");
}

#[test]
fn a_file_that_is_not_wasm_wat_or_wast_is_bad_input() {
    let text = scratch("notes.txt", b"hello, world\n");
    let path = text.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "not a .wasm, .wat or .wast file");
    let binary = scratch("noise.wat", &[0xff, 0xfe, 0x00, 0x80, 0x81, 0x9f]);
    let path = binary.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "noise.wat");
    let headless = scratch("headless.wasm", b"(module)");
    let path = headless.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "not a WebAssembly binary");
}

#[test]
fn a_script_call_every_engine_refuses_is_bad_input() {
    let wrong_arity = scratch(
        "arity.wast",
        b"(module (func (export \"f\") (param i32) (result i32) local.get 0))\n\
          (assert_return (invoke \"f\") (i32.const 0))\n",
    );
    let path = wrong_arity.to_str().expect("a UTF-8 path");
    assert_bad_input(
        &["run", path],
        "arity.wast:2: invoke \"f\"(): f takes 1 arguments, 0 given",
    );
    let missing = scratch(
        "missing.wast",
        b"(module (func (export \"f\")))\n(invoke \"g\")\n",
    );
    let path = missing.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "missing.wast:2");
}

#[test]
fn a_truncated_wasm_is_bad_input() {
    // The magic and version, then a type section whose declared size runs past the end.
    let truncated = scratch("truncated.wasm", b"\0asm\x01\0\0\0\x01\x05\x01");
    let path = truncated.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path, "--json"], "truncated.wasm");
    let cut = scratch("cut.wasm", b"\0asm\x01\0");
    let path = cut.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "cut.wasm");
}

#[test]
fn an_invalid_module_is_bad_input() {
    let invalid = scratch(
        "type-error.wat",
        b"(module (func (export \"f\") (result i32) (i64.const 1)))",
    );
    let path = invalid.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "type mismatch");
    let malformed = scratch("unclosed.wat", b"(module (func");
    let path = malformed.to_str().expect("a UTF-8 path");
    assert_bad_input(&["run", path], "unclosed.wat:1:14");
}

#[test]
fn an_unknown_engine_is_bad_input() {
    assert_bad_input(
        &["run", "corpus/seeds/catch-kinds.wat", "--engines", "nope"],
        "unknown engine `nope`",
    );
    assert_bad_input(
        &["run", "corpus/seeds/catch-kinds.wat", "--engines", ","],
        "at least one engine",
    );
}

#[test]
fn a_missing_file_is_bad_input() {
    assert_bad_input(
        &["run", "corpus/seeds/no-such-seed.wat"],
        "no-such-seed.wat",
    );
}

#[test]
fn usage_errors_are_bad_input() {
    assert_bad_input(
        &["run", "corpus/seeds/catch-kinds.wat", "--nope"],
        "unexpected argument '--nope'",
    );
    assert_bad_input(&["run"], "<FILE>");
    assert_bad_input(
        &["run", "corpus/seeds/catch-kinds.wat", "--arg-sets", "many"],
        "--arg-sets",
    );
    assert_bad_input(&["frobnicate"], "frobnicate");
}

/// Compares `actual` with `tests/snapshots/NAME`, or rewrites the snapshot under `BLESS=1`.
fn snapshot(name: &str, actual: &str) {
    let path = root().join("tests/snapshots").join(name);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("the snapshot directory");
        std::fs::write(&path, actual).expect("a writable snapshot");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run with BLESS=1 to create it)\nactual:\n{actual}",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the output, first at line {} (run with BLESS=1 to accept the \
             output)\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display(),
            line + 1
        );
    }
}

/// `run`'s output on a small seed with a fixed engine list (nothing in it depends on which
/// engines build here) and no generated arguments.
fn small_run(extra: &[&str]) -> String {
    let mut args = vec![
        "run",
        "corpus/seeds/tag-identity.wat",
        "--engines",
        "cranelift,pulley,wasmi",
        // All-zero arguments only: generated ones would tie the snapshot to the generator.
        "--arg-sets",
        "0",
    ];
    args.extend_from_slice(extra);
    let out = catchall(&args);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    stdout(&out)
}

#[test]
fn run_table_snapshot() {
    snapshot("run-table.txt", &small_run(&[]));
}

#[test]
fn run_json_snapshot() {
    snapshot("run-json.txt", &small_run(&["--json"]));
}

#[test]
fn bench_usage_errors_are_bad_input() {
    assert_bad_input(&["bench", "--nope"], "unexpected argument '--nope'");
    assert_bad_input(&["bench", "--modules", "0"], "--modules");
    assert_bad_input(&["bench", "--repeat", "twice"], "--repeat");
    assert_bad_input(&["bench", "--iterations", "0"], "--iterations");
    assert_bad_input(&["bench", "--fuel", "lots"], "--fuel");
}

#[test]
fn bench_json_times_both_engines_on_every_workload() {
    let out = catchall(&[
        "bench",
        "--modules",
        "6",
        "--iterations",
        "3",
        "--repeat",
        "1",
        "--json",
    ]);
    let doc: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: stdout is not JSON; stderr: {}", stderr(&out)));
    let workloads = doc["workloads"].as_array().expect("a workloads array");
    let names: Vec<&str> = workloads
        .iter()
        .filter_map(|w| w["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "wasm-smith batch: instantiate + calls",
            "wasm-smith batch: decode + compile",
            "compute loop: run",
            "compute loop: decode + compile"
        ]
    );
    for w in workloads {
        for key in ["reference_seconds", "wasmi_seconds", "ratio"] {
            assert!(w[key].as_f64().is_some_and(|x| x > 0.0), "{key}: {w}");
        }
    }
    assert_eq!(workloads[0]["target"], 5.0);
    assert_eq!(workloads[2]["target"], 10.0);
    let batch = &doc["facts"]["wasm_smith_batch"];
    assert_eq!(batch["modules"], 6);
    assert!(batch["ran"].as_u64().is_some_and(|n| n > 0), "{batch}");
    let compute = &doc["facts"]["compute_loop"];
    assert_eq!(compute["agree"], true, "{compute}");
    assert_eq!(compute["inner_iterations"], 3000);
    // Tiny workloads may miss a target; the exit status says so either way.
    let met = workloads.iter().all(|w| w["meets_target"] == true);
    assert_eq!(out.status.code(), Some(if met { 0 } else { 1 }));
}

#[test]
fn bench_table_snapshot() {
    use catchall::cli::bench::{BATCH_TARGET, LOOP_TARGET, Report, Row};
    use std::time::Duration;
    let row = |name: &str, reference: u64, wasmi: u64, target| Row {
        name: name.into(),
        reference: Duration::from_micros(reference),
        wasmi: Duration::from_micros(wasmi),
        target,
    };
    let report = Report {
        versions: ["catchall-reference 0.1.0".into(), "wasmi 2.0.0".into()],
        repeat: 3,
        rows: vec![
            row(
                "wasm-smith batch: instantiate + calls",
                31_500,
                23_300,
                Some(BATCH_TARGET),
            ),
            row("wasm-smith batch: decode + compile", 22_400, 17_900, None),
            row("compute loop: run", 1_661_200, 156_400, Some(LOOP_TARGET)),
            row("compute loop: decode + compile", 58, 97, None),
        ],
        notes: vec!["a note".into(), "another note".into()],
        facts: serde_json::json!({}),
    };
    snapshot("bench-table.txt", &report.render());
}
