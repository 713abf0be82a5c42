//! The report's measurement on the simulator's raw exports (exports → ingest → resolve →
//! measure), judged against the simulator's truth.
//!
//! The 40-seed coverage figure comes from
//! `cargo run --release -p o2o-benches --example measure_coverage -- 40 8000`.
#![cfg(all(feature = "sim", feature = "store", feature = "stats"))]
#![allow(clippy::unwrap_used)]

use o2o_core::event::{Event, Exposure};
use o2o_core::measure::sim_check::{Checked, lift_checks, measure_exports};
use o2o_core::measure::{MeasureOptions, Method, Population, Side};
use o2o_core::sim::SimConfig;

fn run(seed: u64, customers: usize) -> Checked {
    run_with(seed, customers, 0.0)
}

fn run_with(seed: u64, customers: usize, anonymous_purchase_share: f64) -> Checked {
    // One directory per test: tests run in parallel threads of one process.
    let dir = std::env::temp_dir().join(format!(
        "o2o-it-measure-{}-{seed}-{}",
        std::process::id(),
        (anonymous_purchase_share * 100.0) as u32
    ));
    let cfg = SimConfig {
        customers,
        seed,
        // A Wi-Fi join before 30 % of purchases: visits must still be counted once.
        wifi_before_purchase: 0.3,
        anonymous_purchase_share,
        ..SimConfig::default()
    };
    let c = measure_exports(&cfg, &dir, MeasureOptions::default()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    c
}

#[test]
fn randomised_channels_lift_intervals_cover_the_truth_and_the_traps_are_labelled() {
    let (mut n, mut covered) = (0, 0);
    let mut misses = Vec::new();
    for seed in [1, 2, 3] {
        let c = run(seed, 8000);
        let m = &c.measurement;
        for check in lift_checks(&c) {
            if check.method == Method::Observational {
                continue;
            }
            n += 1;
            if check.covered {
                covered += 1;
            } else {
                misses.push((seed, check));
            }
        }
        // Brand search was not randomised: observational, with a warning and a caveat.
        let search = m.campaigns.iter().find(|r| r.channel == "search").unwrap();
        let inc = search.incremental.as_ref().unwrap();
        assert_eq!(inc.method, Method::Observational);
        assert_eq!(inc.label, "observational incremental");
        assert!(inc.warning.is_some());
        assert!(
            search.verdict.contains("not an experiment"),
            "{}",
            search.verdict
        );
        assert!(m.warnings.iter().any(|w| w.starts_with("search:")));
        // The banner is credited visits but causes none: the report says not to fund it.
        let banner = m.campaigns.iter().find(|r| r.channel == "banner").unwrap();
        let inc = banner.incremental.as_ref().unwrap();
        assert_eq!(inc.method, Method::RandomisedExposure);
        assert!(banner.credited["last_touch"] > 50.0, "{banner:?}");
        assert!(
            inc.visitors_ci[0] <= 0.0 && 0.0 <= inc.visitors_ci[1],
            "{inc:?}"
        );
        assert!(banner.verdict.contains("do not fund"), "{}", banner.verdict);
        // The global holdout is measured, and every p-value is adjusted.
        let h = m.holdout.as_ref().unwrap();
        assert!(h.incremental_visitors_ci[0] > 0.0, "{h:?}");
        assert!(
            m.campaigns
                .iter()
                .all(|r| r.incremental.as_ref().unwrap().p_adjusted.is_some())
        );
        // A Wi-Fi join before a purchase is the same visit.
        assert!(m.visits.checkins > m.visits.count);
        assert!(m.visits.by_method["wifi_join"] > 0);
        let wifi_purchase =
            m.visits.by_method["pos_purchase"] + m.visits.by_method["voucher_redemption"];
        assert_eq!(
            m.visits.with_purchase, wifi_purchase,
            "one purchase per visit in the simulator"
        );
    }
    eprintln!("covered {covered}/{n}; misses: {misses:?}");
    // 18 intervals at 95 %: with exact coverage, 15 or more cover with probability 0.99
    // (binomial); a biased estimate (check-ins for visits, every profile for customers) misses
    // far more. These seeds cover 16 (zalo misses on seeds 1 and 3, once on each side, where a
    // perfectly identified oracle comparison of the simulator's own table lands as far off).
    assert!(n >= 18, "{n}");
    assert!(covered >= 15, "covered {covered}/{n}: {misses:?}");
}

#[test]
fn zero_effect_channel_observational_estimate_holds_with_the_customers_population() {
    let c = run(7, 8000);
    // The analyst's situation: no assignment list, no randomisation flag on the exports.
    let events: Vec<Event> = c
        .events
        .iter()
        .cloned()
        .map(|mut e| {
            if let Event::Touchpoint(t) = &mut e {
                t.exposure = Exposure::Observational;
            }
            e
        })
        .collect();
    let side = Side {
        assignments: Vec::new(),
        ..c.side.clone()
    };
    let banner = |population| {
        let opts = MeasureOptions {
            population,
            ..c.opts.clone()
        };
        let m = c.remeasure(&events, &side, &opts).unwrap();
        let r = m
            .campaigns
            .into_iter()
            .find(|r| r.channel == "banner")
            .unwrap();
        r.incremental.unwrap()
    };
    let customers = banner(Population::Customers);
    let all = banner(Population::All);
    eprintln!(
        "banner observational lift: customers {:?} {:?}, all profiles {:?} {:?}",
        customers.lift, customers.lift_ci, all.lift, all.lift_ci
    );
    assert_eq!(customers.method, Method::Observational);
    let [lo, hi] = customers.lift_ci.unwrap();
    assert!(lo <= 0.0 && 0.0 <= hi, "{customers:?}");
    assert!(customers.warning.is_some());
}

#[test]
fn visits_known_only_through_a_voucher_are_reported_beside_the_campaign_and_kept_out_of_its_lift() {
    // 30 % of purchases anonymous at the till: a voucher redemption is then known only through
    // its code, which the messaging app's claim log ties to the holder. Only the exposed hold a
    // code, so counting those visits lifts the voucher channel by its instrument alone.
    let (mut apart, mut mixed, mut truth) = (0.0, 0.0, 0.0);
    let seeds = [1, 2, 3];
    for seed in seeds {
        let c = run_with(seed, 8000, 0.3);
        let zalo = c
            .measurement
            .campaigns
            .iter()
            .find(|r| r.channel == "zalo")
            .unwrap();
        // Reported beside the campaign, labelled, with their revenue.
        assert!(
            zalo.instrument_only.visits > 5,
            "{:?}",
            zalo.instrument_only
        );
        assert!(zalo.instrument_only.revenue > 0.0);
        assert!(
            c.measurement
                .warnings
                .iter()
                .any(|w| w.starts_with("zalo:") && w.contains("instrument_only"))
        );
        // No other campaign hands out codes.
        for r in c
            .measurement
            .campaigns
            .iter()
            .filter(|r| r.channel != "zalo")
        {
            assert_eq!(r.instrument_only.visits, 0, "{}", r.channel);
        }
        let lift = |m: &o2o_core::measure::Measurement| {
            m.campaigns
                .iter()
                .find(|r| r.channel == "zalo")
                .and_then(|r| r.incremental.as_ref()?.lift)
                .unwrap()
        };
        apart += lift(&c.measurement);
        let opts = MeasureOptions {
            count_instrument_only: true,
            ..c.opts.clone()
        };
        let m = c.remeasure(&c.events, &c.side, &opts).unwrap();
        mixed += lift(&m);
        truth += o2o_core::measure::sim_check::true_relative_lift(&c.campaign, "zalo").unwrap();
        // Mixed in, every instrument-only visit counts for the exposed arm: the lift grows.
        assert!(lift(&m) > lift(&c.measurement), "seed {seed}");
    }
    let n = seeds.len() as f64;
    eprintln!(
        "zalo relative lift over seeds {seeds:?}: kept apart {:+.3}, mixed in {:+.3}, truth {:+.3}",
        apart / n,
        mixed / n,
        truth / n
    );
    // The instrument's inflation is several points of lift on its own (measured: about +10).
    assert!(mixed / n - apart / n > 0.04, "{} {}", mixed / n, apart / n);
}
