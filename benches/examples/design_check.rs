//! Simulation bench: do designs made on simulated history reach their stated power, and does
//! their false-positive rate stay at α?
//!
//! - **Customer holdout**: a campaign from the o2o simulator (20,000 customers) is the history;
//!   `design_holdout` picks share and duration for a relative MDE; `check_holdout` runs the
//!   planned readout on `--reps` simulated tests drawn from that history, at the MDE and at
//!   zero effect.
//! - **Store test**: the simulated 40-store panel of `docs/examples/stores_panel.csv` (140
//!   days) is the history; `design_stores` ranks candidate sets; `check_stores` plants each top
//!   set's MDE in held-back periods (fresh draws of the same stores after the history) `--reps`
//!   times. The set GeoLift's algorithm ranks first on the same panel
//!   (`o2o-core/tests/fixtures/design/geolift_selection.json`, from
//!   `scripts/gen/geolift_market_selection.py`) goes through the same held-back check.
//!
//! Not a timed test: it prints stated and achieved power with their binomial standard error.
//!
//! `cargo run --release -p o2o-benches --example design_check [-- --reps 400]`; `--counted`
//! states the store sets' power by counting hits instead of from the predictive law of the
//! errors; `--histories N` adds the gap between stated and reached power over N simulated
//! histories of 140, 420 and 700 days, both ways (`--periods N`: one length only; `--did`: read
//! by difference in differences instead of the synthetic control; `--stated predictive`: one way
//! of stating the power only). The histories table also gives the top sets' mean false-positive
//! rate at zero effect on held-back periods, over the histories: the rate a user of the design
//! meets, which must stay at α.

use o2o_core::design::{
    Calibration, History, HoldoutCheck, HoldoutOptions, PanelModel, StatedPower, StoreMethod,
    StorePanel, StoresOptions, check_holdout, check_stores, design_holdout, design_stores,
    evaluate_set, simulate_panel,
};
use o2o_core::report::simple_key;
use o2o_core::sim::{SimConfig, simulate};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const HELP: &str = "design_check: do designs reach their stated power, and keep α?

  --reps N        held-back tests per check (default 400)
  --seed N        seed of the designs and checks (default 42)
  --counted       state the store sets' power by counting hits
  --histories N   add stated vs reached power and false positives over N simulated histories
  --periods N     with --histories: one history length only (default 140, 420 and 700)
  --did           with --histories: read by difference in differences
  --stated MODE   with --histories: counted, normal or predictive only (default all three)
  --skip-panel    with --histories: skip the holdout and example-panel rows
  --unseen        calibrate the sets' interval only on the simulated tests the ranking did
                  not see (the default: every simulated test of the history)";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::args().any(|a| a == "--help" || a == "-h") {
        println!("{HELP}");
        return Ok(());
    }
    if std::env::args().any(|a| a == "--skip-panel") && arg("--histories", 0) > 0 {
        return stated_power_over_histories(
            arg("--histories", 0),
            arg("--reps", 400),
            arg("--seed", 42),
        );
    }
    let reps = arg("--reps", 400);
    let seed = arg("--seed", 42);
    println!("| design | stated power | achieved power (± se) | false positives at 0 (α) |");
    println!("|---|---|---|---|");

    let cfg = SimConfig {
        customers: 20_000,
        seed: 3,
        ..SimConfig::default()
    };
    let campaign = simulate(&cfg)?;
    let history = History::from_events(&campaign.events, &simple_key, &jiff_utc())?;
    for (mde, days) in [(0.15, Some(42)), (0.25, None)] {
        let o = HoldoutOptions {
            mde,
            days,
            ..HoldoutOptions::default()
        };
        let d = design_holdout(&history, &o)?;
        let r = &d.recommended;
        let row = d
            .durations
            .iter()
            .find(|x| x.days == r.days)
            .ok_or("the recommended duration has a row")?;
        let check = HoldoutCheck {
            share: r.share,
            effect: mde,
            cuped: r.cuped,
            alpha: d.alpha,
            replications: reps,
            seed,
        };
        let at = check_holdout(&row.stats, &check)?;
        let zero = check_holdout(
            &row.stats,
            &HoldoutCheck {
                effect: 0.0,
                seed: seed + 1,
                ..check
            },
        )?;
        println!(
            "| holdout, MDE {:.0} %: {:.1} % of {} customers for {} days{} | {:.1} % | {:.1} % (± {:.1}) | {:.1} % ({:.0} %) |",
            mde * 100.0,
            r.share * 100.0,
            r.holdout_customers + r.target_customers,
            r.days,
            if r.cuped { ", CUPED" } else { "" },
            at.stated_power * 100.0,
            at.power * 100.0,
            at.power_se * 100.0,
            zero.false_positive_rate * 100.0,
            d.alpha * 100.0
        );
    }

    // The panel of docs/examples/stores_panel.csv (`o2o design panel --days 140`).
    let model = PanelModel {
        periods: 140,
        ..PanelModel::default()
    };
    let panel = simulate_panel(&model, 100);
    let counted = std::env::args().any(|a| a == "--counted");
    let o = StoresOptions {
        treat: 4,
        days: 21,
        seed,
        stated_power: if counted {
            StatedPower::Counted
        } else {
            StatedPower::Predictive
        },
        calibration: calibration(),
        ..StoresOptions::default()
    };
    store_rows(&model, &panel, &o, reps, seed, "")?;
    // The same panel read by difference in differences against matched controls.
    let did = StoresOptions {
        method: StoreMethod::Did,
        ..o.clone()
    };
    store_rows(&model, &panel, &did, reps, seed, "DiD ")?;
    // GeoLift's first choice on the same panel, read the o2o way (threshold from the history).
    let fixture = "o2o-core/tests/fixtures/design/geolift_selection.json";
    if let Ok(text) = std::fs::read_to_string(fixture) {
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let stores: Vec<String> = v["top"][0]["stores"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let treated: Vec<usize> = (0..panel.stores.len())
            .filter(|&s| stores.contains(&panel.stores[s]))
            .collect();
        let donors: Vec<usize> = (0..panel.stores.len())
            .filter(|s| !treated.contains(s))
            .collect();
        let ends: Vec<usize> = (o.min_pre + o.days..=panel.periods.len()).rev().collect();
        let c = evaluate_set(&panel, &treated, &donors, &ends, &o)?;
        if let Some(mde) = c.mde {
            let check = check_stores(&model, &c, mde, &o, reps, 10_000 + seed)?;
            println!(
                "| stores, GeoLift's first set {} read by o2o, MDE {:.1} % | {:.1} % | {:.1} % (± {:.1}) | {:.1} % ({:.0} %) |",
                c.stores.join("+"),
                mde * 100.0,
                check.stated_power * 100.0,
                check.power * 100.0,
                check.power_se * 100.0,
                check.false_positive_rate * 100.0,
                o.alpha * 100.0
            );
        }
    }
    if arg("--histories", 0) > 0 {
        stated_power_over_histories(arg("--histories", 0), reps, seed)?;
    }
    Ok(())
}

/// Design stores on `panel` with `o` and check the top 3 sets at their MDE on `reps` held-back
/// tests: one row each (`label` names the method), then the mean gap between stated and reached
/// power.
fn store_rows(
    model: &PanelModel,
    panel: &StorePanel,
    o: &StoresOptions,
    reps: u64,
    seed: u64,
    label: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let d = design_stores(panel, o)?;
    for c in d.top.iter().take(3) {
        let Some(mde) = c.mde else { continue };
        let check = check_stores(model, c, mde, o, reps, 10_000 + seed)?;
        println!(
            "| stores {label}#{} {} ({} periods held back), MDE {:.1} % | {:.1} % | {:.1} % (± {:.1}) | {:.1} % ({:.0} %) |",
            c.rank,
            c.stores.join("+"),
            o.days,
            mde * 100.0,
            check.stated_power * 100.0,
            check.power * 100.0,
            check.power_se * 100.0,
            check.false_positive_rate * 100.0,
            o.alpha * 100.0
        );
    }
    Ok(())
}

/// How far the stated power of the top 3 sets is from the power reached on held-back periods,
/// over `n` simulated histories of each length, for each way of stating it.
fn stated_power_over_histories(
    n: u64,
    reps: u64,
    seed: u64,
) -> Result<(), Box<dyn std::error::Error>> {
    println!();
    println!(
        "| history (days) | stated power | sets checked | mean gap (points) | mean stated − reached | within 3 points | largest gap | mean FPR at 0 (α) | FPR of #1 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let method = if std::env::args().any(|a| a == "--did") {
        StoreMethod::Did
    } else {
        StoreMethod::SyntheticControl
    };
    let lengths: Vec<usize> = match arg("--periods", 0) {
        0 => vec![140, 420, 700],
        p => vec![p as usize],
    };
    for periods in lengths {
        let only = std::env::args()
            .position(|a| a == "--stated")
            .and_then(|i| std::env::args().nth(i + 1));
        for stated in [
            StatedPower::Counted,
            StatedPower::Normal,
            StatedPower::Predictive,
        ] {
            if only
                .as_deref()
                .is_some_and(|m| !format!("{stated:?}").eq_ignore_ascii_case(m))
            {
                continue;
            }
            let model = PanelModel {
                periods,
                ..PanelModel::default()
            };
            let o = StoresOptions {
                treat: 4,
                days: 21,
                seed,
                stated_power: stated,
                method,
                calibration: calibration(),
                ..StoresOptions::default()
            };
            let mut gaps = Vec::new();
            let (mut fpr, mut fpr_first) = (Vec::new(), Vec::new());
            for h in 0..n {
                let panel = simulate_panel(&model, 100 + h);
                let d = design_stores(&panel, &o)?;
                for c in d.top.iter().take(3) {
                    let Some(mde) = c.mde else { continue };
                    let check = check_stores(&model, c, mde, &o, reps, 10_000 + seed)?;
                    gaps.push((check.stated_power - check.power) * 100.0);
                    fpr.push(check.false_positive_rate * 100.0);
                    if c.rank == 1 {
                        fpr_first.push(check.false_positive_rate * 100.0);
                    }
                }
            }
            let m = gaps.len().max(1) as f64;
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            println!(
                "| {periods} | {stated:?} | {} | {:.1} | {:+.1} | {:.0} % | {:.1} | {:.1} % ({:.0} %) | {:.1} % |",
                gaps.len(),
                gaps.iter().map(|g| g.abs()).sum::<f64>() / m,
                gaps.iter().sum::<f64>() / m,
                gaps.iter().filter(|g| g.abs() <= 3.0).count() as f64 / m * 100.0,
                gaps.iter().fold(0.0f64, |a, b| a.max(b.abs())),
                mean(&fpr),
                o.alpha * 100.0,
                mean(&fpr_first)
            );
        }
    }
    Ok(())
}

fn calibration() -> Calibration {
    if std::env::args().any(|a| a == "--unseen") {
        Calibration::Unseen
    } else {
        Calibration::Whole
    }
}

fn jiff_utc() -> o2o_core::measure::TimeZone {
    o2o_core::measure::TimeZone::UTC
}
