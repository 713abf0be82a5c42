//! Reports for people and machines: every report is a serde value (JSON for machines) and can be
//! rendered as aligned text [`Table`]s (for people).
//!
//! - [`o2o`]: per channel and campaign — exposed profiles, offline check-ins influenced, revenue
//!   credited under each attribution model, spend, cost per check-in, ROAS, and, where a holdout
//!   exists, incremental check-ins and revenue with confidence intervals and iROAS.
//! - [`ropo`]: research-online-purchase-offline (webrooming) and its reverse (showrooming).
//! - [`kpi`]: conversion rate, average order value, repeat rate, check-ins by method.
//!
//! The reports group events by a *profile key* (`Fn(&Event) -> Option<String>`): the identity
//! graph's resolved profile id in the pipeline, [`simple_key`] when no graph is at hand.
//! Attribution and uplift results come in as plain structs ([`ModelCredit`],
//! [`IncrementalEstimate`]) so any model can feed the report.

#[cfg(feature = "stats")]
mod incremental;
pub mod kpi;
pub mod o2o;
mod profiles;
pub mod ropo;

/// The text table, re-exported where it first lived.
pub use crate::table::Table;
#[cfg(feature = "stats")]
pub use incremental::{HoldoutRow, estimate_incremental};
pub use kpi::{Kpis, kpis};
pub use o2o::{IncrementalEstimate, ModelCredit, O2oOptions, O2oReport, o2o_report};
pub use profiles::simple_key;
pub use ropo::{RopoReport, ropo_report};

use crate::event::Event;
use serde::Serialize;
use std::fmt;

/// A report that cannot be computed from its input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The confidence level is not strictly between 0 and 1.
    #[error("confidence {0} must be strictly between 0 and 1")]
    Confidence(f64),
    /// The uplift statistics refused the input.
    #[error("uplift: {0}")]
    Uplift(String),
    /// A holdout row has a non-finite outcome.
    #[error("audience row {row}: {field} is not a finite number")]
    NotFinite {
        /// 0-based row index.
        row: usize,
        /// The field.
        field: &'static str,
    },
}

/// The three reports together, as `o2o report` prints them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    /// Per channel and campaign.
    pub o2o: O2oReport,
    /// Webrooming and showrooming.
    pub ropo: RopoReport,
    /// Headline KPIs.
    pub kpis: Kpis,
}

/// Build all three reports over the same events and profile key.
pub fn build_report(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    opts: &O2oOptions,
    credits: &[ModelCredit],
    incremental: &[IncrementalEstimate],
) -> Report {
    Report {
        o2o: o2o_report(events, key, opts, credits, incremental),
        ropo: ropo_report(events, key, opts.window_days),
        kpis: kpis(events, key, opts.window_days),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "O2O report (window {} days)", self.o2o.window_days)?;
        write!(f, "{}", self.o2o)?;
        writeln!(f)?;
        writeln!(f, "ROPO report")?;
        write!(f, "{}", self.ropo)?;
        writeln!(f)?;
        writeln!(f, "KPIs")?;
        write!(f, "{}", self.kpis)
    }
}

/// Format an optional number with `digits` decimals, `-` when absent.
pub(crate) fn num(x: Option<f64>, digits: usize) -> String {
    match x {
        Some(v) if v.is_finite() => format!("{v:.digits$}"),
        _ => "-".to_owned(),
    }
}

/// `a / b`, `None` when `b` is zero.
pub(crate) fn ratio(a: f64, b: f64) -> Option<f64> {
    (b != 0.0).then(|| a / b)
}

#[cfg(test)]
mod tests;
