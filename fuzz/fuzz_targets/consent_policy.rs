//! The consent policy (JSON) on arbitrary text: never panics, and a policy that parses is valid and
//! round-trips. The checks live in `o2o_core::consent::fuzzing` (shared with the test
//! that replays fuzz/regressions/consent_policy/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::consent::fuzzing::check_policy(data) {
        panic!("{e}");
    }
});
