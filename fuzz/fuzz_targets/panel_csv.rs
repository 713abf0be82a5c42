//! The difference-in-differences panel CSV reader on arbitrary bytes: never panics, errors on lines
//! of the file, only finite values kept. The checks live in `o2o_core::uplift::fuzzing` (shared with the test
//! that replays fuzz/regressions/panel_csv/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::uplift::fuzzing::check_panel_csv(data) {
        panic!("{e}");
    }
});
