//! Field-by-field agreement with @iabtcf/core on every TC string of
//! `tests/fixtures/tcf/strings.json` (made by `scripts/gen/fixtures/tcf/gen.mjs`).
#![allow(clippy::unwrap_used)]

use o2o_core::consent::tcf::{TcString, TcfError, VectorEncoding};
use serde_json::Value;

fn fixture() -> Value {
    let text = include_str!("fixtures/tcf/strings.json");
    serde_json::from_str(text).unwrap()
}

#[test]
fn every_fixture_string_agrees_with_iabtcf_core_on_every_field() {
    let f = fixture();
    assert_eq!(f["provenance"]["tool"], "@iabtcf/core");
    let strings = f["strings"].as_array().unwrap();
    let random = strings
        .iter()
        .filter(|s| s["name"].as_str().unwrap().starts_with("random-"))
        .count();
    assert!(random >= 50, "only {random} random strings");
    let (mut agreed, mut fields) = (0, 0);
    let (mut range, mut bitfield, mut restrictions, mut pub_tc, mut disclosed) = (0, 0, 0, 0, 0);
    for s in strings {
        let name = s["name"].as_str().unwrap();
        let tc_string = s["tcString"].as_str().unwrap();
        let decoded = TcString::decode(tc_string);
        if let Some(err) = s.get("error") {
            assert!(
                decoded.is_err(),
                "{name}: @iabtcf/core refused it ({err}) but we decoded it"
            );
            agreed += 1;
            continue;
        }
        let model = &s["model"];
        if model["version"] == 1 {
            // TCF v1 strings: @iabtcf/core reads version 1; o2o refuses v1 and says so.
            assert_eq!(
                decoded.unwrap_err(),
                TcfError::BadVersion { found: 1 },
                "{name}"
            );
            agreed += 1;
            continue;
        }
        let tc = decoded.unwrap_or_else(|e| panic!("{name}: {e}"));
        let ours = serde_json::to_value(tc.to_json()).unwrap();
        let (want, got) = (model.as_object().unwrap(), ours.as_object().unwrap());
        assert_eq!(want.len(), got.len(), "{name}: field sets differ");
        for (k, v) in want {
            assert_eq!(got.get(k), Some(v), "{name}: field {k} differs");
            fields += 1;
        }
        // Re-encoding gives a string that decodes to the same model.
        assert_eq!(
            TcString::decode(&tc.encode()).unwrap(),
            tc,
            "{name}: re-encode"
        );
        for v in [
            &tc.core.vendor_consents,
            &tc.core.vendor_legitimate_interests,
        ] {
            match v.encoding {
                VectorEncoding::Range => range += 1,
                VectorEncoding::Bitfield => bitfield += 1,
            }
        }
        restrictions += usize::from(!tc.core.publisher_restrictions.is_empty());
        pub_tc += usize::from(tc.publisher_tc.is_some());
        disclosed += usize::from(tc.disclosed_vendors.is_some());
        agreed += 1;
    }
    assert_eq!(agreed, strings.len());
    // The fixtures exercise every encoding and segment.
    assert!(
        range >= 10 && bitfield >= 10,
        "range {range}, bitfield {bitfield}"
    );
    assert!(restrictions >= 10 && pub_tc >= 10 && disclosed >= 10);
    assert!(fields > 1000);
    eprintln!(
        "{agreed} strings, {fields} fields agree; {range} range / {bitfield} bitfield vectors"
    );
}
