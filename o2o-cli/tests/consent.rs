//! `o2o consent decode` / `check` through the built binary.
#![allow(clippy::unwrap_used)]

use std::process::Command;

fn o2o(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_o2o"))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn decode_prints_iabtcf_names() {
    let out = o2o(&[
        "consent",
        "decode",
        "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA",
    ]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["cmpId"], 123);
    assert_eq!(v["cmpVersion"], 239);
    assert_eq!(v["created"], 1_599_635_269);
    assert_eq!(v["isServiceSpecific"], true);
    for k in [
        "version",
        "lastUpdated",
        "consentScreen",
        "consentLanguage",
        "vendorListVersion",
        "policyVersion",
        "useNonStandardTexts",
        "purposeOneTreatment",
        "publisherCountryCode",
        "specialFeatureOptins",
        "purposeConsents",
        "purposeLegitimateInterests",
        "vendorConsents",
        "vendorLegitimateInterests",
        "publisherRestrictions",
    ] {
        assert!(v.get(k).is_some(), "missing {k}");
    }
}

#[test]
fn malformed_string_exits_1_with_the_reason() {
    let out = o2o(&["consent", "decode", "COrVd1pOrVd1pAC"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("truncated in CmpId at bit 78"), "{err}");
}

#[test]
fn check_prints_one_decision_per_operation() {
    let out = o2o(&["consent", "check", "--consent-mode", "G111"]);
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    // gcs carries only ad_storage and analytics_storage: measure is allowed, the rest denied.
    assert_eq!(lines[0]["operation"], "measure");
    assert_eq!(lines[0]["allowed"], true);
    assert!(lines[1..].iter().all(|d| d["allowed"] == false));
}
