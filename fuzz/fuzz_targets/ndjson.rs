//! The NDJSON event reader on arbitrary bytes: never panics, and every non-blank line is either
//! an event or an error naming that line. The checks live in `o2o_core::event::fuzzing` (shared
//! with the test that replays fuzz/regressions/ndjson/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::event::fuzzing::check_ndjson(data) {
        panic!("{e}");
    }
});
