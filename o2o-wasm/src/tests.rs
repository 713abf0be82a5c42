//! Native tests of the translation layer (the parts that do not touch JS values). The same
//! functions run in wasm under `scripts/test-wasm.sh`, against the built package.

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
