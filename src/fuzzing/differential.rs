//! The `differential` fuzz target: every profile (the input's first byte picks it) on every engine, judged as the campaign judges a case.

use super::{Target, cases, default_engines, refs};

/// Runs one fuzzer input (crashes on a finding or a generator bug).
pub fn run(data: &[u8]) {
    cases::fuzz(Target::Differential, data, &refs(default_engines()));
}

/// Runs one fuzzer input with the planted engine among the engines: the target's `planted`
/// build, which must crash at the value-mismatch site within a minute.
pub fn run_planted(data: &[u8]) {
    cases::fuzz(Target::Differential, data, &refs(super::planted_engines()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        super::cases::tests::smoke(super::Target::Differential, 60);
    }
}
