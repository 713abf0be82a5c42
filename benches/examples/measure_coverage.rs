//! Coverage of the report's per-channel relative-lift intervals on the simulator's raw exports:
//! for each seed, simulate, write the exports, ingest them, measure the campaign period, and
//! check every randomised channel's interval against the true lift. The target (issue
//! "measurement that holds on real data"): at least 95 % of the randomised channels' intervals
//! cover the truth over 40 seeds.
//!
//! ```text
//! cargo run --release -p o2o-benches --example measure_coverage -- 40 8000
//! ```
//! Arguments: seeds (default 40), customers per seed (default 8000).

use o2o_core::measure::sim_check::{lift_checks, measure_exports};
use o2o_core::measure::{MeasureOptions, Method};
use o2o_core::sim::SimConfig;

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(40);
    let customers: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(8000);
    let work = std::env::temp_dir().join(format!("o2o-measure-coverage-{}", std::process::id()));
    let (mut randomised, mut covered) = (0u64, 0u64);
    let mut per: std::collections::BTreeMap<String, (u64, u64)> = Default::default();
    for seed in 1..=seeds {
        let cfg = SimConfig {
            customers,
            seed,
            wifi_before_purchase: 0.3,
            ..SimConfig::default()
        };
        let checked = measure_exports(&cfg, &work, MeasureOptions::default())?;
        for c in lift_checks(&checked) {
            if c.method == Method::Observational {
                continue;
            }
            randomised += 1;
            covered += u64::from(c.covered);
            let e = per.entry(c.channel.clone()).or_default();
            e.0 += 1;
            e.1 += u64::from(c.covered);
        }
        eprintln!("seed {seed}: {covered}/{randomised} covered so far");
    }
    let _ = std::fs::remove_dir_all(&work);
    for (ch, (n, k)) in &per {
        println!("{ch:10} {k:3}/{n:3} covered");
    }
    let share = covered as f64 / randomised.max(1) as f64;
    println!(
        "randomised channels' 95 % lift intervals covering the true lift: {covered}/{randomised} = {:.1} % over {seeds} seeds of {customers} customers (target ≥ 95 %)",
        share * 100.0
    );
    Ok(())
}
