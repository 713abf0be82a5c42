//! No uplift entry point returns a non-finite number or runs unbounded, whatever it is given:
//! NaN, ±∞, ±1e308, subnormals, zero, counts up to u64::MAX, degrees of freedom up to 1e300,
//! effects down to 1e-300. Each call either returns a result whose every number is finite
//! (checked on its serialised form, field by field) or a refusal with a reason; the suite
//! finishing at all is the bound on time (every iterative solver in the module has a step cap).
//! The CLI, C and WASM wrappers call these same functions.

#![allow(clippy::unwrap_used)]

use o2o_core::uplift::TestOptions;
use o2o_core::uplift::*;
use proptest::prelude::*;
use serde::Serialize;

fn extreme() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(1e308),
        Just(-1e308),
        Just(f64::MAX),
        Just(5e-324),
        Just(1e-300),
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(0.5),
        Just(2.0),
        any::<f64>(),
        -1e6..1e6f64,
        0.0..1.0f64,
    ]
}

fn count() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        Just(2),
        Just(u64::MAX),
        Just(u64::MAX - 1),
        Just(1 << 63),
        any::<u64>(),
        0u64..1000
    ]
}

fn alt() -> impl Strategy<Value = Alternative> {
    prop_oneof![
        Just(Alternative::TwoSided),
        Just(Alternative::Larger),
        Just(Alternative::Smaller)
    ]
}

/// Ok results must be finite everywhere; refusals are fine.
fn finite<T: Serialize>(what: &str, r: Result<T, UpliftError>) -> Result<(), TestCaseError> {
    if let Ok(v) = &r {
        prop_assert!(
            non_finite_field(v).is_none(),
            "{what}: non-finite {:?}",
            non_finite_field(v)
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn proportions_and_means(x1 in count(), n1 in count(), x2 in count(), n2 in count(),
                             a in extreme(), m1 in extreme(), s1 in extreme(), m2 in extreme(),
                             s2 in extreme(), k1 in count(), k2 in count(), alt in alt()) {
        let t = Counts { successes: x1, trials: n1 };
        let c = Counts { successes: x2, trials: n2 };
        finite("compare_proportions", compare_proportions(t, c, &TestOptions { alpha: a, alternative: alt }))?;
        finite("proportions_ztest", proportions_ztest(t, c, alt))?;
        finite("wilson", wilson_interval(t, a))?;
        finite("newcombe", ci_diff_newcombe(t, c, a))?;
        finite("ratio", ci_ratio_log(t, c, a))?;
        let st = SummaryStats { mean: m1, sd: s1, n: k1 };
        let sc = SummaryStats { mean: m2, sd: s2, n: k2 };
        finite("welch", welch_ttest(&st, &sc, &TestOptions { alpha: a, alternative: alt }))?;
        finite("welch_df", welch_df(&st, &sc))?;
        let arm = |n, x, m, s| HoldoutArm { customers: n, conversions: x, revenue_mean: m, revenue_sd: s };
        finite("incrementality", incrementality(&arm(n1, x1, m1, s1), &arm(n2, x2, m2, s2), a.abs(), 0.05))?;
        let mut mon = SequentialMonitor::new(&SequentialOptions::default()).unwrap();
        finite("look_proportions", mon.look_proportions(t, c))?;
        finite("look", mon.look(m1, s1, a * 1e6))?;
        finite("confidence_sequence", confidence_sequence(m1, s1, s2, &SequentialOptions { alpha: a, ..SequentialOptions::default() }))?;
        finite("mixture_rho", mixture_rho(&SequentialOptions { alpha: a, tuning_n: s1, min_n: 0.0 }))?;
    }

    #[test]
    fn samples(xs in proptest::collection::vec(extreme(), 0..12),
               ys in proptest::collection::vec(extreme(), 0..12), alt in alt()) {
        finite("from_sample", SummaryStats::from_sample(&xs))?;
        finite("welch_samples", welch_ttest_samples(&xs, &ys, &TestOptions { alpha: 0.05, alternative: alt }))?;
        finite("mann_whitney", mann_whitney_u(&xs, &ys, alt, MwuMethod::Auto))?;
        finite("bootstrap", bootstrap_mean_diff(&xs, &ys, &BootstrapOptions { resamples: 100, ..BootstrapOptions::default() }))?;
        let pairs: Vec<(f64, f64)> = xs.iter().zip(ys.iter().rev()).map(|(a, b)| (*a, *b)).collect();
        let half = pairs.len() / 2;
        finite("cuped", cuped(&pairs[..half], &pairs[half..], &TestOptions { alpha: 0.05, alternative: alt }))?;
        finite("adjust", adjust_p_values(&xs, 0.05, Correction::Holm))?;
        finite("adjust_bh", adjust_p_values(&xs, 0.05, Correction::BenjaminiHochberg))?;
    }

    #[test]
    fn power_and_distributions(e in extreme(), n in extreme(), a in extreme(), p in extreme(),
                               r in extreme(), alt in alt(), df in prop_oneof![extreme(), Just(1e300), Just(2e7), Just(1e5)]) {
        let o = PowerOptions { alpha: a, power: p, ratio: r, alternative: alt };
        let d = PowerOptions { alternative: alt, ..PowerOptions::default() };
        for opts in [o, d] {
            finite("normal_ind_power", normal_ind_power(e, n, &opts))?;
            finite("ttest_ind_power", ttest_ind_power(e, n, &opts))?;
            finite("solve_n_normal", solve_n_normal(e, &opts))?;
            finite("solve_n_ttest", solve_n_ttest(e, &opts))?;
            finite("mde_normal", mde_normal(n, &opts))?;
            finite("mde_ttest", mde_ttest(n, &opts))?;
            finite("n_unpooled", n_unpooled_normal(a, p, &opts))?;
            finite("power_proportions", power_proportions(a, e, &opts))?;
            finite("mde_proportions", mde_proportions(a, n, &opts))?;
        }
        finite("cohens_h", cohens_h(a, p))?;
        finite("nct_cdf", nct_cdf(e, df, n))?;
        finite("norm_cdf", norm_cdf(e))?;
        finite("norm_sf", norm_sf(e))?;
        finite("norm_ppf", norm_ppf(a))?;
        finite("norm_isf", norm_isf(a))?;
        finite("t_cdf", t_cdf(e, df))?;
        finite("t_sf", t_sf(e, df))?;
        finite("t_isf", t_isf(a, df))?;
        finite("chi2_sf", chi2_sf(e, df))?;
        finite("chi2_isf", chi2_isf(a, df))?;
    }

    #[test]
    fn panels(values in proptest::collection::vec(extreme(), 8..40), stores in 2usize..6, est in 0u8..3) {
        let periods = values.len() / stores;
        let rows: Vec<PanelRow> = values.iter().enumerate().map(|(i, &v)| PanelRow {
            store: format!("s{}", i % stores),
            period: format!("w{}", i / stores),
            treated: (i % stores) % 2 == 0,
            post: i / stores >= periods / 2,
            value: v,
        }).collect();
        let o = DidOptions { estimator: [DidEstimator::Auto, DidEstimator::Pooled, DidEstimator::TwoWayFixedEffects][est as usize], ..DidOptions::default() };
        finite("did", did(&rows, &o))?;
        finite("did_log", did_log(&rows, &o))?;
        let t = periods.max(3);
        let series: Vec<Vec<f64>> = values.chunks(t).filter(|c| c.len() == t).map(|c| c.to_vec()).collect();
        if series.len() >= 3 {
            finite("synthetic_control", synthetic_control(&series[0], &series[1..], t - 1))?;
            finite("simplex", simplex_least_squares(&series[0], &series[1..]))?;
        }
    }

    #[test]
    fn huge_but_finite_series_fit(scale in prop_oneof![Just(1e300), Just(-1e300), Just(1e-300), Just(1.7e308)],
                                  seed in 0u64..1000) {
        // Values near the limits of f64: the fit works in scaled units and reports finite numbers.
        let donors: Vec<Vec<f64>> = (0..5).map(|d| (0..10).map(|t|
            scale * (0.5 + 0.1 * (((seed as usize + d * 7 + t * 3) % 11) as f64) / 11.0)).collect()).collect();
        let treated: Vec<f64> = (0..10).map(|t| 0.5 * donors[0][t] + 0.5 * donors[3][t]).collect();
        let s = synthetic_control(&treated, &donors, 8);
        prop_assert!(s.is_ok(), "{:?}", s.as_ref().err());
        let s = s.unwrap();
        prop_assert!(non_finite_field(&s).is_none());
        prop_assert!((s.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn the_issue_cases_are_refused_or_finite() {
    // Means of ±1e308: the difference overflows, so the call is refused with the field named.
    let t = SummaryStats {
        mean: 1e308,
        sd: 1.0,
        n: 100,
    };
    let c = SummaryStats {
        mean: -1e308,
        sd: 1.0,
        n: 100,
    };
    let e = welch_ttest(
        &t,
        &c,
        &TestOptions {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
        },
    )
    .unwrap_err();
    assert!(matches!(e, UpliftError::NonFinite { .. }), "{e}");
    // Conversion counts whose sum passes 2^64 do not wrap (statsmodels: z = 5,946,175 on the
    // issue's case is checked in uplift_edges).
    let big = Counts {
        successes: u64::MAX / 2 + (1 << 40),
        trials: u64::MAX,
    };
    let other = Counts {
        successes: u64::MAX / 2,
        trials: u64::MAX,
    };
    let z = proportions_ztest(big, other, Alternative::TwoSided).unwrap();
    assert!(z.z > 0.0 && z.z.is_finite());
    // Power: NaN and alpha = 2 are refused.
    assert!(normal_ind_power(f64::NAN, 100.0, &PowerOptions::default()).is_err());
    let two = PowerOptions {
        alpha: 2.0,
        ..PowerOptions::default()
    };
    assert!(normal_ind_power(0.2, 100.0, &two).is_err());
    // Retail scale returns: 10 million customers per arm.
    let t = SummaryStats {
        mean: 12.3,
        sd: 40.0,
        n: 10_000_000,
    };
    let c = SummaryStats {
        mean: 12.25,
        sd: 39.0,
        n: 10_000_000,
    };
    assert!(
        welch_ttest(
            &t,
            &c,
            &TestOptions {
                alpha: 0.05,
                alternative: Alternative::TwoSided
            }
        )
        .is_ok()
    );
}
