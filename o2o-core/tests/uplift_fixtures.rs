//! o2o_core::uplift against statsmodels / scipy reference values
//! (`scripts/gen/fixtures/uplift.py` → `tests/fixtures/uplift/*.json`).
//!
//! Tolerance: `1e-9` relative (`|a − b| ≤ 1e-9 · max(|a|, |b|)`, with an absolute floor of
//! `1e-14` for values that are zero up to rounding, e.g. a z of 0) unless stated per test:
//! - power sizes and effects: statsmodels' `solve_power` stops its root finder with
//!   `|power − target|` up to ~1.5e-9, so the fixtures hold the exact roots of statsmodels' own
//!   `.power()` (re-solved with brentq at xtol 1e-14); ours agree to 1e-9 for the normal power
//!   and to `solve_power`'s answers to 1e-7. The t-test power goes through the non-central t
//!   (ours AS 243 on statrs' incomplete beta, scipy's Boost): 1e-8 relative;
//! - synthetic-control weights: both sides are iterative solvers (ours FISTA to a certified
//!   duality gap, scipy SLSQP): our objective must not exceed SLSQP's by more than 1e-9
//!   relative, and weights agree to 1e-4 absolute;
//! - exact Mann–Whitney p-values: 1e-9 relative (scipy sums the same counts).

#![allow(clippy::unwrap_used)]

use o2o_core::uplift::TestOptions;
use o2o_core::uplift::*;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn load(name: &str) -> Vec<Value> {
    let path = format!(
        "{}/tests/fixtures/uplift/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(
        v["provenance"]["statsmodels"].is_string(),
        "{name}: provenance"
    );
    v["cases"].as_array().unwrap().clone()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    let ok = (got - want).abs() <= tol * got.abs().max(want.abs()) || (got - want).abs() <= 1e-14;
    assert!(ok, "{what}: got {got:.17e}, want {want:.17e} (tol {tol:e})");
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn pair(v: &Value) -> [f64; 2] {
    [f(&v[0]), f(&v[1])]
}

fn close2(what: &str, got: [f64; 2], want: [f64; 2], tol: f64) {
    close(&format!("{what}.lo"), got[0], want[0], tol);
    close(&format!("{what}.hi"), got[1], want[1], tol);
}

fn alt(v: &Value) -> Alternative {
    v.as_str().unwrap().parse().unwrap()
}

#[test]
fn proportions_match_statsmodels() {
    let cases = load("proportions");
    assert!(cases.len() >= 90);
    for (i, c) in cases.iter().enumerate() {
        let t = Counts::new(c["x1"].as_u64().unwrap(), c["n1"].as_u64().unwrap(), "t").unwrap();
        let k = Counts::new(c["x2"].as_u64().unwrap(), c["n2"].as_u64().unwrap(), "c").unwrap();
        let alpha = f(&c["alpha"]);
        let r = compare_proportions(
            t,
            k,
            &TestOptions {
                alpha,
                alternative: alt(&c["alternative"]),
            },
        )
        .unwrap();
        let w = |s: &str| format!("case {i} {s}");
        close(&w("z"), r.z, f(&c["z"]), TOL);
        close(&w("p"), r.p_value, f(&c["p_value"]), TOL);
        close2(&w("wald"), r.ci_wald, pair(&c["ci_wald"]), TOL);
        close2(&w("newcombe"), r.ci_newcombe, pair(&c["ci_newcomb"]), TOL);
        close2(
            &w("agresti"),
            r.ci_agresti_caffo,
            pair(&c["ci_agresti_caffo"]),
            TOL,
        );
        close2(
            &w("wilson"),
            wilson_interval(t, alpha).unwrap(),
            pair(&c["wilson_test"]),
            TOL,
        );
        match (&c["ci_ratio_log"], r.ci_ratio_log) {
            (Value::Null, None) => {}
            (v, Some(got)) => close2(&w("ratio"), got, pair(v), TOL),
            (v, got) => panic!("case {i}: ratio {v} vs {got:?}"),
        }
    }
}

#[test]
fn welch_matches_scipy() {
    let cases = load("means");
    for (i, c) in cases.iter().enumerate() {
        let alpha = f(&c["alpha"]);
        let r = if c["kind"] == "stats" {
            let s = |v: &Value| SummaryStats {
                mean: f(&v[0]),
                sd: f(&v[1]),
                n: v[2].as_u64().unwrap(),
            };
            welch_ttest(
                &s(&c["test"]),
                &s(&c["control"]),
                &TestOptions {
                    alpha,
                    alternative: alt(&c["alternative"]),
                },
            )
            .unwrap()
        } else {
            let v = |v: &Value| v.as_array().unwrap().iter().map(f).collect::<Vec<_>>();
            welch_ttest_samples(
                &v(&c["a"]),
                &v(&c["b"]),
                &TestOptions {
                    alpha,
                    alternative: alt(&c["alternative"]),
                },
            )
            .unwrap()
        };
        close(&format!("{i} t"), r.t, f(&c["t"]), TOL);
        close(&format!("{i} df"), r.df, f(&c["df"]), TOL);
        close(&format!("{i} p"), r.p_value, f(&c["p_value"]), TOL);
        close2(&format!("{i} ci"), r.ci_welch, pair(&c["ci"]), TOL);
    }
}

#[test]
fn mann_whitney_matches_scipy() {
    for (i, c) in load("mann_whitney").iter().enumerate() {
        let v = |v: &Value| v.as_array().unwrap().iter().map(f).collect::<Vec<_>>();
        let m = if c["method"] == "exact" {
            MwuMethod::Exact
        } else {
            MwuMethod::Asymptotic
        };
        let r = mann_whitney_u(&v(&c["a"]), &v(&c["b"]), alt(&c["alternative"]), m).unwrap();
        close(&format!("{i} u"), r.u, f(&c["u"]), TOL);
        close(&format!("{i} p"), r.p_value, f(&c["p_value"]), TOL);
    }
}

#[test]
fn power_matches_statsmodels() {
    for (i, c) in load("power").iter().enumerate() {
        let a = |k: &str| f(&c[k]);
        match c["kind"].as_str().unwrap() {
            "proportions" => {
                let o = PowerOptions {
                    alpha: a("alpha"),
                    power: a("power"),
                    ..PowerOptions::default()
                };
                let p = power_proportions(a("baseline"), a("mde_relative"), &o).unwrap();
                close(&format!("{i} h"), p.cohens_h, a("cohens_h"), TOL);
                close(
                    &format!("{i} n arc"),
                    p.n_per_group_arcsine,
                    a("n_per_group_arcsine"),
                    TOL,
                );
                close(
                    &format!("{i} n sm"),
                    p.n_per_group_arcsine,
                    a("statsmodels_solve_power"),
                    1e-7,
                );
                // Ours is the exact root: the power at our size is the target.
                let pw = normal_ind_power(p.cohens_h.abs(), p.n_per_group_arcsine, &o).unwrap();
                close(&format!("{i} power at n"), pw, a("power"), 1e-12);
                close(
                    &format!("{i} n norm"),
                    p.n_per_group_normal,
                    a("n_per_group_normal"),
                    TOL,
                );
            }
            "ttest" => {
                let o = PowerOptions {
                    alpha: a("alpha"),
                    power: a("power"),
                    ratio: a("ratio"),
                    ..PowerOptions::default()
                };
                let n = solve_n_ttest(a("d"), &o).unwrap();
                close(&format!("{i} nobs1"), n, a("nobs1"), 1e-8);
                let pw = ttest_ind_power(a("d"), 50.0, &o).unwrap();
                match c["power_at_50"].as_f64() {
                    Some(want) => close(&format!("{i} power"), pw, want, 1e-8),
                    // scipy's nct returns NaN far in the tail (d = 1.2, n = 50): power ≈ 1.
                    None => assert!(pw > 0.9999 && pw <= 1.0, "{i}: {pw}"),
                }
            }
            "mde" => {
                let o = PowerOptions {
                    alpha: a("alpha"),
                    power: a("power"),
                    ..PowerOptions::default()
                };
                let h = mde_normal(a("nobs1"), &o).unwrap();
                close(&format!("{i} h"), h, a("h"), TOL);
                let d = mde_ttest(a("nobs1"), &o).unwrap();
                close(&format!("{i} d"), d, a("d"), 1e-8);
            }
            "nct" => close(
                &format!("{i} nct"),
                nct_cdf(a("t"), a("df"), a("nc")).unwrap(),
                a("cdf"),
                1e-9,
            ),
            k => panic!("unknown kind {k}"),
        }
    }
}

#[test]
fn multiple_testing_matches_statsmodels() {
    for (i, c) in load("multiple").iter().enumerate() {
        let p: Vec<f64> = c["p"].as_array().unwrap().iter().map(f).collect();
        let m = if c["method"] == "holm" {
            Correction::Holm
        } else {
            Correction::BenjaminiHochberg
        };
        let r = adjust_p_values(&p, f(&c["alpha"]), m).unwrap();
        let rej: Vec<bool> = c["reject"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_bool().unwrap())
            .collect();
        assert_eq!(r.reject, rej, "case {i}");
        for (k, v) in c["p_adjusted"].as_array().unwrap().iter().enumerate() {
            close(&format!("{i}[{k}]"), r.p_adjusted[k], f(v), TOL);
        }
    }
}

fn pairs(v: &Value) -> Vec<(f64, f64)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (f(&p[0]), f(&p[1])))
        .collect()
}

#[test]
fn cuped_matches_reference() {
    for (i, c) in load("cuped").iter().enumerate() {
        let r = cuped(
            &pairs(&c["test"]),
            &pairs(&c["control"]),
            &TestOptions {
                alpha: 0.05,
                alternative: Alternative::TwoSided,
            },
        )
        .unwrap();
        close(&format!("{i} theta"), r.theta, f(&c["theta"]), TOL);
        close(
            &format!("{i} est"),
            r.adjusted.absolute_lift,
            f(&c["estimate"]),
            TOL,
        );
        close(&format!("{i} p"), r.adjusted.p_value, f(&c["p_value"]), TOL);
        close2(&format!("{i} ci"), r.adjusted.ci_welch, pair(&c["ci"]), TOL);
        close(
            &format!("{i} vr"),
            r.variance_reduction,
            f(&c["variance_reduction"]),
            TOL,
        );
    }
}

#[test]
fn did_matches_statsmodels_cluster() {
    for (i, c) in load("did").iter().enumerate() {
        let rows: Vec<PanelRow> = serde_json::from_value(c["rows"].clone()).unwrap();
        // These panels drop a few rows at random: the fixtures hold the pooled regression.
        let o = DidOptions {
            estimator: DidEstimator::Pooled,
            ..DidOptions::default()
        };
        let d = if c["log"].as_bool().unwrap() {
            did_log(&rows, &o).unwrap()
        } else {
            did(&rows, &o).unwrap()
        };
        close(&format!("{i} est"), d.estimate, f(&c["estimate"]), TOL);
        close(&format!("{i} se"), d.se, f(&c["se"]), TOL);
        close(&format!("{i} p"), d.p_value, f(&c["p_value"]), TOL);
        close2(&format!("{i} ci"), d.ci, pair(&c["ci"]), TOL);
        close(&format!("{i} p_t"), d.p_value_t, f(&c["p_value_t"]), TOL);
        close2(&format!("{i} ci_t"), d.ci_t, pair(&c["ci_t"]), TOL);
    }
}

#[test]
fn synthetic_control_weights_match_slsqp() {
    for (i, c) in load("synthetic_control").iter().enumerate() {
        let treated: Vec<f64> = c["treated"].as_array().unwrap().iter().map(f).collect();
        let donors: Vec<Vec<f64>> = serde_json::from_value(c["donors"].clone()).unwrap();
        let t0 = c["pre_periods"].as_u64().unwrap() as usize;
        let cols: Vec<Vec<f64>> = donors.iter().map(|d| d[..t0].to_vec()).collect();
        let fit = simplex_least_squares(&treated[..t0], &cols).unwrap();
        let want = f(&c["objective"]);
        assert!(
            fit.objective <= want + 1e-9 * want.max(1.0),
            "case {i}: objective {} vs SLSQP {want}",
            fit.objective
        );
        let sum: f64 = fit.weights.iter().sum();
        assert!((sum - 1.0).abs() < 1e-12 && fit.weights.iter().all(|&w| w >= 0.0));
        // With more donors than pre-periods the minimiser is not unique: compare objectives only.
        let unique = c["weights_unique"].as_bool().unwrap();
        for (k, w) in c["weights"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .filter(|_| unique)
        {
            assert!(
                (fit.weights[k] - f(w)).abs() < 1e-4,
                "case {i} w[{k}]: {} vs {}",
                fit.weights[k],
                f(w)
            );
        }
        // The full estimate runs (placebos included).
        let s = synthetic_control(&treated, &donors, t0).unwrap();
        assert!(s.p_value > 0.0 && s.p_value <= 1.0);
    }
}

#[test]
fn sequential_matches_documented_formula() {
    for (i, c) in load("sequential").iter().enumerate() {
        // The fixture's formula has no minimum sample (one case looks at n = 1).
        let o = SequentialOptions {
            alpha: f(&c["alpha"]),
            tuning_n: f(&c["tuning_n"]),
            min_n: 0.0,
        };
        let l = confidence_sequence(f(&c["estimate"]), f(&c["se"]), f(&c["n"]), &o).unwrap();
        close2(&format!("{i} ci"), l.ci.unwrap(), pair(&c["ci"]), TOL);
        close(&format!("{i} p"), l.p_value, f(&c["p_value"]), TOL);
    }
}

#[test]
fn incrementality_matches_reference() {
    for (i, c) in load("incrementality").iter().enumerate() {
        let arm = |v: &Value| HoldoutArm {
            customers: v[0].as_u64().unwrap(),
            conversions: v[1].as_u64().unwrap(),
            revenue_mean: f(&v[2]),
            revenue_sd: f(&v[3]),
        };
        let s = incrementality(
            &arm(&c["exposed"]),
            &arm(&c["holdout"]),
            f(&c["spend"]),
            0.05,
        )
        .unwrap();
        let chk = |name: &str, e: Estimate| {
            let w = &c[name];
            close(&format!("{i} {name}"), e.value, f(&w[0]), TOL);
            close2(&format!("{i} {name} ci"), e.ci, [f(&w[1]), f(&w[2])], TOL);
        };
        chk("incremental_conversions", s.incremental_conversions);
        chk("incremental_revenue", s.incremental_revenue);
        chk("iroas", s.iroas.unwrap());
    }
}

#[test]
fn distributions_match_scipy() {
    for (i, c) in load("distributions").iter().enumerate() {
        let a = |k: &str| f(&c[k]);
        match c["dist"].as_str().unwrap() {
            "norm" => {
                close(&format!("{i}"), norm_cdf(a("x")).unwrap(), a("cdf"), TOL);
                close(&format!("{i}"), norm_sf(a("x")).unwrap(), a("sf"), TOL);
            }
            "norm_ppf" => close(&format!("{i}"), norm_ppf(a("p")).unwrap(), a("ppf"), TOL),
            "t" => {
                close(
                    &format!("{i}"),
                    t_cdf(a("x"), a("df")).unwrap(),
                    a("cdf"),
                    TOL,
                );
                close(
                    &format!("{i}"),
                    t_sf(a("x"), a("df")).unwrap(),
                    a("sf"),
                    TOL,
                );
            }
            "t_isf" => close(
                &format!("{i}"),
                t_isf(a("a"), a("df")).unwrap(),
                a("isf"),
                TOL,
            ),
            "chi2" => {
                close(
                    &format!("{i}"),
                    chi2_sf(a("x"), a("df")).unwrap(),
                    a("sf"),
                    TOL,
                );
                close(
                    &format!("{i}"),
                    chi2_isf(0.05, a("df")).unwrap(),
                    a("isf05"),
                    TOL,
                );
            }
            k => panic!("unknown {k}"),
        }
    }
}
