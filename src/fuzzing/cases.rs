//! The generated-case targets (`differential`, `exceptions`, `memory64`, `idioms`): the input becomes one case of a profile, run on every engine and judged as a campaign judges it.

use super::{Target, crash, expand, input_hash};
use crate::campaign::{CaseRun, known, policy_for};
use crate::generate::{GenerateError, Profile, generate_strict};
use oracles::compare::Verdict;
use oracles::differential::{RunOptions, run_case};
use oracles::{Engine, Limits};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;
use triage::key::BucketKey;

/// The profile an input of a generated-case target makes its case with, and the bytes the
/// generator reads. For `differential` the first byte picks the profile and the rest is the
/// generator's input; the other targets have one profile and use the whole input.
/// `None` for targets that do not generate cases.
pub fn derive(target: Target, data: &[u8]) -> Option<(Profile, Vec<u8>)> {
    let fixed = |p: Profile| Some((p, expand(data)));
    match target {
        Target::Differential => {
            let (first, rest) = data.split_first().map_or((0, data), |(f, r)| (*f, r));
            let profile = Profile::ALL[usize::from(first) % Profile::ALL.len()];
            Some((profile, expand(rest)))
        }
        Target::Exceptions => fixed(Profile::Exceptions),
        Target::Memory64 => fixed(Profile::Memory64),
        Target::Idioms => fixed(Profile::Idioms),
        Target::Reference | Target::Wast => None,
    }
}

/// A generator failed on a fuzzer input.
#[derive(Debug, thiserror::Error)]
pub enum DeriveError {
    /// The target does not generate cases.
    #[error("target {0} does not generate cases")]
    NotGenerated(Target),
    /// The generator returned an error (an invalid module).
    #[error(transparent)]
    Generator(#[from] GenerateError),
    /// The generator panicked.
    #[error("generator bug: the generator panicked: {0}")]
    Panicked(String),
}

/// The input's case, generated with no safety net, and run on `engines` (stopping at the
/// first step that does not agree unless `continue_after_verdict`).
pub fn replay(
    target: Target,
    data: &[u8],
    engines: &[&dyn Engine],
    continue_after_verdict: bool,
) -> Result<(Profile, CaseRun), DeriveError> {
    let (profile, bytes) = derive(target, data).ok_or(DeriveError::NotGenerated(target))?;
    let t = Instant::now();
    let case = catch_unwind(AssertUnwindSafe(|| generate_strict(&bytes, profile))).map_err(
        |payload| {
            DeriveError::Panicked(
                payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into()),
            )
        },
    )??;
    let wasm = oracles::expose::expose(&case.wasm).unwrap_or_else(|_| case.wasm.clone());
    let generation = t.elapsed();
    let options = RunOptions {
        limits: Limits::default(),
        policy: policy_for(&case),
        continue_after_verdict,
    };
    let report = run_case(engines, &wasm, &case.plan, &options);
    Ok((
        profile,
        CaseRun {
            case,
            wasm,
            report,
            generation,
            options,
        },
    ))
}

/// What a run found: `None` when the engines agree, the case is poisoned, or the divergence
/// is a known engine bug (confirmed as the campaign confirms it); else the bucket key.
pub fn judge(engines: &[&dyn Engine], run: &CaseRun) -> Option<BucketKey> {
    let Verdict::Diverge(d) = &run.report.verdict else {
        return None;
    };
    let bug = known::classify(
        engines,
        &run.wasm,
        &run.case.plan,
        &run.options,
        &run.report,
    );
    match bug {
        Some(_) => None,
        None => Some(BucketKey::of(d)),
    }
}

/// The reproduction command of a fuzzer input.
pub fn reproduction(target: Target, data: &[u8], engines: &[&dyn Engine]) -> String {
    format!(
        "reproduce: catchall run <crash file> --target {target} --engines {} \
         (input of {} bytes, hash {:016x})",
        super::engine_list(engines),
        data.len(),
        input_hash(data)
    )
}

/// The fuzzing entry of a generated-case target: crashes on a generator bug or on a finding.
pub fn fuzz(target: Target, data: &[u8], engines: &[&dyn Engine]) {
    // Engine panics are caught and judged (an engine-crash divergence): libfuzzer-sys's
    // panic hook must not see them and abort first.
    oracles::differential::quiet_panics(true);
    match replay(target, data, engines, false) {
        Err(e) => crash::generator_bug(&format!("{e}\n{}", reproduction(target, data, engines))),
        Ok((profile, run)) => {
            if let Some(key) = judge(engines, &run) {
                let d = match &run.report.verdict {
                    Verdict::Diverge(d) => d.detail.clone(),
                    _ => String::new(),
                };
                crash::report(
                    &key,
                    &format!(
                        "profile {profile}, generator {} ({}), step {}: {d}\n{}",
                        run.case.generator,
                        run.case.config,
                        match &run.report.verdict {
                            Verdict::Diverge(d) => d.step,
                            _ => 0,
                        },
                        reproduction(target, data, engines)
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::fuzzing::{default_engines, refs, smoke_inputs};

    /// Runs `n` derived inputs of `target` on every engine: none may fail to generate or
    /// diverge (beyond known bugs).
    pub(crate) fn smoke(target: Target, n: usize) {
        oracles::differential::quiet_panics(true);
        let engines = refs(default_engines());
        for (i, data) in smoke_inputs(0x5eed ^ target as u64, n).iter().enumerate() {
            let (_, run) = replay(target, data, &engines, false)
                .unwrap_or_else(|e| panic!("{target} input {i} {data:?}: {e}"));
            if let Some(key) = judge(&engines, &run) {
                panic!("{target} input {i} {data:?}: {key}");
            }
        }
    }

    #[test]
    fn the_first_byte_picks_the_profile_of_differential() {
        for (i, p) in Profile::ALL.iter().enumerate() {
            let (profile, bytes) = derive(Target::Differential, &[i as u8, 9, 9]).unwrap();
            assert_eq!(profile, *p);
            assert_eq!(&bytes[..2], &[9, 9]);
        }
        assert_eq!(
            derive(Target::Exceptions, &[]).unwrap().0,
            Profile::Exceptions
        );
        assert!(derive(Target::Wast, &[1]).is_none());
    }

    #[test]
    fn short_inputs_make_full_cases() {
        // Four bytes must be enough for a module with functions and a plan with calls.
        let mut calls = 0;
        for i in 0u32..40 {
            let data = i.to_le_bytes();
            let (profile, bytes) = derive(Target::Idioms, &data).unwrap();
            let case = generate_strict(&bytes, profile).unwrap();
            calls += case.plan.calls.len();
            assert!(case.wasm.len() > 100, "{i}: {} bytes", case.wasm.len());
        }
        assert!(calls > 40 * 4, "{calls} calls");
    }

    #[test]
    fn planted_bug_is_judged_a_finding() {
        oracles::differential::quiet_panics(true);
        let engines = refs(crate::fuzzing::planted_engines());
        let found = (0u32..3000).find_map(|i| {
            let data = i.to_le_bytes();
            let (_, run) = replay(Target::Idioms, &data, &engines, false).unwrap();
            judge(&engines, &run)
        });
        let key = found.expect("the planted engine diverges on some idiom case");
        assert_eq!(key.dissenters(), vec!["planted".to_string()], "{key}");
    }
}
