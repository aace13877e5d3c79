//! The conformance gate as `cargo test`: one test per (engine, file), each ledger, and the freshness of CONFORMANCE.md.
//!
//! Test names are `<engine>::<file>` (`cranelift::proposals/exceptions/throw.wast`), so a
//! failure names both and `cargo test -p catchall-spec-tests -- pulley::` runs one engine.
//! Files an engine skips by feature are reported as ignored. Engines are built once; every
//! (file, engine) result is computed once and shared with the CONFORMANCE.md test.

use libtest_mimic::{Arguments, Failed, Trial};
use oracles::{Engine, EngineKind};
use spec_tests::ledger::Errata;
use spec_tests::ledger::{self, Ledger};
use spec_tests::run::{FileRun, apply_ledger, file_skip, run_script, spec_limits};
use spec_tests::suite::{self, SuiteFile};
use spec_tests::{EngineInfo, Report, Script, script};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

/// Everything the trials share.
struct Shared {
    engines: Vec<Box<dyn Engine>>,
    files: Vec<SuiteFile>,
    scripts: Vec<Result<Script, String>>,
    ledgers: Vec<Result<Ledger, String>>,
    /// The suite's errata (empty when they do not load; the `errata` test then fails).
    errata: Errata,
    errata_error: Option<String>,
    /// `results[file * engines + engine]`.
    results: Vec<OnceLock<FileRun>>,
}

impl Shared {
    fn result(&self, file: usize, engine: usize) -> Result<&FileRun, Failed> {
        let script = self.scripts[file]
            .as_ref()
            .map_err(|e| Failed::from(e.clone()))?;
        Ok(
            self.results[file * self.engines.len() + engine].get_or_init(|| {
                run_script(
                    &*self.engines[engine],
                    &self.files[file],
                    script,
                    spec_limits(),
                    &self.errata,
                )
            }),
        )
    }

    fn ledger(&self, engine: usize) -> Result<&Ledger, Failed> {
        self.ledgers[engine]
            .as_ref()
            .map_err(|e| Failed::from(e.clone()))
    }
}

fn main() {
    let args = Arguments::from_args();
    let engines: Vec<Box<dyn Engine>> = EngineKind::ALL
        .iter()
        .filter_map(|k| k.build().ok())
        .collect();
    let files = match suite::default_files(&suite::default_local_dir()) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let scripts: Vec<Result<Script, String>> = {
        use rayon::prelude::*;
        files
            .par_iter()
            .map(|f| script::parse(&f.key, &f.text).map_err(|e| e.to_string()))
            .collect()
    };
    let ledgers = engines
        .iter()
        .map(|e| Ledger::load(&ledger::default_dir(), e.name()).map_err(|e| e.to_string()))
        .collect();
    let (errata, errata_error) = match Errata::load(&ledger::default_dir()) {
        Ok(errata) => {
            let parsed: Vec<Script> = scripts
                .iter()
                .filter_map(|s| s.as_ref().ok().cloned())
                .collect();
            match errata.verify(&parsed, true) {
                Ok(()) => (errata, None),
                Err(e) => (Errata::default(), Some(e.to_string())),
            }
        }
        Err(e) => (Errata::default(), Some(e.to_string())),
    };
    let results = (0..files.len() * engines.len())
        .map(|_| OnceLock::new())
        .collect();
    let shared = Arc::new(Shared {
        engines,
        files,
        scripts,
        ledgers,
        errata,
        errata_error,
        results,
    });

    let mut trials = Vec::new();
    for (f, file) in shared.files.iter().enumerate() {
        for (e, engine) in shared.engines.iter().enumerate() {
            let skipped = shared.scripts[f]
                .as_ref()
                .is_ok_and(|s| file_skip(s, engine.features()).is_some());
            let s = Arc::clone(&shared);
            trials.push(
                Trial::test(format!("{}::{}", engine.name(), file.key), move || {
                    let ledger = s.ledger(e)?;
                    let mut run = s.result(f, e)?.clone();
                    let unexpected = apply_ledger(std::slice::from_mut(&mut run), ledger, None);
                    if unexpected.is_empty() {
                        return Ok(());
                    }
                    let lines: Vec<String> = unexpected.iter().map(|u| u.to_string()).collect();
                    Err(format!(
                        "{} unexpected result(s) (fix the engine or the runner, or list a real \
                         engine bug in spec-tests/expectations/{}.toml with its upstream issue):\n{}",
                        unexpected.len(),
                        s.engines[e].name(),
                        lines.join("\n")
                    )
                    .into())
                })
                .with_ignored_flag(skipped),
            );
        }
    }
    for (e, engine) in shared.engines.iter().enumerate() {
        let s = Arc::clone(&shared);
        trials.push(Trial::test(
            format!("ledger::{}", engine.name()),
            move || {
                let ledger = s.ledger(e)?;
                if s.engines[e].name() == EngineKind::Reference.name() && !ledger.entries.is_empty()
                {
                    return Err(
                        "the reference interpreter is the oracle: its failures are bugs to \
                            fix, never ledger entries"
                            .into(),
                    );
                }
                let regressions: Vec<String> =
                    suite::regressions(&suite::default_regressions_dir())
                        .unwrap_or_default()
                        .into_iter()
                        .map(|f| f.key)
                        .collect();
                let keys: HashSet<&str> = s
                    .files
                    .iter()
                    .map(|f| f.key.as_str())
                    .chain(regressions.iter().map(String::as_str))
                    .collect();
                let unknown: Vec<String> = ledger
                    .entries
                    .iter()
                    .filter(|entry| !keys.contains(entry.file.as_str()))
                    .map(|entry| entry.location())
                    .collect();
                if unknown.is_empty() {
                    Ok(())
                } else {
                    Err(format!(
                        "ledger entries naming no file of the suite: {}",
                        unknown.join(", ")
                    )
                    .into())
                }
            },
        ));
    }
    // The reduced engine bugs of corpus/regressions/, on every engine, held against the same
    // ledgers (not part of the conformance report).
    let regressions = suite::regressions(&suite::default_regressions_dir()).unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(2);
    });
    for file in regressions {
        let script = Arc::new(script::parse(&file.key, &file.text).map_err(|e| e.to_string()));
        let file = Arc::new(file);
        for (e, engine) in shared.engines.iter().enumerate() {
            let (s, script, file) = (Arc::clone(&shared), Arc::clone(&script), Arc::clone(&file));
            let ledger = s.ledgers[e].as_ref().ok();
            let not_run = ledger.and_then(|l| l.not_run(&file.key)).is_some();
            let skipped = not_run
                || script
                    .as_ref()
                    .as_ref()
                    .is_ok_and(|sc| file_skip(sc, engine.features()).is_some());
            trials.push(
                Trial::test(format!("{}::{}", engine.name(), file.key), move || {
                    let ledger = s.ledger(e)?;
                    let script = script
                        .as_ref()
                        .as_ref()
                        .map_err(|m| Failed::from(m.clone()))?;
                    let mut run =
                        run_script(&*s.engines[e], &file, script, spec_limits(), &s.errata);
                    let unexpected = apply_ledger(std::slice::from_mut(&mut run), ledger, None);
                    if unexpected.is_empty() {
                        return Ok(());
                    }
                    let lines: Vec<String> = unexpected.iter().map(|u| u.to_string()).collect();
                    Err(lines.join("\n").into())
                })
                .with_ignored_flag(skipped),
            );
        }
    }
    let s = Arc::clone(&shared);
    trials.push(Trial::test("errata", move || match &s.errata_error {
        Some(e) => Err(e.clone().into()),
        None => Ok(()),
    }));
    let s = Arc::clone(&shared);
    trials.push(Trial::test("conformance_md_is_fresh", move || {
        let mut runs = Vec::with_capacity(s.results.len());
        for f in 0..s.files.len() {
            for e in 0..s.engines.len() {
                runs.push(s.result(f, e)?.clone());
            }
        }
        let ledgers = (0..s.engines.len())
            .map(|e| s.ledger(e).cloned())
            .collect::<Result<Vec<_>, _>>()?;
        let keys: HashSet<String> = s.files.iter().map(|f| f.key.clone()).collect();
        let report = Report::new(
            s.engines.iter().map(|e| EngineInfo::of(&**e)).collect(),
            runs,
            ledgers,
            s.errata.entries.clone(),
            Some(&keys),
        );
        let fresh = report.markdown(spec_tests::CONFORMANCE_COMMAND);
        let path = spec_tests::conformance_md_path();
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == fresh {
            Ok(())
        } else {
            Err(format!(
                "{} is stale; regenerate it with `{}` (from the workspace root)",
                path.display(),
                spec_tests::CONFORMANCE_COMMAND
            )
            .into())
        }
    }));
    libtest_mimic::run(&args, trials).exit();
}
