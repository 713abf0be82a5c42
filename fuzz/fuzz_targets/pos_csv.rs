//! The POS CSV reader on arbitrary bytes: never panics, every row counted once on a line of the file,
//! and every event read writes back as NDJSON that reads whole. The checks live in `o2o_core::event::fuzzing` (shared with the test
//! that replays fuzz/regressions/pos_csv/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::event::fuzzing::check_pos_csv(data) {
        panic!("{e}");
    }
});
