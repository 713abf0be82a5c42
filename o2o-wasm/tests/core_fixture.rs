//! The fixture the JS tests hold the WASM builds to: what `o2o-core` itself (native, not through
//! the wrapper) outputs for a set of inputs — normalisation per kind and profile, hashing, and
//! consent decisions. `scripts/ci/test-wasm.sh` then checks the built packages (node and headless
//! Chromium) give the same answers.
//!
//! This test fails when the committed fixture is not what the core outputs today, so the JS tests
//! can never compare against stale numbers. Regenerate with:
//! `O2O_BLESS=1 cargo test -p o2o-wasm --test core_fixture`.
#![allow(clippy::unwrap_used)]
// The fixture holds the `full` outputs too (attribution, uplift).
#![cfg(feature = "full")]

use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use o2o_core::event::IdKind;
use o2o_core::hashing::{NormalizeOptions, Platform, hash_for_upload, normalize};
use o2o_core::keys::KeyRing;
use o2o_core::uplift::TestOptions;
use o2o_core::voucher::{CampaignTable, Issuer, Voucher, day};
use serde_json::{Value, json};

// Run with and without libphonenumber: `cargo test -p o2o-wasm --test core_fixture` and
// `... --features o2o-core/phone` must both pass.
const PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/core-outputs.json"
);

/// Inputs per kind: typical, messy and invalid values.
fn inputs() -> Vec<(IdKind, Vec<&'static str>)> {
    vec![
        (
            IdKind::Email,
            vec![
                "ann@example.com",
                " Ann.Lee+promo@Example.COM ",
                "John.Smith@gmail.com",
                "j.o.h.n+x@googlemail.com",
                "nguyễn@ví-dụ.vn",
                "not an email",
                "",
                "a@b",
            ],
        ),
        (
            IdKind::Phone,
            vec![
                "0912 345 678",
                "+84 912 345 678",
                "0084912345678",
                "+44 (0) 20 7946 0018",
                // Not "(650) 555-1234": under a VN default it is a libphonenumber reject but a
                // compact-table accept, and this fixture must be the same with and without
                // o2o-core's `phone` feature (CI's workspace build enables it; wasm does not).
                "+84 90 123 4567",
                "+1 650 555 1234",
                "12",
                "phone",
            ],
        ),
        (
            IdKind::FirstName,
            vec!["Mary-Jane", " Đặng ", "O'Brien", "!!"],
        ),
        (IdKind::LastName, vec!["Nguyễn", "Smith Jr.", "  "]),
        (
            IdKind::City,
            vec!["Ho Chi Minh City", "San Francisco", "Hà Nội"],
        ),
        (IdKind::State, vec!["CA", "California", "ny"]),
        (IdKind::Zip, vec!["94103-1234", "SW1A 1AA", "700000"]),
        (IdKind::Country, vec!["US", "United States", "vn", "Narnia"]),
        (IdKind::Gender, vec!["F", "male", "x"]),
        (
            IdKind::DateOfBirth,
            vec!["1990-02-28", "28/02/1990", "19900228", "1990-02-30"],
        ),
        (IdKind::ExternalId, vec![" CRM-001 ", "abc"]),
        (
            IdKind::Mac,
            vec!["AA-BB-CC-DD-EE-FF", "aabb.ccdd.eeff", "zz"],
        ),
        (IdKind::Ip, vec!["192.168.1.77", "2001:db8::1", "999.1.1.1"]),
        (
            IdKind::DeviceId,
            vec!["6D92078A-8246-4BA4-AE5B-76104861E7DC"],
        ),
    ]
}

fn options() -> Vec<(Value, NormalizeOptions)> {
    let mut out = Vec::new();
    for profile in Platform::ALL {
        out.push((
            json!({"profile": profile.as_str(), "defaultCountry": "VN"}),
            NormalizeOptions {
                profile,
                default_country: Some("VN".into()),
                ip_truncate: false,
                ..NormalizeOptions::default()
            },
        ));
    }
    out.push((
        json!({"profile": "meta", "defaultCountry": "US", "ipTruncate": true}),
        NormalizeOptions {
            profile: Platform::Meta,
            default_country: Some("US".into()),
            ip_truncate: true,
            ..NormalizeOptions::default()
        },
    ));
    out
}

fn hash_cases() -> Vec<Value> {
    let signals = ConsentSignals {
        tcf: None,
        gcm: Some(ConsentMode {
            ad_user_data: ConsentState::Granted,
            ..Default::default()
        }),
    };
    let permit = ConsentGate::default()
        .permit(Operation::HashForUpload, Some(&signals))
        .unwrap();
    let mut cases = Vec::new();
    for (opts_js, opts) in options() {
        for (kind, values) in inputs() {
            let prehashed = "A665A45920422F9D417E4867EFDC4FB8A04A1F3FFF1FA07E998E86F7F7A27AE3";
            for v in values.into_iter().chain([prehashed]) {
                let expected = match hash_for_upload(&permit, kind, v, &opts) {
                    Ok(h) => json!({"sha256": h.hex}),
                    Err(_) => json!({"error": "E_INVALID_VALUE"}),
                };
                let mut case = json!({"kind": kind.as_str(), "value": v, "options": opts_js});
                if let (Some(c), Some(e)) = (case.as_object_mut(), expected.as_object()) {
                    c.extend(e.clone());
                }
                cases.push(case);
            }
        }
    }
    cases
}

fn voucher_cases() -> Value {
    let key_file = "# fixture key, not a secret\nshop-2026:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
    let ring = KeyRing::parse(key_file).unwrap();
    let campaigns = json!([
        "tet-2026", "black-friday", "summer",
        {"name": "zalo-spring", "expires": "2026-03-31"}
    ]);
    let table: CampaignTable = serde_json::from_value(campaigns.clone()).unwrap();
    let issuer = Issuer::new(&ring, &table);
    // Short codes (the default): the shared anonymous code and a personal one.
    let anonymous = issuer.issue_short(3, 1, None).unwrap();
    let personal = issuer
        .issue_short(3, 1, Some("p:9f86d081884c7d65"))
        .unwrap();
    // A serial code (single-use anonymous).
    let serial = Voucher {
        campaign: 3,
        voucher_type: 1,
        expires: day::parse("2026-03-31").unwrap(),
        serial: Some(42),
        customer: None,
    };
    json!({
        "keyFile": key_file,
        "campaigns": campaigns,
        "anonymous": {"code": anonymous.code, "voucher": anonymous.voucher},
        "personal": {"code": personal.code, "voucher": personal.voucher},
        "serial": {"code": issuer.issue(&serial).unwrap(), "voucher": serial},
        "validDay": "2026-03-01",
        "expiredDay": "2026-04-01",
    })
}

/// Dashboards: the core's attribution of a small path table under each model, and an uplift
/// test. Same code, same float operations: the full build must agree to the bit.
fn analysis_cases() -> Value {
    use o2o_core::attribution::{Model, attribute_path_table};
    use o2o_core::uplift::{
        Alternative, Counts, PowerOptions, compare_proportions, power_proportions,
    };
    let table = "path;total_conversions;total_conversion_value;total_null\nfacebook > email;12;840;30\nyoutube > facebook > email;5;410;44\nemail;9;300;61\nyoutube;2;90;80\nbad row\ntiktok > facebook;4;260;25\n";
    let models: Vec<Value> = ["first", "last", "linear", "position", "markov", "shapley"]
        .iter()
        .map(|m| {
            let model: Model = m.parse().unwrap();
            let (credit, errors) = attribute_path_table(table, ">", &model).unwrap();
            json!({"model": m, "credit": credit, "errors": errors})
        })
        .collect();
    let test = Counts::new(230, 5000, "test").unwrap();
    let control = Counts::new(180, 5000, "control").unwrap();
    json!({
        "pathTable": table,
        "attribution": models,
        "proportions": {
            "test": test, "control": control, "alpha": 0.05,
            "report": compare_proportions(test, control, &TestOptions { alpha: 0.05, alternative: Alternative::TwoSided }).unwrap(),
        },
        "power": {"baseline": 0.036, "mdeRelative": 0.1,
                  "result": power_proportions(0.036, 0.1, &PowerOptions::default()).unwrap()},
    })
}

fn normalize_cases() -> Vec<Value> {
    let mut cases = Vec::new();
    for (opts_js, opts) in options() {
        for (kind, values) in inputs() {
            for v in values {
                let expected = match normalize(kind, v, &opts) {
                    Ok(n) => json!({"normalized": n}),
                    Err(_) => json!({"error": "E_INVALID_VALUE"}),
                };
                let mut case = json!({"kind": kind.as_str(), "value": v, "options": opts_js});
                if let (Some(c), Some(e)) = (case.as_object_mut(), expected.as_object()) {
                    c.extend(e.clone());
                }
                cases.push(case);
            }
        }
    }
    cases
}

fn consent_cases() -> Vec<Value> {
    use ConsentState::{Denied, Granted, Unknown};
    let combos = [
        ("all granted", Some((Granted, Granted, Granted, Granted))),
        ("all denied", Some((Denied, Denied, Denied, Denied))),
        (
            "ad_user_data only",
            Some((Unknown, Unknown, Granted, Unknown)),
        ),
        ("analytics only", Some((Denied, Granted, Denied, Denied))),
        ("no signals", None),
    ];
    let name = |s: ConsentState| match s {
        Granted => "granted",
        Denied => "denied",
        Unknown => "unknown",
    };
    let gate = ConsentGate::default();
    combos
        .iter()
        .map(|(label, c)| {
            let signals = c.map(|(a, b, d, e)| ConsentSignals {
                tcf: None,
                gcm: Some(ConsentMode {
                    ad_storage: a,
                    analytics_storage: b,
                    ad_user_data: d,
                    ad_personalization: e,
                }),
            });
            let gcm = c.map(|(a, b, d, e)| {
                json!({"ad_storage": name(a), "analytics_storage": name(b),
                       "ad_user_data": name(d), "ad_personalization": name(e)})
            });
            let allowed: serde_json::Map<String, Value> = Operation::ALL
                .iter()
                .map(|op| {
                    let d = gate.check(*op, signals.as_ref());
                    (op.as_str().to_owned(), json!(d.allowed))
                })
                .collect();
            json!({"label": label, "consentMode": gcm, "allowed": allowed})
        })
        .collect()
}

fn fixture() -> Value {
    json!({
        "provenance": {
            "tool": "o2o-core",
            "version": o2o_core::VERSION,
            "how": "o2o-wasm/tests/core_fixture.rs calls o2o-core natively (not the wrapper); regenerate with O2O_BLESS=1 cargo test -p o2o-wasm --test core_fixture. The test fails when this file differs from the core's output.",
            "features": "o2o-core as built for the o2o-wasm crate's default (`full`) feature set",
        },
        "normalize": normalize_cases(),
        "consent": consent_cases(),
        "hash": hash_cases(),
        "voucher": voucher_cases(),
        "analysis": analysis_cases(),
    })
}

#[test]
fn committed_fixture_is_what_the_core_outputs() {
    let text = serde_json::to_string_pretty(&fixture()).unwrap() + "\n";
    if std::env::var_os("O2O_BLESS").is_some() {
        std::fs::write(PATH, &text).unwrap();
    }
    let committed = std::fs::read_to_string(PATH).unwrap_or_default();
    assert!(
        committed == text,
        "{PATH} is stale: regenerate with O2O_BLESS=1 cargo test -p o2o-wasm --test core_fixture"
    );
}
