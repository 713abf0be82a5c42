//! The key file parser on arbitrary text: never panics, never echoes a secret in an error, and a
//! ring that parses is usable and holds no low-entropy secret. The checks live in `o2o_core::keys::fuzzing` (shared with the test
//! that replays fuzz/regressions/key_file/).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(e) = o2o_core::keys::fuzzing::check_key_file(data) {
        panic!("{e}");
    }
});
