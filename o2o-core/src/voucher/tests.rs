use super::*;
use crate::keys::{KeyRing, SecretKey};
use proptest::prelude::*;
use time::Duration;
use time::macros::date;

fn ring(id: &str, byte: u8) -> KeyRing {
    KeyRing::single(SecretKey::new(id, vec![byte; 32]).unwrap())
}

fn voucher_strategy() -> impl Strategy<Value = Voucher> {
    (
        0u8..=MAX_CAMPAIGN,
        0u8..=MAX_TYPE,
        0i64..=4095,
        0u16..=MAX_SERIAL,
        proptest::option::of("[a-f0-9]{1,64}"),
    )
        .prop_map(|(campaign, voucher_type, d, serial, customer)| Voucher {
            campaign,
            voucher_type,
            expires: date!(2024 - 01 - 01) + Duration::days(d),
            serial,
            customer,
        })
}

const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*~$=#!";

/// Value of a character after Crockford normalisation, to skip "changes" that read the same.
fn reads_as(b: u8) -> u8 {
    match b.to_ascii_uppercase() {
        b'O' => b'0',
        b'I' | b'L' => b'1',
        u => u,
    }
}

proptest! {
    #[test]
    fn every_issued_code_verifies(v in voucher_strategy()) {
        let r = ring("k1", 1);
        let code = Issuer::new(&r).issue(&v).unwrap();
        prop_assert_eq!(code.len(), CODE_LEN);
        let got = Verifier::new(&r).verify(&code, v.expires, v.customer.as_deref()).unwrap();
        prop_assert_eq!(got.voucher, v.clone());
        prop_assert_eq!(got.key_id, "k1");
        // Lower case and separators read the same.
        let typed = format!("{}-{}", &code[..10].to_lowercase(), &code[10..]);
        prop_assert!(Verifier::new(&r).verify(&typed, v.expires, v.customer.as_deref()).is_ok());
    }

    #[test]
    fn any_single_character_change_is_rejected(
        v in voucher_strategy(), pos in 0usize..CODE_LEN, c in proptest::sample::select(CHARS.to_vec())
    ) {
        let r = ring("k1", 1);
        let code = Issuer::new(&r).issue(&v).unwrap();
        let mut bytes = code.clone().into_bytes();
        prop_assume!(reads_as(bytes[pos]) != reads_as(c));
        bytes[pos] = c;
        let changed = String::from_utf8(bytes).unwrap();
        let res = Verifier::new(&r).verify(&changed, v.expires, v.customer.as_deref());
        prop_assert!(
            matches!(res, Err(Rejection::BadCheckCharacter | Rejection::Malformed { .. })),
            "{} -> {}: {:?}", code, changed, res
        );
    }

    #[test]
    fn a_code_signed_with_another_key_is_rejected(v in voucher_strategy(), b in 2u8..=255) {
        let code = Issuer::new(&ring("k1", 1)).issue(&v).unwrap();
        // Same id (same slot), other secret: a forgery.
        let res = Verifier::new(&ring("k1", b)).verify(&code, v.expires, v.customer.as_deref());
        prop_assert_eq!(res, Err(Rejection::BadSignature));
    }

    #[test]
    fn expired_codes_are_rejected_with_the_date(v in voucher_strategy(), late in 1i64..2000) {
        let r = ring("k1", 1);
        let code = Issuer::new(&r).issue(&v).unwrap();
        let res = Verifier::new(&r).verify(&code, v.expires + Duration::days(late), v.customer.as_deref());
        prop_assert_eq!(res, Err(Rejection::Expired { expired: v.expires, voucher: v.clone() }));
    }

    #[test]
    fn ledger_merge_is_order_independent(
        recs in proptest::collection::vec((0u8..6, 0i64..5, 0u8..3), 0..30)
    ) {
        let mut parts = vec![RedemptionLedger::default(); 3];
        for (code, ts, store) in &recs {
            parts[usize::from(*store)].record(&format!("C{code}"), Redemption { timestamp: *ts, store: format!("S{store}") });
        }
        let mut ab = parts[0].clone();
        ab.merge(&parts[1]);
        ab.merge(&parts[2]);
        let mut ba = parts[2].clone();
        ba.merge(&parts[1]);
        ba.merge(&parts[0]);
        ba.merge(&parts[0]);
        prop_assert_eq!(&ab, &ba);
        let json = serde_json::to_string(&ab).unwrap();
        prop_assert_eq!(serde_json::from_str::<RedemptionLedger>(&json).unwrap(), ab);
    }
}

#[test]
fn another_ring_without_the_slot_reports_unknown_key() {
    let v = Voucher {
        campaign: 1,
        voucher_type: 2,
        expires: date!(2026 - 06 - 30),
        serial: 0,
        customer: None,
    };
    let code = Issuer::new(&ring("k1", 1)).issue(&v).unwrap();
    // Find an id whose slot differs from k1's.
    let other = (0..100)
        .map(|i| format!("k{i}x"))
        .find(|id| key_slot(id) != key_slot("k1"))
        .unwrap();
    let res = Verifier::new(&ring(&other, 1)).verify(&code, date!(2026 - 06 - 01), None);
    assert_eq!(
        res,
        Err(Rejection::UnknownKey {
            slot: key_slot("k1")
        })
    );
}

#[test]
fn rotation_old_key_still_verifies_and_is_named() {
    let old = SecretKey::new("k2025", vec![3; 32]).unwrap();
    let new_id = (0..100)
        .map(|i| format!("k2026-{i}"))
        .find(|id| key_slot(id) != key_slot("k2025"))
        .unwrap();
    let new = SecretKey::new(new_id.clone(), vec![4; 32]).unwrap();
    let v = Voucher {
        campaign: 0,
        voucher_type: 0,
        expires: date!(2026 - 06 - 30),
        serial: 5,
        customer: None,
    };
    let old_code = Issuer::new(&KeyRing::single(old.clone()))
        .issue(&v)
        .unwrap();
    let ring = KeyRing::parse(&format!(
        "{new_id}:{}\nk2025:{}\n",
        "04".repeat(32),
        "03".repeat(32)
    ))
    .unwrap();
    let got = Verifier::new(&ring)
        .verify(&old_code, date!(2026 - 01 - 01), None)
        .unwrap();
    assert_eq!(got.key_id, "k2025");
    let new_code = Issuer::new(&ring).issue(&v).unwrap();
    assert_ne!(new_code, old_code);
    let got = Verifier::new(&ring)
        .verify(&new_code, date!(2026 - 01 - 01), None)
        .unwrap();
    assert_eq!(got.key_id, new.id());
}

#[test]
fn personal_codes_need_the_right_customer() {
    let r = ring("k1", 1);
    let v = Voucher {
        campaign: 4,
        voucher_type: 1,
        expires: date!(2026 - 06 - 30),
        serial: 0,
        customer: Some("a1b2c3".into()),
    };
    let code = Issuer::new(&r).issue(&v).unwrap();
    let ver = Verifier::new(&r);
    let today = date!(2026 - 06 - 01);
    assert_eq!(
        ver.verify(&code, today, None),
        Err(Rejection::CustomerRequired)
    );
    assert_eq!(
        ver.verify(&code, today, Some("ffffff")),
        Err(Rejection::BadSignature)
    );
    assert!(ver.verify(&code, today, Some("a1b2c3")).is_ok());
}

#[test]
fn malformed_codes_name_the_position() {
    let ver = Verifier::new(&ring("k1", 1));
    let today = date!(2026 - 01 - 01);
    assert!(matches!(
        ver.verify("ABC", today, None),
        Err(Rejection::Malformed { position: 0, .. })
    ));
    assert!(matches!(
        ver.verify("0000U00000000000000000", today, None),
        Err(Rejection::Malformed { position: 22, .. })
    ));
    assert!(matches!(
        ver.verify("0000U0000000000000000", today, None),
        Err(Rejection::Malformed { position: 5, .. })
    ));
    assert_eq!(
        ver.verify("é", today, None).unwrap_err().reason(),
        "malformed"
    );
}

#[test]
fn issue_rejects_out_of_range_fields() {
    let is = Issuer::new(&ring("k1", 1));
    let ok = Voucher {
        campaign: 0,
        voucher_type: 0,
        expires: date!(2026 - 06 - 30),
        serial: 0,
        customer: None,
    };
    let bad = |f: fn(&mut Voucher)| {
        let mut v = ok.clone();
        f(&mut v);
        is.issue(&v).unwrap_err()
    };
    assert_eq!(bad(|v| v.campaign = 32), VoucherError::Campaign(32));
    assert_eq!(bad(|v| v.voucher_type = 8), VoucherError::Type(8));
    assert_eq!(bad(|v| v.serial = 512), VoucherError::Serial(512));
    assert!(matches!(
        bad(|v| v.expires = date!(2023 - 12 - 31)),
        VoucherError::Expiry(_)
    ));
    assert_eq!(
        bad(|v| v.customer = Some(String::new())),
        VoucherError::Customer
    );
}

#[test]
fn redemption_becomes_a_voucher_checkin_with_its_campaign() {
    let r = ring("k1", 1);
    let mut table = CampaignTable::default();
    let n = table.register("zalo-spring").unwrap();
    let v = Voucher {
        campaign: n,
        voucher_type: 1,
        expires: date!(2026 - 06 - 30),
        serial: 9,
        customer: None,
    };
    let code = Issuer::new(&r).issue(&v).unwrap();
    let ok = Verifier::new(&r)
        .verify(&code, date!(2026 - 06 - 01), None)
        .unwrap();
    let c = redemption_checkin(&ok, &table, "S001", 1_780_000_000, Some(12.5), vec![]);
    assert_eq!(c.method, crate::event::CheckInMethod::VoucherRedemption);
    assert_eq!(c.campaign.as_deref(), Some("zalo-spring"));
    assert_eq!(c.voucher.as_deref(), Some(code.as_str()));
}
