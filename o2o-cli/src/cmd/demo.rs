//! `o2o demo [--customers N] [--seed S] [--json] [--work DIR]`: simulate a campaign, write it
//! as raw exports, ingest them into an event store and run the whole pipeline on what it holds.

use super::CliError;
use crate::output::progress;
use o2o_core::pipeline::run_demo_from_exports;
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
    /// Where to write the exports and the event store the demo reads (default: a temporary
    /// directory, removed afterwards).
    #[arg(long)]
    pub work: Option<std::path::PathBuf>,
    /// Also write the demo's report as one self-contained HTML page with charts.
    #[arg(long, value_name = "FILE")]
    pub html: Option<std::path::PathBuf>,
    /// Also write the demo's report tables as an Excel workbook.
    #[arg(long, value_name = "FILE")]
    pub xlsx: Option<std::path::PathBuf>,
}

/// Run `o2o demo`.
pub fn run(a: Args) -> Result<(), CliError> {
    let cfg = SimConfig {
        customers: a.customers,
        seed: a.seed,
        ..SimConfig::default()
    };
    let bar = progress(cfg.customers as u64, a.json, "simulating");
    let (work, temporary) = match &a.work {
        Some(w) => (w.clone(), false),
        None => (
            std::env::temp_dir().join(format!("o2o-demo-{}", std::process::id())),
            true,
        ),
    };
    let report = run_demo_from_exports(&cfg, &work, |n| bar.set_position(n as u64));
    if temporary {
        let _ = std::fs::remove_dir_all(&work);
    }
    let report = report?;
    bar.finish_and_clear();
    if let Some(view) = &report.view {
        super::report::write_rendered(view, a.html.as_deref(), a.xlsx.as_deref())?;
    }
    if a.json {
        let text = serde_json::to_string_pretty(&report)?;
        println!("{text}");
    } else {
        print!("{report}");
    }
    Ok(())
}
