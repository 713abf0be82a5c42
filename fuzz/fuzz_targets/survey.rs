//! Both survey readers (NDJSON and CSV) on arbitrary bytes: never panic, every error on a line of
//! the input. The checks live in `o2o_core::survey::fuzzing` (shared with the test
//! that replays fuzz/regressions/survey/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::survey::fuzzing::check_readers(data) {
        panic!("{e}");
    }
});
