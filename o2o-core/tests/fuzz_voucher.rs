//! Replays every saved input of the `voucher_verify` fuzz target
//! (fuzz/regressions/voucher_verify/) through the same checks the fuzzer makes, and checks the
//! seeds still reach both formats' accept paths.
#![allow(clippy::unwrap_used)]

use o2o_core::voucher::fuzzing::{check, fixture};
use o2o_core::voucher::{Issuer, Verifier, Voucher};
use time::macros::date;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../fuzz/regressions/voucher_verify"
);

#[test]
fn saved_fuzz_inputs_pass() {
    let mut n = 0;
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if let Err(e) = check(&data) {
            panic!("{}: {e}", path.display());
        }
        n += 1;
    }
    assert!(n >= 4, "expected the seed inputs, found {n}");
}

/// The seeds are genuine codes of the fuzz fixture (so the fuzzer starts on the accept paths);
/// `O2O_BLESS=1` rewrites them.
#[test]
fn seeds_are_valid_codes_of_both_formats() {
    let (ring, table) = fixture().unwrap();
    let issuer = Issuer::new(&ring, &table);
    let serial = Voucher {
        campaign: 0,
        voucher_type: 3,
        expires: date!(2026 - 12 - 31),
        serial: Some(17),
        customer: None,
    };
    let seeds: Vec<(&str, String)> = vec![
        (
            "seed-short-shared",
            issuer.issue_short(1, 2, None).unwrap().code,
        ),
        (
            "seed-short-personal",
            format!(
                "{}|p:ann",
                issuer.issue_short(2, 5, Some("p:ann")).unwrap().code
            ),
        ),
        ("seed-serial", issuer.issue(&serial).unwrap()),
        (
            "seed-serial-personal",
            format!(
                "{}|p:bob",
                issuer
                    .issue(&Voucher {
                        customer: Some("p:bob".into()),
                        ..serial.clone()
                    })
                    .unwrap()
            ),
        ),
    ];
    let verifier = Verifier::new(&ring, &table);
    for (name, text) in &seeds {
        // Byte 0 = 2: the check runs on 2026-06-01, after spring's last day (its shared code is
        // expired) and before tet's and the serial codes' (valid).
        let mut data = vec![2u8];
        data.extend_from_slice(text.as_bytes());
        let path = format!("{DIR}/{name}");
        if std::env::var_os("O2O_BLESS").is_some() {
            std::fs::create_dir_all(DIR).unwrap();
            std::fs::write(&path, &data).unwrap();
        }
        assert_eq!(
            std::fs::read(&path).unwrap(),
            data,
            "{name}: run with O2O_BLESS=1"
        );
        let (code, customer) = text
            .split_once('|')
            .map_or((&text[..], None), |(c, u)| (c, Some(u)));
        let res = verifier.verify(code, date!(2026 - 06 - 01), customer);
        match *name {
            "seed-short-shared" => assert_eq!(res.unwrap_err().reason(), "expired"),
            _ => assert!(res.is_ok(), "{name}: {res:?}"),
        }
    }
}
