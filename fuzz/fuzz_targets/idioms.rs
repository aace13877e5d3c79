//! The `idioms` target: glue only, see `catchall::fuzzing::idioms`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::idioms::run(data));
