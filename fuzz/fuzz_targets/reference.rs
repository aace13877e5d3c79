//! The `reference` target: glue only, see `catchall::fuzzing::reference`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| catchall::fuzzing::reference::run(data));
