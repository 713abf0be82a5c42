//! The measurement judged against the simulator's truth, on the simulator's raw exports: what
//! the coverage test and the `measure_coverage` example run.

use super::{MeasureOptions, Measurement, Method, Period, Rates, measure, side_from_store};
use crate::identity::ResolutionRules;
use crate::ingest::{CompiledMap, FileReader, SourceMap, open};
use crate::sim::{Campaign, SimConfig, TIMEZONE, simulate, write_exports};
use crate::store::{IngestOptions, Store, resolve_people};
use std::path::Path;

/// A campaign and its measurement from its raw exports.
pub struct Checked {
    /// The simulated campaign (events and truth).
    pub campaign: Campaign,
    /// What `o2o report --store` computes from its exports.
    pub measurement: Measurement,
    /// The store's events as resolved (consent and identifiers linked).
    pub events: Vec<crate::event::Event>,
    /// The identity graph of the store.
    pub graph: crate::identity::IdentityGraph,
    /// Assignments, customers and spend of the store.
    pub side: super::Side,
    /// The options of `measurement`.
    pub opts: MeasureOptions,
}

impl Checked {
    /// Measure again with other events, records or options (the analyst's variations).
    pub fn remeasure(
        &self,
        events: &[crate::event::Event],
        side: &super::Side,
        opts: &MeasureOptions,
    ) -> Result<Measurement, String> {
        let graph = &self.graph;
        let key = |e: &crate::event::Event| graph.profile_id_of_event(e).map(String::from);
        measure(events, &key, side, opts).map_err(|e| e.to_string())
    }
}

/// Simulate `cfg`, write its raw exports into `work/exports`, ingest them into `work/store`,
/// resolve the people and measure the campaign period in USD (rates from the exports), with
/// `opts` for everything else.
pub fn measure_exports(
    cfg: &SimConfig,
    work: &Path,
    mut opts: MeasureOptions,
) -> Result<Checked, String> {
    let campaign = simulate(cfg).map_err(|e| e.to_string())?;
    let dir = work.join("exports");
    let store_dir = work.join("store");
    if store_dir.exists() {
        std::fs::remove_dir_all(&store_dir).map_err(|e| e.to_string())?;
    }
    let exports = write_exports(&campaign, &dir).map_err(|e| e.to_string())?;
    let mut store = Store::create(&store_dir, TIMEZONE).map_err(|e| e.to_string())?;
    for f in &exports.files {
        let text = std::fs::read_to_string(dir.join(&f.map)).map_err(|e| e.to_string())?;
        let map = SourceMap::from_toml(&text)
            .and_then(CompiledMap::new)
            .map_err(|e| format!("{}: {e}", f.map))?;
        let file = std::fs::File::open(dir.join(&f.file)).map_err(|e| e.to_string())?;
        let input = open(file).map_err(|e| e.to_string())?;
        let reader = FileReader::text(&map, &f.file, input).map_err(|e| e.to_string())?;
        store
            .ingest(&map, reader, &IngestOptions::default(), |_| {}, |_| {})
            .map_err(|e| e.to_string())?;
    }
    let people = resolve_people(&store, ResolutionRules::default()).map_err(|e| e.to_string())?;
    let (side, _) = side_from_store(&store, &people.graph).map_err(|e| e.to_string())?;
    let tz = store.timezone();
    let (start, end) = campaign.window();
    let from = super::local_day(start, &tz);
    let to = super::local_day(end - 1, &tz);
    opts.period =
        Period::new(Some(&from), Some(&to), &tz, ("from", "to")).map_err(|e| e.to_string())?;
    opts.timezone = tz;
    opts.currency = Some("USD".to_owned());
    let rates = std::fs::read(dir.join("rates.csv")).map_err(|e| e.to_string())?;
    opts.rates = Some(Rates::read_csv(&rates[..], "rates.csv").map_err(|e| e.to_string())?);
    let graph = &people.graph;
    let key = |e: &crate::event::Event| graph.profile_id_of_event(e).map(String::from);
    let measurement = measure(&people.events, &key, &side, &opts).map_err(|e| e.to_string())?;
    Ok(Checked {
        campaign,
        measurement,
        events: people.events,
        graph: people.graph,
        side,
        opts,
    })
}

/// The true relative lift of visitors of `channel` among targets: its additive lift over the
/// visit probability of targets not exposed to it (the mean baseline plus every other
/// channel's lift times its share of exposed targets).
#[must_use]
pub fn true_relative_lift(c: &Campaign, channel: &str) -> Option<f64> {
    let targets = (c.truth.customers as f64 - c.truth.totals.holdout as f64).max(1.0);
    let me = c.truth.channels.iter().find(|t| t.channel == channel)?;
    let others: f64 = c
        .truth
        .channels
        .iter()
        .filter(|t| t.channel != channel)
        .map(|t| t.lift * t.exposed as f64 / targets)
        .sum();
    Some(me.lift / (c.config.base_visit_rate + others))
}

/// One channel's estimate next to the truth.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct LiftCheck {
    /// The channel.
    pub channel: String,
    /// How the report identified it.
    pub method: Method,
    /// The true relative lift.
    pub truth: f64,
    /// The estimate.
    pub lift: f64,
    /// Its interval.
    pub lift_ci: [f64; 2],
    /// Whether the interval covers the truth.
    pub covered: bool,
}

/// Every channel's relative lift and interval against the truth.
pub fn lift_checks(checked: &Checked) -> Vec<LiftCheck> {
    checked
        .measurement
        .campaigns
        .iter()
        .filter_map(|r| {
            let i = r.incremental.as_ref()?;
            let truth = true_relative_lift(&checked.campaign, &r.channel)?;
            let (lift, ci) = (i.lift?, i.lift_ci?);
            Some(LiftCheck {
                channel: r.channel.clone(),
                method: i.method,
                truth,
                lift,
                lift_ci: ci,
                covered: ci[0] <= truth && truth <= ci[1],
            })
        })
        .collect()
}
