//! Every normaliser on arbitrary input (kind, profile and options from the first bytes): never
//! panics; an Ok output is non-empty and re-normalises to itself; invalid input is never hashed.
//! Inputs that once failed go to `fuzz/regressions/normalize/`, replayed by
//! `o2o-core/tests/fuzz_normalize.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::hashing::fuzzing::check(data) {
        panic!("{e}");
    }
});
