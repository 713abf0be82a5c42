//! Identity snapshot restore on arbitrary bytes: never panics, and a snapshot that restores
//! round-trips to the same profiles. The checks live in `o2o_core::identity::fuzzing` (shared with the test
//! that replays fuzz/regressions/snapshot_restore/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::identity::fuzzing::check_snapshot(data) {
        panic!("{e}");
    }
});
