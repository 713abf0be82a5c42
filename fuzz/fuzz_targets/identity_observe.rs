//! The identity graph on arbitrary observation sequences: never panics, resolution is the same
//! whatever the order, the "ever" limits hold in every profile, and a snapshot round-trips. The
//! checks live in `o2o_core::identity::fuzzing` (shared with the test that replays
//! fuzz/regressions/identity_observe/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::identity::fuzzing::check(data) {
        panic!("{e}");
    }
});
