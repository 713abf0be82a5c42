//! `o2o report --store`: the JSON contract, periods, populations, currencies and their errors.
#![allow(clippy::unwrap_used)]

mod common;
use common::o2o;

fn demo_store() -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("w");
    let (code, _, err) = o2o(&[
        "demo",
        "--customers",
        "1500",
        "--work",
        work.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let store = work.join("store").display().to_string();
    let rates = work.join("exports").join("rates.csv").display().to_string();
    (dir, store, rates)
}

#[test]
fn report_from_a_store_keeps_the_json_contract_and_refuses_bad_flags() {
    let (_dir, store, rates) = demo_store();
    let base = [
        "report",
        "--store",
        &store,
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-28",
    ];
    let with = |extra: &[&str]| {
        let mut a: Vec<&str> = base.to_vec();
        a.extend_from_slice(extra);
        o2o(&a)
    };

    // Spend in đồng and dollars: no silent sum.
    let (code, _, err) = with(&["--json"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("VND") && err.contains("--rates"), "{err}");
    let (code, _, err) = with(&["--json", "--currency", "EUR", "--rates", &rates]);
    assert_eq!(code, 2);
    assert!(err.contains("no exchange rate for EUR"), "{err}");

    let (code, out, err) = with(&["--json", "--currency", "USD", "--rates", &rates]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["period"]["from"], "2026-03-01");
    assert_eq!(v["period"]["to"], "2026-03-28");
    assert_eq!(v["population"], "customers");
    assert_eq!(v["currency"], "USD");
    for k in [
        "visitors_rate_target",
        "visitors_rate_holdout",
        "lift",
        "lift_ci",
        "incremental_visitors",
        "incremental_visitors_ci",
        "incremental_revenue",
        "incremental_revenue_ci",
    ] {
        assert!(!v["holdout"][k].is_null(), "holdout.{k}");
    }
    let campaigns = v["campaigns"].as_array().unwrap();
    assert_eq!(campaigns.len(), 7);
    for c in campaigns {
        for k in [
            "channel",
            "campaign",
            "spend",
            "exposed",
            "credited",
            "influenced",
        ] {
            assert!(!c[k].is_null(), "{k} in {c}");
        }
        assert!(c["influenced"]["visits"].is_u64());
        let i = &c["incremental"];
        for k in [
            "method",
            "lift",
            "lift_ci",
            "visitors",
            "visitors_ci",
            "revenue",
            "revenue_ci",
            "iroas",
            "iroas_ci",
            "p_adjusted",
        ] {
            assert!(!i[k].is_null(), "incremental.{k} in {c}");
        }
        // Money is rounded to the cent.
        let spend = c["spend"].as_f64().unwrap();
        assert_eq!((spend * 100.0).round() / 100.0, spend);
        let method = i["method"].as_str().unwrap();
        let expected = if c["channel"] == "search" {
            "observational"
        } else {
            "randomised_exposure"
        };
        assert_eq!(method, expected, "{c}");
    }
    for k in ["count", "with_purchase", "revenue", "by_method"] {
        assert!(!v["visits"][k].is_null(), "visits.{k}");
    }
    assert!(v["visits"]["count"].as_u64() <= v["visits"]["checkins"].as_u64());
    assert!(v["ropo"]["webrooming_lag"].is_array());

    // The text names every kind of number and the currency.
    let (code, text, _) = with(&["--currency", "USD", "--rates", &rates]);
    assert_eq!(code, 0);
    for s in [
        "population: customers",
        "observational incremental",
        "incremental (randomised exposure)",
        "Credited visits per attribution model",
        "What to trust",
        " USD",
    ] {
        assert!(text.contains(s), "{s}");
    }

    // Populations, windows and corrections.
    let (code, out, _) = with(&[
        "--json",
        "--currency",
        "USD",
        "--rates",
        &rates,
        "--population",
        "all",
        "--visit-window",
        "30m",
        "--correction",
        "bh",
    ]);
    assert_eq!(code, 0);
    let w: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(w["population"], "all");
    assert_eq!(w["visit_window_secs"], 1800);
    assert!(w["population_profiles"].as_u64() >= v["population_profiles"].as_u64());
    for (flag, value, says) in [
        ("--population", "everyone", "--population"),
        ("--visit-window", "2", "--visit-window"),
        ("--from", "01/03/2026", "--from"),
        ("--correction", "bonferroni", "--correction"),
    ] {
        let (code, _, err) = with(&[flag, value]);
        assert_eq!(code, 2, "{flag} {value}: {err}");
        assert!(err.contains(says), "{err}");
    }
}

#[test]
fn uplift_runs_cuped_on_units_and_adjusts_p_values() {
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/examples/cuped.csv");
    let (code, out, err) = o2o(&["uplift", "--cuped", csv]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["variance_reduction"].as_f64().unwrap() > 0.5, "{v}");
    assert!(v["adjusted"]["ci_welch"][0].as_f64().unwrap() > 0.0, "{v}");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("units.csv");
    std::fs::write(
        &bad,
        "group,pre,post\ntest,1,2\ntest,2,3\nmaybe,1,1\ncontrol,1,x\ncontrol,2,2\ncontrol,3,2\n",
    )
    .unwrap();
    let (code, _, err) = o2o(&["uplift", "--cuped", bad.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("line 4: bad group"), "{err}");
    assert!(err.contains("line 5: bad post"), "{err}");

    let (code, out, _) = o2o(&[
        "uplift",
        "--p-values",
        "0.01,0.04,0.03",
        "--correction",
        "bh",
    ]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // BH: 0.01 × 3 / 1 = 0.03 (to the last bits of a product).
    assert!((v["p_adjusted"][0].as_f64().unwrap() - 0.03).abs() < 1e-15);
    let (code, _, err) = o2o(&["uplift", "--p-values", "0.01,1.5"]);
    assert_eq!(code, 2, "{err}");
}

/// A wrong file as `--audience` (the events, not the audience CSV) rejects every row: the
/// report refuses it with one line naming the file, instead of dropping the incremental table.
#[test]
fn report_refuses_an_audience_file_with_no_usable_row() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sim");
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "300",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let events = out.join("events.ndjson").display().to_string();
    let audience = out.join("audience.csv").display().to_string();
    let (code, _, err) = o2o(&["report", "--events", &events, "--audience", &events]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no usable audience row"), "{err}");
    assert!(err.contains("events.ndjson"), "{err}");
    assert!(err.lines().count() <= 12, "{err}");
    let (code, text, err) = o2o(&["report", "--events", &events, "--audience", &audience]);
    assert_eq!(code, 0, "{err}");
    assert!(!text.is_empty());
}

/// The same source event id three times is one purchase in the report, as in the store, and
/// the reader says how many repeats it dropped.
#[test]
fn report_counts_a_repeated_event_id_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("events.ndjson");
    let line = r#"{"type":"checkin","id":"r1","method":"pos_purchase","store":"S1","timestamp":1772352000,"value":9,"identifiers":[{"kind":"loyalty_card","value":"L1"}]}"#;
    std::fs::write(&path, format!("{line}\n{line}\n{line}\n")).unwrap();
    let events = path.display().to_string();
    let (code, out, err) = o2o(&["report", "--events", &events, "--json"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("2 events repeat the id"), "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["visits"]["count"], 1, "{}", v["visits"]);
}
