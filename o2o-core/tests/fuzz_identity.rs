//! Replays every saved input of the `identity_observe` fuzz target
//! (fuzz/regressions/identity_observe/) through the same checks the fuzzer makes.
#![allow(clippy::unwrap_used)]

use o2o_core::identity::fuzzing::{check, observations};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fuzz/regressions/identity_observe"
);

#[test]
fn saved_fuzz_inputs_pass() {
    let mut n = 0;
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        assert!(
            !observations(&data).is_empty(),
            "{}: no observation",
            path.display()
        );
        if let Err(e) = check(&data) {
            panic!("{}: {e}", path.display());
        }
        n += 1;
    }
    assert!(n >= 3, "expected the seed inputs, found {n}");
}
