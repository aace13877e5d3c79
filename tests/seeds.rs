//! Runs every hand-written scenario of `corpus/seeds/` on every engine that builds and checks
//! each step against the expectations written in the seed (format: `corpus/seeds/README.md`).

use oracles::compare::{ComparePolicy, NanPolicy, Verdict};
use oracles::differential::{Call, EngineStatus, Plan, RunOptions, run_case};
use oracles::{Engine, EngineKind, Limits, Val};
use std::path::{Path, PathBuf};

/// The prefix of an expectation line (after leading whitespace).
const EXPECT: &str = ";; expect:";

/// One expectation line: an action and the cell every engine must show for it.
#[derive(Debug, PartialEq)]
struct Expectation {
    /// 1-based line number in the seed.
    line: usize,
    /// `None` for `instantiate`, else the call.
    call: Option<Call>,
    /// The expected cell, in the notation of `Observation::cell()`.
    cell: String,
}

impl Expectation {
    fn action(&self) -> String {
        match &self.call {
            None => "instantiate".into(),
            Some(call) => call.to_string(),
        }
    }
}

/// Parses the expectation lines of a seed. The first must be `instantiate`, no later one may be.
fn parse_expectations(text: &str) -> Result<Vec<Expectation>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let Some(rest) = raw.trim_start().strip_prefix(EXPECT) else {
            continue;
        };
        let (action, cell) = rest
            .split_once("=>")
            .ok_or_else(|| format!("line {line}: expected `ACTION => CELL`"))?;
        let (action, cell) = (action.trim(), cell.trim());
        if cell.is_empty() {
            return Err(format!("line {line}: empty expected cell"));
        }
        let call = if action == "instantiate" {
            None
        } else {
            Some(parse_call(action).map_err(|e| format!("line {line}: {e}"))?)
        };
        out.push(Expectation {
            line,
            call,
            cell: cell.to_string(),
        });
    }
    match out.first() {
        None => return Err("no `;; expect:` lines".into()),
        Some(first) if first.call.is_some() => {
            return Err(format!(
                "line {}: the first expectation must be `instantiate`",
                first.line
            ));
        }
        Some(_) => {}
    }
    if let Some(e) = out.iter().skip(1).find(|e| e.call.is_none()) {
        return Err(format!(
            "line {}: `instantiate` may only come first",
            e.line
        ));
    }
    Ok(out)
}

/// Parses `name(val, val, ...)` with values in `Val::parse` notation.
fn parse_call(action: &str) -> Result<Call, String> {
    let (func, rest) = action
        .split_once('(')
        .ok_or_else(|| format!("`{action}`: expected `name(args)`"))?;
    let args = rest
        .strip_suffix(')')
        .ok_or_else(|| format!("`{action}`: missing `)`"))?;
    let func = func.trim();
    if func.is_empty() {
        return Err(format!("`{action}`: missing function name"));
    }
    let args = args
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|a| Val::parse(a).ok_or_else(|| format!("`{a}` is not a value")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Call {
        func: func.to_string(),
        args,
    })
}

/// Every seed, sorted by name; `SEED=substring` narrows the list.
fn seeds() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/seeds");
    let filter = std::env::var("SEED").unwrap_or_default();
    let mut seeds: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().contains(&filter))
        })
        .collect();
    seeds.sort();
    seeds
}

fn seed_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

/// Every engine that builds in this checkout, with the names of those that do not.
fn engines() -> (Vec<Box<dyn Engine>>, Vec<String>) {
    let mut built = Vec::new();
    let mut missing = Vec::new();
    for kind in EngineKind::ALL {
        match kind.build() {
            Ok(engine) => built.push(engine),
            Err(e) => missing.push(format!("{kind} ({e})")),
        }
    }
    (built, missing)
}

/// Runs one seed; returns the engines that ran it and every way it failed its expectations.
fn check_seed(path: &Path, engines: &[&dyn Engine]) -> (Vec<String>, Vec<String>) {
    let name = seed_name(path);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => return (vec![], vec![format!("{name}: cannot read: {e}")]),
    };
    let expectations = match parse_expectations(&text) {
        Ok(e) => e,
        Err(e) => return (vec![], vec![format!("{name}: {e}")]),
    };
    let wasm = match wat::parse_str(&text) {
        Ok(w) => w,
        Err(e) => return (vec![], vec![format!("{name}: does not parse: {e}")]),
    };
    let exposed = match oracles::expose::expose(&wasm) {
        Ok(w) => w,
        Err(e) => return (vec![], vec![format!("{name}: expose failed: {e}")]),
    };
    let plan = Plan {
        calls: expectations.iter().filter_map(|e| e.call.clone()).collect(),
    };
    let options = RunOptions {
        limits: Limits::default(),
        // Seeds state exact bits: a NaN whose payload the spec leaves open is checked inside
        // the module (by class), never returned raw.
        policy: ComparePolicy {
            nan: NanPolicy::Exact,
        },
        continue_after_verdict: true,
    };
    let case = run_case(engines, &exposed, &plan, &options);

    let mut failures = Vec::new();
    let ran: Vec<usize> = (0..case.engines.len())
        .filter(|&i| case.engines[i].status == EngineStatus::Ran)
        .collect();
    if ran.is_empty() {
        let skipped: Vec<String> = case
            .engines
            .iter()
            .map(|e| format!("{} ({:?})", e.name, e.status))
            .collect();
        failures.push(format!(
            "{name}: no engine ran it (skipped: {})",
            skipped.join(", ")
        ));
    }
    for (index, expected) in expectations.iter().enumerate() {
        let action = expected.action();
        let at = format!("{name}:{} step {index} `{action}`", expected.line);
        let Some(step) = case.steps.get(index) else {
            failures.push(format!(
                "{at}: never taken (the case stopped after {} steps; an instantiation that \
                 does not return leaves no instance to call)",
                case.steps.len()
            ));
            continue;
        };
        if step.action != action {
            failures.push(format!("{at}: the driver took `{}` instead", step.action));
        }
        for &i in &ran {
            let engine = &case.engines[i].name;
            match step.observations.get(i).and_then(Option::as_ref) {
                Some(o) if o.cell() == expected.cell => {}
                Some(o) => failures.push(format!(
                    "{at}: engine {engine}: expected `{}`, got `{}`",
                    expected.cell,
                    o.cell()
                )),
                None => failures.push(format!(
                    "{at}: engine {engine}: expected `{}`, but it did not take the step",
                    expected.cell
                )),
            }
        }
        if step.verdict != Verdict::Agree {
            failures.push(format!("{at}: verdict {:?}, expected agree", step.verdict));
        }
    }
    if case.steps.len() > expectations.len() {
        failures.push(format!(
            "{name}: {} steps taken for {} expectations",
            case.steps.len(),
            expectations.len()
        ));
    }
    if case.verdict != Verdict::Agree {
        failures.push(format!("{name}: case verdict {:?}", case.verdict));
    }
    let ran = ran.iter().map(|&i| case.engines[i].name.clone()).collect();
    (ran, failures)
}

#[test]
fn every_seed_meets_its_expectations_on_every_engine() {
    let (built, missing) = engines();
    let refs: Vec<&dyn Engine> = built.iter().map(|e| e.as_ref()).collect();
    if !missing.is_empty() {
        eprintln!("engines that do not build here: {}", missing.join("; "));
    }
    let seeds = seeds();
    assert!(!seeds.is_empty(), "no seeds found under corpus/seeds");
    let mut failures = Vec::new();
    for seed in &seeds {
        let (ran, f) = check_seed(seed, &refs);
        eprintln!(
            "{}: {} (ran on {})",
            seed_name(seed),
            if f.is_empty() { "ok" } else { "FAILED" },
            ran.join(", ")
        );
        failures.extend(f);
    }
    assert!(
        failures.is_empty(),
        "{} failure(s) in {} seed(s):\n{}",
        failures.len(),
        seeds.len(),
        failures.join("\n")
    );
}

#[test]
fn every_seed_says_what_it_tests_and_why() {
    for seed in seeds() {
        let name = seed_name(&seed);
        let text = std::fs::read_to_string(&seed).expect("a readable seed");
        let first = text.lines().next().unwrap_or_default();
        assert!(
            first.starts_with(";; ") && first.len() > 10,
            "{name}: the first line must be a `;; ` comment saying what the seed tests"
        );
        assert!(
            text.lines().any(|l| l.starts_with(";; Why: ")),
            "{name}: the header must say why the scenario matters (a `;; Why: ` paragraph)"
        );
        if let Err(e) = parse_expectations(&text) {
            panic!("{name}: {e}");
        }
    }
}

#[test]
fn expectation_lines_parse() {
    let text = ";; what\n\
                ;; expect: instantiate => ok\n\
                (module)\n  \
                ;; expect: pair(i32:7, i64:-2) => exn $e(i32:7, i64:2)\n\
                ;; expect: none() => i32:1, f32:0x7fc00000\n";
    let parsed = parse_expectations(text).expect("valid expectations");
    assert_eq!(parsed.len(), 3);
    assert_eq!(parsed[0].call, None);
    assert_eq!(parsed[0].cell, "ok");
    assert_eq!(
        parsed[1].call,
        Some(Call {
            func: "pair".into(),
            args: vec![Val::I32(7), Val::I64(-2)]
        })
    );
    assert_eq!(parsed[1].cell, "exn $e(i32:7, i64:2)");
    assert_eq!(parsed[1].line, 4);
    assert_eq!(parsed[2].action(), "none()");
    assert_eq!(parsed[2].cell, "i32:1, f32:0x7fc00000");
}

#[test]
fn malformed_expectation_lines_are_rejected() {
    for (text, error) in [
        ("(module)", "no `;; expect:` lines"),
        (
            ";; expect: f() => ok",
            "the first expectation must be `instantiate`",
        ),
        (";; expect: instantiate ok", "expected `ACTION => CELL`"),
        (";; expect: instantiate =>", "empty expected cell"),
        (
            ";; expect: instantiate => ok\n;; expect: f(i32) => ok",
            "`i32` is not a value",
        ),
        (
            ";; expect: instantiate => ok\n;; expect: f => ok",
            "expected `name(args)`",
        ),
        (
            ";; expect: instantiate => ok\n;; expect: instantiate => ok",
            "`instantiate` may only come first",
        ),
    ] {
        let e = parse_expectations(text).expect_err(text);
        assert!(e.contains(error), "{text:?}: {e}");
    }
}
