//! `o2o simulate --customers N --seed S --out DIR`

use super::CliError;
use crate::output::progress;
use o2o_core::event::write_ndjson;
use o2o_core::sim::{SimConfig, simulate_with_progress, write_audience_csv};
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::PathBuf;

/// Flags of `o2o simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// Number of customers.
    #[arg(long, default_value_t = 20_000)]
    pub customers: usize,
    /// Seed of every random draw: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory (created if missing).
    #[arg(long, default_value = "o2o-sim")]
    pub out: PathBuf,
    /// Campaign length in days.
    #[arg(long, default_value_t = 28)]
    pub days: u32,
    /// A full simulator configuration as JSON (see `SimConfig`); flags above override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

/// Run `o2o simulate`.
pub fn run(a: Args) -> Result<(), CliError> {
    let mut cfg = match &a.config {
        Some(p) => {
            let text = fs::read_to_string(p).map_err(CliError::io(p))?;
            serde_json::from_str::<SimConfig>(&text)
                .map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?
        }
        None => SimConfig::default(),
    };
    cfg.customers = a.customers;
    cfg.seed = a.seed;
    cfg.days = a.days;
    let bar = progress(cfg.customers as u64, false, "simulating");
    let campaign = simulate_with_progress(&cfg, |n| bar.set_position(n as u64))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    bar.finish_and_clear();
    fs::create_dir_all(&a.out).map_err(CliError::io(&a.out))?;
    let path = a.out.join("events.ndjson");
    let f = File::create(&path).map_err(CliError::io(&path))?;
    write_ndjson(&campaign.events, BufWriter::with_capacity(1 << 20, f))
        .map_err(CliError::io(&path))?;
    let path = a.out.join("truth.json");
    let f = File::create(&path).map_err(CliError::io(&path))?;
    serde_json::to_writer(BufWriter::with_capacity(1 << 20, f), &campaign.truth).map_err(|e| {
        CliError::Io {
            path: path.display().to_string(),
            source: e.into(),
        }
    })?;
    let path = a.out.join("audience.csv");
    let f = File::create(&path).map_err(CliError::io(&path))?;
    write_audience_csv(&campaign.audience, BufWriter::new(f)).map_err(|e| CliError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    eprintln!(
        "wrote {} events, truth and audience for {} customers to {}",
        campaign.events.len(),
        cfg.customers,
        a.out.display()
    );
    Ok(())
}
