use super::*;
use crate::keys::{KeyRing, SecretKey};
use proptest::prelude::*;
use time::Duration;
use time::macros::date;

/// A 32-byte test secret, distinct per `byte` (32 distinct values: 13 is odd, so `i * 13` mod 256
/// never repeats for `i` < 32).
fn secret(byte: u8) -> Vec<u8> {
    (0..32u8)
        .map(|i| byte.wrapping_add(i.wrapping_mul(13)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn ring(id: &str, byte: u8) -> KeyRing {
    KeyRing::single(SecretKey::new(id, secret(byte)).unwrap())
}

/// Vouchers of every format (see [`format_of`]); the expiry goes in the table for short and bulk
/// codes.
fn voucher_strategy() -> impl Strategy<Value = Voucher> {
    (
        0u8..=MAX_CAMPAIGN,
        0u8..=MAX_TYPE,
        0i64..=4095,
        proptest::option::of(prop_oneof![0u32..=MAX_SERIAL, 0u32..=MAX_BULK_SERIAL]),
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

/// A full table in which campaign `v.campaign` expires when `v` does (others on fixed days).
fn table_for(v: &Voucher) -> CampaignTable {
    let mut t = CampaignTable::default();
    for n in 0..=MAX_CAMPAIGN {
        let expires = if n == v.campaign {
            v.expires
        } else {
            date!(2026 - 01 - 01) + Duration::days(i64::from(n))
        };
        t.register_until(&format!("campaign-{n}"), expires).unwrap();
    }
    t
}

/// The format a test voucher is issued in: no serial, short; a serial above the serial format's
/// range, or an odd one, bulk; an even one up to 511, serial.
fn format_of(v: &Voucher) -> Format {
    match v.serial {
        None => Format::Short,
        Some(s) if s > MAX_SERIAL || s % 2 == 1 => Format::Bulk,
        Some(_) => Format::Serial,
    }
}

fn issue(r: &KeyRing, v: &Voucher) -> String {
    Issuer::new(r, &table_for(v))
        .issue_as(format_of(v), v)
        .unwrap()
}

fn verifier(r: &KeyRing, v: &Voucher) -> Verifier {
    Verifier::new(r, &table_for(v))
}

fn len_of(v: &Voucher) -> usize {
    format_of(v).len()
}

/// Whether `b` is a symbol the code may hold at `pos` (data symbol, or check symbol at the end).
fn valid_at(b: u8, pos: usize, len: usize) -> bool {
    let up = b.to_ascii_uppercase();
    if pos == len - 1 {
        b"0123456789ABCDEFGHJKMNPQRSTVWXYZILOU.".contains(&up) || b"*~$=".contains(&b)
    } else {
        b"0123456789ABCDEFGHJKMNPQRSTVWXYZOIL".contains(&up)
    }
}

const CHARS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz*~$=.#!";

/// What a character reads as at `pos`, to skip "changes" that read the same: Crockford's
/// readings in data positions; at the check position, the old check symbols as their safe
/// successors.
fn reads_as(b: u8, pos: usize, len: usize) -> u8 {
    match (pos == len - 1, b.to_ascii_uppercase()) {
        (false, b'O') => b'0',
        (false, b'I' | b'L') => b'1',
        (true, b'*') => b'I',
        (true, b'~') => b'L',
        (true, b'$') => b'O',
        (true, b'=') => b'.',
        (_, u) => u,
    }
}

proptest! {
    #[test]
    fn every_issued_code_verifies(v in voucher_strategy()) {
        let r = ring("k1", 1);
        let code = issue(&r, &v);
        prop_assert_eq!(code.len(), len_of(&v));
        prop_assert!(code.len() <= 16 || v.serial.is_some());
        // Every character prints in Code 39 and Code 128 and stands in a URL unescaped.
        prop_assert!(code.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_uppercase() || b == b'.'), "{}", code);
        let got = verifier(&r, &v).verify(&code, v.expires, v.customer.as_deref()).unwrap();
        prop_assert_eq!(got.voucher, v.clone());
        prop_assert_eq!(got.key_id, "k1");
        prop_assert_eq!(got.format, format_of(&v));
        // Lower case and separators read the same.
        let typed = format!("{}-{}", &code[..10].to_lowercase(), &code[10..]);
        prop_assert!(verifier(&r, &v).verify(&typed, v.expires, v.customer.as_deref()).is_ok());
        prop_assert_eq!(canonical(&typed), Some(code));
    }

    #[test]
    fn any_single_character_change_is_rejected(
        v in voucher_strategy(), pos in 0usize..SERIAL_CODE_LEN, c in proptest::sample::select(CHARS.to_vec())
    ) {
        let r = ring("k1", 1);
        let code = issue(&r, &v);
        let pos = pos % code.len();
        let mut bytes = code.clone().into_bytes();
        prop_assume!(reads_as(bytes[pos], pos, code.len()) != reads_as(c, pos, code.len()));
        bytes[pos] = c;
        let changed = String::from_utf8(bytes).unwrap();
        let res = verifier(&r, &v).verify(&changed, v.expires, v.customer.as_deref());
        if valid_at(c, pos, code.len()) {
            // A typo with a valid symbol: always caught by the check character.
            prop_assert_eq!(res, Err(Rejection::BadCheckCharacter), "{} -> {}", code, changed);
        } else {
            prop_assert!(
                matches!(res, Err(Rejection::Malformed { position, .. }) if position == pos + 1),
                "{} -> {}: {:?}", code, changed, res
            );
        }
    }

    #[test]
    fn a_code_signed_with_another_key_is_rejected(v in voucher_strategy(), b in 2u8..=255) {
        let code = issue(&ring("k1", 1), &v);
        // Same id (same slot), other secret: a forgery.
        let res = verifier(&ring("k1", b), &v).verify(&code, v.expires, v.customer.as_deref());
        prop_assert_eq!(res, Err(Rejection::BadSignature));
    }

    #[test]
    fn expired_codes_are_rejected_with_the_date(v in voucher_strategy(), late in 1i64..2000) {
        let r = ring("k1", 1);
        let code = issue(&r, &v);
        let res = verifier(&r, &v).verify(&code, v.expires + Duration::days(late), v.customer.as_deref());
        prop_assert_eq!(res, Err(Rejection::Expired { expired: v.expires, voucher: v.clone() }));
    }

    #[test]
    fn a_short_code_fails_when_the_table_says_another_name_or_expiry(
        v in voucher_strategy(), shift in 1i64..400, rename in any::<bool>()
    ) {
        let v = Voucher { serial: None, ..v };
        let r = ring("k1", 1);
        let code = issue(&r, &v);
        // The campaign number reused for another campaign, or the (public) table edited to
        // extend the validity: the tag covers name and expiry, so the code fails.
        let mut other = CampaignTable::default();
        for n in 0..=MAX_CAMPAIGN {
            let mut name = format!("campaign-{n}");
            let mut expires = table_for(&v).expires(n).unwrap();
            if n == v.campaign {
                if rename { name.push_str("-reused") } else { expires += Duration::days(shift) }
            }
            other.register_until(&name, expires).unwrap();
        }
        let res = Verifier::new(&r, &other).verify(&code, v.expires, v.customer.as_deref());
        prop_assert_eq!(res, Err(Rejection::BadSignature));
    }

    #[test]
    fn ledger_merge_is_order_independent(
        recs in proptest::collection::vec((0u8..6, 0i64..5, 0u8..3), 0..30)
    ) {
        let mut parts = vec![RedemptionLedger::default(); 3];
        for (code, ts, store) in &recs {
            parts[usize::from(*store)].record(&format!("C{code}"), Redemption { timestamp: *ts, store: format!("S{store}"), till: None, customer: None });
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

fn spring_table() -> (CampaignTable, u8) {
    let mut t = CampaignTable::default();
    let n = t
        .register_until("zalo-spring", date!(2026 - 06 - 30))
        .unwrap();
    (t, n)
}

fn serial_voucher(campaign: u8, serial: u32, customer: Option<&str>) -> Voucher {
    Voucher {
        campaign,
        voucher_type: 2,
        expires: date!(2026 - 06 - 30),
        serial: Some(serial),
        customer: customer.map(str::to_owned),
    }
}

#[test]
fn another_ring_without_the_slot_reports_unknown_key() {
    let (t, n) = spring_table();
    let issuer = Issuer::new(&ring("k1", 1), &t);
    let serial = issuer.issue(&serial_voucher(n, 0, None)).unwrap();
    let short = issuer.issue_short(n, 2, None).unwrap().code;
    // Find an id whose slot differs from k1's.
    let other = (0..100)
        .map(|i| format!("k{i}x"))
        .find(|id| key_slot(id) != key_slot("k1"))
        .unwrap();
    let ver = Verifier::new(&ring(&other, 1), &t);
    for code in [serial, short] {
        let res = ver.verify(&code, date!(2026 - 06 - 01), None);
        assert_eq!(
            res,
            Err(Rejection::UnknownKey {
                slot: key_slot("k1")
            })
        );
    }
}

#[test]
fn rotation_old_key_still_verifies_and_is_named() {
    let (t, n) = spring_table();
    let old = SecretKey::new("k2025", secret(3)).unwrap();
    let new_id = (0..100)
        .map(|i| format!("k2026-{i}"))
        .find(|id| key_slot(id) != key_slot("k2025"))
        .unwrap();
    let new = SecretKey::new(new_id.clone(), secret(4)).unwrap();
    let v = serial_voucher(n, 5, None);
    let old_issuer = Issuer::new(&KeyRing::single(old.clone()), &t);
    let old_codes = [
        old_issuer.issue(&v).unwrap(),
        old_issuer.issue_short(n, 1, None).unwrap().code,
    ];
    let ring = KeyRing::parse(&format!(
        "{new_id}:{}\nk2025:{}\n",
        hex(&secret(4)),
        hex(&secret(3))
    ))
    .unwrap();
    let ver = Verifier::new(&ring, &t);
    let issuer = Issuer::new(&ring, &t);
    let new_codes = [
        issuer.issue(&v).unwrap(),
        issuer.issue_short(n, 1, None).unwrap().code,
    ];
    for (old_code, new_code) in old_codes.iter().zip(&new_codes) {
        let got = ver.verify(old_code, date!(2026 - 01 - 01), None).unwrap();
        assert_eq!(got.key_id, "k2025");
        assert_ne!(new_code, old_code);
        let got = ver.verify(new_code, date!(2026 - 01 - 01), None).unwrap();
        assert_eq!(got.key_id, new.id());
    }
}

#[test]
fn personal_codes_need_the_right_customer() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let issuer = Issuer::new(&r, &t);
    let serial = issuer.issue(&serial_voucher(n, 0, Some("a1b2c3"))).unwrap();
    let short = issuer.issue_short(n, 1, Some("a1b2c3")).unwrap().code;
    let ver = Verifier::new(&r, &t);
    let today = date!(2026 - 06 - 01);
    for code in [serial, short] {
        assert_eq!(
            ver.verify(&code, today, None),
            Err(Rejection::CustomerRequired)
        );
        assert_eq!(
            ver.verify(&code, today, Some("ffffff")),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            ver.verify(&code, today, Some(&"a".repeat(65))),
            Err(Rejection::BadSignature)
        );
        assert!(ver.verify(&code, today, Some("a1b2c3")).is_ok());
    }
}

#[test]
fn short_codes_are_16_characters_and_shared_when_anonymous() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let issuer = Issuer::new(&r, &t);
    let a = issuer.issue_short(n, 3, None).unwrap();
    assert_eq!(a.code.len(), 16);
    assert_eq!(a.voucher.expires, date!(2026 - 06 - 30));
    assert_eq!(a.voucher.serial, None);
    // One shared code per campaign and type; a personal code per customer.
    assert_eq!(issuer.issue_short(n, 3, None).unwrap().code, a.code);
    assert_ne!(issuer.issue_short(n, 4, None).unwrap().code, a.code);
    let p = issuer.issue_short(n, 3, Some("p:1")).unwrap().code;
    assert_ne!(p, issuer.issue_short(n, 3, Some("p:2")).unwrap().code);
    assert!(is_shared(&a.code));
    assert!(!is_shared(&p));
    assert!(!is_shared(
        &issuer.issue(&serial_voucher(n, 1, None)).unwrap()
    ));
    // `issue` of what a short code says gives the same code.
    assert_eq!(issuer.issue(&a.voucher).unwrap(), a.code);
}

#[test]
fn short_codes_need_the_campaign_in_the_table() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let code = Issuer::new(&r, &t).issue_short(n, 1, None).unwrap().code;
    let today = date!(2026 - 06 - 01);
    assert_eq!(
        Verifier::new(&r, &CampaignTable::default()).verify(&code, today, None),
        Err(Rejection::UnknownCampaign { campaign: n })
    );
    // An entry without an expiry (the original table format) cannot carry short codes.
    let names: CampaignTable = serde_json::from_str(r#"["zalo-spring"]"#).unwrap();
    let res = Verifier::new(&r, &names).verify(&code, today, None);
    assert_eq!(res.unwrap_err().reason(), "unknown_campaign");
    assert_eq!(
        Issuer::new(&r, &names).issue_short(0, 1, None),
        Err(VoucherError::NoExpiry("zalo-spring".into()))
    );
    assert_eq!(
        Issuer::new(&r, &names).issue_short(1, 1, None),
        Err(VoucherError::UnknownCampaign(1))
    );
    // Asking a short code with another expiry than the campaign's is refused.
    let mut v = Issuer::new(&r, &t).issue_short(n, 1, None).unwrap().voucher;
    v.expires = date!(2026 - 07 - 31);
    assert!(matches!(
        Issuer::new(&r, &t).issue(&v),
        Err(VoucherError::ExpiryMismatch { .. })
    ));
}

#[test]
fn serial_codes_issued_before_short_codes_still_verify() {
    // Issued with the original 21-character layout under the key of an older worked example
    // (one repeated byte: refused by key files now, so built without their checks).
    let r = KeyRing::single(SecretKey::unchecked("k2026a", vec![0x8f; 32]));
    let names: CampaignTable = serde_json::from_str(r#"["zalo-spring"]"#).unwrap();
    let ver = Verifier::new(&r, &names);
    let ok = ver
        .verify("0G36G03787KAQEAEKR40G", date!(2026 - 03 - 15), None)
        .unwrap();
    assert_eq!(ok.format, Format::Serial);
    assert_eq!(ok.voucher.serial, Some(0));
    assert_eq!(ok.voucher.expires, date!(2026 - 03 - 31));
    let ok = ver
        .verify(
            "H036G01QWTVR19DYT630T",
            date!(2026 - 03 - 15),
            Some("9f2c41d07a"),
        )
        .unwrap();
    assert_eq!(ok.voucher.customer.as_deref(), Some("9f2c41d07a"));
}

#[test]
fn campaign_table_reads_old_and_new_entries() {
    let t: CampaignTable =
        serde_json::from_str(r#"["tet-2026", {"name": "zalo-spring", "expires": "2026-04-30"}]"#)
            .unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t.expires(0), None);
    assert_eq!(t.expires(1), Some(date!(2026 - 04 - 30)));
    // Round trip: bare names stay bare names.
    let json = serde_json::to_string(&t).unwrap();
    assert_eq!(
        json,
        r#"["tet-2026",{"name":"zalo-spring","expires":"2026-04-30"}]"#
    );
    assert_eq!(serde_json::from_str::<CampaignTable>(&json).unwrap(), t);
    for bad in [
        r#"["a", "a"]"#,
        r#"[""]"#,
        r#"[{"name": "a", "expires": "30/04/2026"}]"#,
        r#"[{"name": "a", "expire": "2026-04-30"}]"#,
        r#"{"not": "an array"}"#,
        r#"[3]"#,
    ] {
        assert!(serde_json::from_str::<CampaignTable>(bad).is_err(), "{bad}");
    }
    let many: Vec<String> = (0..33).map(|i| format!("\"c{i}\"")).collect();
    let err = serde_json::from_str::<CampaignTable>(&format!("[{}]", many.join(",")))
        .unwrap_err()
        .to_string();
    assert!(err.contains("entry 32"), "{err}");
}

#[test]
fn register_until_keeps_an_expiry_once_set() {
    let mut t: CampaignTable = serde_json::from_str(r#"["tet-2026"]"#).unwrap();
    assert_eq!(t.register_until("tet-2026", date!(2026 - 02 - 28)), Ok(0));
    assert_eq!(t.register_until("tet-2026", date!(2026 - 02 - 28)), Ok(0));
    assert!(matches!(
        t.register_until("tet-2026", date!(2026 - 03 - 31)),
        Err(VoucherError::ExpiryMismatch { .. })
    ));
    assert_eq!(t.expires(0), Some(date!(2026 - 02 - 28)));
}

#[test]
fn malformed_codes_name_the_position() {
    let ver = Verifier::new(&ring("k1", 1), &CampaignTable::default());
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
    assert!(matches!(
        ver.verify("0000U00000000000", today, None),
        Err(Rejection::Malformed { position: 5, .. })
    ));
    // 17 characters: neither format.
    assert!(matches!(
        ver.verify("00000000000000000", today, None),
        Err(Rejection::Malformed { position: 0, .. })
    ));
    assert_eq!(
        ver.verify("é", today, None).unwrap_err().reason(),
        "malformed"
    );
}

#[test]
fn issue_rejects_out_of_range_fields() {
    let (t, n) = spring_table();
    let is = Issuer::new(&ring("k1", 1), &t);
    let ok = serial_voucher(n, 0, None);
    let bad = |f: fn(&mut Voucher)| {
        let mut v = ok.clone();
        f(&mut v);
        is.issue(&v).unwrap_err()
    };
    assert_eq!(bad(|v| v.campaign = 32), VoucherError::Campaign(32));
    assert_eq!(bad(|v| v.voucher_type = 8), VoucherError::Type(8));
    assert_eq!(bad(|v| v.serial = Some(512)), VoucherError::Serial(512));
    assert!(matches!(
        bad(|v| v.expires = date!(2023 - 12 - 31)),
        VoucherError::Expiry(_)
    ));
    assert_eq!(
        bad(|v| v.customer = Some(String::new())),
        VoucherError::Customer { len: 0 }
    );
    assert_eq!(is.issue_short(32, 0, None), Err(VoucherError::Campaign(32)));
    assert_eq!(is.issue_short(n, 8, None), Err(VoucherError::Type(8)));
    assert_eq!(
        is.issue_short(n, 0, Some(&"x".repeat(MAX_CUSTOMER_LEN + 1))),
        Err(VoucherError::Customer { len: 129 })
    );
}

#[test]
fn codes_bind_to_keyed_pseudonyms_as_o2o_pseudonym_writes_them() {
    use crate::event::IdKind;
    use crate::hashing::{NormalizeOptions, Pseudonymizer};
    // The longest key id (32 characters): `KEY_ID:HEX` is 97 bytes.
    let key_ring = ring(&"k".repeat(32), 21);
    let mut p = Pseudonymizer::from_ring(&key_ring, NormalizeOptions::default());
    let mut pseudonym = String::new();
    p.text_into(IdKind::Email, "ann@example.com", &mut pseudonym)
        .unwrap();
    assert_eq!(pseudonym.len(), 97);
    let (t, n) = spring_table();
    let issued = Issuer::new(&key_ring, &t)
        .issue_short(n, 1, Some(&pseudonym))
        .unwrap();
    let ver = Verifier::new(&key_ring, &t);
    let ok = ver
        .verify(&issued.code, date!(2026 - 04 - 01), Some(&pseudonym))
        .unwrap();
    assert_eq!(ok.voucher.customer.as_deref(), Some(pseudonym.as_str()));
    // A pseudonym no code can carry is the caller's mistake, named as such (not a forgery).
    for bad in [String::new(), "x".repeat(MAX_CUSTOMER_LEN + 1)] {
        let r = ver
            .verify(&issued.code, date!(2026 - 04 - 01), Some(&bad))
            .unwrap_err();
        assert_eq!(r, Rejection::InvalidCustomer { len: bad.len() });
        assert_eq!(r.reason(), "invalid_customer");
        assert!(r.to_string().contains("must be 1 to 128"), "{r}");
    }
    // Another customer's pseudonym is a bad signature.
    let mut other = String::new();
    p.text_into(IdKind::Email, "bob@example.com", &mut other)
        .unwrap();
    assert_eq!(
        ver.verify(&issued.code, date!(2026 - 04 - 01), Some(&other)),
        Err(Rejection::BadSignature)
    );
}

#[test]
fn redemption_becomes_a_voucher_checkin_with_its_campaign() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let code = Issuer::new(&r, &t).issue_short(n, 1, None).unwrap().code;
    let ok = Verifier::new(&r, &t)
        .verify(&code, date!(2026 - 06 - 01), None)
        .unwrap();
    let c = redemption_checkin(&ok, &t, "S001", 1_780_000_000, Some(12.5), vec![]);
    assert_eq!(c.method, crate::event::CheckInMethod::VoucherRedemption);
    assert_eq!(c.campaign.as_deref(), Some("zalo-spring"));
    assert_eq!(c.voucher.as_deref(), Some(code.as_str()));
}

fn at(ts: i64, store: &str, customer: Option<&str>) -> Redemption {
    Redemption {
        timestamp: ts,
        store: store.into(),
        till: None,
        customer: customer.map(str::to_owned),
    }
}

#[test]
fn ledger_counts_a_shared_code_per_customer() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let issuer = Issuer::new(&r, &t);
    let shared = issuer.issue_short(n, 1, None).unwrap().code;
    let personal = issuer.issue_short(n, 1, Some("p:ann")).unwrap().code;
    let serial = issuer.issue(&serial_voucher(n, 3, None)).unwrap();

    let mut s1 = RedemptionLedger::default();
    let mut s2 = RedemptionLedger::default();
    // The shared code: Ann, Bob and two unidentified customers in store 1.
    assert!(s1.record(&shared, at(1, "S1", Some("p:ann"))));
    assert!(s1.record(&shared, at(2, "S1", Some("p:bob"))));
    assert!(s1.record(&shared, at(3, "S1", None)));
    assert!(s1.record(&shared, at(4, "S1", None)));
    // Ann again in the same store: refused at the till.
    assert!(!s1.record(&shared, at(5, "S1", Some("p:ann"))));
    // Single-use codes: a second use is refused whoever presents it.
    assert!(s1.record(&personal, at(6, "S1", Some("p:ann"))));
    assert!(!s1.record(&personal, at(7, "S1", Some("p:ann"))));
    assert!(s1.record(&serial, at(8, "S1", None)));
    // Offline in store 2: Bob uses the shared code again, and the serial code is reused.
    assert!(s2.record(&shared, at(9, "S2", Some("p:bob"))));
    assert!(s2.record(&serial, at(10, "S2", None)));

    s1.merge(&s2);
    let doubles = s1.double_uses();
    let summary: Vec<(&str, Option<&str>, usize)> = doubles
        .iter()
        .map(|d| (d.code.as_str(), d.customer.as_deref(), d.redemptions.len()))
        .collect();
    let mut want = vec![
        (shared.as_str(), Some("p:ann"), 2),
        (shared.as_str(), Some("p:bob"), 2),
        (personal.as_str(), None, 2),
        (serial.as_str(), None, 2),
    ];
    want.sort();
    let mut got = summary.clone();
    got.sort();
    assert_eq!(got, want);
    assert_eq!(
        s1.shared_uses(),
        vec![SharedUse {
            code: shared.clone(),
            redemptions: 6,
            customers: 2,
            unidentified: 2,
        }]
    );
    let json = serde_json::to_string(&s1).unwrap();
    assert_eq!(serde_json::from_str::<RedemptionLedger>(&json).unwrap(), s1);
}

proptest! {
    /// Bulk codes across the whole serial range: 20 characters, distinct per serial, and one
    /// typed differently (lower case, dashes) is the same ledger entry.
    #[test]
    fn bulk_codes_cover_a_million_serials_per_campaign_and_type(
        a in 0u32..=MAX_BULK_SERIAL, b in 0u32..=MAX_BULK_SERIAL, campaign in 0u8..=MAX_CAMPAIGN, t in 0u8..=MAX_TYPE
    ) {
        let r = ring("k1", 1);
        let v = Voucher { campaign, voucher_type: t, expires: date!(2026 - 06 - 30), serial: Some(a), customer: None };
        let table = table_for(&v);
        let issuer = Issuer::new(&r, &table);
        let ca = issuer.issue_bulk(campaign, t, a, None).unwrap().code;
        let cb = issuer.issue_bulk(campaign, t, b, None).unwrap().code;
        prop_assert_eq!(ca.len(), BULK_CODE_LEN);
        prop_assert_eq!(ca == cb, a == b);
        let got = Verifier::new(&r, &table).verify(&ca, v.expires, None).unwrap();
        prop_assert_eq!(got.voucher.serial, Some(a));
        prop_assert_eq!(got.format, Format::Bulk);
        prop_assert!(!is_shared(&ca));
        let typed = format!("{}-{}", &ca[..8].to_lowercase(), &ca[8..]);
        let mut ledger = RedemptionLedger::default();
        prop_assert!(ledger.record(&typed, at(1, "S1", None)));
        prop_assert!(ledger.is_redeemed(&ca));
        prop_assert!(!ledger.record(&ca, at(2, "S2", None)), "the canonical code is the same code");
    }
}

#[test]
fn bulk_serials_beyond_the_range_are_refused() {
    let (t, n) = spring_table();
    let issuer = Issuer::new(&ring("k1", 1), &t);
    assert!(issuer.issue_bulk(n, 1, MAX_BULK_SERIAL, None).is_ok());
    assert_eq!(
        issuer.issue_bulk(n, 1, MAX_BULK_SERIAL + 1, None),
        Err(VoucherError::Serial(MAX_BULK_SERIAL + 1))
    );
    const { assert!(MAX_BULK_SERIAL + 1 >= 1_000_000) };
    // A legacy serial code still stops at 511.
    assert!(issuer.issue(&serial_voucher(n, 512, None)).is_err());
}

#[test]
fn a_bulk_range_is_the_codes_of_its_serials_and_is_checked_before_the_first_code() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let issuer = Issuer::new(&r, &t);
    let codes: Vec<String> = issuer
        .issue_bulk_range(n, 1, MAX_BULK_SERIAL - 4, 5, Some("p:ann"))
        .unwrap()
        .collect();
    assert_eq!(codes.len(), 5);
    for (k, code) in codes.iter().enumerate() {
        let serial = MAX_BULK_SERIAL - 4 + k as u32;
        let one = issuer.issue_bulk(n, 1, serial, Some("p:ann")).unwrap();
        assert_eq!(code, &one.code);
    }
    assert_eq!(issuer.issue_bulk_range(n, 1, 0, 0, None).unwrap().len(), 0);
    let too_far = issuer.issue_bulk_range(n, 1, MAX_BULK_SERIAL - 4, 6, None);
    assert_eq!(
        too_far.err(),
        Some(VoucherError::Serial(MAX_BULK_SERIAL + 1))
    );
    let wraps = issuer.issue_bulk_range(n, 1, u32::MAX, 2, None);
    assert_eq!(wraps.err(), Some(VoucherError::Serial(u32::MAX)));
    assert_eq!(
        issuer.issue_bulk_range(n, 8, 0, 1, None).err(),
        Some(VoucherError::Type(8))
    );
    assert_eq!(
        issuer.issue_bulk_range(n + 1, 1, 0, 1, None).err(),
        Some(VoucherError::UnknownCampaign(n + 1))
    );
    assert!(matches!(
        issuer.issue_bulk_range(n, 1, 0, 1, Some("")).err(),
        Some(VoucherError::Customer { len: 0 })
    ));
}

#[test]
fn codes_with_the_old_check_symbols_still_verify_and_read_as_the_new_ones() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let issuer = Issuer::new(&r, &t);
    let verifier = Verifier::new(&r, &t);
    let mut seen = std::collections::BTreeSet::new();
    for serial in 0..20_000u32 {
        let code = issuer.issue_bulk(n, 1, serial, None).unwrap().code;
        let last = code.as_bytes()[code.len() - 1];
        let old = match last {
            b'I' => b'*',
            b'L' => b'~',
            b'O' => b'$',
            b'.' => b'=',
            _ => continue,
        };
        seen.insert(last);
        let mut typed = code.clone().into_bytes();
        *typed.last_mut().unwrap() = old;
        let typed = String::from_utf8(typed).unwrap();
        let ok = verifier
            .verify(&typed, date!(2026 - 06 - 01), None)
            .unwrap();
        assert_eq!(ok.code, code, "{typed} reads as {code}");
        assert_eq!(canonical(&typed), Some(code.clone()));
        // At the check position `O` is its own symbol, not a zero.
        if last == b'O' {
            let zero = format!("{}0", &code[..code.len() - 1]);
            assert_eq!(
                verifier.verify(&zero, date!(2026 - 06 - 01), None),
                Err(Rejection::BadCheckCharacter)
            );
        }
        if seen.len() == 4 {
            return;
        }
    }
    panic!("not every check value 32–35 came up: {seen:?}");
}

#[test]
fn expiry_is_judged_in_the_stores_time_zone_on_both_sides_of_midnight() {
    let r = ring("k1", 1);
    let (t, n) = spring_table(); // last valid day 2026-06-30
    let code = Issuer::new(&r, &t).issue_short(n, 1, None).unwrap().code;
    let v = Verifier::new(&r, &t);
    let utc7 = 7 * 3600;
    // 2026-06-30T16:59:59Z is 23:59:59 on the 30th at UTC+7: still valid.
    let last_second = 1_782_838_799;
    assert!(v.verify_at(&code, last_second, utc7, None).is_ok());
    // One second later it is midnight of July 1st at the till: expired.
    assert!(matches!(
        v.verify_at(&code, last_second + 1, utc7, None),
        Err(Rejection::Expired { .. })
    ));
    // 05:00 local on the day after expiry (22:00 UTC on the 30th): refused at UTC+7, though
    // the UTC day is still the 30th.
    let five_am = last_second + 1 + 5 * 3600;
    assert!(matches!(
        v.verify_at(&code, five_am, utc7, None),
        Err(Rejection::Expired { .. })
    ));
    assert!(v.verify_at(&code, five_am, 0, None).is_ok());
    // The same from the zone's name.
    let (day, offset) = day::in_zone(five_am, "Asia/Ho_Chi_Minh").unwrap();
    assert_eq!((day, offset), (date!(2026 - 07 - 01), utc7));
    assert!(day::in_zone(five_am, "Mars/Olympus").is_err());
}

#[test]
fn two_tills_redeeming_in_the_same_second_are_two_redemptions() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let code = Issuer::new(&r, &t).issue_bulk(n, 1, 42, None).unwrap().code;
    let till = |id: &str| Redemption {
        timestamp: 1_780_000_000,
        store: "S1".into(),
        till: Some(id.into()),
        customer: None,
    };
    let mut a = RedemptionLedger::default();
    let mut b = RedemptionLedger::default();
    assert!(a.record(&code.to_lowercase(), till("T1")));
    assert!(b.record(&code, till("T2")));
    a.merge(&b);
    let d = a.double_uses();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].redemptions.len(), 2);
    assert_eq!(d[0].code, code);
    // The same record shipped twice is still one redemption (merging stays idempotent).
    a.merge(&b);
    assert_eq!(a.redemptions(&code).len(), 2);
}

#[test]
fn a_ledger_written_with_typed_keys_reads_under_canonical_codes() {
    let r = ring("k1", 1);
    let (t, n) = spring_table();
    let code = Issuer::new(&r, &t).issue_bulk(n, 1, 7, None).unwrap().code;
    let typed = format!("{}-{}", code[..10].to_lowercase(), &code[10..]);
    let json = format!(
        r#"{{"{typed}":[{{"timestamp":1,"store":"S1"}}],"{code}":[{{"timestamp":2,"store":"S2"}}]}}"#
    );
    let l: RedemptionLedger = serde_json::from_str(&json).unwrap();
    assert_eq!(l.len(), 1);
    assert_eq!(l.double_uses()[0].redemptions.len(), 2);
}
