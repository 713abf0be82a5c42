//! What the store's history says for planning: visits and revenue per customer per day, and per
//! store per day.
//!
//! Days are local days of the store's time zone. A customer is anyone with a visit in the
//! history (visits as the report counts them: check-ins of one profile at one store within the
//! visit window are one visit). For a planned window of `d` days the history's last `d` days
//! stand for the test period and every day before them for the pre-period: the customers known
//! before the window are the population a holdout would be drawn from, their visits (or revenue)
//! in the window the outcome, and their visits before it the covariate CUPED would use.

use super::error::DesignError;
use crate::event::{Event, IdKind, Identifier};
use crate::measure::{DEFAULT_VISIT_WINDOW_SECS, group_visits};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The outcome a design is made for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Metric {
    /// Visits per customer (or per store and day).
    #[default]
    Visits,
    /// Revenue per customer (or per store and day), in the store's one currency.
    Revenue,
}

impl std::str::FromStr for Metric {
    type Err = DesignError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "visits" => Ok(Metric::Visits),
            "revenue" => Ok(Metric::Revenue),
            other => Err(DesignError::flag(
                "metric",
                format!("`{other}`: expected visits or revenue"),
            )),
        }
    }
}

impl Metric {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Metric::Visits => "visits",
            Metric::Revenue => "revenue",
        }
    }
}

/// One customer's visits in the history.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomerHistory {
    /// The profile key.
    pub profile: String,
    /// The identifier an assignment list names them by: the strongest of external id, loyalty
    /// card, email and phone seen with their visits (`None` when they showed only weaker ones).
    pub identifier: Option<Identifier>,
    /// The region of most of their visits (`None` when no check-in named one).
    pub region: Option<String>,
    /// One entry per visit: day index in the history and the visit's purchase value.
    pub visits: Vec<(usize, f64)>,
}

/// A store × day panel of one metric.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StorePanel {
    /// Store ids, sorted.
    pub stores: Vec<String>,
    /// The region of each store (most of its check-ins), when named.
    pub regions: Vec<Option<String>>,
    /// Period labels (local dates), oldest first.
    pub periods: Vec<String>,
    /// `values[store][period]`.
    pub values: Vec<Vec<f64>>,
}

/// The history of a store, per customer and per store.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// Local dates of the history, one per day from the first visit to the last.
    pub days: Vec<String>,
    /// Customers, by profile key.
    pub customers: Vec<CustomerHistory>,
    /// The currency of every purchase value (`None` when none carried one).
    pub currency: Option<String>,
    currencies: Vec<String>,
    visits_panel: StorePanel,
    revenue_panel: StorePanel,
}

/// A metric over a planned window, measured on the history's last `days` days.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WindowStats {
    /// Window length in days.
    pub days: usize,
    /// Customers known before the window: the sample the figures below come from.
    pub customers: usize,
    /// Customers known at the end of the history: the population a holdout is drawn from,
    /// and the size the design is for.
    pub population: usize,
    /// Mean outcome per customer in the window.
    pub mean: f64,
    /// Its standard deviation across customers.
    pub sd: f64,
    /// Pearson correlation of the outcome with the pre-period value (what CUPED exploits).
    pub correlation: f64,
    /// Share of the outcome's variance CUPED removes, `correlation²`.
    pub variance_reduction: f64,
    /// Outcome per customer (same order as `pre` and `customer`).
    #[serde(skip)]
    pub outcome: Vec<f64>,
    /// Pre-period value per customer (visits or revenue on every day before the window).
    #[serde(skip)]
    pub pre: Vec<f64>,
    /// Index into [`History::customers`].
    #[serde(skip)]
    pub customer: Vec<usize>,
}

fn epoch_day(ts: i64, tz: &jiff::tz::TimeZone) -> i64 {
    let off = jiff::Timestamp::from_second(ts)
        .map(|t| i64::from(tz.to_offset(t).seconds()))
        .unwrap_or(0);
    (ts + off).div_euclid(86_400)
}

fn day_label(day: i64) -> String {
    jiff::Timestamp::from_second(day * 86_400)
        .map(|t| jiff::tz::TimeZone::UTC.to_datetime(t).date().to_string())
        .unwrap_or_default()
}

/// The profile an identifier belongs to, and the form an assignment list names it by.
pub type ProfileOf<'a> = &'a dyn Fn(&Identifier) -> Option<(String, Identifier)>;

/// A store's visits and revenue per day, and its check-ins per region.
type StoreDays = (Vec<f64>, Vec<f64>, BTreeMap<String, u32>);

/// Identifier kinds an assignment list may name a customer by, strongest first.
const ASSIGNABLE: [IdKind; 4] = [
    IdKind::ExternalId,
    IdKind::LoyaltyCard,
    IdKind::Email,
    IdKind::Phone,
];

fn mode(counts: &BTreeMap<String, u32>) -> Option<String> {
    // Most frequent; ties to the smallest name (BTreeMap order), for determinism.
    let mut best: Option<(&String, u32)> = None;
    for (k, &n) in counts {
        if best.is_none_or(|(_, b)| n > b) {
            best = Some((k, n));
        }
    }
    best.map(|(k, _)| k.clone())
}

impl History {
    /// The history of `events` under the profile `key` (the identity graph's), in local days
    /// of `tz`. Check-ins no profile holds count in the store panels, not as customers. Any
    /// assignable identifier may name a customer; see [`History::from_events_named`].
    pub fn from_events(
        events: &[Event],
        key: &dyn Fn(&Event) -> Option<String>,
        tz: &jiff::tz::TimeZone,
    ) -> Result<History, DesignError> {
        History::from_events_named(events, key, None, tz)
    }

    /// As [`History::from_events`], naming each customer only by an identifier that `profile_of`
    /// links back to the customer's profile (with the identity graph: its `profile_of`, and the
    /// profile's normalised form of the identifier): junk values (`noemail@noemail.com`,
    /// `null`) and identifiers without consent to link are never written into an assignment
    /// list, each one that is finds its profile again when the list is ingested, and it is
    /// written in its normalised form (a phone in E.164). Without `profile_of`, every assignable
    /// identifier may name a customer, as seen.
    pub fn from_events_named(
        events: &[Event],
        key: &dyn Fn(&Event) -> Option<String>,
        profile_of: Option<ProfileOf<'_>>,
        tz: &jiff::tz::TimeZone,
    ) -> Result<History, DesignError> {
        type Owner = Option<(String, Identifier)>;
        let mut checked: std::collections::HashMap<(IdKind, String), Owner> =
            std::collections::HashMap::new();
        let visits = group_visits(events, key, DEFAULT_VISIT_WINDOW_SECS);
        if visits.is_empty() {
            return Err(DesignError::History(
                "no check-in: a design needs visits in the history".into(),
            ));
        }
        let first = visits
            .iter()
            .map(|v| epoch_day(v.start, tz))
            .min()
            .unwrap_or(0);
        let last = visits
            .iter()
            .map(|v| epoch_day(v.start, tz))
            .max()
            .unwrap_or(0);
        let n_days = usize::try_from(last - first + 1).unwrap_or(0);
        let days: Vec<String> = (first..=last).map(day_label).collect();
        let mut currencies: Vec<String> = Vec::new();
        let mut by_profile: BTreeMap<String, (CustomerHistory, BTreeMap<String, u32>)> =
            BTreeMap::new();
        let mut store_days: BTreeMap<String, StoreDays> = BTreeMap::new();
        for v in &visits {
            let day = usize::try_from(epoch_day(v.start, tz) - first).unwrap_or(0);
            let Event::CheckIn(c) = &events[v.representative] else {
                continue;
            };
            for m in &v.members {
                if let Event::CheckIn(ci) = &events[*m]
                    && let Some(cur) = &ci.currency
                    && ci.value.is_some()
                    && !currencies.contains(cur)
                {
                    currencies.push(cur.clone());
                }
            }
            let s = store_days
                .entry(v.store.clone())
                .or_insert_with(|| (vec![0.0; n_days], vec![0.0; n_days], BTreeMap::new()));
            s.0[day] += 1.0;
            s.1[day] += v.value;
            if let Some(r) = &c.region {
                *s.2.entry(r.clone()).or_default() += 1;
            }
            let Some(p) = &v.profile else { continue };
            let entry = by_profile.entry(p.clone()).or_insert_with(|| {
                (
                    CustomerHistory {
                        profile: p.clone(),
                        identifier: None,
                        region: None,
                        visits: Vec::new(),
                    },
                    BTreeMap::new(),
                )
            });
            entry.0.visits.push((day, v.value));
            if let Some(r) = &c.region {
                *entry.1.entry(r.clone()).or_default() += 1;
            }
            for m in &v.members {
                for id in events[*m].identifiers() {
                    let Some(rank) = ASSIGNABLE.iter().position(|k| *k == id.kind) else {
                        continue;
                    };
                    if id.value.trim().is_empty() {
                        continue;
                    }
                    let named = match profile_of {
                        None => id.clone(),
                        Some(f) => {
                            let owner = checked
                                .entry((id.kind, id.value.clone()))
                                .or_insert_with(|| f(id));
                            match owner {
                                Some((q, normalised)) if q == p => normalised.clone(),
                                _ => continue,
                            }
                        }
                    };
                    let id = &named;
                    let better = match &entry.0.identifier {
                        None => true,
                        Some(cur) => {
                            let cur_rank = ASSIGNABLE
                                .iter()
                                .position(|k| *k == cur.kind)
                                .unwrap_or(ASSIGNABLE.len());
                            rank < cur_rank || (rank == cur_rank && id.value < cur.value)
                        }
                    };
                    if better {
                        entry.0.identifier = Some(id.clone());
                    }
                }
            }
        }
        currencies.sort();
        let customers = by_profile
            .into_values()
            .map(|(mut c, regions)| {
                c.region = mode(&regions);
                c.visits
                    .sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
                c
            })
            .collect();
        let stores: Vec<String> = store_days.keys().cloned().collect();
        let regions: Vec<Option<String>> = store_days.values().map(|s| mode(&s.2)).collect();
        let panel = |pick: &dyn Fn(&StoreDays) -> Vec<f64>| StorePanel {
            stores: stores.clone(),
            regions: regions.clone(),
            periods: days.clone(),
            values: store_days.values().map(pick).collect(),
        };
        let visits_panel = panel(&|s| s.0.clone());
        let revenue_panel = panel(&|s| s.1.clone());
        Ok(History {
            days,
            customers,
            currency: (currencies.len() == 1).then(|| currencies[0].clone()),
            currencies,
            visits_panel,
            revenue_panel,
        })
    }

    /// Check that `metric` can be added up (one currency for revenue).
    pub fn check_metric(&self, metric: Metric) -> Result<(), DesignError> {
        if metric == Metric::Revenue && self.currencies.len() > 1 {
            return Err(DesignError::MixedCurrencies(self.currencies.join(", ")));
        }
        Ok(())
    }

    /// The store × day panel of `metric`.
    pub fn store_panel(&self, metric: Metric) -> Result<StorePanel, DesignError> {
        self.check_metric(metric)?;
        Ok(match metric {
            Metric::Visits => self.visits_panel.clone(),
            Metric::Revenue => self.revenue_panel.clone(),
        })
    }

    /// `metric` per customer over the history's last `days` days, the pre-period being every
    /// day before them; customers are those with a visit before the window.
    pub fn window(&self, metric: Metric, days: usize) -> Result<WindowStats, DesignError> {
        self.check_metric(metric)?;
        let total = self.days.len();
        if days == 0 || days >= total {
            return Err(DesignError::History(format!(
                "a window of {days} days needs a longer history: it holds {total} days, and the \
                 window must leave at least one day of pre-period"
            )));
        }
        let start = total - days;
        let mut outcome = Vec::new();
        let mut pre = Vec::new();
        let mut customer = Vec::new();
        for (i, c) in self.customers.iter().enumerate() {
            let mut x = 0.0;
            let mut y = 0.0;
            for &(d, v) in &c.visits {
                let amount = match metric {
                    Metric::Visits => 1.0,
                    Metric::Revenue => v,
                };
                if d < start {
                    x += amount;
                } else {
                    y += amount;
                }
            }
            if c.visits.first().is_some_and(|&(d, _)| d < start) {
                outcome.push(y);
                pre.push(x);
                customer.push(i);
            }
        }
        if outcome.len() < 4 {
            return Err(DesignError::History(format!(
                "{} customers were seen before the last {days} days; a holdout design needs at \
                 least 4",
                outcome.len()
            )));
        }
        let (mean, sd) = mean_sd(&outcome);
        let correlation = pearson(&pre, &outcome);
        Ok(WindowStats {
            days,
            customers: outcome.len(),
            population: self.customers.len(),
            mean,
            sd,
            correlation,
            variance_reduction: correlation * correlation,
            outcome,
            pre,
            customer,
        })
    }
}

/// Mean and sample standard deviation (0 for fewer than two values).
pub(crate) fn mean_sd(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.is_empty() {
        return (0.0, 0.0);
    }
    let mean = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (mean, 0.0);
    }
    let ss = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
    (mean, (ss / (n - 1.0)).sqrt())
}

/// Pearson correlation; 0 when either side is constant.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let (mx, sx) = mean_sd(x);
    let (my, sy) = mean_sd(y);
    if sx == 0.0 || sy == 0.0 || x.len() < 2 {
        return 0.0;
    }
    let c = x
        .iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() as f64 - 1.0);
    (c / (sx * sy)).clamp(-1.0, 1.0)
}
