//! Incremental check-ins and revenue per channel from a randomised holdout (Welch's t interval).
//!
//! Among *target* customers each channel is its own randomised experiment (exposure drawn
//! independently per channel), so for channel `c` the customers exposed to `c` and the targets
//! not exposed to `c` differ only by `c` in expectation. The effect per exposed customer is the
//! difference in means; multiplied by the number exposed it is the channel's incremental total.
//! Unequal variances (exposed customers visit more, and revenue is heavy-tailed) call for
//! Welch's interval with Welch–Satterthwaite degrees of freedom; the statistics are
//! [`crate::uplift::welch_ttest_samples`]'s. ([`crate::uplift::channel_readout`] gives the same
//! revenue interval plus CUPED; this adds incremental check-ins and the report's input shape.)

use super::ReportError;
use super::o2o::IncrementalEstimate;
use crate::uplift::TestOptions;
use crate::uplift::{Alternative, UpliftError, welch_ttest_samples};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// One customer of an experiment readout.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HoldoutRow {
    /// `true` for the target group (eligible for exposure), `false` for the holdout.
    pub target: bool,
    /// Channels the customer was exposed to.
    pub channels: Vec<String>,
    /// Check-ins during the campaign.
    pub checkins: f64,
    /// Revenue during the campaign.
    pub revenue: f64,
}

#[cfg(feature = "sim")]
impl From<&crate::sim::AudienceRow> for HoldoutRow {
    fn from(r: &crate::sim::AudienceRow) -> Self {
        HoldoutRow {
            target: r.group == crate::sim::Group::Target,
            channels: r
                .channels
                .split('|')
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            checkins: f64::from(r.checkins),
            revenue: r.revenue,
        }
    }
}

/// Difference in means with its two-sided interval at `confidence`: Welch's test from the
/// uplift module (checked there against scipy). When both groups are constant the difference
/// is exact and the interval has zero width.
fn welch(t: &[f64], c: &[f64], confidence: f64) -> Result<(f64, (f64, f64)), ReportError> {
    match welch_ttest_samples(
        t,
        c,
        &TestOptions {
            alpha: 1.0 - confidence,
            alternative: Alternative::TwoSided,
        },
    ) {
        Ok(w) => Ok((w.absolute_lift, (w.ci_welch[0], w.ci_welch[1]))),
        Err(UpliftError::Degenerate(_)) => {
            let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
            let d = mean(t) - mean(c);
            Ok((d, (d, d)))
        }
        Err(e) => Err(ReportError::Uplift(e.to_string())),
    }
}

/// Estimate every channel's incremental check-ins and revenue from an experiment readout.
///
/// A channel gets an estimate when at least two targets were exposed to it and two were not.
/// Channels come out sorted by name. The holdout group itself is not needed by this estimator
/// (unexposed targets are the control), but its presence is what makes exposure random.
///
/// ```
/// use o2o_core::report::{HoldoutRow, estimate_incremental};
/// let row = |ch: &[&str], rev: f64| HoldoutRow {
///     target: true, channels: ch.iter().map(|s| s.to_string()).collect(),
///     checkins: if rev > 0.0 { 1.0 } else { 0.0 }, revenue: rev };
/// let rows = vec![row(&["fb"], 10.0), row(&["fb"], 12.0), row(&[], 2.0), row(&[], 0.0)];
/// let est = estimate_incremental(&rows, 0.95).unwrap();
/// assert_eq!(est[0].channel, "fb");
/// assert_eq!(est[0].incremental_revenue, (11.0 - 1.0) * 2.0);
/// ```
pub fn estimate_incremental(
    rows: &[HoldoutRow],
    confidence: f64,
) -> Result<Vec<IncrementalEstimate>, ReportError> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(ReportError::Confidence(confidence));
    }
    for (i, r) in rows.iter().enumerate() {
        if !r.checkins.is_finite() {
            return Err(ReportError::NotFinite {
                row: i,
                field: "checkins",
            });
        }
        if !r.revenue.is_finite() {
            return Err(ReportError::NotFinite {
                row: i,
                field: "revenue",
            });
        }
    }
    let channels: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r.target)
        .flat_map(|r| r.channels.iter().map(String::as_str))
        .collect();
    let mut out = Vec::new();
    for ch in channels {
        // (check-ins, revenue) of targets exposed to `ch`, and of targets not exposed to it.
        let (mut t, mut c) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
        for r in rows.iter().filter(|r| r.target) {
            let g = if r.channels.iter().any(|x| x == ch) {
                &mut t
            } else {
                &mut c
            };
            g.0.push(r.checkins);
            g.1.push(r.revenue);
        }
        if t.0.len() < 2 || c.0.len() < 2 {
            continue;
        }
        let n = t.0.len() as f64;
        let (dc, ci_c) = welch(&t.0, &c.0, confidence)?;
        let (dr, ci_r) = welch(&t.1, &c.1, confidence)?;
        out.push(IncrementalEstimate {
            channel: ch.to_owned(),
            campaign: None,
            exposed: t.0.len() as u64,
            control: c.0.len() as u64,
            confidence,
            incremental_checkins: dc * n,
            ci: (ci_c.0 * n, ci_c.1 * n),
            incremental_revenue: dr * n,
            ci_revenue: (ci_r.0 * n, ci_r.1 * n),
        });
    }
    Ok(out)
}
