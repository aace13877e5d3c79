//! The `idioms` fuzz target: the idiom generator alone on every engine, judged as the campaign judges a case.

use super::{Target, cases, default_engines, refs};

/// Runs one fuzzer input (crashes on a finding or a generator bug).
pub fn run(data: &[u8]) {
    cases::fuzz(Target::Idioms, data, &refs(default_engines()));
}

#[cfg(test)]
mod tests {
    #[test]
    fn smoke() {
        super::cases::tests::smoke(super::Target::Idioms, 100);
    }
}
