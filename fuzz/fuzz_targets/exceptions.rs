//! The `exceptions` target: glue only, see `catchall::fuzzing::exceptions`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::exceptions::run(data));
