//! Replays every saved input of the `normalize` fuzz target (fuzz/regressions/normalize/) through
//! the same checks the fuzzer makes, plus a deterministic sweep of short mutations.
#![allow(clippy::unwrap_used)]

use o2o_core::hashing::fuzzing::check;

#[test]
fn saved_fuzz_inputs_pass() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/regressions/normalize");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let data = std::fs::read(&path).unwrap();
        if let Err(e) = check(&data) {
            panic!("{}: {e}", path.display());
        }
        n += 1;
    }
    assert!(n >= 3, "expected the seed inputs, found {n}");
}

#[test]
fn every_kind_profile_and_option_on_tricky_values() {
    let values = [
        "",
        " ",
        "@",
        "a@b.c",
        "+",
        "00",
        "(0)",
        "0912 345 678",
        "+84 (0) 91 234 5678",
        "1990-02-29",
        "29/02/1990",
        "aa:bb:cc:dd:ee:ff",
        "::ffff:1.2.3.4",
        "İstanbul",
        "ß",
        "\u{301}",
        "Nguyễn",
        "94025-1234",
        "UK",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    ];
    for k in 0..15u8 {
        for p in 0..3u8 {
            for c in [0u8, 1, 2, 3, 5, 0x81] {
                for v in values {
                    let mut data = vec![k, p, c];
                    data.extend_from_slice(v.as_bytes());
                    check(&data).unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
    }
}
