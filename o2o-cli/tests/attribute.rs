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
