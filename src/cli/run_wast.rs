//! `catchall run FILE.wast`: a script's actions performed on every engine, compared action by action.
//!
//! One [`Session`] per engine performs each command (modules go through `expose`, so every
//! memory, global and table is snapshotted); each command that some engine ran becomes one row
//! of the report, compared with [`compare_step`] exactly like a step of a generated case. The
//! script's own expectations are not checked here: that is `catchall spec`'s job.

use crate::report::{CellKind, StepRow, Table};
use anyhow::anyhow;
use oracles::Engine;
use oracles::compare::{DivergenceKind, Observation, Verdict, compare_step};
use oracles::differential::{ORACLE, RunOptions};
use oracles::differential::{first_memory_difference, memory_contents};
use spec_tests::session::{Session, Step};
use std::path::Path;

/// The message every engine crashed with, when they all crashed with the same one.
fn refused_by_all(observations: &[(&str, Observation)]) -> Option<String> {
    let mut messages = observations.iter().map(|(_, o)| match &o.outcome {
        Ok(oracles::Outcome::Crash(m)) => Some(m),
        _ => None,
    });
    let first = messages.next()??;
    messages.all(|m| m == Some(first)).then(|| first.clone())
}

/// Runs a script differentially; an unparsable script is an error naming file, line and
/// column, and so, with `strict`, is a call every engine refuses (not exported, wrong
/// arguments). Scripts the `wast` fuzz target assembled are replayed without `strict`: their
/// commands come from many files, and a refused call is part of what the target ran.
pub fn run_script(
    path: &Path,
    text: &str,
    engines: &[&dyn Engine],
    options: &RunOptions,
    strict: bool,
) -> anyhow::Result<Table> {
    let script =
        spec_tests::script::parse(&path.display().to_string(), text).map_err(|e| anyhow!("{e}"))?;
    let mut sessions: Vec<Session> = engines
        .iter()
        .map(|e| Session::new(*e, options.limits, true))
        .collect();
    let oracle = engines.iter().any(|e| e.name() == ORACLE).then_some(ORACLE);
    let mut rows: Vec<StepRow> = Vec::new();
    let mut verdict = Verdict::Agree;
    let mut gaps = vec![false; engines.len()];
    for command in &script.commands {
        let steps: Vec<Step> = sessions.iter_mut().map(|s| s.step(command)).collect();
        let Some(action) = steps.iter().find_map(|s| match s {
            Step::Performed(p) => Some(p.action.clone()),
            _ => None,
        }) else {
            continue;
        };
        // The exception objects a store's host has seen depend on the store's whole history:
        // once an engine has skipped a command others ran, that list is not comparable any
        // more (everything per instance still is).
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
        // Every engine refusing the call the same way is the script's error (an invoke of a
        // function that is not exported, or with the wrong arguments), not an engine's.
        if strict && let Some(message) = refused_by_all(&compared) {
            anyhow::bail!(
                "{}:{}: {action}: {message} (every engine refused it: the script is wrong)",
                path.display(),
                command.line
            );
        }
        for (gap, step) in gaps.iter_mut().zip(&steps) {
            *gap |= !matches!(step, Step::Performed(_));
        }
        let named: Vec<(&str, &Observation)> = compared.iter().map(|(n, o)| (*n, o)).collect();
        let step_verdict = compare_step(rows.len(), &named, oracle, options.policy);
        let snapshots: Vec<_> = named.iter().map(|(_, o)| &o.snapshot).collect();
        let state_equal = snapshots.windows(2).all(|w| w[0] == w[1]);
        let memory_difference = match &step_verdict {
            Verdict::Diverge(d)
                if d.kind == DivergenceKind::MemoryMismatch && d.groups.len() > 1 =>
            {
                let memories: Vec<u32> = named
                    .iter()
                    .find_map(|(_, o)| o.snapshot.as_ref())
                    .map(|s| s.memories.iter().map(|m| m.index).collect())
                    .unwrap_or_default();
                locate(
                    &mut sessions,
                    &memories,
                    &d.groups[0].engines[0],
                    &d.groups[1].engines[0],
                )
            }
            _ => None,
        };
        if verdict == Verdict::Agree && step_verdict != Verdict::Agree {
            verdict = step_verdict.clone();
        }
        let cells = steps
            .into_iter()
            .map(|s| match s {
                Step::Performed(p) => CellKind::Observed(p.observation),
                Step::Skipped(why) => CellKind::Skipped(why),
                Step::Blocked(_) | Step::Nothing => CellKind::NotRun,
            })
            .collect();
        rows.push(StepRow {
            action: format!("{}: {action}", command.line),
            cells,
            state_equal,
            verdict: step_verdict,
            memory_difference,
        });
    }
    let features = script.features().names();
    Ok(Table {
        title: format!(
            "{} ({} commands; proposals: {})",
            path.display(),
            script.len(),
            if features.is_empty() {
                "none beyond core".to_string()
            } else {
                features.join(", ")
            }
        ),
        engines: engines.iter().map(|e| e.name().to_string()).collect(),
        skipped: Vec::new(),
        rows,
        verdict,
    })
}

/// The first differing (memory, offset) between the current instances of engines `a` and `b`,
/// reading the memories the step's snapshot listed.
fn locate(sessions: &mut [Session], memories: &[u32], a: &str, b: &str) -> Option<(u32, u64)> {
    let mut contents = |name: &str| {
        let session = sessions.iter_mut().find(|s| s.engine().name() == name)?;
        let id = session.current_instance()?;
        Some(memory_contents(session.store_mut(), id, memories))
    };
    let ma = contents(a)?;
    let mb = contents(b)?;
    first_memory_difference(&ma, &mb)
}
