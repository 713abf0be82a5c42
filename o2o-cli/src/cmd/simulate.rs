//! `o2o simulate --customers N --seed S [--out DIR] [--store DIR] [--exports DIR]`
//!
//! `--out` writes events.ndjson, truth.json and audience.csv (streamed, in bounded memory, when it
//! is the only output); `--store` writes the campaign
//! straight into an event store (events, holdout assignments, spend); `--exports` writes it as the
//! raw exports a retailer has, with the maps that read them (`o2o ingest`), `planted.json` (the
//! bad rows planted on purpose) and truth.json.

use super::CliError;
use crate::output::progress;
use o2o_core::event::Record;
use o2o_core::event::write_ndjson;
use o2o_core::sim::{
    SimConfig, StreamError, side_records, simulate_with_progress, write_audience_csv,
    write_campaign, write_exports,
};
use o2o_core::store::Store;
use std::fs::{self, File};
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Flags of `o2o simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// Number of customers.
    #[arg(long, default_value_t = 20_000)]
    pub customers: usize,
    /// Seed of every random draw: the same seed gives byte-identical files.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Output directory for events.ndjson, truth.json and audience.csv (created if missing;
    /// the default when neither --store nor --exports is given: o2o-sim).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the campaign into this event store (created if missing), with truth.json beside
    /// its files.
    #[arg(long)]
    pub store: Option<PathBuf>,
    /// Write the campaign as raw exports with their source maps into this directory.
    #[arg(long)]
    pub exports: Option<PathBuf>,
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
    if a.store.is_none() && a.exports.is_none() {
        // Only the three files: stream them, in bounded memory.
        let out = a.out.unwrap_or_else(|| PathBuf::from("o2o-sim"));
        let bar = progress(2 * cfg.customers as u64, false, "simulating");
        let written =
            write_campaign(&cfg, &out, |done, _| bar.set_position(done)).map_err(|e| match e {
                StreamError::Config(e) => CliError::Usage(e.to_string()),
                StreamError::Io { path, source } => CliError::Io { path, source },
                other => CliError::Unusable(other.to_string()),
            })?;
        bar.finish_and_clear();
        eprintln!(
            "wrote {} events, truth and audience for {} customers to {}",
            written.events,
            cfg.customers,
            out.display()
        );
        return Ok(());
    }
    let bar = progress(cfg.customers as u64, false, "simulating");
    let campaign = simulate_with_progress(&cfg, |n| bar.set_position(n as u64))
        .map_err(|e| CliError::Usage(e.to_string()))?;
    bar.finish_and_clear();
    let out = match (&a.out, &a.store, &a.exports) {
        (None, None, None) => Some(PathBuf::from("o2o-sim")),
        (o, _, _) => o.clone(),
    };
    if let Some(dir) = &a.store {
        let mut store = Store::create(dir, "UTC")?;
        let n = campaign.events.len();
        let events = campaign.events.iter().cloned().map(Record::Event);
        store.append("simulator", "events", events)?;
        store.append("simulator", "side", side_records(&campaign))?;
        write_truth(&dir.join("truth.json"), &campaign.truth)?;
        eprintln!(
            "wrote {n} events, assignments and spend for {} customers into the store {}",
            cfg.customers,
            dir.display()
        );
    }
    if let Some(dir) = &a.exports {
        let ex = write_exports(&campaign, dir).map_err(|e| CliError::Io {
            path: e.path.clone(),
            source: e.source,
        })?;
        write_truth(&dir.join("truth.json"), &campaign.truth)?;
        eprintln!(
            "wrote {} export files with their maps ({} bad rows planted, listed in planted.json) to {}",
            ex.files.len(),
            ex.planted.len(),
            dir.display()
        );
    }
    let Some(out) = out else {
        return Ok(());
    };
    write_ndjson_files(&campaign, &out, cfg.customers)
}

fn write_truth(path: &Path, truth: &o2o_core::sim::Truth) -> Result<(), CliError> {
    let f = File::create(path).map_err(CliError::io(path))?;
    serde_json::to_writer(BufWriter::with_capacity(1 << 20, f), truth).map_err(|e| CliError::Io {
        path: path.display().to_string(),
        source: e.into(),
    })
}

fn write_ndjson_files(
    campaign: &o2o_core::sim::Campaign,
    out: &Path,
    customers: usize,
) -> Result<(), CliError> {
    fs::create_dir_all(out).map_err(CliError::io(out))?;
    let path = out.join("events.ndjson");
    let f = File::create(&path).map_err(CliError::io(&path))?;
    write_ndjson(&campaign.events, BufWriter::with_capacity(1 << 20, f))
        .map_err(CliError::io(&path))?;
    write_truth(&out.join("truth.json"), &campaign.truth)?;
    let path = out.join("audience.csv");
    let f = File::create(&path).map_err(CliError::io(&path))?;
    write_audience_csv(&campaign.audience, BufWriter::new(f)).map_err(|e| CliError::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    })?;
    eprintln!(
        "wrote {} events, truth and audience for {} customers to {}",
        campaign.events.len(),
        customers,
        out.display()
    );
    Ok(())
}
