//! `o2o attribute` end to end: the JSON contract, bad rows reported and skipped.
#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;

#[test]
fn markov_on_a_path_table_prints_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("paths.csv");
    std::fs::write(
        &p,
        "path;total_conversions;total_conversion_value;total_null\nfacebook > email;2;20;3\nemail;1;5;x\nyoutube | email;1;4;1\n",
    )
    .unwrap();
    let (code, out, err) = o2o(&[
        "attribute",
        "--paths",
        p.to_str().unwrap(),
        "--model",
        "markov",
        "--order",
        "2",
        "--sep",
        "|",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("line 3, field `total_null`"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"], "markov");
    assert_eq!(v["order"], 2);
    assert_eq!(v["measure"], "credited");
    assert!(v["meaning"].as_str().unwrap().contains("not an effect"));
    assert!(v["p_conversion"].as_f64().unwrap() > 0.0);
    let chans = v["channels"].as_array().unwrap();
    let total: f64 = chans
        .iter()
        .map(|c| c["conversions"].as_f64().unwrap())
        .sum();
    assert!((total - 3.0).abs() < 1e-9);
    assert!(v["removal_effects"][0]["conversion"].is_number());
    assert!(v["removal_effects"][0]["value"].is_number());
}

#[test]
fn every_model_runs_and_bad_input_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("paths.csv");
    std::fs::write(&p, "path,total_conversions\na > b,1\nb > direct,2\n").unwrap();
    let p = p.to_str().unwrap();
    for m in [
        "first",
        "last",
        "last-non-direct",
        "linear",
        "position",
        "markov",
        "shapley",
    ] {
        let (code, out, err) = o2o(&["attribute", "--paths", p, "--model", m]);
        assert_eq!(code, 0, "{m}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["model"], m);
        assert!(v.get("removal_effects").is_some() == (m == "markov"));
    }
    let (code, _, err) = o2o(&["attribute", "--paths", p, "--model", "nope"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown model"));
    let (code, _, err) = o2o(&[
        "attribute",
        "--paths",
        p,
        "--model",
        "markov",
        "--order",
        "7",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("order 7"));
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "route,conversions\n").unwrap();
    let (code, _, err) = o2o(&[
        "attribute",
        "--paths",
        bad.to_str().unwrap(),
        "--model",
        "last",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("no `path` column"), "{err}");
}

#[test]
fn events_are_grouped_into_journeys() {
    // Events are grouped by the identity graph, which links only with consent (fail closed).
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("events.ndjson");
    std::fs::write(
        &p,
        concat!(
            r#"{"type":"touchpoint","action":"click","channel":"search","timestamp":100,"consent":{"gcm":{"ad_user_data":"granted","analytics_storage":"granted"}},"identifiers":[{"kind":"device_id","value":"D1"},{"kind":"email","value":"a@x.vn"}]}"#,
            "\n",
            r#"{"type":"touchpoint","action":"open","channel":"email","timestamp":150,"consent":{"gcm":{"ad_user_data":"granted","analytics_storage":"granted"}},"identifiers":[{"kind":"email","value":"A@x.vn "}]}"#,
            "\nnot json\n",
            r#"{"type":"checkin","method":"pos_purchase","store":"S","timestamp":200,"value":30,"consent":{"gcm":{"ad_user_data":"granted","analytics_storage":"granted"}},"identifiers":[{"kind":"email","value":"a@x.vn"}]}"#,
            "\n"
        ),
    )
    .unwrap();
    let (code, out, err) = o2o(&[
        "attribute",
        "--events",
        p.to_str().unwrap(),
        "--model",
        "time-decay",
        "--lookback",
        "click=1d",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("line 3"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let total: f64 = v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["value"].as_f64().unwrap())
        .sum();
    assert!((total - 30.0).abs() < 1e-9);
}

#[test]
fn incremental_model_runs_on_simulated_events_and_refuses_paths() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("sim");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "3000",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let events = out_dir.join("events.ndjson");
    let (code, out, err) = o2o(&[
        "attribute",
        "--events",
        events.to_str().unwrap(),
        "--model",
        "incremental",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["model"], "incremental");
    assert_eq!(v["population"], "customers");
    assert_eq!(v["measure"], "observational_incremental");
    assert!(v["meaning"].as_str().unwrap().contains("holdout"));
    // A period covering all the data is no period.
    let (code, windowed, err) = o2o(&[
        "attribute",
        "--events",
        events.to_str().unwrap(),
        "--model",
        "incremental",
        "--from",
        "2000-01-01",
        "--to",
        "2099-12-31",
    ]);
    assert_eq!(code, 0, "{err}");
    let w: serde_json::Value = serde_json::from_str(&windowed).unwrap();
    for field in ["channels", "lifts", "baseline_rate", "visits"] {
        assert_eq!(v[field], w[field], "{field}");
    }
    let channels = v["channels"].as_array().unwrap();
    assert!(channels.iter().any(|c| c["channel"] == "(baseline)"));
    assert!(v["baseline_rate"].as_f64().unwrap() > 0.0);
    let lifts = v["lifts"].as_array().unwrap();
    assert!(lifts.iter().any(|l| l["channel"] == "zalo"));
    for l in lifts {
        let (lo, hi) = (l["ci"][0].as_f64().unwrap(), l["ci"][1].as_f64().unwrap());
        assert!(
            lo <= l["incremental"].as_f64().unwrap() && l["incremental"].as_f64().unwrap() <= hi
        );
    }
    let paths = dir.path().join("p.csv");
    std::fs::write(&paths, "path;total_conversions\na > b;2\n").unwrap();
    let (code, _, err) = o2o(&[
        "attribute",
        "--paths",
        paths.to_str().unwrap(),
        "--model",
        "incremental",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("run it on events"), "{err}");
}

#[test]
fn markov_with_zero_walks_is_refused() {
    let paths = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../o2o-core/tests/fixtures/attribution/Data.csv"
    );
    let (code, out, err) = o2o(&[
        "attribute",
        "--paths",
        paths,
        "--model",
        "markov",
        "--walks",
        "0",
    ]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(
        err.contains("walks: 0 random walks estimate nothing"),
        "{err}"
    );
    let (code, _, err) = o2o(&[
        "attribute",
        "--paths",
        paths,
        "--model",
        "markov",
        "--walks",
        "50",
    ]);
    assert_eq!(code, 0, "{err}");
}

/// One NDJSON event with consent granted (the graph links only with consent).
fn event(body: &str) -> String {
    format!(
        r#"{{{body},"consent":{{"gcm":{{"ad_user_data":"granted","analytics_storage":"granted"}}}}}}"#
    ) + "\n"
}

/// A customer (external id) who clicks search, joins the Wi-Fi and pays minutes later, and a
/// passer-by seen only by a MAC address who saw a banner and joined the Wi-Fi.
fn visits_file(dir: &std::path::Path) -> std::path::PathBuf {
    let day = 1_772_323_200; // 2026-03-01T00:00:00Z
    let c = r#""identifiers":[{"kind":"external_id","value":"C1"}]"#;
    let m = r#""identifiers":[{"kind":"mac","value":"aa:bb:cc:dd:ee:ff"}]"#;
    let text = [
        event(&format!(
            r#""type":"touchpoint","action":"click","channel":"search","timestamp":{},{c}"#,
            day + 3600
        )),
        event(&format!(
            r#""type":"checkin","method":"wifi_join","store":"S1","timestamp":{},{c}"#,
            day + 7200
        )),
        event(&format!(
            r#""type":"checkin","method":"pos_purchase","store":"S1","timestamp":{},"value":42.5,{c}"#,
            day + 7200 + 300
        )),
        event(&format!(
            r#""type":"touchpoint","action":"click","channel":"banner","timestamp":{},{m}"#,
            day + 86_400
        )),
        event(&format!(
            r#""type":"checkin","method":"wifi_join","store":"S1","timestamp":{},{m}"#,
            day + 86_400 + 600
        )),
    ]
    .concat();
    let p = dir.join("visits.ndjson");
    std::fs::write(&p, text).unwrap();
    p
}

fn attribute_json(args: &[&str]) -> serde_json::Value {
    let (code, out, err) = o2o(args);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn channel<'a>(v: &'a serde_json::Value, name: &str) -> Option<&'a serde_json::Value> {
    v["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["channel"] == name)
}

#[test]
fn a_wifi_join_before_a_receipt_is_one_visit_worth_the_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let p = visits_file(dir.path());
    let v = attribute_json(&[
        "attribute",
        "--events",
        p.to_str().unwrap(),
        "--model",
        "last",
        "--population",
        "customers",
    ]);
    let search = channel(&v, "search").unwrap();
    assert_eq!(search["conversions"].as_f64(), Some(1.0), "{v}");
    assert_eq!(search["value"].as_f64(), Some(42.5), "{v}");
    assert_eq!(
        (v["visits"].as_u64(), v["checkins"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(v["visit_window_secs"].as_i64(), Some(7200));
    assert_eq!(v["measure"], "credited");
    // A window shorter than the five minutes between them splits the visit again.
    let v = attribute_json(&[
        "attribute",
        "--events",
        p.to_str().unwrap(),
        "--model",
        "last",
        "--population",
        "customers",
        "--visit-window",
        "60s",
    ]);
    assert_eq!(v["visits"].as_u64(), Some(2), "{v}");
    // Then the Wi-Fi join takes the click's credit and the receipt goes to no channel.
    let search = channel(&v, "search").unwrap();
    assert_eq!(search["conversions"].as_f64(), Some(1.0), "{v}");
    assert_eq!(search["value"].as_f64(), Some(0.0), "{v}");
}

#[test]
fn a_window_over_all_data_equals_no_window_and_customers_drop_unlinked_devices() {
    let dir = tempfile::tempdir().unwrap();
    let p = visits_file(dir.path());
    let p = p.to_str().unwrap();
    for model in ["last", "linear", "markov"] {
        let open = attribute_json(&["attribute", "--events", p, "--model", model]);
        let window = attribute_json(&[
            "attribute",
            "--events",
            p,
            "--model",
            model,
            "--from",
            "2026-02-20",
            "--to",
            "2026-03-10",
        ]);
        assert_eq!(open["channels"], window["channels"], "{model}");
        assert_eq!(open["visits"], window["visits"], "{model}");
        assert_eq!(
            (&open["period"]["from"], &open["period"]["to"]),
            (&"2026-03-01".into(), &"2026-03-02".into()),
            "{model}: the data's first and last day"
        );
        assert_eq!(window["period"]["from"], "2026-02-20");
        assert_eq!(open["population"], "all", "{model}");
    }
    // Credited models share out every visit by default: the passer-by's visit goes to banner.
    let all = attribute_json(&["attribute", "--events", p, "--model", "last"]);
    assert_eq!(all["visits"].as_u64(), Some(2));
    assert_eq!(
        channel(&all, "banner").unwrap()["conversions"].as_f64(),
        Some(1.0)
    );
    // The customers population drops the device never linked to a customer.
    let customers = attribute_json(&[
        "attribute",
        "--events",
        p,
        "--model",
        "last",
        "--population",
        "customers",
    ]);
    assert_eq!(customers["population"], "customers");
    assert_eq!(customers["visits"].as_u64(), Some(1));
    assert_eq!(customers["population_profiles"].as_u64(), Some(1));
    assert!(channel(&customers, "banner").is_none_or(|c| c["conversions"] == 0.0));
    // A window on the second day keeps only the passer-by's visit.
    let day2 = attribute_json(&[
        "attribute",
        "--events",
        p,
        "--model",
        "last",
        "--from",
        "2026-03-02",
        "--to",
        "2026-03-02",
    ]);
    assert_eq!(day2["visits"].as_u64(), Some(1));
    assert!(channel(&day2, "search").is_none_or(|c| c["conversions"] == 0.0));
    // Period and population select visits of events, not rows of a path table.
    let paths = dir.path().join("p.csv");
    std::fs::write(&paths, "path;total_conversions\na > b;2\n").unwrap();
    let (code, _, err) = o2o(&[
        "attribute",
        "--paths",
        paths.to_str().unwrap(),
        "--model",
        "last",
        "--from",
        "2026-03-01",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("not --paths"), "{err}");
    let (code, _, err) = o2o(&[
        "attribute",
        "--events",
        p,
        "--model",
        "last",
        "--population",
        "x",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--population"), "{err}");
}
