//! Per-channel readout of a simulated (or real) holdout audience: each channel is randomised
//! independently among target customers, so within the target group, customers exposed to a
//! channel against those not exposed to it estimate that channel's causal lift.

use super::cuped::cuped;
use super::error::UpliftError;
use super::finite::guard;
use super::incrementality::{Estimate, holdout_arm, incrementality};
use super::proportions::Alternative;
use crate::sim::{AudienceRow, Group};
use crate::uplift::TestOptions;
use serde::{Deserialize, Serialize};

/// What one channel caused, estimated from the audience.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelUplift {
    /// Channel name.
    pub channel: String,
    /// Target customers exposed to the channel.
    pub exposed: u64,
    /// Target customers not exposed to it.
    pub unexposed: u64,
    /// Share of exposed customers who visited a store.
    pub visit_rate_exposed: f64,
    /// Share of unexposed target customers who visited.
    pub visit_rate_unexposed: f64,
    /// Lift of the visit probability (absolute) with its Newcombe interval: estimates
    /// `truth.channels[i].lift`.
    pub lift: Estimate,
    /// Two-sided p-value of the visit-rate difference.
    pub p_value: f64,
    /// Incremental visitors among the exposed (`lift · exposed`): estimates
    /// `truth.channels[i].incremental_visitors`.
    pub incremental_visitors: Estimate,
    /// Incremental revenue among the exposed (Welch).
    pub incremental_revenue: Estimate,
    /// Incremental revenue with CUPED on pre-period revenue (narrower interval).
    pub incremental_revenue_cuped: Estimate,
}

fn is_visitor(r: &AudienceRow) -> bool {
    r.checkins > 0
}

/// Estimate the uplift of `channel` from `audience` at level `1 − alpha`.
///
/// ```
/// use o2o_core::sim::{SimConfig, simulate};
/// use o2o_core::uplift::channel_readout;
/// let c = simulate(&SimConfig { customers: 2000, ..SimConfig::default() }).unwrap();
/// let r = channel_readout(&c.audience, "facebook", 0.05).unwrap();
/// assert_eq!(r.exposed, c.truth.channels[1].exposed);
/// ```
pub fn channel_readout(
    audience: &[AudienceRow],
    channel: &str,
    alpha: f64,
) -> Result<ChannelUplift, UpliftError> {
    let (mut exp, mut unexp) = (Vec::new(), Vec::new());
    let (mut exp_pre, mut unexp_pre) = (Vec::new(), Vec::new());
    for r in audience.iter().filter(|r| r.group == Group::Target) {
        let o = (is_visitor(r), r.revenue);
        if r.channels.split('|').any(|c| c == channel) {
            exp.push(o);
            exp_pre.push((r.pre_revenue, r.revenue));
        } else {
            unexp.push(o);
            unexp_pre.push((r.pre_revenue, r.revenue));
        }
    }
    if exp.len() < 2 || unexp.len() < 2 {
        return Err(UpliftError::TooFew {
            what: format!("a readout of channel `{channel}` (exposed and unexposed customers)"),
            need: 2,
            got: exp.len().min(unexp.len()),
        });
    }
    let a = holdout_arm(&exp)?;
    let b = holdout_arm(&unexp)?;
    let inc = incrementality(&a, &b, 0.0, alpha)?;
    let n = a.customers as f64;
    let cu = cuped(
        &exp_pre,
        &unexp_pre,
        &TestOptions {
            alpha,
            alternative: Alternative::TwoSided,
        },
    )?;
    guard(ChannelUplift {
        channel: channel.to_owned(),
        exposed: a.customers,
        unexposed: b.customers,
        visit_rate_exposed: a.conversions as f64 / n,
        visit_rate_unexposed: b.conversions as f64 / b.customers as f64,
        lift: inc.conversion_lift,
        p_value: inc.p_value_conversions,
        incremental_visitors: inc.incremental_conversions,
        incremental_revenue: inc.incremental_revenue,
        incremental_revenue_cuped: Estimate {
            value: cu.adjusted.absolute_lift * n,
            ci: [cu.adjusted.ci_welch[0] * n, cu.adjusted.ci_welch[1] * n],
        },
    })
}

/// Readouts of every channel named in `channels`, in that order.
pub fn channel_readouts(
    audience: &[AudienceRow],
    channels: &[&str],
    alpha: f64,
) -> Result<Vec<ChannelUplift>, UpliftError> {
    channels
        .iter()
        .map(|c| channel_readout(audience, c, alpha))
        .collect()
}
