//! `o2o demo [--customers N] [--seed S] [--json]`

use super::CliError;
use crate::output::progress;
use o2o_core::pipeline::run_demo;
use o2o_core::sim::SimConfig;

/// Flags of `o2o demo`.
#[derive(clap::Args)]
pub struct Args {
    /// Number of customers to simulate.
    #[arg(long, default_value_t = 20_000)]
    pub customers: usize,
    /// Seed of the simulation.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Print the report as JSON instead of tables.
    #[arg(long)]
    pub json: bool,
}

/// Run `o2o demo`.
pub fn run(a: Args) -> Result<(), CliError> {
    let cfg = SimConfig {
        customers: a.customers,
        seed: a.seed,
        ..SimConfig::default()
    };
    let bar = progress(cfg.customers as u64, a.json, "simulating");
    let report = run_demo(&cfg, |n| bar.set_position(n as u64))
        .map_err(|e| CliError::Core(e.to_string()))?;
    bar.finish_and_clear();
    if a.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Core(e.to_string()))?;
        println!("{text}");
    } else {
        print!("{report}");
    }
    Ok(())
}
