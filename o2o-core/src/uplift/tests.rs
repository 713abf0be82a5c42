use super::*;
use crate::uplift::TestOptions;
use proptest::prelude::*;

fn c(s: u64, n: u64) -> Counts {
    Counts {
        successes: s,
        trials: n,
    }
}

#[test]
fn counts_and_alpha_are_checked() {
    assert!(matches!(
        Counts::new(11, 10, "test"),
        Err(UpliftError::Invalid { ref field, .. }) if field == "test.successes"
    ));
    assert!(Counts::new(0, 0, "control").is_err());
    let e = compare_proportions(
        c(1, 10),
        c(2, 10),
        &TestOptions {
            alpha: 1.5,
            alternative: Alternative::TwoSided,
        },
    )
    .unwrap_err();
    assert!(e.to_string().starts_with("alpha"), "{e}");
    assert!(proportions_ztest(c(0, 10), c(0, 10), Alternative::TwoSided).is_err());
    assert!(ci_ratio_log(c(0, 10), c(3, 10), 0.05).is_err());
    assert_eq!(
        "larger".parse::<Alternative>().unwrap(),
        Alternative::Larger
    );
    assert!("bigger".parse::<Alternative>().is_err());
}

#[test]
fn seed_case_pharma_bought_230_percent_more() {
    let r = compare_proportions(
        c(66, 1000),
        c(20, 1000),
        &TestOptions {
            alpha: 0.05,
            alternative: Alternative::Larger,
        },
    )
    .unwrap();
    assert!((r.relative_lift.unwrap() - 2.3).abs() < 1e-12);
    let [lo, hi] = r.ci_ratio_log.unwrap();
    assert!(lo < 3.3 && 3.3 < hi && lo > 1.5);
}

#[test]
fn welch_one_sided_p_values_add_to_one() {
    let t = SummaryStats {
        mean: 10.5,
        sd: 3.0,
        n: 40,
    };
    let k = SummaryStats {
        mean: 10.0,
        sd: 4.0,
        n: 55,
    };
    let a = welch_ttest(
        &t,
        &k,
        &TestOptions {
            alpha: 0.05,
            alternative: Alternative::Larger,
        },
    )
    .unwrap();
    let b = welch_ttest(
        &t,
        &k,
        &TestOptions {
            alpha: 0.05,
            alternative: Alternative::Smaller,
        },
    )
    .unwrap();
    assert!((a.p_value + b.p_value - 1.0).abs() < 1e-12);
    assert!(
        welch_ttest(
            &SummaryStats { n: 1, ..t },
            &k,
            &TestOptions {
                alpha: 0.05,
                alternative: Alternative::TwoSided
            }
        )
        .is_err()
    );
}

#[test]
fn mann_whitney_exact_small_case() {
    // All of test above all of control: U = n1 n2, exact two-sided p = 2 / C(6, 3).
    let r = mann_whitney_u(
        &[4.0, 5.0, 6.0],
        &[1.0, 2.0, 3.0],
        Alternative::TwoSided,
        MwuMethod::Auto,
    )
    .unwrap();
    assert_eq!(r.method, MwuMethod::Exact);
    assert_eq!(r.u, 9.0);
    assert!((r.p_value - 0.1).abs() < 1e-15);
    assert!(
        mann_whitney_u(
            &[1.0, 1.0],
            &[1.0, 2.0],
            Alternative::TwoSided,
            MwuMethod::Exact
        )
        .is_err()
    );
}

#[test]
fn power_solutions_hit_the_target() {
    let o = PowerOptions::default();
    let p = power_proportions(0.08, 0.46, &o).unwrap();
    let pw = normal_ind_power(p.cohens_h, p.n_per_group_arcsine, &o).unwrap();
    assert!((pw - 0.8).abs() < 1e-12);
    // The MDE at that size is the lift we asked for.
    let m = mde_proportions(0.08, p.n_per_group_arcsine, &o).unwrap();
    assert!((m.relative - 0.46).abs() < 1e-9, "{m:?}");
    let n = solve_n_ttest(0.3, &o).unwrap();
    let pw = ttest_ind_power(0.3, n, &o).unwrap();
    assert!((pw - 0.8).abs() < 1e-12);
    assert!(power_proportions(0.8, 0.5, &o).is_err()); // p₂ = 1.2
    let weak = PowerOptions { power: 0.01, ..o };
    assert!(power_proportions(0.1, 0.1, &weak).is_err()); // power ≤ alpha
}

#[test]
fn nct_with_zero_noncentrality_is_student_t() {
    for &(x, df) in &[(1.3, 4.0), (-0.7, 12.5), (2.5, 60.0)] {
        let a = nct_cdf(x, df, 0.0).unwrap();
        let b = t_cdf(x, df).unwrap();
        assert!((a - b).abs() < 1e-13, "{x} {df}: {a} vs {b}");
    }
}

#[test]
fn bootstrap_is_seeded() {
    let t: Vec<f64> = (0..50).map(|i| ((i * 37) % 11) as f64).collect();
    let k: Vec<f64> = (0..60).map(|i| ((i * 17) % 9) as f64).collect();
    let o = |resamples, seed| BootstrapOptions {
        alpha: 0.05,
        resamples,
        seed,
    };
    let a = bootstrap_mean_diff(&t, &k, &o(1000, 1)).unwrap();
    let b = bootstrap_mean_diff(&t, &k, &o(1000, 1)).unwrap();
    let d = bootstrap_mean_diff(&t, &k, &o(1000, 2)).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.ci, d.ci);
    // Close to the Welch interval on well-behaved data.
    let w = welch_ttest_samples(
        &t,
        &k,
        &TestOptions {
            alpha: 0.05,
            alternative: Alternative::TwoSided,
        },
    )
    .unwrap();
    assert!((a.ci[0] - w.ci_welch[0]).abs() < 0.3 && (a.ci[1] - w.ci_welch[1]).abs() < 0.3);
    assert!(bootstrap_mean_diff(&t, &[], &o(1000, 1)).is_err());
    assert!(bootstrap_mean_diff(&t, &k, &o(10, 1)).is_err());
}

#[test]
fn did_rejects_missing_cells_and_reads_csv() {
    let row = |s: &str, t, p, v| PanelRow {
        store: s.into(),
        period: "w".into(),
        treated: t,
        post: p,
        value: v,
    };
    let rows = vec![
        row("a", true, false, 1.0),
        row("a", true, true, 2.0),
        row("b", false, false, 1.0),
    ];
    assert!(matches!(
        did(&rows, &DidOptions::default()),
        Err(UpliftError::TooFew { .. })
    ));
    let csv = "store,period,treated,post,value\n\
               s1,w1,1,0,10\ns1,w2,1,maybe,11\ns2,w1,0,0,\n,w2,0,1,9\ns2,w2,0,1,9\n";
    let (rows, errs) = read_panel_csv(csv.as_bytes()).unwrap();
    assert_eq!(rows.len(), 2);
    let got: Vec<(u64, Option<&str>)> = errs.iter().map(|e| (e.line, e.field.as_deref())).collect();
    assert_eq!(
        got,
        vec![(3, Some("post")), (4, Some("value")), (5, Some("store"))]
    );
    assert!(read_panel_csv("store,period,value\n".as_bytes()).is_err());
}

#[test]
fn synthetic_control_recovers_known_weights() {
    let donors: Vec<Vec<f64>> = (0..6)
        .map(|d| {
            (0..20)
                .map(|t| 50.0 + 5.0 * d as f64 + (t as f64 * (0.3 + 0.1 * d as f64)).sin() * 4.0)
                .collect()
        })
        .collect();
    let treated: Vec<f64> = (0..20)
        .map(|t| 0.2 * donors[0][t] + 0.8 * donors[4][t] + if t >= 14 { 3.0 } else { 0.0 })
        .collect();
    let s = synthetic_control(&treated, &donors, 14).unwrap();
    assert!(
        (s.weights[0] - 0.2).abs() < 1e-12 && (s.weights[4] - 0.8).abs() < 1e-12,
        "{:?}",
        s.weights
    );
    assert!((s.effect - 3.0).abs() < 1e-10);
    assert!(s.weights_unique && s.note.is_none() && s.placebo_failures.is_empty());
    // The treated region has the most extreme post/pre ratio: smallest attainable p-value.
    assert!((s.p_value - 1.0 / 7.0).abs() < 1e-12);
    assert!(synthetic_control(&treated, &donors[..1], 14).is_err());
    assert!(synthetic_control(&treated, &donors, 20).is_err());
}

#[test]
fn sequential_monitor_is_monotone() {
    let mut m = SequentialMonitor::new(&SequentialOptions::default()).unwrap();
    let mut last = 1.0;
    let mut width = f64::INFINITY;
    for day in 1..=10u64 {
        let n = 200 * day;
        let l = m.look_proportions(c(n / 9, n), c(n / 11, n)).unwrap();
        assert!(l.p_value <= last);
        let ci = l.ci.unwrap();
        assert!(ci[1] - ci[0] <= width);
        last = l.p_value;
        width = ci[1] - ci[0];
    }
    assert_eq!(m.looks(), 10);
}

proptest! {
    #[test]
    fn swapping_arms_mirrors_the_test(x1 in 1u64..500, extra1 in 1u64..500,
                                      x2 in 1u64..500, extra2 in 1u64..500) {
        let (t, k) = (c(x1, x1 + extra1), c(x2, x2 + extra2));
        let a = compare_proportions(t, k, &TestOptions { alpha: 0.05, alternative: Alternative::TwoSided }).unwrap();
        let b = compare_proportions(k, t, &TestOptions { alpha: 0.05, alternative: Alternative::TwoSided }).unwrap();
        prop_assert!((a.z + b.z).abs() < 1e-12);
        prop_assert!((a.p_value - b.p_value).abs() < 1e-12);
        prop_assert!((a.ci_newcombe[0] + b.ci_newcombe[1]).abs() < 1e-12);
        for ci in [a.ci_newcombe, a.ci_wald] {
            prop_assert!(ci[0] <= a.absolute_lift && a.absolute_lift <= ci[1]);
        }
        let r = a.ci_ratio_log.unwrap();
        let ratio = t.rate() / k.rate();
        prop_assert!(r[0] <= ratio && ratio <= r[1]);
    }

    #[test]
    fn corrections_are_monotone(p in proptest::collection::vec(0.0f64..1.0, 1..20)) {
        let h = adjust_p_values(&p, 0.05, Correction::Holm).unwrap();
        let b = adjust_p_values(&p, 0.05, Correction::BenjaminiHochberg).unwrap();
        for (i, &pi) in p.iter().enumerate() {
            prop_assert!(h.p_adjusted[i] >= pi - 1e-15 && h.p_adjusted[i] <= 1.0);
            prop_assert!(b.p_adjusted[i] >= pi - 1e-15 && b.p_adjusted[i] <= h.p_adjusted[i] + 1e-15);
            prop_assert!(!h.reject[i] || b.reject[i]);
        }
    }

    #[test]
    fn mann_whitney_statistics_add_up(a in proptest::collection::vec(0.0f64..10.0, 1..30),
                                      b in proptest::collection::vec(0.0f64..10.0, 1..30)) {
        let x = mann_whitney_u(&a, &b, Alternative::TwoSided, MwuMethod::Asymptotic).unwrap();
        let y = mann_whitney_u(&b, &a, Alternative::TwoSided, MwuMethod::Asymptotic).unwrap();
        prop_assert!((x.u + y.u - (a.len() * b.len()) as f64).abs() < 1e-9);
        prop_assert!((x.p_value - y.p_value).abs() < 1e-12);
        prop_assert!((0.0..=1.0).contains(&x.p_value));
    }

    #[test]
    fn simplex_weights_are_a_distribution(seed in 0u64..1000, j in 2usize..8) {
        let cols: Vec<Vec<f64>> = (0..j).map(|d| (0..10).map(|t|
            ((seed as usize * 31 + d * 7 + t * 13) % 17) as f64).collect()).collect();
        let y: Vec<f64> = (0..10).map(|t| ((seed as usize + t * 5) % 11) as f64).collect();
        let f = simplex_least_squares(&y, &cols).unwrap();
        prop_assert!((f.weights.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        prop_assert!(f.weights.iter().all(|&w| w >= 0.0));
        // No vertex (single donor) does better.
        for col in &cols {
            let mse = col.iter().zip(&y).map(|(a, b)| (a - b).powi(2)).sum::<f64>() / 10.0;
            prop_assert!(f.objective <= mse + 1e-9 * mse.max(1.0));
        }
    }
}
