//! Coverage of the report's per-channel relative-lift intervals on the simulator's raw exports:
//! for each seed, simulate, write the exports, ingest them, measure the campaign period, and
//! check every randomised channel's interval against the true lift. The target (issue
//! "measurement that holds on real data"): at least 95 % of the randomised channels' intervals
//! cover the truth over 40 seeds.
//!
//! The simulated customers pay anonymously at the till for 30 % of purchases, so a voucher
//! redemption is then known only through its code (identification that depends on treatment).
//! The voucher channel's lift is printed as measured (those visits kept apart) and as it would
//! be with them mixed in (`count_instrument_only`), against the truth.
//!
//! ```text
//! cargo run --release -p o2o-benches --example measure_coverage -- 40 8000
//! ```
//! Arguments: seeds (default 40), customers per seed (default 8000), share of anonymous
//! purchases (default 0.3).

use o2o_core::measure::sim_check::{LiftCheck, lift_checks, measure_exports};
use o2o_core::measure::{MeasureOptions, Method};
use o2o_core::sim::{ChannelStyle, SimConfig};
use std::collections::BTreeMap;

/// Covered and total intervals, and the sums of estimate and truth, per channel.
#[derive(Default)]
struct Tally {
    n: u64,
    covered: u64,
    lift: f64,
    truth: f64,
}

impl Tally {
    fn add(&mut self, c: &LiftCheck) {
        self.n += 1;
        self.covered += u64::from(c.covered);
        self.lift += c.lift;
        self.truth += c.truth;
    }
}

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(40);
    let customers: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8000);
    let anonymous: f64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.3);
    let work = std::env::temp_dir().join(format!("o2o-measure-coverage-{}", std::process::id()));
    let (mut randomised, mut covered) = (0u64, 0u64);
    let mut per: BTreeMap<String, Tally> = BTreeMap::new();
    let mut mixed: BTreeMap<String, Tally> = BTreeMap::new();
    for seed in 1..=seeds {
        let cfg = SimConfig {
            customers,
            seed,
            wifi_before_purchase: 0.3,
            anonymous_purchase_share: anonymous,
            ..SimConfig::default()
        };
        let voucher: Vec<String> = cfg
            .channels
            .iter()
            .filter(|c| c.style == ChannelStyle::Messaging)
            .map(|c| c.name.clone())
            .collect();
        let checked = measure_exports(&cfg, &work, MeasureOptions::default())?;
        for c in lift_checks(&checked) {
            if c.method == Method::Observational {
                continue;
            }
            randomised += 1;
            covered += u64::from(c.covered);
            per.entry(c.channel.clone()).or_default().add(&c);
        }
        // The same data with the instrument-only visits mixed in: the bias they cause.
        let opts = MeasureOptions {
            count_instrument_only: true,
            ..checked.opts.clone()
        };
        let m = checked.remeasure(&checked.events, &checked.side, &opts)?;
        let again = o2o_core::measure::sim_check::Checked {
            measurement: m,
            ..checked
        };
        for c in lift_checks(&again) {
            if voucher.contains(&c.channel) {
                mixed.entry(c.channel.clone()).or_default().add(&c);
            }
        }
        eprintln!("seed {seed}: {covered}/{randomised} covered so far");
    }
    let _ = std::fs::remove_dir_all(&work);
    for (ch, t) in &per {
        println!(
            "{ch:10} {:3}/{:3} covered; mean lift {:+.1} % against a true {:+.1} %",
            t.covered,
            t.n,
            100.0 * t.lift / t.n.max(1) as f64,
            100.0 * t.truth / t.n.max(1) as f64
        );
    }
    for (ch, t) in &mixed {
        println!(
            "{ch:10} with visits known only through its vouchers mixed in: {:3}/{:3} covered; mean lift {:+.1} % against a true {:+.1} %",
            t.covered,
            t.n,
            100.0 * t.lift / t.n.max(1) as f64,
            100.0 * t.truth / t.n.max(1) as f64
        );
    }
    let share = covered as f64 / randomised.max(1) as f64;
    println!(
        "randomised channels' 95 % lift intervals covering the true lift: {covered}/{randomised} = {:.1} % over {seeds} seeds of {customers} customers, {:.0} % of purchases anonymous (target ≥ 95 %)",
        share * 100.0,
        anonymous * 100.0
    );
    Ok(())
}
