//! `o2o report --events FILE | --store DIR [--json]`: the O2O report, the ROPO report and the KPIs.

use super::CliError;
use o2o_core::identity::ResolutionRules;
use o2o_core::report::{
    HoldoutRow, IncrementalEstimate, ModelCredit, O2oOptions, build_report, estimate_incremental,
};
use o2o_core::sim::read_audience_csv;
use std::fs::{self, File};
use std::io::BufReader;
use std::path::{Path, PathBuf};

/// Flags of `o2o report`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    input: super::input::EventsInput,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Experiment readout (`audience.csv` of `o2o simulate`): adds incremental check-ins and
    /// revenue per channel with confidence intervals and iROAS.
    #[arg(long)]
    audience: Option<PathBuf>,
    /// Attribution credits: a JSON array of {model, channel, campaign?, conversions, value}.
    #[arg(long)]
    credits: Option<PathBuf>,
    /// Holdout estimates from another tool: a JSON array of IncrementalEstimate (overrides
    /// --audience).
    #[arg(long)]
    incremental: Option<PathBuf>,
    /// Influence window in days.
    #[arg(long, default_value_t = 28)]
    window_days: u32,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    confidence: f64,
}

fn read_json<T: serde::de::DeserializeOwned>(p: &Path) -> Result<T, CliError> {
    let text = fs::read_to_string(p).map_err(CliError::io(p))?;
    serde_json::from_str(&text).map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))
}

/// Run `o2o report`.
pub fn run(a: Args) -> Result<(), CliError> {
    let credits: Vec<ModelCredit> = match &a.credits {
        Some(p) => read_json(p)?,
        None => Vec::new(),
    };
    let incremental: Vec<IncrementalEstimate> = match (&a.incremental, &a.audience) {
        (Some(p), _) => read_json(p)?,
        (None, Some(p)) => {
            let f = File::open(p).map_err(CliError::io(p))?;
            let (rows, errors) = read_audience_csv(BufReader::new(f));
            for e in errors.iter().take(10) {
                eprintln!("{}: {e}", p.display());
            }
            let rows: Vec<HoldoutRow> = rows.iter().map(HoldoutRow::from).collect();
            estimate_incremental(&rows, a.confidence).map_err(|e| CliError::Usage(e.to_string()))?
        }
        (None, None) => Vec::new(),
    };
    let opts = O2oOptions {
        window_days: a.window_days,
    };
    // Events are grouped into people by the identity graph (default rules).
    let (graph, events) = a.input.people(ResolutionRules::default())?;
    let key = |e: &o2o_core::event::Event| graph.profile_id_of_event(e).map(String::from);
    let report = build_report(&events, &key, &opts, &credits, &incremental);
    if a.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Core(e.to_string()))?;
        crate::output::print_line(text)?;
    } else {
        crate::output::print(&report.to_string())?;
    }
    Ok(())
}
