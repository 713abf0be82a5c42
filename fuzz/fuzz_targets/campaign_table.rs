//! The voucher campaign table (JSON) on arbitrary bytes: never panics, and a table that parses is
//! consistent and round-trips. The checks live in `o2o_core::voucher::fuzzing` (shared with the test
//! that replays fuzz/regressions/campaign_table/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::voucher::fuzzing::check_campaign_table(data) {
        panic!("{e}");
    }
});
