//! The O2O report: what each channel and campaign did for the stores.

use super::profiles::by_profile;
use super::{Table, num, ratio};
use crate::event::{Event, TouchAction};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Conversions and value one attribution model gave a channel (and campaign), as produced by
/// the attribution module or any other tool.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCredit {
    /// Model name (`last_touch`, `markov`, `shapley`…).
    pub model: String,
    /// Channel credited.
    pub channel: String,
    /// Campaign credited; `None` credits the channel as a whole (shown on each of its rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Conversions (check-ins) credited, possibly fractional.
    pub conversions: f64,
    /// Revenue credited.
    pub value: f64,
}

/// A causal estimate for one channel from a randomised holdout, as produced by the uplift
/// module or [`estimate_incremental`](super::estimate_incremental).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IncrementalEstimate {
    /// Channel.
    pub channel: String,
    /// Campaign, when the estimate is for one campaign of the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Profiles exposed (the treated group).
    pub exposed: u64,
    /// Profiles in the comparison group.
    pub control: u64,
    /// Confidence level of the intervals (0.95).
    pub confidence: f64,
    /// Incremental check-ins caused.
    pub incremental_checkins: f64,
    /// Confidence interval of `incremental_checkins`.
    pub ci: (f64, f64),
    /// Incremental revenue caused.
    pub incremental_revenue: f64,
    /// Confidence interval of `incremental_revenue`.
    pub ci_revenue: (f64, f64),
}

/// Report options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct O2oOptions {
    /// A check-in is *influenced* by a channel when the same profile was touched by it at most
    /// this many days before.
    pub window_days: u32,
}

impl Default for O2oOptions {
    fn default() -> Self {
        O2oOptions { window_days: 28 }
    }
}

/// Revenue one model credits to a row, with its ROAS.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Credited {
    /// Model name.
    pub model: String,
    /// Conversions credited.
    pub conversions: f64,
    /// Revenue credited.
    pub revenue: f64,
    /// `revenue / spend`.
    pub roas: Option<f64>,
}

/// The holdout-based part of a row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Incremental {
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Incremental check-ins.
    pub incremental_checkins: f64,
    /// Its interval.
    pub ci_checkins: (f64, f64),
    /// Incremental revenue.
    pub incremental_revenue: f64,
    /// Its interval.
    pub ci_revenue: (f64, f64),
    /// Spend per incremental check-in.
    pub cost_per_incremental_checkin: Option<f64>,
    /// Incremental revenue / spend.
    pub iroas: Option<f64>,
    /// `ci_revenue / spend`.
    pub ci_iroas: Option<(f64, f64)>,
}

/// One channel and campaign.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ChannelRow {
    /// Channel.
    pub channel: String,
    /// Campaign (`None` for touchpoints without one).
    pub campaign: Option<String>,
    /// Touchpoints.
    pub touchpoints: u64,
    /// Distinct profiles touched.
    pub exposed_profiles: u64,
    /// Check-ins of touched profiles within the window after a touch.
    pub checkins_influenced: u64,
    /// Revenue of those check-ins.
    pub revenue_influenced: f64,
    /// Spend (sum of touchpoint costs).
    pub spend: f64,
    /// `spend / checkins_influenced`.
    pub cost_per_checkin: Option<f64>,
    /// `revenue_influenced / spend` (an upper bound: influenced is not caused).
    pub roas: Option<f64>,
    /// Revenue credited by each attribution model given, by model name.
    pub credited: Vec<Credited>,
    /// Holdout estimate, when one was given for this channel.
    pub incremental: Option<Incremental>,
}

/// The O2O report.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct O2oReport {
    /// Influence window in days.
    pub window_days: u32,
    /// Rows sorted by channel then campaign.
    pub rows: Vec<ChannelRow>,
}

/// Whether a touchpoint is media (a row of the report): it has a campaign or a cost. Organic
/// visits and online purchases are not media.
fn is_media(t: &crate::event::Touchpoint) -> bool {
    t.action != TouchAction::Purchase && (t.campaign.is_some() || t.cost.is_some())
}

type RowKey = (String, Option<String>);

/// Build the O2O report.
///
/// `credits` and `incremental` come from the attribution and uplift modules (or any tool); a
/// credit or estimate without a campaign applies to every row of its channel.
pub fn o2o_report(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    opts: &O2oOptions,
    credits: &[ModelCredit],
    incremental: &[IncrementalEstimate],
) -> O2oReport {
    #[derive(Default)]
    struct Acc {
        touchpoints: u64,
        spend: f64,
        exposed: BTreeSet<String>,
        checkins: u64,
        revenue: f64,
    }
    let mut acc: BTreeMap<RowKey, Acc> = BTreeMap::new();
    for e in events {
        if let Event::Touchpoint(t) = e
            && is_media(t)
        {
            let a = acc
                .entry((t.channel.clone(), t.campaign.clone()))
                .or_default();
            a.touchpoints += 1;
            a.spend += t.cost.unwrap_or(0.0);
        }
    }
    let window = i64::from(opts.window_days) * 86_400;
    for (profile, evs) in by_profile(events, key) {
        // Touch times per row, ascending (events are sorted by time).
        let mut touches: BTreeMap<RowKey, Vec<i64>> = BTreeMap::new();
        for e in &evs {
            if let Event::Touchpoint(t) = e
                && is_media(t)
            {
                touches
                    .entry((t.channel.clone(), t.campaign.clone()))
                    .or_default()
                    .push(t.timestamp);
            }
        }
        for (row, times) in &touches {
            let a = acc.entry(row.clone()).or_default();
            a.exposed.insert(profile.clone());
            for e in &evs {
                if let Event::CheckIn(c) = e {
                    // Latest touch at or before the check-in.
                    let n = times.partition_point(|&t| t <= c.timestamp);
                    if n > 0 && c.timestamp - times[n - 1] <= window {
                        a.checkins += 1;
                        a.revenue += c.value.unwrap_or(0.0);
                    }
                }
            }
        }
    }
    let applies = |ch: &str, camp: &Option<String>, row: &RowKey| {
        ch == row.0 && (camp.is_none() || *camp == row.1)
    };
    let rows = acc
        .into_iter()
        .map(|(rk, a)| {
            let mut by_model: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
            for c in credits
                .iter()
                .filter(|c| applies(&c.channel, &c.campaign, &rk))
            {
                let m = by_model.entry(c.model.as_str()).or_default();
                m.0 += c.conversions;
                m.1 += c.value;
            }
            let credited = by_model
                .into_iter()
                .map(|(model, (conversions, revenue))| Credited {
                    model: model.to_owned(),
                    conversions,
                    revenue,
                    roas: ratio(revenue, a.spend),
                })
                .collect();
            let incremental = incremental
                .iter()
                .find(|i| applies(&i.channel, &i.campaign, &rk))
                .map(|i| Incremental {
                    confidence: i.confidence,
                    incremental_checkins: i.incremental_checkins,
                    ci_checkins: i.ci,
                    incremental_revenue: i.incremental_revenue,
                    ci_revenue: i.ci_revenue,
                    cost_per_incremental_checkin: ratio(a.spend, i.incremental_checkins),
                    iroas: ratio(i.incremental_revenue, a.spend),
                    ci_iroas: (a.spend != 0.0)
                        .then(|| (i.ci_revenue.0 / a.spend, i.ci_revenue.1 / a.spend)),
                });
            ChannelRow {
                channel: rk.0,
                campaign: rk.1,
                touchpoints: a.touchpoints,
                exposed_profiles: a.exposed.len() as u64,
                checkins_influenced: a.checkins,
                revenue_influenced: a.revenue,
                spend: a.spend,
                cost_per_checkin: ratio(a.spend, a.checkins as f64),
                roas: ratio(a.revenue, a.spend),
                credited,
                incremental,
            }
        })
        .collect();
    O2oReport {
        window_days: opts.window_days,
        rows,
    }
}

impl O2oReport {
    /// The people view: one table of reach and influence, one of credited revenue per model,
    /// one of holdout estimates (the last two only when there is something to show).
    #[must_use]
    pub fn tables(&self) -> Vec<Table> {
        let mut main = Table::new([
            "channel",
            "campaign",
            "exposed",
            "check-ins infl.",
            "revenue infl.",
            "spend",
            "cost/check-in",
            "ROAS",
        ]);
        let mut credit = Table::new([
            "channel",
            "campaign",
            "model",
            "conversions",
            "revenue",
            "ROAS",
        ]);
        let mut inc = Table::new([
            "channel",
            "campaign",
            "incr. check-ins",
            "CI",
            "incr. revenue",
            "CI",
            "iROAS",
            "CI",
        ]);
        for r in &self.rows {
            let camp = r.campaign.clone().unwrap_or_else(|| "-".into());
            main.row([
                r.channel.clone(),
                camp.clone(),
                r.exposed_profiles.to_string(),
                r.checkins_influenced.to_string(),
                format!("{:.2}", r.revenue_influenced),
                format!("{:.2}", r.spend),
                num(r.cost_per_checkin, 2),
                num(r.roas, 2),
            ]);
            for c in &r.credited {
                credit.row([
                    r.channel.clone(),
                    camp.clone(),
                    c.model.clone(),
                    format!("{:.1}", c.conversions),
                    format!("{:.2}", c.revenue),
                    num(c.roas, 2),
                ]);
            }
            if let Some(i) = &r.incremental {
                inc.row([
                    r.channel.clone(),
                    camp.clone(),
                    format!("{:.1}", i.incremental_checkins),
                    format!("[{:.1}, {:.1}]", i.ci_checkins.0, i.ci_checkins.1),
                    format!("{:.2}", i.incremental_revenue),
                    format!("[{:.2}, {:.2}]", i.ci_revenue.0, i.ci_revenue.1),
                    num(i.iroas, 2),
                    i.ci_iroas
                        .map_or_else(|| "-".into(), |(lo, hi)| format!("[{lo:.2}, {hi:.2}]")),
                ]);
            }
        }
        let mut out = vec![main];
        if !credit.is_empty() {
            out.push(credit);
        }
        if !inc.is_empty() {
            out.push(inc);
        }
        out
    }
}

impl fmt::Display for O2oReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, t) in self.tables().iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{t}")?;
        }
        Ok(())
    }
}
