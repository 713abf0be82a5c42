//! `o2o voucher issue|verify` and `o2o report` end to end: JSON contracts and exit codes.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;

#[test]
fn issue_then_verify_valid_expired_and_mistyped() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    std::fs::write(&keys, format!("k1:{}\n", "8f".repeat(32))).unwrap();
    let k = keys.to_str().unwrap();
    let (code, out, err) = o2o(&[
        "voucher",
        "issue",
        "--key-file",
        k,
        "--campaign",
        "3",
        "--type",
        "1",
        "--expires",
        "2026-03-31",
        "--count",
        "2",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let c = lines[0]["code"].as_str().unwrap().to_owned();
    assert_ne!(c, lines[1]["code"].as_str().unwrap());

    let (code, out, _) = o2o(&[
        "voucher",
        "verify",
        &c,
        "--key-file",
        k,
        "--today",
        "2026-03-01",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(v["voucher"]["campaign"], 3);
    assert_eq!(v["key_id"], "k1");

    let (code, out, err) = o2o(&[
        "voucher",
        "verify",
        &c,
        "--key-file",
        k,
        "--today",
        "2026-04-01",
    ]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        (v["valid"].clone(), v["reason"].clone()),
        (false.into(), "expired".into())
    );
    assert_eq!(v["expired"], "2026-03-31");
    assert!(err.contains("expired on 2026-03-31"));

    let mut typo = c.into_bytes();
    typo[3] = if typo[3] == b'7' { b'8' } else { b'7' };
    let typo = String::from_utf8(typo).unwrap();
    let (code, out, _) = o2o(&[
        "voucher",
        "verify",
        &typo,
        "--key-file",
        k,
        "--today",
        "2026-03-01",
    ]);
    assert_eq!(code, 1);
    assert!(out.contains("\"reason\":\"bad_check_character\""));
}

#[test]
fn report_json_has_the_three_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sim");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "600",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let ev = out_dir.join("events.ndjson");
    let au = out_dir.join("audience.csv");
    let (code, out, err) = o2o(&[
        "report",
        "--events",
        ev.to_str().unwrap(),
        "--audience",
        au.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["o2o"]["rows"].as_array().unwrap().len() >= 7);
    assert!(v["o2o"]["rows"][0]["incremental"]["ci_revenue"].is_array());
    assert!(v["ropo"]["webrooming_lag"].is_array());
    assert_eq!(
        v["kpis"]["checkins_by_method"].as_object().unwrap().len(),
        6
    );
    let (code, text, _) = o2o(&["report", "--events", ev.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(text.contains("O2O report") && text.contains("ROPO report") && text.contains("KPIs"));
}
