//! The `memory64` target: glue only, see `catchall::fuzzing::memory64`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::memory64::run(data));
