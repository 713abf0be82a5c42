//! o2o_core::uplift at the edges against scripts/gen/fixtures/uplift_edges.py
//! (tests/fixtures/uplift_edges/*.json). Tolerances: 1e-9 relative unless stated.

#![allow(clippy::unwrap_used)]

use o2o_core::uplift::TestOptions;
use o2o_core::uplift::*;
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/uplift_edges/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let ok = (got - want).abs() <= tol * got.abs().max(want.abs()) || (got - want).abs() <= 1e-14;
    assert!(ok, "{what}: got {got:.17e}, want {want:.17e} (tol {tol:e})");
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

#[test]
fn retail_scale_t_tests_return_and_match_scipy() {
    for (i, c) in load("retail_scale").iter().enumerate() {
        match c["kind"].as_str().unwrap() {
            "welch" => {
                let s = |v: &Value| SummaryStats {
                    mean: f(&v[0]),
                    sd: f(&v[1]),
                    n: v[2].as_u64().unwrap(),
                };
                let r = welch_ttest(
                    &s(&c["test"]),
                    &s(&c["control"]),
                    &TestOptions {
                        alpha: 0.05,
                        alternative: Alternative::TwoSided,
                    },
                )
                .unwrap();
                close(&format!("{i} t"), r.t, f(&c["t"]), 1e-9);
                close(&format!("{i} df"), r.df, f(&c["df"]), 1e-9);
                close(&format!("{i} p"), r.p_value, f(&c["p_value"]), 1e-9);
                close(&format!("{i} lo"), r.ci_welch[0], f(&c["ci"][0]), 1e-9);
                close(&format!("{i} hi"), r.ci_welch[1], f(&c["ci"][1]), 1e-9);
            }
            "t_isf" => close(
                &format!("{i} isf"),
                t_isf(f(&c["a"]), f(&c["df"])).unwrap(),
                f(&c["isf"]),
                // Just below 1e5 df statrs' incomplete beta carries about 1e-11.
                1e-10,
            ),
            "t_sf" => {
                close(
                    &format!("{i} sf"),
                    t_sf(f(&c["x"]), f(&c["df"])).unwrap(),
                    f(&c["sf"]),
                    1e-9,
                );
                close(
                    &format!("{i} cdf"),
                    t_cdf(-f(&c["x"]), f(&c["df"])).unwrap(),
                    f(&c["cdf"]),
                    1e-9,
                );
            }
            k => panic!("{k}"),
        }
    }
}

#[test]
fn one_sided_power_follows_statsmodels() {
    for (i, c) in load("power_one_sided").iter().enumerate() {
        let o = PowerOptions {
            alpha: f(&c["alpha"]),
            power: f(&c["power"]),
            ratio: f(&c["ratio"]),
            alternative: c["alternative"].as_str().unwrap().parse().unwrap(),
        };
        match (c["kind"].as_str().unwrap(), c["solve"].as_str()) {
            (k, Some("nobs1")) => {
                let r = if k == "normal" {
                    solve_n_normal(f(&c["effect"]), &o)
                } else {
                    solve_n_ttest(f(&c["effect"]), &o)
                };
                if c.get("refused").is_some() {
                    assert!(r.is_err(), "case {i}: statsmodels refuses, we gave {r:?}");
                } else {
                    // t-test power at 1e7+ df rests on statrs' incomplete beta: 1e-7 there.
                    close(
                        &format!("{i} nobs1"),
                        r.unwrap(),
                        f(&c["nobs1"]),
                        if k == "normal" { 1e-9 } else { 1e-7 },
                    );
                }
            }
            (k, Some("effect")) => {
                let n = f(&c["nobs1"]);
                let e = if k == "normal" {
                    mde_normal(n, &o)
                } else {
                    mde_ttest(n, &o)
                }
                .unwrap();
                close(
                    &format!("{i} effect"),
                    e,
                    f(&c["effect"]),
                    if k == "normal" { 1e-9 } else { 1e-8 },
                );
            }
            ("proportions", _) => {
                let p = power_proportions(f(&c["baseline"]), f(&c["mde_relative"]), &o).unwrap();
                close(
                    &format!("{i} arc"),
                    p.n_per_group_arcsine,
                    f(&c["n_per_group_arcsine"]),
                    1e-9,
                );
                close(
                    &format!("{i} norm"),
                    p.n_per_group_normal,
                    f(&c["n_per_group_normal"]),
                    1e-9,
                );
            }
            k => panic!("{k:?}"),
        }
    }
}

#[test]
fn counts_past_two_to_the_64_do_not_wrap() {
    for (i, c) in load("huge_counts").iter().enumerate() {
        let n = |k: &str| c[k].as_u64().unwrap();
        let z = proportions_ztest(
            Counts {
                successes: n("x1"),
                trials: n("n1"),
            },
            Counts {
                successes: n("x2"),
                trials: n("n2"),
            },
            Alternative::TwoSided,
        )
        .unwrap();
        close(&format!("{i} z"), z.z, f(&c["z"]), 1e-9);
    }
}

#[test]
fn did_unbalanced_and_1e10_panels_match_statsmodels() {
    for (i, c) in load("did_panels").iter().enumerate() {
        let rows: Vec<PanelRow> = serde_json::from_value(c["rows"].clone()).unwrap();
        let estimator = if c["estimator"] == "pooled" {
            DidEstimator::Pooled
        } else {
            DidEstimator::TwoWayFixedEffects
        };
        let d = did(
            &rows,
            &DidOptions {
                estimator,
                ..DidOptions::default()
            },
        )
        .unwrap();
        assert_eq!(d.balanced, c["balanced"].as_bool().unwrap(), "case {i}");
        close(&format!("{i} est"), d.estimate, f(&c["estimate"]), 1e-9);
        close(&format!("{i} se"), d.se, f(&c["se"]), 1e-9);
        close(&format!("{i} p_t"), d.p_value_t, f(&c["p_value_t"]), 1e-8);
        close(&format!("{i} ci_t"), d.ci_t[0], f(&c["ci_t"][0]), 1e-9);
        let auto = did(&rows, &DidOptions::default()).unwrap();
        let want = if d.balanced {
            DidEstimator::Pooled
        } else {
            DidEstimator::TwoWayFixedEffects
        };
        assert_eq!(auto.estimator, want, "case {i}");
    }
}

#[test]
fn synthetic_control_matches_the_exact_solver() {
    for (i, c) in load("synthetic_control_exact").iter().enumerate() {
        let treated: Vec<f64> = serde_json::from_value(c["treated"].clone()).unwrap();
        let donors: Vec<Vec<f64>> = serde_json::from_value(c["donors"].clone()).unwrap();
        let t0 = c["pre_periods"].as_u64().unwrap() as usize;
        let cols: Vec<Vec<f64>> = donors.iter().map(|d| d[..t0].to_vec()).collect();
        let fit = simplex_least_squares(&treated[..t0], &cols).unwrap();
        let want = f(&c["objective"]);
        assert!(
            fit.objective <= want * (1.0 + 1e-9) + 1e-20,
            "case {i}: {} vs exact {want}",
            fit.objective
        );
        if c["weights_unique"].as_bool().unwrap() {
            for (k, w) in c["weights"].as_array().unwrap().iter().enumerate() {
                assert!(
                    (fit.weights[k] - f(w)).abs() < 1e-7,
                    "case {i} w[{k}]: {} vs {}",
                    fit.weights[k],
                    f(w)
                );
            }
        }
        let s = synthetic_control(&treated, &donors, t0).unwrap();
        assert!(s.placebo_failures.is_empty(), "case {i}");
    }
}
