//! `o2o uplift`, `o2o power`, `o2o did`: JSON contracts and exit codes.

#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::process::{Command, Output};

fn o2o(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_o2o"))
        .args(args)
        .output()
        .unwrap()
}

fn json(args: &[&str]) -> Value {
    let out = o2o(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn pair(v: &Value) -> [f64; 2] {
    [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()]
}

#[test]
fn uplift_proportions_contract() {
    let v = json(&["uplift", "--test", "66/1000", "--control", "20/1000"]);
    for k in ["z", "p_value", "absolute_lift", "relative_lift"] {
        assert!(v[k].is_f64(), "{k}");
    }
    for k in ["ci_newcombe", "ci_wald", "ci_ratio_log", "ci_agresti_caffo"] {
        let [lo, hi] = pair(&v[k]);
        assert!(lo < hi, "{k}");
    }
    assert!((v["relative_lift"].as_f64().unwrap() - 2.3).abs() < 1e-12);
    // One vocabulary with the report and attribute: which number this is.
    assert_eq!(v["measure"], "incremental");
    assert!(v["meaning"].as_str().unwrap().contains("at random"));
    let larger = json(&[
        "uplift",
        "--test",
        "66/1000",
        "--control",
        "20/1000",
        "--alternative",
        "larger",
        "--alpha",
        "0.1",
    ]);
    assert!(
        (larger["p_value"].as_f64().unwrap() * 2.0 - v["p_value"].as_f64().unwrap()).abs() < 1e-15
    );
}

#[test]
fn uplift_means_contract() {
    let v = json(&[
        "uplift",
        "--metric",
        "mean",
        "--test",
        "12.5,20.1,400",
        "--control",
        "10.2,18.7,380",
    ]);
    for k in ["t", "df", "p_value", "absolute_lift"] {
        assert!(v[k].is_f64(), "{k}");
    }
    let [lo, hi] = pair(&v["ci_welch"]);
    assert!(lo < 2.3 && 2.3 < hi);
    assert_eq!(v["measure"], "incremental");
}

#[test]
fn power_contract() {
    let v = json(&["power", "--baseline", "0.1", "--mde-relative", "0.1"]);
    let h = v["cohens_h"].as_f64().unwrap();
    let want = 2.0 * 0.11f64.sqrt().asin() - 2.0 * 0.1f64.sqrt().asin();
    assert!((h - want).abs() < 1e-12);
    let n = v["n_per_group_arcsine"].as_f64().unwrap();
    assert!(
        n > 14_000.0 && n < 15_000.0 && n.fract() != 0.0,
        "unrounded: {n}"
    );
    assert!(v["n_per_group_normal"].as_f64().unwrap() > 14_000.0);
    let v = json(&[
        "power",
        "--baseline",
        "0.1",
        "--mde-relative",
        "-0.1",
        "--n-per-group",
        "5000",
    ]);
    assert!(v["mde"]["relative"].as_f64().unwrap() > 0.0);
}

#[test]
fn bad_flags_exit_2_with_a_clear_message() {
    for (args, needle) in [
        (
            vec!["uplift", "--test", "11/10", "--control", "2/10"],
            "more than all",
        ),
        (
            vec!["uplift", "--test", "5-10", "--control", "2/10"],
            "expected X/N",
        ),
        (
            vec![
                "uplift",
                "--test",
                "1/10",
                "--control",
                "2/10",
                "--alpha",
                "2",
            ],
            "--alpha",
        ),
        (
            vec![
                "uplift",
                "--test",
                "1/10",
                "--control",
                "2/10",
                "--alternative",
                "up",
            ],
            "alternative",
        ),
        (
            vec![
                "uplift",
                "--metric",
                "mean",
                "--test",
                "1,2",
                "--control",
                "1,2,3",
            ],
            "MEAN,SD,N",
        ),
        (
            vec!["power", "--baseline", "1.5", "--mde-relative", "0.1"],
            "baseline",
        ),
    ] {
        let out = o2o(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn did_keeps_good_rows_and_reports_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("panel.csv");
    let mut csv = String::from("store,period,treated,post,value\n");
    for s in 0..8 {
        for p in 0..4 {
            let (t, post) = (s < 4, p >= 2);
            let v = 100.0
                + s as f64 * 3.0
                + p as f64
                + if t && post { 7.0 } else { 0.0 }
                + ((s * 7 + p * 3) % 5) as f64;
            csv += &format!("s{s},w{p},{},{},{v}\n", u8::from(t), u8::from(post));
        }
    }
    csv += "s9,w1,1,0,oops\n";
    std::fs::write(&path, csv).unwrap();
    let out = o2o(&["did", "--panel", path.to_str().unwrap()]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 34") && err.contains("value"), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 32);
    assert_eq!(v["bad_rows"][0]["line"], 34);
    let [lo, hi] = pair(&v["ci"]);
    let est = v["estimate"].as_f64().unwrap();
    assert!(lo < est && est < hi && v["se"].as_f64().unwrap() > 0.0);
    assert!(v["p_value"].as_f64().unwrap() < 0.05);
}

/// Issue #31 point 7: a negative mean is accepted in the space form (`--control -3,10,100`), not
/// only glued with `=`, and both spellings give the same bytes; the arms are read as written
/// (the lift is test − control, so swapping them flips its sign).
#[test]
fn uplift_negative_mean_space_and_equals_forms_agree() {
    let spaced = o2o(&[
        "uplift",
        "--metric",
        "mean",
        "--test",
        "-1,10,100",
        "--control",
        "-3,10,100",
    ]);
    let glued = o2o(&[
        "uplift",
        "--metric",
        "mean",
        "--test=-1,10,100",
        "--control=-3,10,100",
    ]);
    for out in [&spaced, &glued] {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert_eq!(spaced.stdout, glued.stdout);
    let v: Value = serde_json::from_slice(&spaced.stdout).unwrap();
    assert!((v["absolute_lift"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    let swapped = json(&[
        "uplift",
        "--metric",
        "mean",
        "--test",
        "-3,10,100",
        "--control",
        "-1,10,100",
    ]);
    assert!((swapped["absolute_lift"].as_f64().unwrap() + 2.0).abs() < 1e-12);
    assert!((swapped["t"].as_f64().unwrap() + v["t"].as_f64().unwrap()).abs() < 1e-12);
}
