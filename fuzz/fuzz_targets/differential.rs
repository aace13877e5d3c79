//! The `differential` target: glue only, see `catchall::fuzzing::differential` (with the
//! `planted` feature, the planted engine runs too).
#![no_main]

#[cfg(not(feature = "planted"))]
libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::differential::run(data));

#[cfg(feature = "planted")]
libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::differential::run_planted(data));
