//! Reducer tests on hand-built findings of the `planted` engine (which executes `i64.rem_u` as `i64.rem_s`).

use super::*;
use oracles::EngineKind;
use oracles::differential::Call;

fn engines(kinds: &[EngineKind]) -> Vec<Box<dyn Engine>> {
    kinds
        .iter()
        .map(|k| k.build().expect("engine builds"))
        .collect()
}

fn planted_case() -> Candidate {
    // A module with much that does not matter around the planted trigger, exposed like a
    // campaign's module.
    let wasm = wat::parse_str(
        r#"(module
             (type (func (param i64 i64) (result i64)))
             (tag $t (param i32))
             (memory i64 1 10)
             (global $g (mut i32) (i32.const 99))
             (table 2 funcref)
             (elem (i32.const 0) func $helper)
             (data (i64.const 60000) "\01\02\03\04\05\06\07\08")
             (func $helper (param i32) (result i32)
               (local i64 f64)
               (global.set $g (i32.add (local.get 0) (i32.const 12345)))
               (i32.mul (local.get 0) (i32.const 3)))
             (func $main (export "main") (param i64 i64 i32) (result i64)
               (local i32)
               (local.set 3 (call $helper (local.get 2)))
               (drop (block $b (result i32)
                 (try_table (catch $t $b) (throw $t (local.get 3)))
                 (i32.const 0)))
               (i64.store offset=4096 (i64.const 8) (local.get 0))
               (i64.add
                 (i64.rem_u (local.get 0) (local.get 1))
                 (i64.extend_i32_u (global.get $g))))
             (func (export "other") (result i32) (i32.const 5)))"#,
    )
    .unwrap();
    wasmparser::Validator::new()
        .validate_all(&wasm)
        .expect("valid");
    let wasm = oracles::expose::expose(&wasm).unwrap();
    Candidate {
        wasm,
        plan: Plan {
            calls: vec![
                Call {
                    func: "other".into(),
                    args: vec![],
                },
                Call {
                    func: "main".into(),
                    args: vec![Val::I64(-7), Val::I64(3), Val::I32(1000)],
                },
                Call {
                    func: "other".into(),
                    args: vec![],
                },
            ],
        },
    }
}

#[test]
fn planted_finding_reduces_below_the_byte_target_and_keeps_its_key() {
    let built = engines(&[
        EngineKind::Reference,
        EngineKind::Cranelift,
        EngineKind::Planted,
    ]);
    let refs: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
    let start = planted_case();
    let options = RunOptions::default();
    let report = run_case(&refs, &start.wasm, &start.plan, &options);
    let key = key_of(&refs, &start.wasm, &start.plan, &options)
        .unwrap_or_else(|| panic!("diverges: {:?} {:?}", report.verdict, report.engines));
    assert_eq!(key.dissenters(), ["planted"]);
    let reducer = Reducer::new(
        refs.clone(),
        options,
        key.clone(),
        Settings {
            time: Duration::from_secs(120),
            threads: 2,
            wasm_shrink: false,
        },
    );
    let r = reducer.reduce(start.clone()).expect("reduces");
    assert_eq!(
        key_of(&refs, &r.best.wasm, &r.best.plan, &options),
        Some(key)
    );
    eprintln!("reduced to {} bytes", r.best.wasm.len());
    assert!(
        r.best.wasm.len() <= 60,
        "{} bytes:\n{}",
        r.best.wasm.len(),
        wasmprinter::print_bytes(&r.best.wasm).unwrap()
    );
    assert_eq!(r.best.plan.calls.len(), 1);
    assert!(r.cache_hits > 0, "the cache answered repeated candidates");
    assert!(!r.timed_out);
}

fn reduce_text(wat: &str, args: Vec<Val>) -> String {
    let wasm = wat::parse_str(wat).unwrap();
    wasmparser::Validator::new()
        .validate_all(&wasm)
        .expect("valid");
    let built = engines(&[EngineKind::Reference, EngineKind::Planted]);
    let refs: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
    let start = Candidate {
        wasm,
        plan: Plan {
            calls: vec![Call {
                func: "f".into(),
                args,
            }],
        },
    };
    let options = RunOptions::default();
    let key = key_of(&refs, &start.wasm, &start.plan, &options).expect("diverges");
    let r = Reducer::new(
        refs.clone(),
        options,
        key.clone(),
        Settings {
            wasm_shrink: false,
            ..Settings::default()
        },
    )
    .reduce(start)
    .unwrap();
    assert_eq!(
        key_of(&refs, &r.best.wasm, &r.best.plan, &options),
        Some(key)
    );
    wasmprinter::print_bytes(&r.best.wasm).unwrap()
}

#[test]
fn exceptions_are_reduced_try_table_to_block() {
    // The try_table is incidental: it becomes a block, then goes, and its tag with it.
    let text = reduce_text(
        r#"(module
             (tag $t)
             (func (export "f") (param i64) (result i64)
               (block $all
                 (return (try_table (result i64) (catch $t $all) (catch_all $all)
                   (if (i64.eqz (local.get 0)) (then (throw $t)))
                   (i64.rem_u (local.get 0) (i64.const 3)))))
               (i64.const 42)))"#,
        vec![Val::I64(-7)],
    );
    assert!(
        !text.contains("try_table") && !text.contains("tag"),
        "{text}"
    );
    assert!(text.contains("i64.rem_u"), "{text}");
    // The divergent value leaves through a catch: the try_table stays, its other clause goes.
    let text = reduce_text(
        r#"(module
             (tag $t (param i64))
             (func (export "f") (param i64) (result i64)
               (block $out (result i64)
                 (block $all
                   (drop (try_table (result i64) (catch $t $out) (catch_all $all)
                     (throw $t (i64.rem_u (local.get 0) (i64.const 3))))))
                 (i64.const 42))))"#,
        vec![Val::I64(-7)],
    );
    assert!(
        text.contains("try_table") && text.contains("(catch 0 "),
        "{text}"
    );
    assert!(!text.contains("catch_all"), "{text}");
}

/// Why the divergence of running `wat`'s `calls` on the named engines cannot be asserted in a
/// script (the run must diverge).
fn classify(
    engines_named: &[&str],
    wat: &str,
    calls: &[&str],
) -> Option<crate::workflow::Inexpressible> {
    let report = rerun(engines_named, wat, calls);
    assert!(
        matches!(report.verdict, Verdict::Diverge(_)),
        "{:?}",
        report.verdict
    );
    crate::workflow::inexpressible(&report)
}

fn rerun(engines_named: &[&str], wat: &str, calls: &[&str]) -> oracles::differential::CaseReport {
    let built: Vec<Box<dyn Engine>> = engines_named
        .iter()
        .map(|n| EngineKind::from_name(n).unwrap().build().unwrap())
        .collect();
    let refs: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
    let plan = Plan {
        calls: calls
            .iter()
            .map(|f| Call {
                func: f.to_string(),
                args: vec![],
            })
            .collect(),
    };
    run_case(
        &refs,
        &wat::parse_str(wat).unwrap(),
        &plan,
        &RunOptions::default(),
    )
}

#[test]
fn exception_identity_is_named_inexpressible_and_other_mismatches_are_not() {
    use crate::workflow::Inexpressible;
    // The reduced eh-throw-ref-fresh finding: `throw_ref` of a caught exception makes a fresh
    // one in the mutant, and the global holding it differs only by identity.
    assert_eq!(
        classify(
            &["reference", "mutant:eh-throw-ref-fresh"],
            r#"(module
                 (tag $t)
                 (global $g (export "g7") (mut exnref) (ref.null exn))
                 (func $throw (throw $t))
                 (func (export "g")
                   (block $h (result exnref)
                     (try_table (catch_ref $t $h) (call $throw))
                     (return))
                   (global.set $g))
                 (func (export "f")
                   (block $h (result exnref)
                     (try_table (catch_ref $t $h) (throw_ref (global.get $g)))
                     (return))
                   (global.set $g)))"#,
            &["g", "f"],
        ),
        Some(Inexpressible::ExceptionIdentity)
    );
    // The same for an escaping exception: `g` rethrows (inside a `try_table`) what `f` caught
    // and kept, and the mutant's is a fresh object with the same tag and (empty) payload.
    assert_eq!(
        classify(
            &["reference", "mutant:eh-throw-ref-fresh"],
            r#"(module
                 (tag $t (export "t"))
                 (global $g (mut exnref) (ref.null exn))
                 (func $throw (throw $t))
                 (func (export "f")
                   (local exnref)
                   (block $h (result exnref)
                     (try_table (catch_all_ref $h) (call $throw))
                     (return))
                   (local.tee 0)
                   (global.set $g)
                   (throw_ref (local.get 0)))
                 (func (export "g") (try_table (throw_ref (global.get $g)))))"#,
            &["f", "g"],
        ),
        Some(Inexpressible::ExceptionIdentity)
    );
    // A payload that differs in value is asserted.
    assert_eq!(
        classify(
            &["reference", "planted"],
            r#"(module
                 (tag $t (export "t") (param i64))
                 (func (export "f") (throw $t (i64.rem_u (i64.const -7) (i64.const 3)))))"#,
            &["f"],
        ),
        None
    );
    // A global that differs in an i64 is asserted like any other.
    assert_eq!(
        classify(
            &["reference", "planted"],
            r#"(module
                 (global (export "g") (mut i64) (i64.const 0))
                 (func (export "f") (global.set 0 (i64.rem_u (i64.const -7) (i64.const 3)))))"#,
            &["f"],
        ),
        None
    );
}
