//! Voucher verification on arbitrary input, both formats (16-character short codes read with
//! the campaign table, 21-character serial codes): never panics; a code is accepted only if it
//! is the canonical spelling of what the issuer would produce for the decoded voucher. The
//! checks live in `o2o_core::voucher::fuzzing` (shared with the test that replays
//! fuzz/regressions/voucher_verify/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::voucher::fuzzing::check(data) {
        panic!("{e}");
    }
});
