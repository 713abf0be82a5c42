//! Source maps and export rows on arbitrary bytes: never a panic, every row counted once, every
//! rejection on a line. The checks live in `o2o_core::ingest::fuzzing` (shared with the test that
//! replays fuzz/regressions/ingest_map/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::ingest::fuzzing::check_map(data) {
        panic!("{e}");
    }
});
