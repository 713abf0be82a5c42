//! The whole O2O pipeline on a simulated campaign, as `o2o demo` runs it:
//! simulate → write and re-read the events (as a real export would be) → consent gate →
//! hashing for upload → identity graph → journeys → attribution and uplift → the O2O, ROPO and
//! KPI reports — every stage next to the ground truth it is judged by.
//!
//! Each stage is one call into its module; this module only strings them together and keeps the
//! numbers a person (or a test) needs to judge them.

mod actions;
mod render;
mod stages;
#[cfg(feature = "store")]
mod view;

pub use render::truth_notes;
#[cfg(feature = "store")]
pub use view::TITLE as DEMO_TITLE;

pub use actions::{ActionError, DEMO_RULES, NextActions, VoucherAction, next_actions};

use crate::event::{ReadSummary, read_ndjson, write_ndjson};
use crate::identity::Metrics;
use crate::report::Report;
use crate::sim::{SimConfig, SimError, Totals, simulate_with_progress};
use serde::Serialize;
use std::collections::BTreeMap;

/// A demo run that could not finish: the stage, and the error of the module it called.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The simulator refused its configuration.
    #[error("simulation: {0}")]
    Sim(#[from] SimError),
    /// Writing the events as NDJSON failed.
    #[error("events: {0}")]
    Write(#[source] std::io::Error),
    /// Re-reading the events failed.
    #[error("events: {0}")]
    Read(#[from] crate::event::ReadError),
    /// Writing the simulated exports failed.
    #[cfg(feature = "store")]
    #[error("exports: {0}")]
    Exports(#[from] crate::sim::ExportError),
    /// An export or its map could not be opened.
    #[cfg(feature = "store")]
    #[error("exports: {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A source map of the exports is unusable.
    #[cfg(feature = "store")]
    #[error("exports: {file}: {source}")]
    Map {
        /// The map file.
        file: String,
        /// What is wrong with it.
        #[source]
        source: crate::ingest::MapError,
    },
    /// An export could not be read under its map.
    #[cfg(feature = "store")]
    #[error("exports: {0}")]
    Ingest(#[from] crate::ingest::IngestError),
    /// The event store could not be created, written or read.
    #[cfg(feature = "store")]
    #[error("exports: {0}")]
    Store(#[from] crate::store::StoreError),
    /// The store refused a whole export.
    #[cfg(feature = "store")]
    #[error("exports: {file}: refused: {why}")]
    Refused {
        /// The export.
        file: String,
        /// Why the store refused it.
        why: String,
    },
    /// The store's people could not be resolved.
    #[cfg(feature = "store")]
    #[error("exports: {0}")]
    People(#[from] crate::store::PeopleError),
    /// The identity graph refused the events.
    #[error("identity: {0}")]
    Identity(#[from] crate::identity::IdentityError),
    /// Journeys or attribution models could not be built.
    #[error("attribution: {0}")]
    Attribution(#[from] crate::attribution::AttributionError),
    /// The holdout readouts could not be computed.
    #[error("uplift: {0}")]
    Uplift(#[from] crate::uplift::UpliftError),
    /// The incremental estimates of the report could not be computed.
    #[error("report: {0}")]
    Report(#[from] crate::report::ReportError),
    /// The next actions could not be prepared.
    #[error(transparent)]
    Actions(#[from] ActionError),
}

#[cfg(feature = "store")]
impl PipelineError {
    fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> PipelineError + '_ {
        move |source| PipelineError::Io {
            path: path.display().to_string(),
            source,
        }
    }
}

/// Counts of what the simulated stack collected.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EventCounts {
    /// Events in the export.
    pub total: u64,
    /// Online touchpoints.
    pub touchpoints: u64,
    /// Offline check-ins.
    pub checkins: u64,
    /// Products viewed online (not touchpoints: no attribution counts them).
    pub product_views: u64,
    /// What re-reading the NDJSON export gave.
    pub read: ReadSummary,
    /// Check-ins per method (`qr_scan`, `wifi_join`, …).
    pub checkins_by_method: BTreeMap<String, u64>,
}

/// One channel: what was observed, and the truth it will be judged by.
#[derive(Clone, Debug, Serialize)]
pub struct ChannelLine {
    /// Channel name.
    pub channel: String,
    /// Touchpoints observed.
    pub touchpoints: u64,
    /// Spend observed on touchpoints.
    pub spend: f64,
    /// True customers exposed.
    pub true_exposed: u64,
    /// True additive lift of the visit probability.
    pub true_lift: f64,
    /// True incremental visitors.
    pub true_incremental_visitors: f64,
    /// True incremental check-ins.
    pub true_incremental_checkins: f64,
    /// True incremental revenue.
    pub true_incremental_revenue: f64,
}

/// What the consent gate allowed, per operation, over all events.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentLine {
    /// The operation (`measure`, `link_identity`, `hash_for_upload`, `personalise`).
    pub operation: String,
    /// Events allowed.
    pub allowed: u64,
    /// Events denied (including those without any signal: fail closed).
    pub denied: u64,
}

/// Offline conversions prepared for an ad-platform upload (Meta profile).
#[derive(Clone, Debug, Default, Serialize)]
pub struct UploadSummary {
    /// Campaign-period check-ins considered.
    pub checkins: u64,
    /// Check-ins whose owner allowed hashing for upload.
    pub permitted: u64,
    /// Identifiers hashed (SHA-256 of the normalised value).
    pub hashed: u64,
    /// Identifiers refused by the normaliser (junk, invalid), never hashed.
    pub invalid: u64,
    /// Identifiers of check-ins without consent: never hashed, never sent.
    pub withheld: u64,
    /// A few hashed identifiers, as they would be sent: `(kind, sha256)`.
    pub sample: Vec<(String, String)>,
}

/// The identity graph's result against the truth.
#[derive(Clone, Debug, Serialize)]
pub struct IdentitySummary {
    /// Distinct raw identifier values in the events (before normalisation).
    pub raw_identifiers: u64,
    /// Distinct normalised identifiers in the graph.
    pub identifiers: u64,
    /// Profiles resolved.
    pub profiles: u64,
    /// Merges prevented by per-kind limits.
    pub prevented_merges: u64,
    /// Identifiers treated as shared by the hub guard.
    pub shared: u64,
    /// Quality against the simulator's truth.
    pub metrics: Metrics,
}

/// Attribution: credit per channel and model, next to the truth.
#[derive(Clone, Debug, Serialize)]
pub struct AttributionSummary {
    /// Journeys built from resolved profiles.
    pub journeys: u64,
    /// Journeys that ended in a check-in.
    pub converting: u64,
    /// Model names, in column order.
    pub models: Vec<String>,
    /// One row per channel: credited check-ins per model (same order as `models`) and the true
    /// incremental check-ins.
    pub rows: Vec<AttributionRow>,
    /// Spearman rank correlation of each model's credit with the true incremental check-ins.
    pub spearman: Vec<(String, Option<f64>)>,
}

/// One channel's credit under every model.
#[derive(Clone, Debug, Serialize)]
pub struct AttributionRow {
    /// Channel.
    pub channel: String,
    /// Credited check-ins per model.
    pub credit: Vec<f64>,
    /// True incremental check-ins.
    pub true_incremental_checkins: f64,
}

/// One channel's holdout readout next to the truth.
#[derive(Clone, Debug, Serialize)]
pub struct UpliftLine {
    /// Channel.
    pub channel: String,
    /// Estimated incremental store visitors.
    pub incremental_visitors: f64,
    /// Its interval.
    pub ci: [f64; 2],
    /// The simulator's true incremental visitors.
    pub true_incremental_visitors: f64,
    /// Whether the interval covers the truth.
    pub covers_truth: bool,
    /// Estimated incremental revenue (CUPED on pre-period revenue).
    pub incremental_revenue: f64,
    /// Its interval.
    pub ci_revenue: [f64; 2],
    /// The simulator's true incremental revenue.
    pub true_incremental_revenue: f64,
    /// Two-sided p-value of the visit-rate difference.
    pub p_value: f64,
    /// Benjamini–Hochberg adjusted p-value across the channels.
    pub p_adjusted: f64,
    /// Share of unexposed targets who visited (the baseline of the relative lift).
    pub visit_rate_unexposed: f64,
    /// Absolute lift of the visit probability.
    pub lift: f64,
    /// Its 95 % interval.
    pub lift_ci: [f64; 2],
}

/// Everything `o2o demo` reports.
#[derive(Clone, Debug, Serialize)]
pub struct DemoReport {
    /// The simulated campaign's settings.
    pub config: SimConfig,
    /// What was collected.
    pub events: EventCounts,
    /// Per channel, observed and true.
    pub channels: Vec<ChannelLine>,
    /// True campaign totals.
    pub truth_totals: Totals,
    /// The consent gate over all events.
    pub consent: Vec<ConsentLine>,
    /// Offline conversions hashed for upload.
    pub upload: UploadSummary,
    /// Identity resolution.
    pub identity: IdentitySummary,
    /// Attribution models.
    pub attribution: AttributionSummary,
    /// Holdout uplift per channel (95 % intervals).
    pub uplift: Vec<UpliftLine>,
    /// The O2O, ROPO and KPI reports.
    pub report: Report,
    /// What to do next: vouchers by segment, open survey alerts, loyalty reminders.
    pub next_actions: NextActions,
    /// The raw exports ingested, per file (empty when the demo read its events directly).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ingest: Vec<IngestLine>,
    /// The report for people (`o2o demo --html`), in the report JSON contract's shape; only when
    /// the demo read its events from a store.
    #[cfg(feature = "store")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub view: Option<crate::render::ReportView>,
}

/// One export file of the demo and what ingesting it gave.
#[derive(Clone, Debug, Serialize)]
pub struct IngestLine {
    /// The file.
    pub file: String,
    /// Rows read.
    pub rows: u64,
    /// Records stored.
    pub stored: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Bad rows planted in it by the simulator.
    pub planted: u64,
}

/// Run the demo pipeline. `progress(customers_done)` is called while simulating.
pub fn run_demo(cfg: &SimConfig, progress: impl FnMut(usize)) -> Result<DemoReport, PipelineError> {
    let campaign = simulate_with_progress(cfg, progress)?;
    let mut export = Vec::new();
    write_ndjson(&campaign.events, &mut export).map_err(PipelineError::Write)?;
    let read = read_ndjson(&export[..])?;
    drop(export);
    stages::run(&campaign, &read.events, read.summary)
}

/// Run the demo the way a retailer's data arrives: simulate, write the campaign as raw exports
/// with their maps into `work/exports`, ingest them into the event store `work/store`, resolve
/// the store's people (consent from records and through the person, hashed identifiers
/// joined), then run every stage on the events as the store gives them.
#[cfg(feature = "store")]
pub fn run_demo_from_exports(
    cfg: &SimConfig,
    work: &std::path::Path,
    progress: impl FnMut(usize),
) -> Result<DemoReport, PipelineError> {
    use crate::ingest::{CompiledMap, FileReader, SourceMap, open};
    use crate::store::{IngestOptions, Store};
    let campaign = simulate_with_progress(cfg, progress)?;
    let dir = work.join("exports");
    let store_dir = work.join("store");
    if store_dir.exists() {
        std::fs::remove_dir_all(&store_dir).map_err(PipelineError::io(&store_dir))?;
    }
    let exports = crate::sim::write_exports(&campaign, &dir)?;
    let mut store = Store::create(&store_dir, crate::sim::TIMEZONE)?;
    let mut lines = Vec::new();
    let (mut read, mut rejected) = (0u64, 0u64);
    for f in &exports.files {
        let map_path = dir.join(&f.map);
        let text = std::fs::read_to_string(&map_path).map_err(PipelineError::io(&map_path))?;
        let map = SourceMap::from_toml(&text)
            .and_then(CompiledMap::new)
            .map_err(|source| PipelineError::Map {
                file: f.map.clone(),
                source,
            })?;
        let path = dir.join(&f.file);
        let file = std::fs::File::open(&path).map_err(PipelineError::io(&path))?;
        let input = open(file).map_err(PipelineError::io(&path))?;
        let reader = FileReader::text(&map, &f.file, input)?;
        let report = store.ingest(&map, reader, &IngestOptions::default(), |_| {}, |_| {})?;
        if let Some(why) = &report.refused {
            return Err(PipelineError::Refused {
                file: f.file.clone(),
                why: why.to_string(),
            });
        }
        read += report.stats.records;
        rejected += report.stats.rejected;
        lines.push(IngestLine {
            file: f.file.clone(),
            rows: report.stats.rows,
            stored: report.stored,
            rejected: report.stats.rejected,
            planted: exports.planted.iter().filter(|p| p.file == f.file).count() as u64,
        });
    }
    let people = crate::store::resolve_people(&store, crate::identity::ResolutionRules::default())?;
    let summary = crate::event::ReadSummary { read, rejected };
    let mut report = stages::run(&campaign, &people.events, summary)?;
    report.ingest = lines;
    report.view = Some(view::demo_view(
        &report,
        &store,
        &people.graph,
        &people.events,
    )?);
    Ok(report)
}
