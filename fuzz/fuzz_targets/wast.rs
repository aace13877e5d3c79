//! The `wast` target: glue only, see `catchall::fuzzing::wast`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::wast::run(data));
