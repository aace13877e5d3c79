//! `.wast` regressions: the reduced module in text form and, for every step of its plan, the reference interpreter's outcome as an assertion (`assert_return`, `assert_trap`, `assert_exception`, `assert_exhaustion`, `assert_unlinkable`); globals checked through their exports after the step where the divergence is in state. Verified by running the script on each engine with the `.wast` runner.

use oracles::differential::{Plan, RunOptions, run_case};
use oracles::{Engine, ItemKind, ModuleError, ModuleInfo, Outcome, Val};
use spec_tests::ledger::Errata;
use spec_tests::suite::SuiteFile;
use std::borrow::Cow;
use std::fmt::Write as _;

/// A value as a `.wast` constant (floats bit-exact: NaNs with their payload).
pub fn wast_value(v: &Val) -> Option<String> {
    Some(match *v {
        Val::I32(x) => format!("(i32.const {x})"),
        Val::I64(x) => format!("(i64.const {x})"),
        Val::F32(bits) => {
            let f = f32::from_bits(bits);
            if f.is_nan() {
                let sign = if bits >> 31 == 1 { "-" } else { "" };
                format!("(f32.const {sign}nan:0x{:x})", bits & 0x7f_ffff)
            } else if f.is_infinite() {
                format!("(f32.const {}inf)", if f < 0.0 { "-" } else { "" })
            } else {
                format!("(f32.const {f:?})")
            }
        }
        Val::F64(bits) => {
            let f = f64::from_bits(bits);
            if f.is_nan() {
                let sign = if bits >> 63 == 1 { "-" } else { "" };
                format!("(f64.const {sign}nan:0x{:x})", bits & 0xf_ffff_ffff_ffff)
            } else if f.is_infinite() {
                format!("(f64.const {}inf)", if f < 0.0 { "-" } else { "" })
            } else {
                format!("(f64.const {f:?})")
            }
        }
        Val::V128(bits) => format!(
            "(v128.const i64x2 {} {})",
            bits as u64 as i64,
            (bits >> 64) as u64 as i64
        ),
        Val::FuncRef(None) => "(ref.null func)".into(),
        Val::FuncRef(Some(_)) => "(ref.func)".into(),
        Val::ExternRef(None) => "(ref.null extern)".into(),
        Val::ExternRef(Some(n)) => format!("(ref.extern {n})"),
        Val::ExnRef(None) => "(ref.null exn)".into(),
        Val::ExnRef(Some(_)) => return None,
    })
}

fn quote(name: &str) -> String {
    let mut s = String::from("\"");
    for c in name.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' => s.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    let _ = write!(s, "\\{b:02x}");
                }
            }
        }
    }
    s.push('"');
    s
}

/// The regression script of a reduced case: `header` (comment lines, without `;;`), the
/// module, and the reference's outcome of every step; `state_step` is the step whose state
/// diverged (its exported globals are asserted after it).
pub fn regression(
    reference: &dyn Engine,
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
    header: &[String],
    state_step: Option<usize>,
) -> String {
    let mut s = String::new();
    for line in header {
        for l in line.lines() {
            let _ = writeln!(s, ";; {l}");
        }
    }
    let text = crate::finding::module_text(wasm);
    let options = RunOptions {
        continue_after_verdict: true,
        ..*options
    };
    let report = run_case(&[reference], wasm, plan, &options);
    let info = ModuleInfo::parse(wasm).ok();
    let globals: Vec<String> = info
        .as_ref()
        .map(|i| {
            (0..i.count(ItemKind::Global))
                .filter_map(|g| i.export_name(ItemKind::Global, g).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let first = report
        .steps
        .first()
        .and_then(|st| st.observations.first().cloned().flatten());
    let module_directive = text.trim_end().to_string();
    match first.as_ref().map(|o| &o.outcome) {
        Some(Ok(Outcome::Trap(t))) => {
            let _ = writeln!(
                s,
                "(assert_trap\n{module_directive}\n  {})",
                quote(t.kind.spec_message())
            );
            return s;
        }
        Some(Err(ModuleError::Unlinkable(_))) => {
            let _ = writeln!(
                s,
                "(assert_unlinkable\n{module_directive}\n  \"unknown import\")"
            );
            return s;
        }
        Some(Ok(Outcome::Return(_))) => {
            let _ = writeln!(s, "{module_directive}");
        }
        other => {
            let _ = writeln!(s, "{module_directive}");
            let _ = writeln!(
                s,
                ";; the reference's instantiation: {other:?} (not asserted)"
            );
            return s;
        }
    }
    for (i, call) in plan.calls.iter().enumerate() {
        let Some(step) = report.steps.get(i + 1) else {
            let _ = writeln!(s, ";; the reference took no further step");
            break;
        };
        let Some(o) = step.observations.first().cloned().flatten() else {
            break;
        };
        let args: Vec<String> = call.args.iter().filter_map(wast_value).collect();
        let invoke = if args.len() == call.args.len() {
            format!("(invoke {} {})", quote(&call.func), args.join(" "))
        } else {
            let _ = writeln!(s, ";; {call}: an argument has no .wast form (not asserted)");
            continue;
        };
        match &o.outcome {
            Ok(Outcome::Return(vals)) => {
                match vals.iter().map(wast_value).collect::<Option<Vec<_>>>() {
                    Some(vs) => {
                        let _ = writeln!(s, "(assert_return {invoke} {})", vs.join(" "));
                    }
                    None => {
                        let _ = writeln!(
                            s,
                            ";; returns {} (an exception reference: run, not compared)\n{invoke}",
                            oracles::value::display_list(vals)
                        );
                    }
                }
            }
            Ok(Outcome::Trap(t)) => {
                let _ = writeln!(s, "(assert_trap {invoke} {})", quote(t.kind.spec_message()));
            }
            Ok(Outcome::Exception(e)) => {
                let _ = writeln!(s, ";; throws {e}\n(assert_exception {invoke})");
            }
            Ok(Outcome::Exhaustion(oracles::Exhaustion::CallStack)) => {
                let _ = writeln!(s, "(assert_exhaustion {invoke} \"call stack exhausted\")");
            }
            other => {
                let _ = writeln!(
                    s,
                    ";; {call}: the reference observed {other:?}; not asserted"
                );
                break;
            }
        }
        if state_step == Some(i + 1)
            && let Some(snap) = &o.snapshot
        {
            for (name, g) in globals.iter().zip(&snap.globals) {
                if let Some(v) = wast_value(&g.value) {
                    let _ = writeln!(s, "(assert_return (get {}) {v})", quote(name));
                }
            }
        }
    }
    s
}

/// What running a regression on one engine gave.
#[derive(Clone, Debug, PartialEq)]
pub struct Verification {
    /// The engine.
    pub engine: String,
    /// Assertions that held.
    pub passed: usize,
    /// Assertions that failed, each `line: expected ..., got ...`.
    pub failures: Vec<String>,
    /// Why the engine did not run the script, if it did not.
    pub skipped: Option<String>,
}

/// Runs a regression script on `engine` with the `.wast` runner.
pub fn verify(engine: &dyn Engine, name: &str, text: &str) -> Result<Verification, String> {
    let script = spec_tests::script::parse(name, text).map_err(|e| e.to_string())?;
    let file = SuiteFile {
        key: name.to_string(),
        group: "regressions".into(),
        text: Cow::Owned(text.to_string()),
    };
    let run = spec_tests::run::run_script(
        engine,
        &file,
        &script,
        spec_tests::run::spec_limits(),
        &Errata::default(),
    );
    Ok(Verification {
        engine: engine.name().to_string(),
        passed: run.passed,
        failures: run.failures.iter().map(|f| f.message()).collect(),
        skipped: run.skipped_by,
    })
}
