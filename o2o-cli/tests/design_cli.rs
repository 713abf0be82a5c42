//! `o2o design holdout` and `o2o design stores` end to end: a store from the simulator, the plan
//! files (`--out`), the holdout list (`--assign`) ingested as an assignment source, the plan
//! read back by `o2o report --design`, and bad flags refused with a message.

#![allow(clippy::unwrap_used)]

mod common;

use common::o2o;
use serde_json::Value;
use std::path::Path;

/// A simulated campaign in an event store (the docs' history: 20,000 customers, seed 3).
fn store(dir: &Path) -> String {
    let s = dir.join("store").display().to_string();
    let (code, _, err) = o2o(&[
        "simulate",
        "--customers",
        "20000",
        "--seed",
        "3",
        "--store",
        &s,
    ]);
    assert_eq!(code, 0, "{err}");
    s
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = o2o(args);
    assert_eq!(code, 0, "o2o {args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The holdout design, its plan and its list agree with each other and with the history.
#[test]
fn design_holdout_plan_list_and_report_agree() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());

    // Every duration tried: the share needed for the MDE shrinks as the test runs longer, and
    // CUPED never needs more.
    let v = json(&[
        "design",
        "holdout",
        "--store",
        &st,
        "--campaign",
        "spring",
        "--mde",
        "30%",
        "--json",
    ]);
    let rows = v["design"]["durations"].as_array().unwrap();
    let shares: Vec<(u64, f64, f64)> = rows
        .iter()
        .filter(|r| r["share_needed"].is_f64())
        .map(|r| {
            (
                r["days"].as_u64().unwrap(),
                f(&r["share_needed"]),
                f(&r["share_needed_cuped"]),
            )
        })
        .collect();
    assert!(shares.len() >= 3, "{rows:?}");
    for w in shares.windows(2) {
        assert!(w[0].0 < w[1].0 && w[1].1 < w[0].1, "{shares:?}");
    }
    for (_, share, cuped) in &shares {
        assert!(*share > 0.0 && *share <= 0.5 && *cuped <= share + 1e-12);
    }
    // Without --days, the recommendation is the shortest duration reaching the MDE.
    let rec = &v["design"]["recommended"];
    assert_eq!(rec["days"].as_u64().unwrap(), shares[0].0);
    assert!(f(&rec["power"]) >= 0.8 - 1e-9);

    // A fixed duration, the plan and the list.
    let plan_path = dir.path().join("plan.json");
    let list = dir.path().join("assign.csv");
    let (p, l) = (plan_path.display().to_string(), list.display().to_string());
    let args = [
        "design",
        "holdout",
        "--store",
        &st,
        "--campaign",
        "spring",
        "--mde",
        "30%",
        "--days",
        "14",
        "--seed",
        "11",
        "--out",
        &p,
        "--assign",
        &l,
        "--json",
    ];
    let v = json(&args);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan_path).unwrap()).unwrap();
    assert_eq!(plan, v["plan"], "--out writes the plan --json prints");
    let rec = &v["design"]["recommended"];
    assert_eq!(plan["o2o_design"], 1);
    assert_eq!(plan["kind"], "holdout");
    assert_eq!(plan["campaign"], "spring");
    assert_eq!(plan["days"], 14);
    assert_eq!(plan["mde"], 0.3);
    assert_eq!(plan["seed"], 11);
    assert_eq!(plan["readout"]["kind"], "fixed_horizon");
    assert_eq!(plan["holdout_share"], rec["share"]);
    assert_eq!(
        plan["customers"].as_u64().unwrap(),
        rec["holdout_customers"].as_u64().unwrap() + rec["target_customers"].as_u64().unwrap()
    );
    assert_eq!(plan["assignment"].as_str().unwrap(), l);
    let width = f(&plan["expected_interval_width"]);
    assert!(width > 0.0 && width.is_finite());

    // The list holds the planned share, within sampling error (stratified: each stratum is
    // rounded to one customer).
    let text = std::fs::read_to_string(&list).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let group = header.iter().position(|h| *h == "group").unwrap();
    let campaign = header.iter().position(|h| *h == "campaign").unwrap();
    let (mut held, mut total) = (0usize, 0usize);
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(cells[campaign], "spring");
        match cells[group] {
            "holdout" => held += 1,
            "target" => {}
            other => panic!("group `{other}`"),
        }
        total += 1;
    }
    let assigned = &v["assignment"];
    assert_eq!(held as u64, assigned["holdout"].as_u64().unwrap());
    assert_eq!((total - held) as u64, assigned["target"].as_u64().unwrap());
    let share = f(&plan["holdout_share"]);
    // Each stratum (region/tier: [customers, held out]) holds out the share to one customer.
    let strata = assigned["strata"].as_object().unwrap();
    let mut in_strata = 0;
    for (name, counts) in strata {
        let (size, out) = (f(&counts[0]), f(&counts[1]));
        assert!((out - share * size).abs() <= 1.0, "{name}: {out} of {size}");
        in_strata += size as usize;
    }
    assert_eq!(in_strata, total);
    let strata = strata.len() as f64;
    let n = total as f64;
    let got = held as f64 / n;
    assert!(
        (got - share).abs() <= 3.0 * (share * (1.0 - share) / n).sqrt() + strata / n,
        "held out {got} of {n}, planned {share}"
    );
    // Same seed, same list byte for byte; another seed, another list.
    let again = dir.path().join("again.csv");
    let a = again.display().to_string();
    let other_plan = dir.path().join("other-plan.json").display().to_string();
    let mut args2 = args.to_vec();
    let at = args2.iter().position(|x| *x == l).unwrap();
    args2[at] = &a;
    let at = args2.iter().position(|x| *x == p).unwrap();
    args2[at] = &other_plan;
    json(&args2);
    assert_eq!(std::fs::read(&again).unwrap(), text.as_bytes());
    let seed_at = args2.iter().position(|x| *x == "11").unwrap();
    args2[seed_at] = "12";
    json(&args2);
    assert_ne!(std::fs::read(&again).unwrap(), text.as_bytes());

    // The list is an assignment source for ingest, through the documented map.
    let map = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/maps/design_assignment.toml"
    );
    let (code, out, err) = o2o(&["ingest", "--store", &st, "--map", map, &l]);
    assert_eq!(code, 0, "{out}\n{err}");

    // The report reads the plan back: the planned level, population and readout.
    let r = json(&["report", "--store", &st, "--design", &p, "--json"]);
    assert_eq!(r["design"]["plan"], plan);
    let readout = &r["design"]["readout"];
    assert_eq!(readout["readout"], "fixed_horizon");
    assert_eq!(readout["alpha"], plan["alpha"]);
    assert_eq!(readout["customers_planned"], plan["customers"]);
    let [lo, hi] = [f(&readout["interval"][0]), f(&readout["interval"][1])];
    assert!(lo < f(&readout["lift"]) && f(&readout["lift"]) < hi);
}

/// The store design: plan coherent with the ranked sets, exclusions honoured, the power curve
/// rising with the planted effect, the ranking reproducible for a seed.
#[test]
fn design_stores_plan_is_coherent() {
    let dir = tempfile::tempdir().unwrap();
    let st = store(dir.path());
    let p = dir.path().join("stores.json").display().to_string();
    let args = [
        "design",
        "stores",
        "--store",
        &st,
        "--treat",
        "2",
        "--days",
        "14",
        "--min-pre",
        "14",
        "--effects",
        "0,10%,20%,30%,50%,80%",
        "--exclude",
        "S003,S007",
        "--out",
        &p,
        "--json",
    ];
    let v = json(&args);
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(plan, v["plan"]);
    let d = &v["design"];
    let best = &d["top"][0];
    assert_eq!(best["rank"], 1);
    assert_eq!(plan["kind"], "stores");
    assert_eq!(plan["days"], 14);
    assert_eq!(plan["treated_stores"], best["stores"]);
    assert_eq!(plan["mde"], best["mde"]);
    assert_eq!(plan["expected_interval_width"], best["interval_width"]);
    assert_eq!(d["excluded"], serde_json::json!(["S003", "S007"]));

    let treated: Vec<&str> = plan["treated_stores"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert_eq!(treated.len(), 2);
    let weights = plan["control_weights"].as_array().unwrap();
    let mut sum = 0.0;
    for w in weights {
        let store = w["store"].as_str().unwrap();
        assert!(
            !treated.contains(&store) && !["S003", "S007"].contains(&store),
            "{store}"
        );
        assert!(f(&w["weight"]) > 0.0);
        sum += f(&w["weight"]);
    }
    // Weights below 0.001 are not listed.
    assert!(sum <= 1.0 + 1e-9 && sum > 0.97, "{sum}");

    for (i, c) in d["top"].as_array().unwrap().iter().enumerate() {
        assert_eq!(c["rank"].as_u64().unwrap(), i as u64 + 1);
        for s in c["stores"].as_array().unwrap() {
            assert!(!["S003", "S007"].contains(&s.as_str().unwrap()));
        }
        let curve = c["power_curve"].as_array().unwrap();
        assert_eq!(f(&curve[0]["effect"]), 0.0);
        assert_eq!(f(&curve[0]["power"]), f(&c["false_positive_rate"]));
        // Beyond zero, a larger planted effect is detected at least as often.
        for w in curve[1..].windows(2) {
            assert!(f(&w[0]["power"]) <= f(&w[1]["power"]), "{curve:?}");
        }
        if let Some(mde) = c["mde"].as_f64() {
            let at = curve.iter().find(|x| f(&x["effect"]) == mde).unwrap();
            assert!(f(&at["power"]) >= 0.8);
            assert_eq!(at["power"], c["power_at_mde"]);
        }
        assert!((f(&c["interval_width"]) - 2.0 * f(&c["threshold"])).abs() < 1e-12);
    }
    // The stated figures come from periods after the ones the ranking used.
    assert!(d["stated_windows"].as_u64().unwrap() >= 1);
    assert!(d["ranked_before"].as_u64().unwrap() < d["periods"].as_u64().unwrap());

    let again = json(&args);
    assert_eq!(
        again["design"], v["design"],
        "same store and seed, same ranking"
    );
}

/// `--method did`: the sets are ranked by the difference in differences against matched
/// controls, and the JSON and the plan say so.
#[test]
fn design_stores_by_did_says_its_method() {
    let dir = tempfile::tempdir().unwrap();
    let panel = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/stores_panel.csv"
    );
    let p = dir.path().join("did.json").display().to_string();
    let args = [
        "design", "stores", "--panel", panel, "--treat", "3", "--days", "21", "--method", "did",
        "--sets", "8", "--top", "2", "--out", &p, "--json",
    ];
    let v = json(&args);
    let d = &v["design"];
    assert_eq!(d["method"], "did");
    assert_eq!(d["matches"], 3);
    assert_eq!(v["plan"]["method"], "did");
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
    assert_eq!(plan, v["plan"]);
    // The matched controls, with equal weights, none of them treated.
    let weights = plan["control_weights"].as_array().unwrap();
    assert!(weights.len() >= 3, "{weights:?}");
    for w in weights {
        assert!((f(&w["weight"]) - 1.0 / weights.len() as f64).abs() < 1e-12);
        assert!(
            !plan["treated_stores"]
                .as_array()
                .unwrap()
                .contains(&w["store"])
        );
    }
    assert_eq!(json(&args)["design"], v["design"], "reproducible");
    // The default stays the synthetic control.
    let sc = json(&[
        "design", "stores", "--panel", panel, "--treat", "3", "--days", "21", "--sets", "8",
        "--top", "2", "--json",
    ]);
    assert_eq!(sc["design"]["method"], "synthetic_control");
    assert_eq!(sc["design"]["matches"], Value::Null);
    assert_eq!(sc["plan"]["method"], "synthetic_control");
}

#[test]
fn design_refuses_bad_flags_with_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let panel = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/stores_panel.csv"
    );
    let missing = dir.path().join("nowhere").display().to_string();
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "design",
                "holdout",
                "--store",
                &missing,
                "--campaign",
                "x",
                "--mde",
                "lots",
            ],
            "--mde `lots`",
        ),
        (
            &["design", "stores", "--panel", panel, "--treat", "0"],
            "0 stores to treat",
        ),
        (
            &["design", "stores", "--panel", panel, "--treat", "39"],
            "leaving at least 2",
        ),
        (
            &[
                "design",
                "stores",
                "--panel",
                panel,
                "--treat",
                "2",
                "--exclude",
                "S99",
            ],
            "store `S99` is not in the history",
        ),
        (
            &[
                "design", "stores", "--panel", panel, "--treat", "2", "--days", "70",
            ],
            "days of history",
        ),
        (
            &[
                "design", "stores", "--panel", panel, "--treat", "2", "--alpha", "2",
            ],
            "alpha",
        ),
        (
            &[
                "design",
                "stores",
                "--panel",
                panel,
                "--treat",
                "2",
                "--effects",
                "5%,x",
            ],
            "--effects `x`",
        ),
        (
            &[
                "design", "stores", "--panel", panel, "--treat", "2", "--method", "ols",
            ],
            "--method: `ols`: expected synthetic-control or did",
        ),
        (
            &[
                "design",
                "stores",
                "--panel",
                panel,
                "--treat",
                "2",
                "--method",
                "did",
                "--matches",
                "0",
            ],
            "--matches",
        ),
        (&["design", "stores", "--treat", "2"], "--store"),
        (
            &["design", "stores", "--panel", &missing, "--treat", "2"],
            "nowhere",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = o2o(args);
        assert_ne!(code, 0, "o2o {args:?} succeeded: {out}");
        assert!(
            err.contains(needle),
            "o2o {args:?}: `{err}` should mention {needle}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// `o2o report --design` with a store plan runs the planned estimator on the planned stores
/// over the planned period: the same number as the estimator called directly, for both
/// methods; and it refuses what it cannot read with a message.
#[test]
fn report_reads_a_store_plan_as_the_estimator_called_directly() {
    use o2o_core::design::StorePanel;
    use o2o_core::uplift::{DidOptions, PanelRow, did, synthetic_control};
    let dir = tempfile::tempdir().unwrap();
    let panel_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/examples/stores_panel.csv"
    );
    let panel = StorePanel::read_csv(std::fs::File::open(panel_path).unwrap(), panel_path).unwrap();
    // The test: the last 21 days of the panel; the pre-period every day before.
    let (from, to) = ("2026-04-30", "2026-05-20");
    let t0 = panel.periods.iter().position(|p| p == from).unwrap();
    let t = panel.periods.len();
    let scaled = |s: &str| -> Vec<f64> {
        let i = panel.stores.iter().position(|x| x == s).unwrap();
        let v = &panel.values[i];
        let m = v[..t0].iter().sum::<f64>() / t0 as f64;
        v.iter().map(|x| x / m).collect()
    };
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_owned())
            .collect()
    };
    for method in ["synthetic-control", "did"] {
        let plan = dir.path().join(format!("{method}.json"));
        let p = plan.display().to_string();
        let (code, _, err) = o2o(&[
            "design", "stores", "--panel", panel_path, "--treat", "3", "--days", "21", "--sets",
            "8", "--top", "1", "--method", method, "--start", from, "--out", &p,
        ]);
        assert_eq!(code, 0, "{err}");
        let r = json(&["report", "--panel", panel_path, "--design", &p, "--json"]);
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
        assert_eq!(r["design"]["plan"], plan);
        let read = &r["design"]["readout"];
        assert_eq!(read["readout"], "fixed_horizon");
        assert_eq!(read["test"], serde_json::json!([from, to]));
        assert_eq!(read["test_periods"], 21);
        assert_eq!(read["pre_periods"].as_u64().unwrap() as usize, t0);
        let treated = names(&plan["treated_stores"]);
        let controls: Vec<String> = plan["control_weights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["store"].as_str().unwrap().to_owned())
            .collect();
        let direct = if method == "did" {
            assert_eq!(read["method"], "did");
            let mut rows = Vec::new();
            for (s, tr) in treated
                .iter()
                .map(|s| (s, true))
                .chain(controls.iter().map(|s| (s, false)))
            {
                for (k, x) in scaled(s).into_iter().enumerate() {
                    rows.push(PanelRow {
                        store: s.clone(),
                        period: panel.periods[k].clone(),
                        treated: tr,
                        post: k >= t0,
                        value: x,
                    });
                }
            }
            let d = did(&rows, &DidOptions::default()).unwrap();
            assert!((f(&read["estimator_p_value"]) - d.p_value_t).abs() < 1e-12);
            d.relative.unwrap()
        } else {
            assert_eq!(read["method"], "synthetic_control");
            let mut tr = vec![0.0; t];
            for s in &treated {
                for (a, b) in tr.iter_mut().zip(scaled(s)) {
                    *a += b / treated.len() as f64;
                }
            }
            let ds: Vec<Vec<f64>> = controls.iter().map(|s| scaled(s)).collect();
            let sc = synthetic_control(&tr, &ds, t0).unwrap();
            assert_eq!(f(&read["estimator_p_value"]), sc.p_value);
            sc.relative_effect.unwrap()
        };
        let got = f(&read["relative_effect"]);
        // The same cells summed in the same order: equal to rounding.
        assert!((got - direct).abs() < 1e-12, "{method}: {got} vs {direct}");
        let half = f(&plan["expected_interval_width"]) / 2.0;
        assert!((f(&read["interval"][0]) - (got - half)).abs() < 1e-12);
        assert_eq!(read["significant"], got.abs() > half);
        // The text says how it was read.
        let (code, out, err) = o2o(&["report", "--panel", panel_path, "--design", &p]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("As planned: store test"), "{out}");
        assert!(out.contains("fixed horizon"), "{out}");
        assert!(
            out.contains(&format!("test {from} to {to} (21 periods)")),
            "{out}"
        );

        // The same design read every day: one error scale per planned day in the plan, one
        // look per day in the readout, the last look the fixed readout's estimate.
        let seq = dir.path().join(format!("{method}-seq.json"));
        let q = seq.display().to_string();
        let (code, _, err) = o2o(&[
            "design",
            "stores",
            "--panel",
            panel_path,
            "--treat",
            "3",
            "--days",
            "21",
            "--sets",
            "8",
            "--top",
            "1",
            "--method",
            method,
            "--start",
            from,
            "--readout",
            "sequential",
            "--out",
            &q,
        ]);
        assert_eq!(code, 0, "{err}");
        let sp: Value = serde_json::from_str(&std::fs::read_to_string(&seq).unwrap()).unwrap();
        assert_eq!(sp["readout"]["kind"], "sequential");
        assert_eq!(sp["readout"]["tuning_n"], 21.0);
        assert_eq!(sp["look_se"].as_array().unwrap().len(), 21);
        assert_eq!(sp["treated_stores"], plan["treated_stores"]);
        assert!(f(&sp["expected_interval_width"]) > f(&plan["expected_interval_width"]));
        let r = json(&["report", "--panel", panel_path, "--design", &q, "--json"]);
        let read = &r["design"]["readout"];
        assert_eq!(read["readout"], "sequential");
        let looks = read["looks"].as_array().unwrap();
        assert_eq!(looks.len(), 21);
        assert_eq!(looks[20]["period"], to);
        let last = f(&looks[20]["estimate"]);
        assert!((last - got).abs() < 1e-12, "{method}: {last} vs {got}");
        assert_eq!(read["relative_effect"], looks[20]["estimate"]);
        assert_eq!(read["p_value"], looks[20]["p_value"]);
        assert_eq!(read["significant"], f(&read["p_value"]) <= 0.05);
        let (code, out, err) = o2o(&["report", "--panel", panel_path, "--design", &q]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("always-valid interval"), "{out}");
    }

    // What cannot be read is refused with a message.
    let plan = dir.path().join("did.json").display().to_string();
    let no_start = dir.path().join("no-start.json");
    let mut v: Value = serde_json::from_str(&std::fs::read_to_string(&plan).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("start");
    std::fs::write(&no_start, v.to_string()).unwrap();
    let no_start = no_start.display().to_string();
    let stranger = dir.path().join("stranger.json");
    v["treated_stores"][0] = "S99".into();
    std::fs::write(&stranger, v.to_string()).unwrap();
    let stranger = stranger.display().to_string();
    let cases: &[(&[&str], &str)] = &[
        (&["report", "--panel", panel_path], "--design"),
        (
            &["report", "--panel", panel_path, "--design", &no_start],
            "give --from and --to",
        ),
        (
            &[
                "report", "--panel", panel_path, "--design", &stranger, "--from", from, "--to", to,
            ],
            "treated store `S99` of the plan is not in the panel",
        ),
        (
            &[
                "report",
                "--panel",
                panel_path,
                "--design",
                &plan,
                "--from",
                "2027-01-01",
                "--to",
                "2027-01-21",
            ],
            "the panel has no period from 2027-01-01",
        ),
        (
            &[
                "report", "--panel", panel_path, "--design", &plan, "--from", to, "--to", from,
            ],
            "is after --to",
        ),
    ];
    for (args, needle) in cases {
        let (code, out, err) = o2o(args);
        assert_ne!(code, 0, "o2o {args:?} succeeded: {out}");
        assert!(
            err.contains(needle),
            "o2o {args:?}: `{err}` should mention {needle}"
        );
        assert!(!err.contains("panicked"), "{err}");
    }
}
