//! The audience readout CSV reader on arbitrary bytes: never panics, errors on lines of the file,
//! and the rows read round-trip. The checks live in `o2o_core::sim::fuzzing` (shared with the test
//! that replays fuzz/regressions/audience_csv/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::sim::fuzzing::check_audience_csv(data) {
        panic!("{e}");
    }
});
