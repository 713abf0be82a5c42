use super::stores::{PredictionLaw, evaluate_split, window_ends};
use super::*;
use crate::report::simple_key;
use crate::sim::{SimConfig, simulate};
use crate::uplift::synthetic_control;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, Poisson};

/// A window of `n` customers whose visit rates vary (Gamma), pre-period visits over 8 weeks and
/// window visits over 4 (Poisson): counts like a store's, with a pre-period correlation.
fn gamma_poisson_window(n: usize, seed: u64) -> WindowStats {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let gamma = Gamma::new(1.5, 0.4).unwrap();
    let mut pre = Vec::with_capacity(n);
    let mut outcome = Vec::with_capacity(n);
    for _ in 0..n {
        let rate: f64 = gamma.sample(&mut rng);
        let x: f64 = Poisson::new(2.0 * rate).unwrap().sample(&mut rng);
        let y: f64 = Poisson::new(rate + 1e-9).unwrap().sample(&mut rng);
        pre.push(x);
        outcome.push(y);
    }
    let (mean, sd) = history::mean_sd(&outcome);
    let correlation = history::pearson(&pre, &outcome);
    WindowStats {
        days: 28,
        customers: n,
        population: n,
        mean,
        sd,
        correlation,
        variance_reduction: correlation * correlation,
        customer: (0..n).collect(),
        outcome,
        pre,
    }
}

#[test]
fn share_and_mde_are_inverse() {
    let (mean, sd, n) = (0.6, 1.1, 400_000.0);
    let target = PowerTarget::default();
    let spread = |customers| OutcomeSpread {
        mean,
        sd,
        customers,
    };
    let s = share_for(0.05, &spread(n), &target).unwrap().unwrap();
    assert!(s > 0.0 && s < 0.5);
    // At that share the MDE is the target, to rounding.
    let se = sd * (1.0 / (s * n) + 1.0 / ((1.0 - s) * n)).sqrt() / mean;
    let m = mde_at(se, &target).unwrap();
    assert!((m - 0.05).abs() < 1e-12, "{m}");
    // Power at the MDE is the target power (the far tail adds under 1e-6).
    let p = power_at(0.05, se, &target).unwrap();
    assert!((p - 0.8).abs() < 1e-6, "{p}");
    // Too few customers: no share does it.
    assert_eq!(share_for(0.05, &spread(100.0), &target).unwrap(), None);
}

#[test]
fn holdout_design_reaches_stated_power_and_keeps_alpha() {
    let w = gamma_poisson_window(20_000, 11);
    assert!(w.variance_reduction > 0.1, "{}", w.variance_reduction);
    let n = w.customers as f64;
    // The share a 10 % lift needs with CUPED, as the design computes it.
    let sd_c = w.sd * (1.0 - w.variance_reduction).sqrt();
    let spread = OutcomeSpread {
        mean: w.mean,
        sd: sd_c,
        customers: n,
    };
    let share = share_for(0.1, &spread, &PowerTarget::default())
        .unwrap()
        .unwrap();
    for cuped in [false, true] {
        let check = HoldoutCheck {
            share,
            effect: 0.1,
            cuped,
            alpha: 0.05,
            replications: 300,
            seed: 5,
        };
        let c = check_holdout(&w, &check).unwrap();
        // 300 replications: binomial sd about 2.3 points at 0.8; allow 3 of them.
        assert!(
            (c.power - c.stated_power).abs() < 0.07,
            "cuped {cuped}: power {} stated {}",
            c.power,
            c.stated_power
        );
        assert!(
            c.false_positive_rate < 0.05 + 0.04,
            "{}",
            c.false_positive_rate
        );
        if cuped {
            assert!((c.stated_power - 0.8).abs() < 0.01, "{}", c.stated_power);
        } else {
            // Without CUPED the same share has less power, and the check sees it.
            assert!(c.stated_power < 0.77, "{}", c.stated_power);
        }
    }
    let check = HoldoutCheck {
        share,
        effect: 0.0,
        cuped: true,
        alpha: 0.05,
        replications: 300,
        seed: 6,
    };
    let zero = check_holdout(&w, &check).unwrap();
    assert_eq!(zero.detected, zero.false_positives);
    assert!(
        (zero.false_positive_rate - 0.05).abs() < 0.04,
        "{}",
        zero.false_positive_rate
    );
}

fn small_campaign() -> (History, crate::sim::Campaign) {
    let cfg = SimConfig {
        customers: 3_000,
        seed: 3,
        ..SimConfig::default()
    };
    let c = simulate(&cfg).unwrap();
    let h = History::from_events(&c.events, &simple_key, &jiff::tz::TimeZone::UTC).unwrap();
    (h, c)
}

#[test]
fn history_design_and_assignment_from_simulated_store() {
    let (h, _) = small_campaign();
    assert!(h.days.len() >= 50, "{}", h.days.len());
    eprintln!("{} days, {} customers", h.days.len(), h.customers.len());
    assert!(h.customers.len() > 300);
    let d = design_holdout(
        &h,
        &HoldoutOptions {
            mde: 0.2,
            ..HoldoutOptions::default()
        },
    )
    .unwrap();
    assert!(!d.durations.is_empty());
    // Longer windows need smaller shares (more visits per customer, relatively less noise).
    let r = &d.recommended;
    eprintln!("{}", serde_json::to_string(&d).unwrap());
    assert!(r.share > 0.0 && r.share <= 0.5);
    for row in &d.durations {
        assert!(row.mde_cuped <= row.mde + 1e-12);
    }
    let a = assign_holdout(&h, 0.2, 9).unwrap();
    let b = assign_holdout(&h, 0.2, 9).unwrap();
    assert_eq!(a, b, "same seed, same split");
    let c = assign_holdout(&h, 0.2, 10).unwrap();
    assert_ne!(a.rows, c.rows, "another seed, another split");
    let total = a.holdout + a.target;
    assert!((a.holdout as f64 - 0.2 * total as f64).abs() <= 1.0);
    for (stratum, (n, k)) in &a.strata {
        assert!(
            (*k as f64 - 0.2 * *n as f64).abs() <= 1.0 + 1e-9,
            "{stratum}: {k} of {n}"
        );
    }
    let mut out = Vec::new();
    write_assignment_csv(&a, "spring", "2026-04-01", &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(text.starts_with("external_id,loyalty_card,email,phone,group,campaign,assigned_at"));
    assert_eq!(text.lines().count() as u64, total + 1);
}

#[test]
fn planted_reads_equal_synthetic_control_on_the_planted_series() {
    let model = PanelModel {
        stores: 12,
        periods: 70,
        ..PanelModel::default()
    };
    let panel = simulate_panel(&model, 1);
    let treated = [2usize, 7];
    let donors: Vec<usize> = (0..12).filter(|s| !treated.contains(s)).collect();
    let o = StoresOptions {
        days: 14,
        effects: vec![0.0, 0.05, 0.2],
        alpha: 0.1,
        ..StoresOptions::default()
    };
    let c = evaluate_set(&panel, &treated, &donors, &[70], &o).unwrap();
    // The same by planting the effect in the data and calling synthetic_control.
    let pre = 56;
    let scale = |v: &Vec<f64>| {
        let m = v[..pre].iter().sum::<f64>() / pre as f64;
        v.iter().map(|x| x / m).collect::<Vec<f64>>()
    };
    for p in &c.power_curve {
        let mut tr = vec![0.0; 70];
        for &s in &treated {
            for (k, x) in scale(&panel.values[s]).iter().enumerate() {
                tr[k] += x / 2.0 * if k >= pre { 1.0 + p.effect } else { 1.0 };
            }
        }
        let ds: Vec<Vec<f64>> = donors.iter().map(|&d| scale(&panel.values[d])).collect();
        let sc = synthetic_control(&tr, &ds, pre).unwrap();
        let est = sc.relative_effect.unwrap();
        assert!(
            (est - p.mean_estimate).abs() < 1e-9,
            "{est} vs {}",
            p.mean_estimate
        );
    }
}

#[test]
fn store_selection_is_reproducible_and_recovers_the_planted_effect() {
    let model = PanelModel::default(); // 40 stores, 182 days
    let history = simulate_panel(&model, 100);
    let o = StoresOptions {
        treat: 4,
        days: 21,
        windows: 4,
        random_sets: 6,
        top: 2,
        effects: vec![0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15],
        seed: 5,
        ..StoresOptions::default()
    };
    let a = design_stores(&history, &o).unwrap();
    let b = design_stores(&history, &o).unwrap();
    assert_eq!(a, b, "same panel and seed, same ranking");
    let best = &a.top[0];
    assert_eq!(best.rank, 1);
    // Stated on the tests after the split (182 days, 28 before a first test: the split at day
    // 105, so tests ending on days 126 to 182), ranked on 4 tests before it.
    assert_eq!(a.ranked_before, 105);
    assert_eq!(best.windows, a.stated_windows);
    assert_eq!(a.stated_windows, 57);
    assert_eq!(a.screening_windows, 4);
    let mde = best
        .mde
        .expect("an effect of 15 % is detectable on this panel");
    let stated = best.power_at_mde.unwrap();
    // Held-back periods: fresh draws of the same stores, the effect planted after the history.
    let check = check_stores(&model, best, mde, &o, 60, 1_000).unwrap();
    assert_eq!(check.stated_power, stated);
    assert!(
        (check.power - stated).abs() < 3.0 * check.power_se.max(0.03) + 0.05,
        "held back {} vs stated {stated}",
        check.power
    );
    assert!(
        check.false_positive_rate <= o.alpha + 0.08,
        "{}",
        check.false_positive_rate
    );
    // In the history the threshold is a prediction interval: at most about α.
    assert!(
        best.false_positive_rate <= o.alpha + 0.02,
        "{}",
        best.false_positive_rate
    );
}

#[test]
fn panel_csv_round_trips_and_names_bad_cells() {
    let p = simulate_panel(
        &PanelModel {
            stores: 4,
            periods: 6,
            ..PanelModel::default()
        },
        2,
    );
    let mut out = Vec::new();
    p.write_csv(&mut out).unwrap();
    let back = StorePanel::read_csv(&out[..], "p.csv").unwrap();
    assert_eq!(back, p);
    let bad = "store,period,value\nA,1,2\nA,2,x\n";
    let e = StorePanel::read_csv(bad.as_bytes(), "p.csv").unwrap_err();
    assert_eq!(
        e.to_string(),
        "p.csv: line 3, value: is not a finite number"
    );
}

#[test]
fn design_file_round_trips_and_gives_the_period() {
    let d = DesignFile {
        o2o_design: 1,
        kind: DesignKind::Holdout,
        campaign: Some("spring".into()),
        metric: Metric::Visits,
        alpha: 0.05,
        power: 0.8,
        mde: 0.05,
        days: 28,
        start: Some("2026-03-30".into()),
        readout: Readout::Sequential { tuning_n: 5000.0 },
        holdout_share: Some(0.1),
        cuped: true,
        customers: Some(20_000),
        treated_stores: vec![],
        control_weights: vec![],
        method: None,
        expected_interval_width: 0.04,
        look_se: Vec::new(),
        seed: 1,
        assignment: None,
    };
    let text = serde_json::to_string(&d).unwrap();
    assert_eq!(DesignFile::from_json(&text).unwrap(), d);
    assert_eq!(
        d.period(),
        Some(("2026-03-30".to_owned(), "2026-04-26".to_owned()))
    );
    let bad = text.replace("\"o2o_design\":1", "\"o2o_design\":2");
    assert!(DesignFile::from_json(&bad).is_err());
}

#[test]
fn the_assignment_file_is_an_assignment_source() {
    use crate::event::{AssignmentGroup, RecordKind};
    use crate::identity::{IdentityGraph, ResolutionRules};
    use crate::ingest::{CompiledMap, FileReader, SourceMap, open};
    use crate::store::{IngestOptions, Store, StoredRecord};
    let (_, c) = small_campaign();
    // Customers named as `o2o design holdout` names them: through the identity graph.
    let mut graph = IdentityGraph::new(ResolutionRules::default()).unwrap();
    for e in &c.events {
        graph.observe_event(e).unwrap();
    }
    let key = |e: &crate::event::Event| graph.profile_id_of_event(e).map(String::from);
    let profile_of = |i: &crate::event::Identifier| {
        let p = graph.profile_of(i)?;
        let named = p.identifiers.iter().find(|x| x.kind == i.kind)?.clone();
        Some((p.id.to_string(), named))
    };
    let h =
        History::from_events_named(&c.events, &key, Some(&profile_of), &jiff::tz::TimeZone::UTC)
            .unwrap();
    let a = assign_holdout(&h, 0.3, 4).unwrap();
    let mut csv = Vec::new();
    write_assignment_csv(&a, "spring", "2026-03-29", &mut csv).unwrap();
    let maps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/examples/maps");
    let text = std::fs::read_to_string(maps.join("design_assignment.toml")).unwrap();
    let map = CompiledMap::new(SourceMap::from_toml(&text).unwrap()).unwrap();
    let dir = std::env::temp_dir().join(format!("o2o-design-assign-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let mut store = Store::create(&dir, "UTC").unwrap();
    // The example file of the map, then the one written here.
    for (name, bytes) in [
        (
            "design_assignment.csv",
            std::fs::read(maps.join("design_assignment.csv")).unwrap(),
        ),
        ("written.csv", csv),
    ] {
        let reader = FileReader::text(&map, name, open(&bytes[..]).unwrap()).unwrap();
        let report = store
            .ingest(&map, reader, &IngestOptions::default(), |_| {}, |_| {})
            .unwrap();
        assert_eq!(report.stats.rejected, 0, "{name}");
        assert_eq!(report.refused, None, "{name}");
    }
    let held = store
        .records(RecordKind::Assignment)
        .unwrap()
        .into_iter()
        .filter(|(r, _)| {
            matches!(r, StoredRecord::Assignment(x)
                if x.group == AssignmentGroup::Holdout && x.campaign.as_deref() == Some("spring"))
        })
        .count() as u64;
    // Two holdout rows in the map's example file, the split's own.
    assert_eq!(held, a.holdout + 2);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn did_planted_reads_equal_did_on_the_planted_rows() {
    use crate::uplift::{DidOptions, PanelRow, did};
    let model = PanelModel {
        stores: 12,
        periods: 70,
        ..PanelModel::default()
    };
    let panel = simulate_panel(&model, 1);
    let treated = [2usize, 7];
    let donors: Vec<usize> = (0..12).filter(|s| !treated.contains(s)).collect();
    let o = StoresOptions {
        days: 14,
        effects: vec![0.0, 0.05, 0.2],
        alpha: 0.1,
        method: StoreMethod::Did,
        matches: 2,
        ..StoresOptions::default()
    };
    let c = evaluate_set(&panel, &treated, &donors, &[70], &o).unwrap();
    // Equal weights on the matched controls, at most 2 per treated store.
    let controls: Vec<usize> = donors
        .iter()
        .copied()
        .filter(|&d| c.weights.iter().any(|w| w.store == panel.stores[d]))
        .collect();
    assert!((2..=4).contains(&controls.len()), "{:?}", c.weights);
    for w in &c.weights {
        assert!(
            (w.weight - 1.0 / controls.len() as f64).abs() < 1e-12,
            "{:?}",
            c.weights
        );
    }
    // The same by planting the effect in the rows and calling did.
    let pre = 56;
    let scale = |v: &Vec<f64>| {
        let m = v[..pre].iter().sum::<f64>() / pre as f64;
        v.iter().map(|x| x / m).collect::<Vec<f64>>()
    };
    for p in &c.power_curve {
        let mut rows = Vec::new();
        for (&s, is_treated) in treated
            .iter()
            .map(|s| (s, true))
            .chain(controls.iter().map(|s| (s, false)))
        {
            for (k, x) in scale(&panel.values[s]).iter().enumerate() {
                let post = k >= pre;
                rows.push(PanelRow {
                    store: panel.stores[s].clone(),
                    period: panel.periods[k].clone(),
                    treated: is_treated,
                    post,
                    value: x * if is_treated && post {
                        1.0 + p.effect
                    } else {
                        1.0
                    },
                });
            }
        }
        let d = did(&rows, &DidOptions::default()).unwrap();
        let est = d.relative.unwrap();
        // Two ways of summing the same cells: equal to rounding.
        assert!(
            (est - p.mean_estimate).abs() < 1e-12,
            "{est} vs {}",
            p.mean_estimate
        );
    }
}

#[test]
fn did_store_selection_recovers_the_planted_effect() {
    let model = PanelModel::default(); // 40 stores, 182 days
    let history = simulate_panel(&model, 100);
    let o = StoresOptions {
        treat: 4,
        days: 21,
        windows: 4,
        random_sets: 6,
        top: 2,
        effects: vec![0.0, 0.01, 0.02, 0.03, 0.04, 0.06, 0.08, 0.1],
        seed: 5,
        method: StoreMethod::Did,
        ..StoresOptions::default()
    };
    let a = design_stores(&history, &o).unwrap();
    assert_eq!(a, design_stores(&history, &o).unwrap(), "reproducible");
    assert_eq!(a.method, StoreMethod::Did);
    assert_eq!(a.matches, Some(3));
    let best = &a.top[0];
    for w in &best.weights {
        assert!(
            !best.stores.contains(&w.store),
            "a treated store is its own control"
        );
    }
    let mde = best.mde.expect("a 10 % effect is detectable");
    let stated = best.power_at_mde.unwrap();
    // Held-back periods: fresh draws of the same stores, the effect planted after the history
    // and read by the same matched difference in differences.
    let check = check_stores(&model, best, mde, &o, 60, 2_000).unwrap();
    assert!(
        (check.power - stated).abs() < 3.0 * check.power_se.max(0.03) + 0.05,
        "held back {} vs stated {stated}",
        check.power
    );
    assert!(check.power >= 0.6, "{}", check.power);
    assert!(
        check.false_positive_rate <= o.alpha + 0.08,
        "{}",
        check.false_positive_rate
    );
}

#[test]
fn predictive_power_is_the_t_law_of_the_history_error() {
    // 140 days, 21-day tests: the windows span 91 days, k = 5 independent test lengths.
    let model = PanelModel {
        periods: 140,
        ..PanelModel::default()
    };
    let panel = simulate_panel(&model, 100);
    let treated = [2usize, 9, 16, 23];
    let donors: Vec<usize> = (0..40).filter(|s| !treated.contains(s)).collect();
    let ends: Vec<usize> = (49..=140).rev().collect();
    let o = StoresOptions {
        treat: 4,
        days: 21,
        ..StoresOptions::default()
    };
    let t = evaluate_set(&panel, &treated, &donors, &ends, &o).unwrap();
    let n = evaluate_set(
        &panel,
        &treated,
        &donors,
        &ends,
        &StoresOptions {
            stated_power: StatedPower::Normal,
            ..o.clone()
        },
    )
    .unwrap();
    assert_eq!(t.threshold, n.threshold, "the interval does not change");
    let k = 5.0;
    let r = t.threshold / (crate::uplift::t_isf(0.025, k - 1.0).unwrap() * (1.0 + 1.0 / k).sqrt());
    for (p, q) in t.power_curve.iter().zip(&n.power_curve).skip(1) {
        if !(q.power > 1e-6 && q.power < 1.0 - 1e-6) {
            continue;
        }
        // The same shift, read back from the normal law, gives the t law's power.
        let z = crate::uplift::norm_isf(q.power).unwrap();
        let shift = t.threshold - z * r;
        let want = crate::uplift::t_sf((t.threshold - shift) / r, k - 1.0).unwrap();
        // Through the normal quantile and back: to about 1e-9.
        assert!((p.power - want).abs() < 1e-7, "{} vs {want}", p.power);
        // Heavier tails: less sure either way.
        if q.power > 0.5 {
            assert!(p.power < q.power, "{} vs {}", p.power, q.power);
        } else {
            assert!(p.power >= q.power, "{} vs {}", p.power, q.power);
        }
    }
}

#[test]
fn predictive_power_is_not_overconfident_over_histories() {
    // A small fixed version of the bench's `--histories`: on 140-day histories the power
    // stated at the scale the history showed (normal law) is above the power reached on
    // held-back periods on average; the predictive power (t law) is not.
    let model = PanelModel {
        periods: 140,
        ..PanelModel::default()
    };
    let o = StoresOptions {
        treat: 4,
        days: 21,
        windows: 4,
        random_sets: 6,
        top: 2,
        ..StoresOptions::default()
    };
    let mut gap = [0.0; 2];
    let mut false_positives = 0.0;
    let mut sets = 0;
    for h in 0..3 {
        let panel = simulate_panel(&model, 100 + h);
        let d = design_stores(&panel, &o).unwrap();
        for c in &d.top {
            let Some(mde) = c.mde else { continue };
            let reached = check_stores(&model, c, mde, &o, 100, 7_000).unwrap();
            let normal = evaluate_split(
                &panel,
                &panel_indices(&panel, &c.stores),
                &panel_donors(&panel, &c.stores),
                &window_ends(140, 21, o.min_pre, usize::MAX),
                &window_ends(140, 21, o.min_pre, usize::MAX)
                    .into_iter()
                    .filter(|&e| e >= d.ranked_before + o.days)
                    .collect::<Vec<_>>(),
                &StoresOptions {
                    stated_power: StatedPower::Normal,
                    ..o.clone()
                },
            )
            .unwrap();
            let at = |s: &CandidateSet| {
                s.power_curve
                    .iter()
                    .find(|p| p.effect == mde)
                    .unwrap()
                    .power
            };
            assert_eq!(at(c), reached.stated_power);
            gap[0] += at(&normal) - reached.power;
            gap[1] += at(c) - reached.power;
            false_positives += reached.false_positive_rate;
            sets += 1;
        }
    }
    let (normal, predictive) = (gap[0] / sets as f64, gap[1] / sets as f64);
    assert!(sets >= 4, "{sets}");
    assert!(normal > predictive, "{normal} vs {predictive}");
    assert!(
        predictive.abs() < 0.05,
        "mean stated − reached {predictive}"
    );
    // The top sets' false-positive rate on held-back periods, over the histories, stays at
    // α: within two binomial standard errors of its 100 replications per set.
    let fpr = false_positives / sets as f64;
    assert!(
        fpr <= 0.05 + 2.0 * (0.05f64 * 0.95 / (100.0 * sets as f64)).sqrt(),
        "{fpr}"
    );
}

fn panel_indices(panel: &StorePanel, stores: &[String]) -> Vec<usize> {
    (0..panel.stores.len())
        .filter(|&s| stores.contains(&panel.stores[s]))
        .collect()
}

fn panel_donors(panel: &StorePanel, stores: &[String]) -> Vec<usize> {
    (0..panel.stores.len())
        .filter(|&s| !stores.contains(&panel.stores[s]))
        .collect()
}

#[test]
fn the_planned_interval_uses_the_t_critical_value() {
    // 140 days, 21-day tests, windows ending every 7 days from day 49: they span 91 days, k = 5
    // independent test lengths, 4 degrees of freedom. The half-width is t₀.₉₇₅,₄ · √(1 + 1/5)
    // times the root mean square of the estimates at zero effect — for either estimator — and
    // not the normal 1.96.
    let panel = simulate_panel(
        &PanelModel {
            periods: 140,
            ..PanelModel::default()
        },
        100,
    );
    let treated = [2usize, 9, 16, 23];
    let donors: Vec<usize> = (0..40).filter(|s| !treated.contains(s)).collect();
    let ends: Vec<usize> = (49..=140).rev().step_by(7).collect();
    let law = PredictionLaw::new(&ends, 21, 0.05).unwrap();
    let t = crate::uplift::t_isf(0.025, 4.0).unwrap();
    assert_eq!((law.k, law.df), (5.0, 4.0));
    assert!((t - 2.776_445).abs() < 1e-5, "{t}");
    assert_eq!(law.critical, t);
    for method in [StoreMethod::SyntheticControl, StoreMethod::Did] {
        let o = StoresOptions {
            treat: 4,
            days: 21,
            method,
            ..StoresOptions::default()
        };
        let c = evaluate_set(&panel, &treated, &donors, &ends, &o).unwrap();
        // Each window's estimate at zero effect, read alone.
        let squares: f64 = ends
            .iter()
            .map(|&e| {
                evaluate_set(&panel, &treated, &donors, &[e], &o)
                    .unwrap()
                    .power_curve[0]
                    .mean_estimate
                    .powi(2)
            })
            .sum();
        let rms0 = (squares / ends.len() as f64).sqrt();
        let want = t * 1.2f64.sqrt() * rms0;
        assert!(rms0 > 0.0, "{method:?}");
        assert!(
            (c.threshold - want).abs() < 1e-12 * want.max(1.0),
            "{method:?}: {} vs {want}",
            c.threshold
        );
        assert_eq!(c.interval_width, 2.0 * c.threshold);
        let normal = crate::uplift::norm_isf(0.025).unwrap() * 1.2f64.sqrt() * rms0;
        assert!(c.threshold > 1.4 * normal, "{method:?}");
    }
}

/// A store plan for the best set of `d`, read as `readout` (sequential: with its look scales).
fn store_plan(
    history: &StorePanel,
    d: &StoresDesign,
    o: &StoresOptions,
    readout: Readout,
) -> DesignFile {
    let best = &d.top[0];
    let look_se = match readout {
        Readout::Sequential { .. } => look_scales(history, best, o).unwrap(),
        Readout::FixedHorizon => Vec::new(),
    };
    DesignFile {
        o2o_design: DESIGN_FORMAT,
        kind: DesignKind::Stores,
        campaign: None,
        metric: Metric::Visits,
        alpha: d.alpha,
        power: d.power,
        mde: best.mde.unwrap(),
        days: d.days as u32,
        start: None,
        readout,
        holdout_share: None,
        cuped: false,
        customers: None,
        treated_stores: best.stores.clone(),
        control_weights: best.weights.clone(),
        method: Some(d.method),
        expected_interval_width: best.interval_width,
        look_se,
        seed: d.seed,
        assignment: None,
    }
}

#[test]
fn a_sequential_store_plan_keeps_alpha_over_every_look_and_detects_an_effect() {
    // A small panel (16 stores, 112 days, 14-day tests) read by difference in differences.
    let model = PanelModel {
        stores: 16,
        regions: 4,
        periods: 112,
        ..PanelModel::default()
    };
    let history = simulate_panel(&model, 100);
    let o = StoresOptions {
        treat: 2,
        days: 14,
        windows: 4,
        random_sets: 4,
        top: 1,
        method: StoreMethod::Did,
        effects: vec![0.0, 0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2],
        seed: 5,
        ..StoresOptions::default()
    };
    let d = design_stores(&history, &o).unwrap();
    let plan = store_plan(&history, &d, &o, sequential_store_readout(14));
    assert_eq!(plan.look_se.len(), 14);
    // Read once at the end, the sequence rests on the fixed interval's error law: its scale
    // after the last day is the fixed half-width over the normal quantile.
    let z = crate::uplift::norm_isf(0.025).unwrap();
    let last = plan.look_se[13];
    assert!(
        (last * z - d.top[0].threshold).abs() < 1e-9,
        "{last} vs {}",
        d.top[0].threshold
    );
    // The plan round-trips through its file.
    let text = serde_json::to_string(&plan).unwrap();
    assert_eq!(DesignFile::from_json(&text).unwrap(), plan);

    // Held-back periods with nothing planted, read after every one of the 14 days: the
    // always-valid interval rejects at most α of the time; the fixed interval read every day
    // (peeking) rejects more.
    let long = PanelModel {
        periods: 126,
        ..model.clone()
    };
    let (reps, mut sequential, mut peeking) = (200u64, 0u64, 0u64);
    for r in 0..reps {
        let panel = simulate_panel(&long, 40_000 + r);
        let periods = StorePeriods {
            from: panel.periods[112].clone(),
            to: panel.periods[125].clone(),
            pre: None,
        };
        let read = read_store_test(&plan, &panel, &periods).unwrap();
        assert_eq!(read.readout, "sequential");
        assert_eq!(read.looks.len(), 14);
        // The running interval only narrows.
        for w in read.looks.windows(2) {
            assert!(w[1].interval[0] >= w[0].interval[0] && w[1].interval[1] <= w[0].interval[1]);
        }
        sequential += u64::from(read.significant);
        peeking += u64::from(
            read.looks
                .iter()
                .any(|l| l.estimate.abs() > d.top[0].threshold),
        );
    }
    let (seq, peek) = (
        sequential as f64 / reps as f64,
        peeking as f64 / reps as f64,
    );
    // α plus two binomial standard errors at 200 replications (1.5 points).
    assert!(seq <= 0.05 + 2.0 * (0.05f64 * 0.95 / 200.0).sqrt(), "{seq}");
    assert!(peek > seq, "peeking {peek} vs sequential {seq}");

    // A planted effect of twice the MDE is detected, by the same readout the report runs.
    let hit = check_plan(&model, &plan, 2.0 * plan.mde, 60, 41_000).unwrap();
    assert!(hit.power >= 0.8, "{}", hit.power);
    // The fixed plan is read once: its false-positive rate is the one the design states.
    let fixed = store_plan(&history, &d, &o, Readout::FixedHorizon);
    let read = read_store_test(
        &fixed,
        &simulate_panel(&long, 40_000),
        &StorePeriods {
            from: "2026-04-23".into(),
            to: "2026-05-06".into(),
            pre: None,
        },
    )
    .unwrap();
    assert_eq!(read.readout, "fixed_horizon");
    assert!(read.looks.is_empty() && read.p_value.is_none());
}

#[test]
fn unseen_calibration_reads_the_interval_on_tests_the_ranking_did_not_see() {
    // 140 days, 21-day tests after 28: 5 independent test lengths. The earliest ranks (tests
    // ending on days 49 to 56); the interval of the sets ranked first is read only on the tests
    // whose test periods start after those (ending on days 77 to 140: 4 test lengths, 3
    // degrees of freedom), never on the periods that picked them.
    let panel = simulate_panel(
        &PanelModel {
            periods: 140,
            ..PanelModel::default()
        },
        100,
    );
    for method in [StoreMethod::SyntheticControl, StoreMethod::Did] {
        let o = StoresOptions {
            treat: 4,
            days: 21,
            windows: 4,
            random_sets: 6,
            top: 2,
            method,
            calibration: Calibration::Unseen,
            ..StoresOptions::default()
        };
        let d = design_stores(&panel, &o).unwrap();
        assert_eq!(d.ranked_before, 56);
        let unseen: Vec<usize> = window_ends(140, 21, 28, usize::MAX)
            .into_iter()
            .filter(|&e| e >= 77)
            .collect();
        assert_eq!(d.stated_windows, unseen.len());
        assert_eq!(PredictionLaw::new(&unseen, 21, 0.05).unwrap().df, 3.0);
        for c in &d.top {
            let alone = evaluate_set(
                &panel,
                &panel_indices(&panel, &c.stores),
                &panel_donors(&panel, &c.stores),
                &unseen,
                &o,
            )
            .unwrap();
            assert_eq!(c.threshold, alone.threshold, "{method:?}");
            assert_eq!(c.power_curve, alone.power_curve, "{method:?}");
        }
        // Calibrated on the whole history instead, the ranking's periods included (the
        // history split in halves), the interval differs.
        let whole = design_stores(
            &panel,
            &StoresOptions {
                calibration: Calibration::Whole,
                ..o.clone()
            },
        )
        .unwrap();
        assert_eq!(whole.ranked_before, 84);
        assert!(whole.top.iter().all(|c| c.windows == whole.stated_windows));
    }
}
