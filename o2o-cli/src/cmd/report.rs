//! `o2o report --events FILE | --store DIR [--json] [--html FILE] [--xlsx FILE]`: the O2O
//! report, the ROPO report and the KPIs — as text for people (headline first), JSON for
//! machines, a self-contained HTML page with charts, or an Excel workbook.

use super::CliError;
use o2o_core::identity::ResolutionRules;
use o2o_core::render::series::{context_from_events, context_from_store, fingerprint};
use o2o_core::render::{self, ReportView};
use o2o_core::report::{
    HoldoutRow, IncrementalEstimate, ModelCredit, O2oOptions, build_report, estimate_incremental,
};
use o2o_core::sim::read_audience_csv;
use o2o_core::store::Store;
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
    /// Also write the report as one self-contained HTML page (charts, tables, how to read it).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Also write the report's tables as an Excel workbook, one sheet per table.
    #[arg(long, value_name = "FILE")]
    xlsx: Option<PathBuf>,
}

/// Title of the rendered report.
const TITLE: &str = "O2O campaign report";

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
    let ctx = match &a.input.store {
        Some(dir) => context_from_store(&Store::open(dir)?, &graph, &events, TITLE, a.window_days)?,
        None => context_from_events(&events, fingerprint(graph.rules()), TITLE, a.window_days),
    };
    let view = ReportView::from_report(&report, ctx);
    write_rendered(&view, a.html.as_deref(), a.xlsx.as_deref())?;
    if a.json {
        let text =
            serde_json::to_string_pretty(&report).map_err(|e| CliError::Core(e.to_string()))?;
        crate::output::print_line(text)?;
    } else {
        crate::output::print(&render::text::render(&view))?;
    }
    Ok(())
}

/// Write the HTML page and the workbook where asked.
pub fn write_rendered(
    view: &ReportView,
    html: Option<&Path>,
    xlsx: Option<&Path>,
) -> Result<(), CliError> {
    if let Some(p) = html {
        fs::write(p, render::html::render(view)).map_err(CliError::io(p))?;
        eprintln!("wrote {}", p.display());
    }
    if let Some(p) = xlsx {
        render::xlsx::write(view, p)
            .map_err(|e| CliError::Core(format!("{}: {e}", p.display())))?;
        eprintln!("wrote {}", p.display());
    }
    Ok(())
}
