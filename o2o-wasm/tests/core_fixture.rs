//! The fixture the JS tests hold the WASM builds to: what `o2o-core` itself (native, not through
//! the wrapper) outputs for a set of inputs — normalisation per kind and profile, hashing, and
//! consent decisions. `scripts/test-wasm.sh` then checks the built packages (node and headless
//! Chromium) give the same answers.
//!
//! This test fails when the committed fixture is not what the core outputs today, so the JS tests
//! can never compare against stale numbers. Regenerate with:
//! `O2O_BLESS=1 cargo test -p o2o-wasm --test core_fixture`.
#![allow(clippy::unwrap_used)]

use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use o2o_core::event::IdKind;
use o2o_core::hashing::{NormalizeOptions, Profile, normalize};
use serde_json::{Value, json};

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
                "(650) 555-1234",
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
    for profile in Profile::ALL {
        out.push((
            json!({"profile": profile.as_str(), "defaultCountry": "VN"}),
            NormalizeOptions {
                profile,
                default_country: Some("VN".into()),
                ip_truncate: false,
            },
        ));
    }
    out.push((
        json!({"profile": "meta", "defaultCountry": "US", "ipTruncate": true}),
        NormalizeOptions {
            profile: Profile::Meta,
            default_country: Some("US".into()),
            ip_truncate: true,
        },
    ));
    out
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
