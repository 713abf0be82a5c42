//! `o2o voucher issue|verify` and `o2o report` end to end: JSON contracts and exit codes.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;

#[test]
fn issue_then_verify_valid_expired_and_mistyped() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    common::write_key_file(&keys);
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
        "--format",
        "serial",
    ]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let c = lines[0]["code"].as_str().unwrap().to_owned();
    assert_eq!(c.len(), 21);
    assert_eq!(lines[1]["voucher"]["serial"], 1);
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
fn short_codes_take_their_expiry_from_the_campaign_table() {
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys.txt");
    common::write_key_file(&keys);
    let k = keys.to_str().unwrap();
    let table = dir.path().join("campaigns.json");
    // An old table (bare names) is read and extended.
    std::fs::write(&table, "[\"tet-2026\"]\n").unwrap();
    let t = table.to_str().unwrap();
    let issue = |extra: &[&str]| {
        let mut args = vec![
            "voucher",
            "issue",
            "--key-file",
            k,
            "--campaigns",
            t,
            "--type",
            "1",
        ];
        args.extend_from_slice(extra);
        o2o(&args)
    };
    let (code, out, err) = issue(&["--campaign", "zalo-spring", "--expires", "2026-03-31"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let anon = v["code"].as_str().unwrap().to_owned();
    assert_eq!(anon.len(), 16);
    assert_eq!(v["format"], "short");
    assert_eq!(v["voucher"]["expires"], "2026-03-31");
    assert!(v["voucher"].get("serial").is_none());
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&table).unwrap()).unwrap();
    assert_eq!(
        saved,
        serde_json::json!(["tet-2026", {"name": "zalo-spring", "expires": "2026-03-31"}])
    );
    // Once recorded, the expiry may be omitted, and the shared code is the same; a personal
    // code by number.
    let (code, out, _) = issue(&["--campaign", "zalo-spring"]);
    assert_eq!(code, 0);
    assert!(out.contains(&anon));
    let (code, out, err) = issue(&["--campaign", "1", "--customer", "p:ann"]);
    assert_eq!(code, 0, "{err}");
    let personal: serde_json::Value = serde_json::from_str(&out).unwrap();
    let personal = personal["code"].as_str().unwrap().to_owned();
    assert_eq!(personal.len(), 16);
    // Refused: another expiry, several short codes, a campaign without expiry.
    let (code, _, err) = issue(&["--campaign", "zalo-spring", "--expires", "2026-04-30"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("expires 2026-03-31"), "{err}");
    let (code, _, err) = issue(&["--campaign", "zalo-spring", "--count", "3"]);
    assert_eq!(code, 2);
    assert!(err.contains("--format serial"), "{err}");
    let (code, _, err) = issue(&["--campaign", "tet-2026"]);
    assert_eq!(code, 2);
    assert!(err.contains("--expires"), "{err}");

    let verify = |c: &str, extra: &[&str]| {
        let mut args = vec![
            "voucher",
            "verify",
            c,
            "--key-file",
            k,
            "--today",
            "2026-03-15",
        ];
        args.extend_from_slice(extra);
        let (code, out, err) = o2o(&args);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        (code, v, err)
    };
    let (code, v, err) = verify(&anon, &["--campaigns", t]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (
            v["valid"].clone(),
            v["format"].clone(),
            v["campaign_name"].clone()
        ),
        (true.into(), "short".into(), "zalo-spring".into())
    );
    let (code, v, err) = verify(&anon, &[]);
    assert_eq!((code, v["reason"].clone()), (1, "unknown_campaign".into()));
    assert!(err.contains("--campaigns"), "{err}");
    let (code, v, _) = verify(&personal, &["--campaigns", t]);
    assert_eq!((code, v["reason"].clone()), (1, "customer_required".into()));
    let (code, v, _) = verify(&personal, &["--campaigns", t, "--customer", "p:ann"]);
    assert_eq!(
        (code, v["voucher"]["customer"].clone()),
        (0, "p:ann".into())
    );
    let typed = format!("{}-{}", &anon[..8].to_lowercase(), &anon[8..]);
    assert_eq!(verify(&typed, &["--campaigns", t]).0, 0);
    let mut typo = anon.clone().into_bytes();
    typo[5] = if typo[5] == b'7' { b'8' } else { b'7' };
    let (code, v, _) = verify(std::str::from_utf8(&typo).unwrap(), &["--campaigns", t]);
    assert_eq!(
        (code, v["reason"].clone()),
        (1, "bad_check_character".into())
    );
    let (code, v, _) = o2o(&[
        "voucher",
        "verify",
        &anon,
        "--key-file",
        k,
        "--campaigns",
        t,
        "--today",
        "2026-04-01",
    ]);
    assert_eq!(code, 1);
    assert!(
        v.contains("\"reason\":\"expired\"") && v.contains("2026-03-31"),
        "{v}"
    );
    // A till whose table was edited to extend the campaign: the tag covers the expiry.
    std::fs::write(
        &table,
        r#"["tet-2026", {"name": "zalo-spring", "expires": "2026-12-31"}]"#,
    )
    .unwrap();
    let (code, v, _) = verify(&anon, &["--campaigns", t]);
    assert_eq!((code, v["reason"].clone()), (1, "bad_signature".into()));
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
        7
    );
    assert!(v["kpis"]["checkins_by_method"]["pickup"].is_u64());
    let (code, text, _) = o2o(&["report", "--events", ev.to_str().unwrap()]);
    assert_eq!(code, 0);
    // The text for people: the headline report, the ROPO journeys and the visit counts.
    for s in [
        "O2O campaign report",
        "webrooming",
        "store visits",
        "What to trust",
    ] {
        assert!(text.contains(s), "{s} in {text}");
    }
}
