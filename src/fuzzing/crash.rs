//! Crash sites: one `#[inline(never)]` function per kind of finding, so that ClusterFuzz, which buckets crashes by their top stack frames, keeps kinds apart.
//!
//! A site prints the typed bucket key and the reproduction, then aborts the process: under
//! libFuzzer a panic would unwind to libfuzzer-sys's own `catch_unwind` and abort there, losing
//! the frame that names the kind. [`site`] maps a key to its site with a `match` over
//! [`BucketKey`] and [`DivergenceKind`], so a new kind cannot be forgotten.

use oracles::compare::DivergenceKind;
use triage::key::BucketKey;

/// A crash site: reports and never returns.
pub type Site = fn(&str) -> !;

/// The crash site of a bucket key's kind.
pub fn site(key: &BucketKey) -> Site {
    match key {
        BucketKey::Divergence { kind, .. } => match kind {
            DivergenceKind::ValueMismatch => value_mismatch,
            DivergenceKind::TrapVsReturn => trap_vs_return,
            DivergenceKind::TrapKindMismatch => trap_kind_mismatch,
            DivergenceKind::ExceptionVsTrap => exception_vs_trap,
            DivergenceKind::ExceptionVsReturn => exception_vs_return,
            DivergenceKind::ExceptionTagMismatch => exception_tag_mismatch,
            DivergenceKind::ExceptionPayloadMismatch => exception_payload_mismatch,
            DivergenceKind::InstantiationMismatch => instantiation_mismatch,
            DivergenceKind::MemoryMismatch => memory_mismatch,
            DivergenceKind::GlobalMismatch => global_mismatch,
            DivergenceKind::TableMismatch => table_mismatch,
            DivergenceKind::EngineCrash => engine_crash,
        },
        BucketKey::Crash { .. } => engine_crash,
        BucketKey::ProcessCrash { .. } => process_crash,
        BucketKey::Known { .. } => known_bug,
    }
}

/// Reports a finding with bucket key `key` at its kind's site (never returns).
pub fn report(key: &BucketKey, reproduction: &str) -> ! {
    let message = format!("catchall finding: {key}\n{reproduction}");
    site(key)(&message)
}

/// What every site does: the message on stderr, then an abort.
#[inline(never)]
#[cold]
fn die(kind: &str, message: &str) -> ! {
    eprintln!("\n==== catchall {kind} ====\n{message}\n");
    std::process::abort()
}

macro_rules! sites {
    ($($(#[$doc:meta])* $name:ident => $kind:literal;)*) => {
        $(
            $(#[$doc])*
            #[inline(never)]
            #[cold]
            pub fn $name(message: &str) -> ! {
                die($kind, std::hint::black_box(message))
            }
        )*
    };
}

sites! {
    /// Both returned, with different values.
    value_mismatch => "value-mismatch";
    /// One trapped, another returned.
    trap_vs_return => "trap-vs-return";
    /// Both trapped, with different trap kinds.
    trap_kind_mismatch => "trap-kind-mismatch";
    /// One threw to the host, another trapped.
    exception_vs_trap => "exception-vs-trap";
    /// One threw to the host, another returned.
    exception_vs_return => "exception-vs-return";
    /// Both threw, with different tags.
    exception_tag_mismatch => "exception-tag-mismatch";
    /// Both threw the same tag, with different payloads.
    exception_payload_mismatch => "exception-payload-mismatch";
    /// Compiling or instantiating differed.
    instantiation_mismatch => "instantiation-mismatch";
    /// Same results, different memory.
    memory_mismatch => "memory-mismatch";
    /// Same results, different globals.
    global_mismatch => "global-mismatch";
    /// Same results, different tables.
    table_mismatch => "table-mismatch";
    /// An engine panicked or failed internally (caught in process).
    engine_crash => "engine-crash";
    /// The process died (a key only a campaign's in-flight markers produce).
    process_crash => "process-crash";
    /// A known engine bug (never reported by the targets, which count known bugs instead).
    known_bug => "known-bug";
    /// A generator panicked or made an invalid module: a bug in catchall.
    generator_bug => "generator-bug";
    /// The reference interpreter rejected a valid module as something other than unsupported,
    /// or reported an internal failure.
    reference_rejection => "reference-rejection";
}

#[cfg(test)]
mod tests {
    use super::*;
    use oracles::compare::ObservedClass;

    #[test]
    fn every_kind_has_its_own_site() {
        let mut sites: Vec<usize> = DivergenceKind::ALL
            .iter()
            .map(|&kind| {
                site(&BucketKey::Divergence {
                    kind,
                    expected: ObservedClass::Return,
                    dissent: Vec::new(),
                }) as usize
            })
            .collect();
        sites.push(site(&BucketKey::ProcessCrash {
            engine: None,
            signal: "SIGABRT".into(),
        }) as usize);
        sites.push(site(&BucketKey::known("x")) as usize);
        let crash = site(&BucketKey::Crash {
            engine: "wasmtime".into(),
            site: "x".into(),
        }) as usize;
        // A crash key and an engine-crash divergence share the engine-crash site.
        assert!(sites.contains(&crash));
        let n = sites.len();
        sites.sort_unstable();
        sites.dedup();
        assert_eq!(sites.len(), n, "two kinds share a crash site");
    }
}
