//! ROPO: research online, purchase offline (webrooming) — and the reverse, visiting a store then
//! buying online (showrooming). Both tell a retailer which side of the journey each channel
//! feeds, so online and store teams stop claiming the same sale.

use super::profiles::by_profile;
use super::{Table, ratio};
use crate::event::{Event, TouchAction};
use serde::Serialize;
use std::fmt;

/// Lag bucket upper bounds in seconds, and their labels.
const BUCKETS: [(i64, &str); 5] = [
    (3_600, "[0, 1 h)"),
    (86_400, "[1 h, 1 d)"),
    (3 * 86_400, "[1 d, 3 d)"),
    (7 * 86_400, "[3 d, 7 d)"),
    (i64::MAX, "[7 d, ∞)"),
];

/// How many journeys had a lag in one range.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LagBucket {
    /// The range, lower bound included, e.g. `[1 h, 1 d)`.
    pub label: String,
    /// Journeys in it.
    pub count: u64,
    /// Share of all journeys of that kind.
    pub share: Option<f64>,
}

/// The ROPO report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct RopoReport {
    /// Look-back window in days.
    pub window_days: u32,
    /// In-store purchases (check-ins with a value) of known profiles.
    pub offline_purchases: u64,
    /// Those preceded by online research (click, site visit, message open, voucher claim)
    /// within the window.
    pub webrooming: u64,
    /// `webrooming / offline_purchases`.
    pub webrooming_share: Option<f64>,
    /// Online purchases (`purchase` touchpoints) of known profiles.
    pub online_purchases: u64,
    /// Those preceded by a store check-in within the window.
    pub showrooming: u64,
    /// `showrooming / online_purchases`.
    pub showrooming_share: Option<f64>,
    /// Time from the last research to the store purchase.
    pub webrooming_lag: Vec<LagBucket>,
    /// Time from the last store visit to the online purchase.
    pub showrooming_lag: Vec<LagBucket>,
}

fn is_research(a: TouchAction) -> bool {
    matches!(
        a,
        TouchAction::Click | TouchAction::Visit | TouchAction::Open | TouchAction::VoucherClaim
    )
}

fn buckets(lags: &[i64]) -> Vec<LagBucket> {
    let mut counts = [0u64; BUCKETS.len()];
    for &l in lags {
        let k = BUCKETS
            .iter()
            .position(|(hi, _)| l < *hi)
            .unwrap_or(BUCKETS.len() - 1);
        counts[k] += 1;
    }
    BUCKETS
        .iter()
        .zip(counts)
        .map(|((_, label), count)| LagBucket {
            label: (*label).to_owned(),
            count,
            share: ratio(count as f64, lags.len() as f64),
        })
        .collect()
}

/// Build the ROPO report over events grouped by profile.
pub fn ropo_report(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    window_days: u32,
) -> RopoReport {
    let window = i64::from(window_days) * 86_400;
    let (mut offline, mut online) = (0u64, 0u64);
    let (mut web_lags, mut show_lags) = (Vec::new(), Vec::new());
    for evs in by_profile(events, key).values() {
        let (mut last_research, mut last_visit): (Option<i64>, Option<i64>) = (None, None);
        // Events are in time order; at equal times a research touch or visit counts as before.
        for e in evs {
            match e {
                Event::Touchpoint(t) if t.action == TouchAction::Purchase => {
                    online += 1;
                    if let Some(v) = last_visit.filter(|&v| t.timestamp - v <= window) {
                        show_lags.push(t.timestamp - v);
                    }
                }
                Event::Touchpoint(t) if is_research(t.action) => {
                    last_research = Some(t.timestamp);
                }
                // A product view is research too, but the ROPO report reads the touchpoints that
                // every export has (visits, clicks), so that its figures do not depend on whether
                // a retailer also exports product views.
                Event::Touchpoint(_) | Event::ProductView(_) => {}
                Event::CheckIn(c) => {
                    if c.value.is_some_and(|v| v > 0.0) {
                        offline += 1;
                        if let Some(r) = last_research.filter(|&r| c.timestamp - r <= window) {
                            web_lags.push(c.timestamp - r);
                        }
                    }
                    last_visit = Some(c.timestamp);
                }
            }
        }
    }
    RopoReport {
        window_days,
        offline_purchases: offline,
        webrooming: web_lags.len() as u64,
        webrooming_share: ratio(web_lags.len() as f64, offline as f64),
        online_purchases: online,
        showrooming: show_lags.len() as u64,
        showrooming_share: ratio(show_lags.len() as f64, online as f64),
        webrooming_lag: buckets(&web_lags),
        showrooming_lag: buckets(&show_lags),
    }
}

impl RopoReport {
    /// The people view: counts and shares, then the lag distribution.
    #[must_use]
    pub fn tables(&self) -> Vec<Table> {
        let pct = |x: Option<f64>| super::num(x.map(|v| v * 100.0), 1);
        let mut t = Table::new(["journey", "purchases", "ropo", "share %"]);
        t.row([
            "webrooming (online → store)".to_owned(),
            self.offline_purchases.to_string(),
            self.webrooming.to_string(),
            pct(self.webrooming_share),
        ]);
        t.row([
            "showrooming (store → online)".to_owned(),
            self.online_purchases.to_string(),
            self.showrooming.to_string(),
            pct(self.showrooming_share),
        ]);
        let mut lag = Table::new(["lag", "webrooming", "%", "showrooming", "%"]);
        for (w, s) in self.webrooming_lag.iter().zip(&self.showrooming_lag) {
            lag.row([
                w.label.clone(),
                w.count.to_string(),
                pct(w.share),
                s.count.to_string(),
                pct(s.share),
            ]);
        }
        vec![t, lag]
    }
}

impl fmt::Display for RopoReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b] = <[Table; 2]>::try_from(self.tables()).map_err(|_| fmt::Error)?;
        write!(f, "{a}\n{b}")
    }
}
