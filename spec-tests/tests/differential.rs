//! The session layer as a differential runner uses it: every command of a script performed on several engines with `expose` and snapshots on, each step compared with `compare_step`.

use oracles::compare::{ComparePolicy, Verdict, compare_step};
use oracles::{Engine, EngineKind, Limits};
use spec_tests::{Session, script};

/// Performs `text` on every engine in lockstep and returns each step's verdict with its label.
fn differential(kinds: &[EngineKind], text: &str) -> Vec<(u32, String, Verdict)> {
    let engines: Vec<Box<dyn Engine>> = kinds
        .iter()
        .map(|k| k.build().expect("the engine builds"))
        .collect();
    let script = script::parse("t.wast", text).expect("parses");
    let mut sessions: Vec<Session> = engines
        .iter()
        .map(|e| Session::new(&**e, Limits::default(), true))
        .collect();
    let mut verdicts = Vec::new();
    for command in &script.commands {
        let performed: Vec<_> = sessions
            .iter_mut()
            .filter_map(|s| {
                let name = s.engine().name().to_string();
                s.perform(command).map(|p| (name, p))
            })
            .collect();
        let Some((_, first)) = performed.first() else {
            continue;
        };
        let label = first.action.clone();
        let observations: Vec<(&str, &oracles::Observation)> = performed
            .iter()
            .map(|(n, p)| (n.as_str(), &p.observation))
            .collect();
        let verdict = compare_step(
            verdicts.len(),
            &observations,
            None,
            ComparePolicy::default(),
        );
        verdicts.push((command.line, label, verdict));
    }
    verdicts
}

#[test]
fn engines_agree_on_a_script_with_state_and_exceptions() {
    let text = r#"
(module $M
  (tag $e (export "e") (param i64))
  (memory (export "mem") i64 1)
  (global $g (mut i64) (i64.const 0))
  (func (export "store-and-throw") (param i64)
    (i64.store (i64.const 8) (local.get 0))
    (global.set $g (local.get 0))
    (throw $e (local.get 0)))
  (func (export "load") (result i64) (i64.load (i64.const 8))))
(assert_exception (invoke "store-and-throw" (i64.const 42)))
(assert_return (invoke "load") (i64.const 42))
"#;
    let verdicts = differential(
        &[
            EngineKind::Cranelift,
            EngineKind::Pulley,
            EngineKind::Reference,
        ],
        text,
    );
    let labels: Vec<&str> = verdicts.iter().map(|(_, l, _)| l.as_str()).collect();
    assert_eq!(
        labels,
        [
            "module $M",
            "invoke \"store-and-throw\"(i64:42)",
            "invoke \"load\"()"
        ]
    );
    for (line, label, verdict) in &verdicts {
        assert_eq!(*verdict, Verdict::Agree, "line {line}: {label}");
    }
}

#[test]
fn a_state_difference_after_a_step_is_seen() {
    // The same script on two engines, one of which is given a different module: the
    // snapshots taken after instantiation differ in the global's value.
    let engine = EngineKind::Wasmi.build().expect("builds");
    let a = script::parse("a.wast", "(module (global (mut i32) (i32.const 1)))").expect("parses");
    let b = script::parse("b.wast", "(module (global (mut i32) (i32.const 2)))").expect("parses");
    let mut sa = Session::new(&*engine, Limits::default(), true);
    let mut sb = Session::new(&*engine, Limits::default(), true);
    let pa = sa.perform(&a.commands[0]).expect("performed");
    let pb = sb.perform(&b.commands[0]).expect("performed");
    let verdict = compare_step(
        0,
        &[("x", &pa.observation), ("y", &pb.observation)],
        None,
        ComparePolicy::default(),
    );
    assert!(matches!(verdict, Verdict::Diverge(_)), "{verdict:?}");
}
