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

/// Where a reduced case diverges, for the assertions beyond outcomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Focus {
    /// The step whose state diverged (its exported globals are asserted after it).
    pub state_step: Option<usize>,
    /// Where a memory first differs after that step (memory index, offset).
    pub memory_difference: Option<(u32, u64)>,
    /// The step whose escaping exception's payload diverged.
    pub payload_step: Option<usize>,
    /// Whether the state that diverged is a table's (its size and which elements are null
    /// are asserted after the state step).
    pub tables: bool,
}

/// The regression script of a reduced case: `header` (comment lines, without `;;`), the
/// module, and the reference's outcome of every step; at the [`Focus`] step, exported globals
/// after a state divergence, the diverging memory word (read by a helper module that imports
/// the memory) and a diverging exception payload (caught by a helper module that imports the
/// tag and the function).
pub fn regression(
    reference: &dyn Engine,
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
    header: &[String],
    focus: Focus,
) -> String {
    let Focus {
        state_step,
        memory_difference,
        payload_step,
        tables,
    } = focus;
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
                if payload_step == Some(i + 1)
                    && let Some(check) = payload_check(&info, call, &args, e)
                {
                    s.push_str(&check);
                    if i + 1 < plan.calls.len() {
                        let _ = writeln!(
                            s,
                            ";; later steps are not asserted: the helper module above is now \
                             the current module"
                        );
                    }
                    break;
                }
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
            let helper = if let Some((memory, offset)) = memory_difference {
                Some(memory_check(
                    reference,
                    wasm,
                    plan,
                    &options,
                    i + 1,
                    memory,
                    offset,
                ))
            } else if tables {
                Some(table_checks(&info, &snap.tables))
            } else {
                None
            };
            if let Some(helper) = helper {
                s.push_str(&helper);
                if i + 1 < plan.calls.len() {
                    let _ = writeln!(
                        s,
                        ";; later steps are not asserted: the helper module above is now the \
                         current module"
                    );
                }
                break;
            }
        }
    }
    s
}

/// The assertion of an escaping exception's payload: a helper module imports the subject's
/// tag and function, calls it inside a `try_table` that catches the tag, and returns the
/// payload. `None` when the tag or function is not exported or a type has no `.wast` form.
fn payload_check(
    info: &Option<ModuleInfo>,
    call: &oracles::differential::Call,
    args: &[String],
    thrown: &oracles::Thrown,
) -> Option<String> {
    let info = info.as_ref()?;
    let tag = thrown.tag.name.as_deref()?;
    let export = info.export(&call.func)?;
    let sig = info.func_sig(export.index)?;
    let names = |types: &[Option<oracles::ValType>]| -> Option<Vec<String>> {
        types.iter().map(|t| t.map(|t| t.to_string())).collect()
    };
    let params = names(&sig.params)?;
    let results = names(&sig.results)?;
    let payload_types: Vec<String> = thrown.payload.iter().map(|v| v.ty().to_string()).collect();
    let payload: Vec<String> = thrown
        .payload
        .iter()
        .map(wast_value)
        .collect::<Option<_>>()?;
    let list = |kw: &str, ts: &[String]| {
        if ts.is_empty() {
            String::new()
        } else {
            format!(" ({kw} {})", ts.join(" "))
        }
    };
    let mut body = String::new();
    for i in 0..params.len() {
        let _ = writeln!(body, "        local.get {i}");
    }
    body.push_str("        call 0\n");
    for _ in &results {
        body.push_str("        drop\n");
    }
    Some(format!(
        ";; its payload, caught by a helper module:\n\
         (register {SUBJECT:?})\n\
         (module\n  \
         (import {SUBJECT:?} {} (tag{}))\n  \
         (import {SUBJECT:?} {} (func{}{}))\n  \
         (func (export \"catch\"){}{}\n    \
         block{}\n      \
         try_table (catch 0 0)\n{body}      \
         end\n      \
         unreachable\n    \
         end))\n\
         (assert_return (invoke \"catch\" {}) {})\n",
        quote(tag),
        list("param", &payload_types),
        quote(&call.func),
        list("param", &params),
        list("result", &results),
        list("param", &params),
        list("result", &payload_types),
        list("result", &payload_types),
        args.join(" "),
        payload.join(" ")
    ))
}

/// Assertions on the reference's exported tables after the state step: each table's size and,
/// for its first 64 elements, whether each is null, read by a helper module that imports it.
fn table_checks(info: &Option<ModuleInfo>, tables: &[oracles::outcome::TableState]) -> String {
    let Some(info) = info.as_ref() else {
        return String::new();
    };
    let mut s = String::new();
    let mut registered = false;
    for t in tables {
        let Some(name) = info.export_name(ItemKind::Table, t.index) else {
            continue;
        };
        let Some(element) = info
            .tables
            .get(t.index as usize)
            .and_then(|ti| ti.element)
            .filter(|e| matches!(e, oracles::ValType::FuncRef | oracles::ValType::ExternRef))
        else {
            continue;
        };
        let it = if t.index_type == oracles::IndexType::I64 {
            "i64"
        } else {
            "i32"
        };
        if !registered {
            let _ = writeln!(
                s,
                ";; the tables after that step (size, and which elements are null):\n(register {SUBJECT:?})"
            );
            registered = true;
        }
        let _ = writeln!(
            s,
            "(module\n  (import {SUBJECT:?} {} (table {it} 0 {element}))\n  \
             (func (export \"size\") (result {it}) (table.size 0))\n  \
             (func (export \"null\") (param {it}) (result i32) (ref.is_null (table.get 0 (local.get 0)))))",
            quote(name)
        );
        let _ = writeln!(
            s,
            "(assert_return (invoke \"size\") ({it}.const {}))",
            t.size
        );
        for (k, e) in t.elements.iter().take(64).enumerate() {
            let null = matches!(e, Val::FuncRef(None) | Val::ExternRef(None));
            let _ = writeln!(
                s,
                "(assert_return (invoke \"null\" ({it}.const {k})) (i32.const {}))",
                u8::from(null)
            );
        }
    }
    s
}

/// The module name under which a regression registers its subject to read its memory.
const SUBJECT: &str = "catchall-subject";

/// Assertions on the reference's memory `memory` after `step`: the 8 bytes around `offset`
/// (where the dissenting engine's memory first differs), read by a helper module that imports
/// the subject's exported memory. Empty (a comment) when the memory is not exported.
fn memory_check(
    reference: &dyn Engine,
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
    step: usize,
    memory: u32,
    offset: u64,
) -> String {
    let Some(info) = ModuleInfo::parse(wasm).ok() else {
        return String::new();
    };
    let Some(name) = info.export_name(ItemKind::Memory, memory) else {
        return format!(
            ";; memory {memory} differs at offset {offset} but is not exported: not asserted\n"
        );
    };
    let Some(contents) = reference_memory_after(reference, wasm, plan, options, step, memory)
    else {
        return format!(";; the reference's memory {memory} could not be read: not asserted\n");
    };
    let len = contents.len() as u64;
    if len < 8 {
        return format!(";; memory {memory} is smaller than 8 bytes: not asserted\n");
    }
    let at = (offset & !7).min(len - 8);
    let word = u64::from_le_bytes(
        contents[at as usize..at as usize + 8]
            .try_into()
            .unwrap_or([0; 8]),
    );
    let memory64 = info
        .memories
        .get(memory as usize)
        .is_some_and(|m| m.index_type == oracles::IndexType::I64);
    let (index_type, address) = if memory64 {
        ("i64", format!("(i64.const {at})"))
    } else {
        ("i32", format!("(i32.const {at})"))
    };
    format!(
        ";; the memory after that step, where the dissenting engine's first differs (offset {offset}):\n\
         (register {SUBJECT:?})\n\
         (module\n  (import {SUBJECT:?} {} (memory {index_type} 0))\n  \
         (func (export \"peek\") (param {index_type}) (result i64) (i64.load (local.get 0))))\n\
         (assert_return (invoke \"peek\" {address}) (i64.const {}))\n",
        quote(name),
        word as i64
    )
}

/// The reference's memory `memory` after `step` steps of `plan` (instantiation being step 0).
fn reference_memory_after(
    reference: &dyn Engine,
    wasm: &[u8],
    plan: &Plan,
    options: &RunOptions,
    step: usize,
    memory: u32,
) -> Option<Vec<u8>> {
    let module = reference.compile(wasm).ok()?;
    let mut store = reference.new_store(options.limits);
    let instance = match store.instantiate(module.as_ref()).ok()? {
        Outcome::Return(id) => id,
        _ => return None,
    };
    for call in plan.calls.iter().take(step) {
        let _ = store.call(instance, &call.func, &call.args);
    }
    store.memory_contents(instance, memory)
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

#[cfg(test)]
mod tests {
    use super::*;
    use oracles::EngineKind;
    use oracles::differential::Call;

    /// One call `f(-7, 3)` (where the planted `i64.rem_u` differs), the reference and the
    /// planted engine.
    fn planted_setup() -> (Plan, Box<dyn Engine>, Box<dyn Engine>) {
        let plan = Plan {
            calls: vec![Call {
                func: "f".into(),
                args: vec![Val::I64(-7), Val::I64(3)],
            }],
        };
        (
            plan,
            EngineKind::Reference.build().unwrap(),
            EngineKind::Planted.build().unwrap(),
        )
    }

    /// The regression of `wasm` under `focus` contains `needle`, passes on the reference and
    /// fails one assertion on the planted engine; the number of assertions that passed on the
    /// reference.
    fn regression_catches_planted(wasm: &[u8], focus: Focus, needle: &str) -> usize {
        let (plan, reference, planted) = planted_setup();
        let text = regression(
            reference.as_ref(),
            wasm,
            &plan,
            &RunOptions::default(),
            &[],
            focus,
        );
        assert!(text.contains(needle), "{text}");
        let on_reference = verify(reference.as_ref(), "r.wast", &text).unwrap();
        assert!(on_reference.failures.is_empty(), "{on_reference:?}\n{text}");
        let on_planted = verify(planted.as_ref(), "r.wast", &text).unwrap();
        assert_eq!(on_planted.failures.len(), 1, "{on_planted:?}\n{text}");
        on_reference.passed
    }

    /// A divergence in memory only (the planted engine's `i64.rem_u` stored, the call's result
    /// the same): the regression reads the diverging word back through a helper module, and
    /// so passes on the reference and fails on the planted engine.
    #[test]
    fn a_memory_divergence_is_asserted_through_a_helper_module() {
        for index in ["i32", "i64"] {
            let wat = format!(
                r#"(module
                     (memory (export "mem") {index} 1)
                     (func (export "f") (param i64 i64) (result i32)
                       ({index}.const 4100)
                       (i64.rem_u (local.get 0) (local.get 1))
                       (i64.store offset=4)
                       (i32.const 1)))"#
            );
            let wasm = wat::parse_str(&wat).unwrap();
            let (plan, reference, planted) = planted_setup();
            let options = RunOptions::default();
            let r = run_case(
                &[reference.as_ref(), planted.as_ref()],
                &wasm,
                &plan,
                &options,
            );
            let diff = r.steps[1].first_memory_difference;
            assert_eq!(diff.map(|d| d.0), Some(0), "{:?}", r.verdict);
            let focus = Focus {
                state_step: Some(1),
                memory_difference: diff,
                ..Focus::default()
            };
            // Two modules, the call and the memory word.
            assert_eq!(
                regression_catches_planted(&wasm, focus, "(register \"catchall-subject\")"),
                4
            );
        }
    }

    /// An escaping exception whose payload diverges (the planted engine's `i64.rem_u`): the
    /// regression catches it in a helper module and asserts the payload.
    #[test]
    fn a_payload_divergence_is_asserted_by_catching_it() {
        let wasm = wat::parse_str(
            r#"(module
                 (tag (export "t") (param i64 i32))
                 (func (export "f") (param i64 i64) (result i32)
                   (throw 0 (i64.rem_u (local.get 0) (local.get 1)) (i32.const 7))))"#,
        )
        .unwrap();
        let focus = Focus {
            payload_step: Some(1),
            ..Focus::default()
        };
        regression_catches_planted(&wasm, focus, "try_table (catch 0 0)");
    }

    /// A divergence in a table (an element set or not after the planted `i64.rem_u`): the
    /// regression reads the table's size and nulls through a helper module.
    #[test]
    fn a_table_divergence_is_asserted_through_a_helper_module() {
        let wasm = wat::parse_str(
            r#"(module
                 (table (export "t") 3 funcref)
                 (elem declare func 0)
                 (func (export "f") (param i64 i64) (result i32)
                   (if (i64.eqz (i64.rem_u (local.get 0) (local.get 1)))
                     (then (table.set 0 (i32.const 1) (ref.func 0))))
                   (i32.const 1)))"#,
        )
        .unwrap();
        let focus = Focus {
            state_step: Some(1),
            tables: true,
            ..Focus::default()
        };
        regression_catches_planted(&wasm, focus, "(table i32 0 funcref)");
    }
}
