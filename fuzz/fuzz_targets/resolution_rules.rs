//! Identity resolution rules (JSON) on arbitrary bytes: never panic, and rules that parse build a
//! graph (or are refused with a message) that observes without a panic. The checks live in `o2o_core::identity::fuzzing` (shared with the test
//! that replays fuzz/regressions/resolution_rules/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::identity::fuzzing::check_rules(data) {
        panic!("{e}");
    }
});
