//! Native tests of the translation layer (the parts that do not touch JS values). The same
//! functions run in wasm under `scripts/ci/test-wasm.sh`, against the built package.

use crate::consent::{Consent, parse_operation};
use crate::error::code;
use crate::event::{read_events, touchpoint_line};
use o2o_core::consent::{ConsentMode, ConsentState, Operation};
use o2o_core::event::read_ndjson;

fn granted() -> Consent {
    Consent::with_consent_mode(ConsentMode {
        ad_storage: ConsentState::Granted,
        analytics_storage: ConsentState::Granted,
        ad_user_data: ConsentState::Granted,
        ad_personalization: ConsentState::Granted,
    })
}

#[test]
fn operations_parse_by_core_name() {
    for op in Operation::ALL {
        assert_eq!(parse_operation(op.as_str()).unwrap(), op);
    }
    let e = parse_operation("hash").unwrap_err();
    assert_eq!(e.code, code::INVALID_INPUT);
    assert!(e.message.contains("hash"));
}

#[test]
fn consent_without_signals_denies_everything() {
    let none = Consent::default();
    for op in Operation::ALL {
        assert!(!none.decision(op).allowed);
        assert_eq!(none.permit(op).unwrap_err().code, code::CONSENT_DENIED);
    }
    for op in Operation::ALL {
        assert!(granted().permit(op).is_ok());
    }
}

#[test]
fn consent_mode_reads_gtag_shape() {
    let gcm: ConsentMode = crate::convert::from_json(
        r#"{"ad_storage":"denied","ad_user_data":"granted","functionality_storage":"granted","wait_for_update":500}"#,
        "gcm",
    )
    .unwrap();
    let c = Consent::with_consent_mode(gcm);
    assert!(c.decision(Operation::HashForUpload).allowed);
    assert!(!c.decision(Operation::Measure).allowed); // analytics_storage missing → unknown
    let bad = crate::convert::from_json::<ConsentMode>(r#"{"ad_user_data":"yes"}"#, "gcm");
    assert_eq!(bad.unwrap_err().code, code::INVALID_INPUT);
}

#[test]
fn touchpoint_line_reads_back_with_the_core_reader() {
    let line = touchpoint_line(
        r#"{"action":"click","channel":"facebook","campaign":"tet","timestamp":"2026-03-01T10:00:00Z",
            "identifiers":[{"kind":"email","value":"0a1b"}],
            "consent":{"gcm":{"ad_user_data":"granted"}}}"#,
    )
    .unwrap();
    assert!(line.ends_with('\n'));
    let outcome = read_ndjson(line.as_bytes()).unwrap();
    assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
    assert_eq!(outcome.events.len(), 1);
    assert_eq!(outcome.events[0].timestamp(), 1772359200);
    assert_eq!(outcome.events[0].source(), "online:facebook");
    assert_eq!(read_events(&line).events, outcome.events);
}

#[test]
fn touchpoint_errors_name_the_field() {
    let e = touchpoint_line(r#"{"action":"teleport","channel":"x","timestamp":1}"#).unwrap_err();
    assert_eq!(e.code, code::INVALID_INPUT);
    assert!(e.message.contains("teleport"), "{}", e.message);
    let e =
        touchpoint_line(r#"{"action":"click","channel":"x","timestamp":"yesterday"}"#).unwrap_err();
    assert!(e.message.contains("yesterday"), "{}", e.message);
}

#[test]
fn read_events_keeps_good_lines_around_a_bad_one() {
    let ok = touchpoint_line(r#"{"action":"visit","channel":"web","timestamp":1}"#).unwrap();
    let text = format!("{ok}{{\"type\":\"touchpoint\"}}\n{ok}");
    let r = read_events(&text);
    assert_eq!(r.events.len(), 2);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 2);
}

#[test]
fn tc_strings_are_decoded_by_the_core() {
    use crate::consent::{decode_tc, signals_checked};
    use o2o_core::consent::ConsentSignals;
    let tc = "COrVd1pOrVd1pACABCENAHCAAAAAAAAAAAiQAAAAAAAA";
    let m = decode_tc(tc).unwrap();
    assert_eq!(m.cmp_id, 2);
    assert_eq!(m.publisher_country_code, "ES");
    let e = decode_tc("COrVd1pOrVd1pAC").unwrap_err();
    assert_eq!(e.code, code::TC_STRING);
    assert!(e.message.contains("bit"), "{}", e.message);
    let bad = ConsentSignals {
        tcf: Some("!!".into()),
        gcm: None,
    };
    assert_eq!(signals_checked(bad).unwrap_err().code, code::TC_STRING);
}

#[test]
fn normalize_is_the_core_rule_and_errors_carry_codes() {
    use crate::hashing::{normalize_value, parse_kind};
    use o2o_core::hashing::{NormalizeOptions, Platform};
    let vn = NormalizeOptions {
        default_country: Some("VN".into()),
        ..Default::default()
    };
    let email = parse_kind("email").unwrap();
    assert_eq!(
        normalize_value(email, " Ann@Example.COM ", &vn).unwrap(),
        "ann@example.com"
    );
    let phone = parse_kind("phone").unwrap();
    let google = NormalizeOptions {
        profile: Platform::Google,
        ..vn.clone()
    };
    assert_eq!(
        normalize_value(phone, "0912 345 678", &google).unwrap(),
        "+84912345678"
    );
    assert_eq!(
        normalize_value(email, "not an email", &vn)
            .unwrap_err()
            .code,
        code::INVALID_VALUE
    );
    let bad_cc = NormalizeOptions {
        default_country: Some("XX".into()),
        ..Default::default()
    };
    assert_eq!(
        normalize_value(phone, "0912 345 678", &bad_cc)
            .unwrap_err()
            .code,
        code::INVALID_INPUT
    );
    assert_eq!(parse_kind("mail").unwrap_err().code, code::INVALID_INPUT);
}

#[test]
fn options_read_camel_case_and_reject_unknown_fields() {
    use crate::convert::from_json;
    use crate::hashing::OptionsInput;
    use o2o_core::hashing::{NormalizeOptions, Platform};
    let o: NormalizeOptions = from_json::<OptionsInput>(
        r#"{"profile":"google","defaultCountry":"VN","ipTruncate":true}"#,
        "o",
    )
    .unwrap()
    .into();
    assert_eq!(o.profile, Platform::Google);
    assert_eq!(o.default_country.as_deref(), Some("VN"));
    assert!(o.ip_truncate);
    let e = from_json::<OptionsInput>(r#"{"profil":"google"}"#, "options").unwrap_err();
    assert_eq!(e.code, code::INVALID_INPUT);
    assert!(e.message.contains("profil"), "{}", e.message);
}

#[test]
fn hashing_needs_the_gate_and_agrees_with_the_core() {
    use crate::hashing::{UploadHasherJs, hash_value};
    use o2o_core::event::IdKind;
    use o2o_core::hashing::{NormalizeOptions, sha256_hex};
    let opts = NormalizeOptions::default();
    let h = hash_value(&granted(), IdKind::Email, " Ann@Example.com", &opts).unwrap();
    assert_eq!(h, sha256_hex("ann@example.com"));
    let e = hash_value(&Consent::default(), IdKind::Email, "ann@example.com", &opts).unwrap_err();
    assert_eq!(e.code, code::CONSENT_DENIED);
    let e = hash_value(&granted(), IdKind::Email, "nope", &opts).unwrap_err();
    assert_eq!(e.code, code::INVALID_VALUE);
    assert!(UploadHasherJs::create(&Consent::default(), opts.clone()).is_err());
    let mut hasher = UploadHasherJs::create(&granted(), opts).unwrap();
    assert_eq!(
        hasher.hash_one(IdKind::Email, "ANN@example.com").unwrap(),
        h
    );
    // pre-hashed values pass through lowercased
    assert_eq!(
        hasher.hash_one(IdKind::Email, &h.to_uppercase()).unwrap(),
        h
    );
}

#[cfg(feature = "full")]
#[test]
fn vouchers_translate_rejections_to_reasons() {
    use crate::voucher::{VoucherVerifierJs, canonical_code};
    use o2o_core::keys::KeyRing;
    use o2o_core::voucher::{CampaignTable, Issuer, Voucher, day};
    let keys = "k1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    let table: CampaignTable =
        serde_json::from_str(r#"["a", {"name": "b", "expires": "2026-06-30"}]"#).unwrap();
    let v = Voucher {
        campaign: 1,
        voucher_type: 2,
        expires: day::parse("2026-06-30").unwrap(),
        serial: Some(3),
        customer: None,
    };
    let issuer = Issuer::new(&KeyRing::parse(keys).unwrap(), &table);
    let serial = issuer.issue(&v).unwrap();
    let short = issuer
        .issue(&Voucher {
            serial: None,
            ..v.clone()
        })
        .unwrap();
    let verifier = VoucherVerifierJs::from_key_file(keys, &table).unwrap();
    for (code_text, want) in [
        (&serial, v.clone()),
        (&short, Voucher { serial: None, ..v }),
    ] {
        let ok = verifier
            .check(code_text, day::parse("2026-06-01").unwrap(), None)
            .unwrap();
        assert_eq!(ok.voucher, want);
        let e = verifier
            .check(code_text, day::parse("2026-07-01").unwrap(), None)
            .unwrap_err();
        assert_eq!((e.code, e.reason), (code::VOUCHER, Some("expired")));
        assert_eq!(
            canonical_code(&code_text.to_lowercase()).unwrap(),
            *code_text
        );
    }
    let e = VoucherVerifierJs::from_key_file(keys, &CampaignTable::default())
        .unwrap()
        .check(&short, day::parse("2026-06-01").unwrap(), None)
        .unwrap_err();
    assert_eq!(e.reason, Some("unknown_campaign"));
    assert_eq!(canonical_code("XXXX").unwrap_err().reason, Some("invalid"));
    assert_eq!(
        VoucherVerifierJs::from_key_file("", &table)
            .err()
            .map(|e| e.code),
        Some(code::KEY)
    );
}

#[cfg(feature = "full")]
#[test]
fn attribution_keeps_good_rows_and_names_bad_ones() {
    let r = crate::analysis::attribute(
        "path;total_conversions\na > b;2\nbroken\nb;1\n",
        "last",
        ">",
    )
    .unwrap();
    assert_eq!(r.credit.get("b").unwrap().conversions, 3.0);
    assert_eq!(r.errors.len(), 1);
    assert_eq!(r.errors[0].line, 3);
    let e = crate::analysis::attribute("path;total_conversions\na;1\n", "magic", ">").unwrap_err();
    assert_eq!(e.code, code::ANALYSIS);
}
