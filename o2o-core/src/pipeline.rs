//! The whole O2O pipeline on a simulated campaign, as `o2o demo` runs it:
//! simulate → write and re-read the events (as a real export would be) → every analysis that
//! exists → one report, next to the ground truth it is judged by.

use crate::event::{Event, ReadSummary, read_ndjson, write_ndjson};
use crate::report::Table;
use crate::sim::{Campaign, SimConfig, SimError, Totals, simulate_with_progress};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// A demo run that could not finish.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The simulator refused its configuration.
    #[error("simulation: {0}")]
    Sim(#[from] SimError),
    /// Writing or re-reading the events failed.
    #[error("events: {0}")]
    Events(String),
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
}

/// Run the demo pipeline. `progress(customers_done)` is called while simulating.
pub fn run_demo(cfg: &SimConfig, progress: impl FnMut(usize)) -> Result<DemoReport, PipelineError> {
    let campaign = simulate_with_progress(cfg, progress)?;
    let mut export = Vec::new();
    write_ndjson(&campaign.events, &mut export)
        .map_err(|e| PipelineError::Events(e.to_string()))?;
    let read = read_ndjson(&export[..]).map_err(|e| PipelineError::Events(e.to_string()))?;
    Ok(build_report(&campaign, &read.events, read.summary))
}

fn build_report(c: &Campaign, events: &[Event], read: ReadSummary) -> DemoReport {
    let mut counts = EventCounts {
        total: events.len() as u64,
        read,
        ..EventCounts::default()
    };
    let mut touch_by_channel: BTreeMap<&str, (u64, f64)> = BTreeMap::new();
    for ev in events {
        match ev {
            Event::Touchpoint(t) => {
                counts.touchpoints += 1;
                let e = touch_by_channel.entry(t.channel.as_str()).or_default();
                e.0 += 1;
                e.1 += t.cost.unwrap_or(0.0);
            }
            Event::CheckIn(ci) => {
                counts.checkins += 1;
                *counts
                    .checkins_by_method
                    .entry(ci.method.as_str().to_owned())
                    .or_default() += 1;
            }
        }
    }
    let channels = c
        .truth
        .channels
        .iter()
        .map(|t| {
            let (touchpoints, spend) = touch_by_channel
                .get(t.channel.as_str())
                .copied()
                .unwrap_or_default();
            ChannelLine {
                channel: t.channel.clone(),
                touchpoints,
                spend,
                true_exposed: t.exposed,
                true_lift: t.lift,
                true_incremental_visitors: t.incremental_visitors,
                true_incremental_checkins: t.incremental_checkins,
                true_incremental_revenue: t.incremental_revenue,
            }
        })
        .collect();
    DemoReport {
        config: c.config.clone(),
        events: counts,
        channels,
        truth_totals: c.truth.totals.clone(),
    }
}

impl fmt::Display for DemoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.config;
        writeln!(
            f,
            "o2o demo — {} customers, seed {}, {} days, {} stores, {:.0} % holdout\n",
            c.customers,
            c.seed,
            c.days,
            c.stores,
            c.holdout_share * 100.0
        )?;
        let e = &self.events;
        writeln!(
            f,
            "Events: {} ({} online touchpoints, {} offline check-ins); export re-read: {}\n",
            e.total, e.touchpoints, e.checkins, e.read
        )?;
        let mut t = Table::new(["check-in method", "count"]);
        for (m, n) in &e.checkins_by_method {
            t.row([m.clone(), n.to_string()]);
        }
        writeln!(f, "{t}")?;
        writeln!(
            f,
            "Channels, with the ground truth every model is judged by:"
        )?;
        let mut t = Table::new([
            "channel",
            "touchpoints",
            "spend",
            "exposed",
            "true lift",
            "true incr. visitors",
            "true incr. check-ins",
            "true incr. revenue",
        ]);
        for ch in &self.channels {
            t.row([
                ch.channel.clone(),
                ch.touchpoints.to_string(),
                format!("{:.2}", ch.spend),
                ch.true_exposed.to_string(),
                format!("{:+.1} pp", ch.true_lift * 100.0),
                format!("{:.1}", ch.true_incremental_visitors),
                format!("{:.1}", ch.true_incremental_checkins),
                format!("{:.2}", ch.true_incremental_revenue),
            ]);
        }
        writeln!(f, "{t}")?;
        let tt = &self.truth_totals;
        writeln!(
            f,
            "Truth totals: {} visitors, {} check-ins, revenue {:.2}, spend {:.2}, {} in holdout",
            tt.visitors, tt.checkins, tt.revenue, tt.spend, tt.holdout
        )
    }
}
