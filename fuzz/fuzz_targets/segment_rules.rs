//! Segment rules (JSON) on arbitrary text: never panic, and rules that parse are valid and
//! round-trip. The checks live in `o2o_core::segment::fuzzing` (shared with the test
//! that replays fuzz/regressions/segment_rules/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::segment::fuzzing::check_rules(data) {
        panic!("{e}");
    }
});
