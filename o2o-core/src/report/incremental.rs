//! Incremental check-ins and revenue per channel from a randomised holdout (Welch's t interval).
//!
//! Among *target* customers each channel is its own randomised experiment (exposure drawn
//! independently per channel), so for channel `c` the customers exposed to `c` and the targets
//! not exposed to `c` differ only by `c` in expectation. The effect per exposed customer is the
//! difference in means; multiplied by the number exposed it is the channel's incremental total.
//! Unequal variances (exposed customers visit more, and revenue is heavy-tailed) call for
//! Welch's interval with Welch–Satterthwaite degrees of freedom.

use super::ReportError;
use super::o2o::IncrementalEstimate;
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, Normal, StudentsT};
use std::collections::{BTreeMap, BTreeSet};

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

#[derive(Default)]
struct Moments {
    n: f64,
    sum: f64,
    sum_sq: f64,
}

impl Moments {
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.sum += x;
        self.sum_sq += x * x;
    }
    fn mean(&self) -> f64 {
        self.sum / self.n
    }
    /// Unbiased sample variance (n ≥ 2 is checked by the caller).
    fn var(&self) -> f64 {
        ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0)
    }
}

/// Welch: difference of means, its half-width at `confidence`.
fn welch(t: &Moments, c: &Moments, confidence: f64) -> (f64, f64) {
    let (vt, vc) = (t.var() / t.n, c.var() / c.n);
    let se = (vt + vc).sqrt();
    let df = (vt + vc).powi(2) / (vt * vt / (t.n - 1.0) + vc * vc / (c.n - 1.0));
    let p = 1.0 - (1.0 - confidence) / 2.0;
    let q = match StudentsT::new(0.0, 1.0, df) {
        Ok(d) if df.is_finite() => d.inverse_cdf(p),
        // df is NaN or infinite when a variance is zero: use the normal limit.
        _ => Normal::standard().inverse_cdf(p),
    };
    (t.mean() - c.mean(), q * se)
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
        let mut m: BTreeMap<bool, (Moments, Moments)> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.target) {
            let exposed = r.channels.iter().any(|c| c == ch);
            let e = m.entry(exposed).or_default();
            e.0.add(r.checkins);
            e.1.add(r.revenue);
        }
        let (Some(t), Some(c)) = (m.get(&true), m.get(&false)) else {
            continue;
        };
        if t.0.n < 2.0 || c.0.n < 2.0 {
            continue;
        }
        let n = t.0.n;
        let (dc, hc) = welch(&t.0, &c.0, confidence);
        let (dr, hr) = welch(&t.1, &c.1, confidence);
        out.push(IncrementalEstimate {
            channel: ch.to_owned(),
            campaign: None,
            // Counts are whole numbers below 2^53.
            exposed: n as u64,
            control: c.0.n as u64,
            confidence,
            incremental_checkins: dc * n,
            ci: ((dc - hc) * n, (dc + hc) * n),
            incremental_revenue: dr * n,
            ci_revenue: ((dr - hr) * n, (dr + hr) * n),
        });
    }
    Ok(out)
}
