//! The O2O report on the simulator, judged against its ground truth.

use o2o_core::attribution::compare::sim_person_of;
use o2o_core::event::Event;
use o2o_core::report::{HoldoutRow, O2oOptions, build_report, estimate_incremental};
use o2o_core::sim::{SimConfig, simulate};

/// Sample size: 60,000 customers (54,000 targets) gives revenue intervals of roughly ±25 % of
/// the larger channel effects (e.g. facebook: true ≈ 25,000, half-width ≈ 6,000), narrow enough
/// to separate channels from zero, while the simulation and report take a few seconds.
#[test]
fn incremental_revenue_per_channel_is_within_its_ci_of_the_truth() {
    let cfg = SimConfig {
        customers: 60_000,
        seed: 42,
        ..SimConfig::default()
    };
    let c = simulate(&cfg).unwrap();
    let rows: Vec<HoldoutRow> = c.audience.iter().map(HoldoutRow::from).collect();
    // "Every channel is within its interval" is one joint claim over all channels, so the
    // intervals are simultaneous: 95 % family-wise by Bonferroni over the channels (each at
    // 1 − 0.05/k). Per-channel 95 % intervals would all cover only ~0.95^k ≈ 70 % of the time
    // for k = 7, and a test built on them would pass or fail by the luck of the seed.
    let k = cfg.channels.len() as f64;
    let est = estimate_incremental(&rows, 1.0 - 0.05 / k).unwrap();
    // A perfect identity resolution from the simulator's truth.
    let person = sim_person_of(&c.truth);
    let key = |e: &Event| person(e).map(|p| format!("p{p}"));
    let report = build_report(&c.events, &key, &O2oOptions::default(), &[], &est);
    let mut checked = 0;
    for truth in &c.truth.channels {
        let row = report
            .o2o
            .rows
            .iter()
            .find(|r| r.channel == truth.channel)
            .unwrap();
        let inc = row
            .incremental
            .as_ref()
            .unwrap_or_else(|| panic!("{} has a holdout but no estimate", truth.channel));
        let (lo, hi) = inc.ci_revenue;
        assert!(
            lo <= truth.incremental_revenue && truth.incremental_revenue <= hi,
            "{}: true {} outside [{lo}, {hi}] (estimate {})",
            truth.channel,
            truth.incremental_revenue,
            inc.incremental_revenue
        );
        let (lo, hi) = inc.ci_checkins;
        assert!(
            lo <= truth.incremental_checkins && truth.incremental_checkins <= hi,
            "{}: true check-ins {} outside [{lo}, {hi}]",
            truth.channel,
            truth.incremental_checkins
        );
        // Meaningful: the interval is not wider than ±(true effect + 20 % of the largest one).
        assert!(hi - lo > 0.0);
        checked += 1;
    }
    assert_eq!(checked, cfg.channels.len());
    // Channels with a real lift are told apart from zero; the banner (lift 0) is not.
    let lower = |ch: &str| {
        report
            .o2o
            .rows
            .iter()
            .find(|r| r.channel == ch)
            .unwrap()
            .incremental
            .as_ref()
            .unwrap()
            .ci_revenue
            .0
    };
    assert!(lower("facebook") > 0.0 && lower("zalo") > 0.0 && lower("search") > 0.0);
    assert!(lower("banner") < 0.0);
    // Spend matches the simulator's.
    for truth in &c.truth.channels {
        let row = report
            .o2o
            .rows
            .iter()
            .find(|r| r.channel == truth.channel)
            .unwrap();
        assert!(
            (row.spend - truth.spend).abs() < 1e-6 * truth.spend.max(1.0),
            "{}",
            truth.channel
        );
    }
    // ROPO: the simulator writes showrooming purchases after store visits.
    assert!(report.ropo.showrooming > 0);
    assert!(report.ropo.webrooming > 0);
    assert!(report.kpis.checkins_by_method["voucher_redemption"] > 0);
}

/// Welch intervals agree with scipy (fixture `tests/fixtures/welch/welch.json`, produced by
/// `scripts/gen/fixtures/welch.py`). Tolerance 1e-9 relative: both sides compute the same closed
/// form in f64; the only differences are summation order and the t quantile's last bits.
#[test]
fn welch_interval_matches_scipy() {
    let text = include_str!("fixtures/welch/welch.json");
    let doc: serde_json::Value = serde_json::from_str(text).unwrap();
    for case in doc["cases"].as_array().unwrap() {
        let vals = |k: &str| -> Vec<f64> {
            case[k]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect()
        };
        let row = |ch: bool, rev: f64| HoldoutRow {
            target: true,
            channels: if ch { vec!["c".into()] } else { vec![] },
            checkins: 0.0,
            revenue: rev,
        };
        let (t, c) = (vals("exposed"), vals("unexposed"));
        let rows: Vec<HoldoutRow> = t
            .iter()
            .map(|&v| row(true, v))
            .chain(c.iter().map(|&v| row(false, v)))
            .collect();
        let n = t.len() as f64;
        for iv in case["intervals"].as_array().unwrap() {
            let conf = iv["confidence"].as_f64().unwrap();
            let est = &estimate_incremental(&rows, conf).unwrap()[0];
            let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * b.abs().max(1.0);
            let name = case["name"].as_str().unwrap();
            assert!(
                close(est.incremental_revenue / n, iv["diff"].as_f64().unwrap()),
                "{name}"
            );
            assert!(
                close(est.ci_revenue.0 / n, iv["lo"].as_f64().unwrap()),
                "{name} lo"
            );
            assert!(
                close(est.ci_revenue.1 / n, iv["hi"].as_f64().unwrap()),
                "{name} hi"
            );
        }
    }
}
