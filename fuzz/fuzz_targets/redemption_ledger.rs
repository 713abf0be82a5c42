//! The voucher redemption ledger (JSON) on arbitrary bytes: never panics, and a ledger that parses
//! round-trips and merges into itself idempotently. The checks live in `o2o_core::voucher::fuzzing` (shared with the test
//! that replays fuzz/regressions/redemption_ledger/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::voucher::fuzzing::check_ledger(data) {
        panic!("{e}");
    }
});
