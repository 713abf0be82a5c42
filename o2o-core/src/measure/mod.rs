//! Measurement that holds on real data: visits, populations and periods, campaigns measured
//! against their holdouts, spend in one currency, and honest labels on every number.
//!
//! The vocabulary, shared by the report, `o2o attribute`, `o2o uplift` and `docs/measurement.md`:
//! - **credited**: what an attribution model gives a channel — a split of the visits that were
//!   observed, not an effect;
//! - **influenced**: visits of people touched by the channel shortly before — an upper bound;
//! - **incremental**: visits and revenue the channel *caused*, measured against a holdout or a
//!   randomised exposure, with a confidence interval;
//! - **observational incremental**: exposed against unexposed customers when nobody randomised
//!   who saw the ads — modelled, resting on the assumption that nothing else separates the
//!   two groups (adjusted only for their pre-period behaviour).
//!
//! [`measure`] takes events, a profile key and the records beside the events ([`Side`]: who
//! was assigned to which arm, who is a customer, what was spent) and returns a [`Measurement`],
//! the object `o2o report --json` prints.

mod analysis;
mod compare;
mod instrument;
mod money;
mod render;
mod scope;
mod visits;

pub use analysis::{AnalysisEvents, AnalysisScope, analysis_events};
pub use compare::{Comparison, ObservedUnit, Outcome, Unit, compare, compare_observational};
/// Time zones of periods (the store's), re-exported so callers need no `jiff` of their own.
pub use jiff::tz::TimeZone;
pub use money::{Rates, format_money, group_thousands, minor_unit, round_money};
pub use scope::{Period, Population, local_day, population_profiles};
pub use visits::{DEFAULT_VISIT_WINDOW_SECS, Visit, VisitSummary, group_visits, visit_events};

use crate::event::{AssignmentGroup, CheckIn, Event, Exposure, SpendRecord, TouchAction};
use crate::report::{
    IncrementalEstimate, Kpis, ModelCredit, O2oOptions, O2oReport, RopoReport, kpis, o2o_report,
    ropo_report,
};
use crate::uplift::{Correction, UpliftError, adjust_p_values};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Why a measurement could not be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MeasureError {
    /// A flag's value is unusable.
    #[error("--{flag}: {message}")]
    Flag {
        /// The flag, without dashes.
        flag: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A rates table is unusable.
    #[error("{file}: line {line}, {field}: {message}")]
    Rates {
        /// The file.
        file: String,
        /// 1-based line.
        line: u64,
        /// The column.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// An amount cannot be converted.
    #[error(
        "no exchange rate for {currency} on or before {day}: add it to the --rates table (currency,date,rate)"
    )]
    MissingRate {
        /// The currency.
        currency: String,
        /// The day.
        day: String,
    },
    /// Amounts in several currencies and no currency to convert them to.
    #[error(
        "amounts in {currencies} cannot be added up: give --currency (one of them) and --rates FILE (currency,date,rate)"
    )]
    MixedCurrencies {
        /// The currencies, comma-separated.
        currencies: String,
    },
    /// An arm of a comparison is too small.
    #[error("too few profiles to compare ({treated} treated, {control} control; need 2 each)")]
    TooFew {
        /// Treated profiles.
        treated: usize,
        /// Control profiles.
        control: usize,
    },
    /// The statistics refused the input.
    #[error("uplift: {0}")]
    Uplift(#[from] UpliftError),
}

/// An assignment resolved to a profile.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ProfileAssignment {
    /// The profile key.
    pub profile: String,
    /// The campaign; `None` for a global holdout (every campaign).
    pub campaign: Option<String>,
    /// The arm.
    pub group: AssignmentGroup,
}

/// The records beside the events, keyed by profile.
#[derive(Clone, Debug, Default)]
pub struct Side {
    /// Assignments to holdout and target groups.
    pub assignments: Vec<ProfileAssignment>,
    /// Profiles of CRM customer records.
    pub customers: BTreeSet<String>,
    /// Spend per day, channel and campaign.
    pub spend: Vec<SpendRecord>,
}

/// How to measure.
#[derive(Clone, Debug)]
pub struct MeasureOptions {
    /// The analysed period.
    pub period: Period,
    /// The pre-period for CUPED; `None` takes every day before `period.from`.
    pub pre: Option<Period>,
    /// Whose visits count.
    pub population: Population,
    /// Check-ins of one profile at one store within this many seconds are one visit.
    pub visit_window_secs: i64,
    /// A visit is *influenced* by a channel touched at most this many days before.
    pub window_days: u32,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Multiple-testing correction across campaigns.
    pub correction: Correction,
    /// The report's currency; `None` keeps the data's single currency.
    pub currency: Option<String>,
    /// Exchange rates for `currency`.
    pub rates: Option<Rates>,
    /// The time zone of dates (the store's).
    pub timezone: jiff::tz::TimeZone,
    /// Credits from attribution models run elsewhere (`--credits`), added to `credited`.
    pub credits: Vec<ModelCredit>,
    /// Holdout estimates from another tool or a per-customer table (`--incremental`,
    /// `--audience`), shown in the per-row O2O report.
    pub external_incremental: Vec<IncrementalEstimate>,
    /// Count visits identified only through a campaign's own instrument (a voucher code) in
    /// the comparisons as if they were identified like any other. **Biased** (only the
    /// campaign's exposed can be identified that way): it exists to measure that bias, and is
    /// off by default.
    pub count_instrument_only: bool,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            period: Period::default(),
            pre: None,
            population: Population::Customers,
            visit_window_secs: DEFAULT_VISIT_WINDOW_SECS,
            window_days: 28,
            confidence: 0.95,
            correction: Correction::Holm,
            currency: None,
            rates: None,
            timezone: jiff::tz::TimeZone::UTC,
            credits: Vec::new(),
            external_incremental: Vec::new(),
            count_instrument_only: false,
        }
    }
}

/// What kind of number a result is, in the vocabulary of this module: the `measure` field of
/// `o2o attribute` and `o2o uplift` JSON, with its `meaning`.
///
/// ```
/// use o2o_core::measure::NumberKind;
/// assert_eq!(NumberKind::Credited.as_str(), "credited");
/// assert!(NumberKind::Credited.meaning().contains("not an effect"));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NumberKind {
    /// An attribution model's split of the observed visits.
    Credited,
    /// Visits of people touched shortly before: an upper bound.
    Influenced,
    /// Caused, from randomised arms, with an interval.
    Incremental,
    /// Modelled from unexposed customers when nobody randomised exposure.
    ObservationalIncremental,
}

impl NumberKind {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            NumberKind::Credited => "credited",
            NumberKind::Influenced => "influenced",
            NumberKind::Incremental => "incremental",
            NumberKind::ObservationalIncremental => "observational_incremental",
        }
    }

    /// What the number is, in one sentence.
    #[must_use]
    pub const fn meaning(self) -> &'static str {
        match self {
            NumberKind::Credited => {
                "credited: a split of the observed visits among the channels on their paths, not an effect; use it to share credit, never to decide funding"
            }
            NumberKind::Influenced => {
                "influenced: visits of people touched by the channel shortly before, an upper bound of its effect"
            }
            NumberKind::Incremental => {
                "incremental: the test arm against the control arm, with an interval; it is what the treatment caused when the arms were assigned at random (a holdout or a randomised exposure)"
            }
            NumberKind::ObservationalIncremental => {
                "observational incremental: exposed against unexposed customers when nobody randomised exposure, a model that assumes nothing else (intent, targeting) separates the groups; a hypothesis to test with a holdout"
            }
        }
    }
}

/// How an incremental estimate was identified.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Method {
    /// The campaign's own holdout: target against holdout (intent to treat).
    Holdout,
    /// Exposure randomised among targets: exposed against unexposed targets.
    RandomisedExposure,
    /// Nobody randomised exposure: exposed against unexposed, a model, not an experiment.
    Observational,
}

impl Method {
    /// The label a table shows.
    #[must_use]
    pub const fn label(self) -> &'static str {
        match self {
            Method::Holdout => "incremental (holdout)",
            Method::RandomisedExposure => "incremental (randomised exposure)",
            Method::Observational => "observational incremental",
        }
    }
}

/// The campaign-wide comparison against a global holdout.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HoldoutReadout {
    /// Share of target profiles who visited.
    pub visitors_rate_target: f64,
    /// Share of holdout profiles who visited.
    pub visitors_rate_holdout: f64,
    /// Relative lift of visitors (0.08 = +8 %).
    pub lift: Option<f64>,
    /// Its interval.
    pub lift_ci: Option<[f64; 2]>,
    /// Visitors caused among the targets.
    pub incremental_visitors: f64,
    /// Its interval.
    pub incremental_visitors_ci: [f64; 2],
    /// Revenue caused among the targets.
    pub incremental_revenue: f64,
    /// Its interval.
    pub incremental_revenue_ci: [f64; 2],
    /// Target profiles.
    pub target: u64,
    /// Holdout profiles.
    pub holdout: u64,
    /// Two-sided p-value of the visitors comparison.
    pub p_value: f64,
    /// Whether CUPED (pre-period) adjusted the estimates.
    pub cuped: bool,
}

/// Visits and revenue of people touched shortly before: an upper bound, not an effect.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Influenced {
    /// Visits within the window after a touch.
    pub visits: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// The incremental estimate of one campaign.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IncrementalReadout {
    /// How it was identified: `holdout`, `randomised_exposure` or `observational`.
    pub method: Method,
    /// The vocabulary word for it.
    pub label: &'static str,
    /// Relative lift of visitors (0.08 = +8 %).
    pub lift: Option<f64>,
    /// Its interval.
    pub lift_ci: Option<[f64; 2]>,
    /// Visitors caused.
    pub visitors: f64,
    /// Its interval.
    pub visitors_ci: [f64; 2],
    /// Revenue caused.
    pub revenue: f64,
    /// Its interval.
    pub revenue_ci: [f64; 2],
    /// Incremental revenue over spend.
    pub iroas: Option<f64>,
    /// Its interval.
    pub iroas_ci: Option<[f64; 2]>,
    /// Two-sided p-value of the visitors comparison.
    pub p_value: f64,
    /// The p-value adjusted across campaigns (Holm or Benjamini–Hochberg).
    pub p_adjusted: Option<f64>,
    /// Treated profiles.
    pub treated: u64,
    /// Control profiles.
    pub control: u64,
    /// Whether CUPED (pre-period) adjusted the estimates.
    pub cuped: bool,
    /// Why not to read it as an experiment, for observational estimates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Visits identified only through the campaign's own instrument (its voucher codes): real
/// visits, but only the campaign's exposed could be identified that way, so they are reported
/// here and kept out of every comparison (see [`IdKind::is_instrument`](crate::event::IdKind)).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct InstrumentOnly {
    /// Visits of the population in the period identified only through the instrument.
    pub visits: u64,
    /// Their revenue.
    pub revenue: f64,
}

/// One channel and campaign.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CampaignRow {
    /// The channel.
    pub channel: String,
    /// The campaign (`None` for touches without one).
    pub campaign: Option<String>,
    /// Spend in the period, in the report's currency.
    pub spend: Option<f64>,
    /// Where the spend came from: `spend_records` or `touchpoint_costs`.
    pub spend_source: Option<&'static str>,
    /// Profiles of the population touched in the period.
    pub exposed: u64,
    /// Whether the touches say exposure was randomised.
    pub randomised: bool,
    /// Visits credited by each attribution model.
    pub credited: BTreeMap<String, f64>,
    /// Visits and revenue influenced (an upper bound).
    pub influenced: Influenced,
    /// Visits identified only through the campaign's own instrument (its voucher codes):
    /// reported beside the estimate, never counted in it.
    pub instrument_only: InstrumentOnly,
    /// The incremental estimate, when the arms allow one.
    pub incremental: Option<IncrementalReadout>,
    /// What to make of it, in one sentence.
    pub verdict: String,
}

/// The measurement: what `o2o report --json` prints.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measurement {
    /// The period analysed (dates in the store's time zone).
    pub period: Period,
    /// The population of the estimates.
    pub population: Population,
    /// Profiles in it.
    pub population_profiles: u64,
    /// The currency of every amount.
    pub currency: Option<String>,
    /// Check-ins within this many seconds at one store are one visit.
    pub visit_window_secs: i64,
    /// Confidence level of the intervals.
    pub confidence: f64,
    /// Correction of p-values across campaigns.
    pub correction: Correction,
    /// The comparison against the global holdout, when there is one.
    pub holdout: Option<HoldoutReadout>,
    /// Per channel and campaign.
    pub campaigns: Vec<CampaignRow>,
    /// Visits in the period.
    pub visits: VisitSummary,
    /// Webrooming and showrooming, over visits.
    pub ropo: RopoReport,
    /// Headline KPIs, over visits (check-ins by method as recorded).
    pub kpis: Kpis,
    /// Reach, influence and given credits per channel and campaign, over visits.
    pub o2o: O2oReport,
    /// What to trust, and why, in one sentence.
    pub trust: String,
    /// Warnings a reader must see.
    pub warnings: Vec<String>,
}

type RowKey = (String, Option<String>);

/// The index of `e` in `slice` when `e` is one of its elements (by address): profile keys are
/// computed once per event and looked up by the report functions, which take a key closure.
fn slice_index(slice: &[Event], e: &Event) -> Option<usize> {
    let range = slice.as_ptr_range();
    let p = e as *const Event;
    if !range.contains(&p) {
        return None;
    }
    let size = std::mem::size_of::<Event>().max(1);
    // `p` lies inside the slice, so the offset is a whole number of elements below its length.
    Some((p as usize - range.start as usize) / size)
}

fn is_media(t: &crate::event::Touchpoint) -> bool {
    t.action != TouchAction::Purchase
        && t.action != TouchAction::SignUp
        && (t.campaign.is_some() || t.cost.is_some())
}

/// Convert every amount of the events and spend to one currency; return it.
fn one_currency(
    events: &mut [Event],
    spend: &mut [SpendRecord],
    opts: &MeasureOptions,
) -> Result<Option<String>, MeasureError> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for e in events.iter() {
        match e {
            Event::CheckIn(CheckIn {
                currency: Some(c),
                value: Some(_),
                ..
            }) => {
                seen.insert(c.to_ascii_uppercase());
            }
            Event::Touchpoint(t)
                if t.currency.is_some() && (t.cost.is_some() || t.value.is_some()) =>
            {
                seen.extend(t.currency.as_ref().map(|c| c.to_ascii_uppercase()));
            }
            _ => {}
        }
    }
    seen.extend(spend.iter().map(|s| s.currency.to_ascii_uppercase()));
    let target = match &opts.currency {
        Some(c) => c.to_ascii_uppercase(),
        None if seen.len() <= 1 => return Ok(seen.into_iter().next()),
        None => {
            return Err(MeasureError::MixedCurrencies {
                currencies: seen.into_iter().collect::<Vec<_>>().join(", "),
            });
        }
    };
    let needs = seen.iter().any(|c| *c != target);
    let rates = match (&opts.rates, needs) {
        (_, false) => None,
        (Some(r), true) => Some(r),
        (None, true) => {
            return Err(MeasureError::Flag {
                flag: "rates",
                message: format!(
                    "amounts in {} need a rates table to be shown in {target}",
                    seen.iter()
                        .filter(|c| **c != target)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    };
    let Some(rates) = rates else {
        return Ok(Some(target));
    };
    let tz = &opts.timezone;
    let conv = |x: f64, cur: &str, ts: i64| rates.convert(x, cur, &target, &local_day(ts, tz));
    for e in events.iter_mut() {
        match e {
            Event::CheckIn(c) => {
                if let (Some(v), Some(cur)) = (c.value, c.currency.clone()) {
                    c.value = Some(conv(v, &cur, c.timestamp)?);
                    c.currency = Some(target.clone());
                }
            }
            Event::Touchpoint(t) => {
                if let Some(cur) = t.currency.clone() {
                    if let Some(v) = t.cost {
                        t.cost = Some(conv(v, &cur, t.timestamp)?);
                    }
                    if let Some(v) = t.value {
                        t.value = Some(conv(v, &cur, t.timestamp)?);
                    }
                    t.currency = Some(target.clone());
                }
            }
            Event::ProductView(v) => {
                if let (Some(p), Some(cur)) = (v.price, v.currency.clone()) {
                    v.price = Some(conv(p, &cur, v.timestamp)?);
                    v.currency = Some(target.clone());
                }
            }
        }
    }
    for s in spend.iter_mut() {
        s.value = rates.convert(s.value, &s.currency, &target, &s.day)?;
        s.currency = target.clone();
    }
    Ok(Some(target))
}

/// The events with every amount (purchases, touch costs and values, product prices) in the
/// report's currency, converted as [`measure`] converts them: `opts.currency` with `opts.rates`
/// on the local day of each amount. Series drawn beside a measurement (visits and revenue per
/// store) read these, so that every amount of a report is in one currency. Without
/// `opts.currency`, the events as they are when they hold one currency, else
/// [`MeasureError::MixedCurrencies`].
pub fn events_in_currency(
    events: &[Event],
    opts: &MeasureOptions,
) -> Result<Vec<Event>, MeasureError> {
    let mut events = events.to_vec();
    one_currency(&mut events, &mut [], opts)?;
    Ok(events)
}

/// Measure: visits, the holdout, every campaign with its incremental estimate, labels.
///
/// `key` maps an event to its profile (the identity graph's profile id); `side` holds the
/// assignments, customers and spend keyed the same way.
pub fn measure(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    side: &Side,
    opts: &MeasureOptions,
) -> Result<Measurement, MeasureError> {
    if !(opts.confidence > 0.0 && opts.confidence < 1.0) {
        return Err(MeasureError::Flag {
            flag: "confidence",
            message: format!("{} must be strictly between 0 and 1", opts.confidence),
        });
    }
    let mut events = events.to_vec();
    let mut spend = side.spend.clone();
    let currency = one_currency(&mut events, &mut spend, opts)?;
    let cur = currency.clone().unwrap_or_default();
    let money = |x: f64| round_money(x, &cur);
    let mut warnings = Vec::new();

    let analysis::Grouped {
        keys,
        visits,
        instrument,
    } = analysis::group(&events, key, opts.visit_window_secs);
    let keyed = |e: &Event| match slice_index(&events, e) {
        Some(i) => keys[i].clone(),
        None => key(e),
    };
    let apart = |i: usize| !opts.count_instrument_only && instrument[i].is_some();
    let period = &opts.period;
    let pre = match &opts.pre {
        Some(p) => Some(p.clone()),
        None => period.start.map(|s| Period {
            from: None,
            to: None,
            start: None,
            end: Some(s),
        }),
    };
    let in_period: Vec<&Visit> = visits.iter().filter(|v| period.contains(v.start)).collect();
    // The visits every comparison, credit and influence counts: those identified without the
    // campaigns' own instruments.
    let counted: Vec<&Visit> = visits
        .iter()
        .enumerate()
        .filter(|(i, v)| period.contains(v.start) && !apart(*i))
        .map(|(_, v)| v)
        .collect();

    // Visit events in the period: one check-in per visit, touchpoints of the period.
    let vevents_all = visit_events(&events, &visits);
    let vkeys: Vec<Option<String>> = vevents_all.iter().map(key).collect();
    let mut vevents = Vec::new();
    let mut vevent_keys = Vec::new();
    for (e, k) in vevents_all.into_iter().zip(vkeys) {
        if period.contains(e.timestamp()) {
            vevents.push(e);
            vevent_keys.push(k);
        }
    }
    let vkey = |e: &Event| match slice_index(&vevents, e) {
        Some(i) => vevent_keys[i].clone(),
        None => key(e),
    };

    let assigned: BTreeSet<String> = side.assignments.iter().map(|a| a.profile.clone()).collect();
    let pop = population_profiles(opts.population, &events, &keyed, &side.customers, &assigned);

    // Outcomes per profile of the population.
    let mut units: BTreeMap<&str, Unit> =
        pop.iter().map(|p| (p.as_str(), Unit::default())).collect();
    for (i, v) in visits.iter().enumerate() {
        let Some(p) = v.profile.as_deref() else {
            continue;
        };
        if apart(i) {
            continue;
        }
        let Some(u) = units.get_mut(p) else { continue };
        if period.contains(v.start) {
            u.visited = 1.0;
            u.revenue += v.value;
        } else if pre.as_ref().is_some_and(|pp| pp.contains(v.start)) {
            u.pre_visited = 1.0;
            u.pre_revenue += v.value;
        }
    }
    let use_pre = pre.is_some();

    // Media rows and who was exposed to them in the period.
    let mut exposed: BTreeMap<RowKey, BTreeSet<&str>> = BTreeMap::new();
    let mut randomised: BTreeMap<RowKey, (u64, u64)> = BTreeMap::new();
    let mut touch_cost: BTreeMap<RowKey, f64> = BTreeMap::new();
    let mut touches: BTreeMap<&str, Vec<(i64, RowKey)>> = BTreeMap::new();
    for (e, k) in events.iter().zip(&keys) {
        let Event::Touchpoint(t) = e else { continue };
        if !is_media(t) || !period.contains(t.timestamp) {
            continue;
        }
        let row = (t.channel.clone(), t.campaign.clone());
        *touch_cost.entry(row.clone()).or_default() += t.cost.unwrap_or(0.0);
        let r = randomised.entry(row.clone()).or_default();
        if t.exposure == Exposure::Randomised {
            r.0 += 1;
        } else {
            r.1 += 1;
        }
        let set = exposed.entry(row.clone()).or_default();
        if let Some(p) = k
            .as_deref()
            .and_then(|p| units.get_key_value(p).map(|(k, _)| *k))
        {
            set.insert(p);
            touches.entry(p).or_default().push((t.timestamp, row));
        }
    }
    for list in touches.values_mut() {
        list.sort();
    }

    // Credited (last touch within the window) and influenced visits per row.
    let window = i64::from(opts.window_days) * 86_400;
    let mut last_touch: BTreeMap<RowKey, f64> = BTreeMap::new();
    let mut influenced: BTreeMap<RowKey, Influenced> = BTreeMap::new();
    for v in &counted {
        let Some(list) = v.profile.as_deref().and_then(|p| touches.get(p)) else {
            continue;
        };
        let n = list.partition_point(|(t, _)| *t <= v.start);
        let recent = &list[..n];
        if let Some((t, row)) = recent.last()
            && v.start - t <= window
        {
            *last_touch.entry(row.clone()).or_default() += 1.0;
        }
        let rows: BTreeSet<&RowKey> = recent
            .iter()
            .filter(|(t, _)| v.start - t <= window)
            .map(|(_, r)| r)
            .collect();
        for r in rows {
            let i = influenced.entry(r.clone()).or_default();
            i.visits += 1;
            i.revenue += v.value;
        }
    }

    // Instrument-only visits of the population in the period, per campaign row.
    let mut instrument_only: BTreeMap<RowKey, InstrumentOnly> = BTreeMap::new();
    let mut unplaced = InstrumentOnly::default();
    for (v, inst) in visits.iter().zip(&instrument) {
        let Some((row, campaign)) = inst else {
            continue;
        };
        let in_pop = v.profile.as_deref().is_some_and(|p| units.contains_key(p));
        if !period.contains(v.start) || !in_pop {
            continue;
        }
        let row = row.clone().or_else(|| {
            exposed
                .keys()
                .find(|r| r.1.is_some() && r.1 == *campaign)
                .cloned()
        });
        let slot = match row {
            Some(r) => instrument_only.entry(r).or_default(),
            None => &mut unplaced,
        };
        slot.visits += 1;
        slot.revenue += v.value;
    }
    if unplaced.visits > 0 {
        warnings.push(format!(
            "{} visits identified only through voucher codes name no campaign of the period; they are kept out of every estimate",
            unplaced.visits
        ));
    }

    // Spend per row in the period.
    let mut spent: BTreeMap<RowKey, f64> = BTreeMap::new();
    for s in &spend {
        if period.contains(s.timestamp) {
            *spent
                .entry((s.channel.clone(), s.campaign.clone()))
                .or_default() += s.value;
        }
    }

    // Arms.
    let global: BTreeMap<&str, AssignmentGroup> = side
        .assignments
        .iter()
        .filter(|a| a.campaign.is_none())
        .map(|a| (a.profile.as_str(), a.group))
        .collect();
    let per_campaign: BTreeMap<&str, BTreeMap<&str, AssignmentGroup>> = {
        let mut m: BTreeMap<&str, BTreeMap<&str, AssignmentGroup>> = BTreeMap::new();
        for a in &side.assignments {
            if let Some(c) = &a.campaign {
                m.entry(c.as_str())
                    .or_default()
                    .insert(a.profile.as_str(), a.group);
            }
        }
        m
    };
    let arm = |members: &BTreeMap<&str, AssignmentGroup>, g: AssignmentGroup| -> Vec<Unit> {
        units
            .iter()
            .filter(|(p, _)| members.get(*p) == Some(&g))
            .map(|(_, u)| *u)
            .collect()
    };
    let holdout = if global.values().any(|g| *g == AssignmentGroup::Holdout) {
        let t = arm(&global, AssignmentGroup::Target);
        let h = arm(&global, AssignmentGroup::Holdout);
        match compare(&t, &h, opts.confidence, use_pre) {
            Ok(c) => {
                let n = c.treated as f64;
                Some(HoldoutReadout {
                    visitors_rate_target: c.visitors.mean_treated,
                    visitors_rate_holdout: c.visitors.mean_control,
                    lift: c.visitors.lift,
                    lift_ci: c.visitors.lift_ci,
                    incremental_visitors: c.visitors.diff * n,
                    incremental_visitors_ci: c.visitors.diff_ci.map(|x| x * n),
                    incremental_revenue: money(c.revenue.diff * n),
                    incremental_revenue_ci: c.revenue.diff_ci.map(|x| money(x * n)),
                    target: c.treated,
                    holdout: c.control,
                    p_value: c.visitors.p_value,
                    cuped: c.visitors.cuped,
                })
            }
            Err(e) => {
                warnings.push(format!("global holdout: {e}"));
                None
            }
        }
    } else {
        None
    };
    // The base of exposure comparisons: global targets, or the whole population.
    let base: Vec<&str> = if global.is_empty() {
        units.keys().copied().collect()
    } else {
        units
            .keys()
            .copied()
            .filter(|p| global.get(p) == Some(&AssignmentGroup::Target))
            .collect()
    };

    let mut rows = Vec::new();
    for (row, set) in &exposed {
        let (rand_n, obs_n) = randomised.get(row).copied().unwrap_or_default();
        let is_random = rand_n > obs_n;
        let (sp, source) = match spent.get(row) {
            Some(v) => (Some(*v), Some("spend_records")),
            None => match touch_cost.get(row).filter(|v| **v > 0.0) {
                Some(v) => (Some(*v), Some("touchpoint_costs")),
                None => (None, None),
            },
        };
        let own = row.1.as_deref().and_then(|c| per_campaign.get(c));
        let (method, result) = match own {
            Some(m) => (
                Method::Holdout,
                compare(
                    &arm(m, AssignmentGroup::Target),
                    &arm(m, AssignmentGroup::Holdout),
                    opts.confidence,
                    use_pre,
                ),
            ),
            None if is_random => {
                let (mut t, mut c) = (Vec::new(), Vec::new());
                for p in &base {
                    let Some(u) = units.get(p) else { continue };
                    if set.contains(p) {
                        t.push(*u)
                    } else {
                        c.push(*u)
                    }
                }
                (
                    Method::RandomisedExposure,
                    compare(&t, &c, opts.confidence, use_pre),
                )
            }
            None => {
                // Exposed against unexposed, holding the other channels' exposure and the
                // pre-period fixed (a model: exposure was not randomised).
                let others: Vec<&BTreeSet<&str>> = exposed
                    .iter()
                    .filter(|(r, _)| *r != row)
                    .map(|(_, s)| s)
                    .collect();
                let obs: Vec<ObservedUnit> = base
                    .iter()
                    .filter_map(|p| {
                        units.get(p).map(|u| ObservedUnit {
                            unit: *u,
                            exposed: set.contains(p),
                            others: others.iter().map(|s| s.contains(p)).collect(),
                        })
                    })
                    .collect();
                (
                    Method::Observational,
                    compare_observational(&obs, opts.confidence, use_pre),
                )
            }
        };
        let incremental = match result {
            Ok(cmp) => {
                let n = cmp.treated as f64;
                let revenue = cmp.revenue.diff * n;
                let revenue_ci = cmp.revenue.diff_ci.map(|x| x * n);
                let warning = (method == Method::Observational).then(|| {
                    format!(
                        "{}: exposure was not randomised; this observational estimate models exposed against unexposed {}, holding the other channels{} fixed, and assumes nothing else (intent, targeting) decided both exposure and visits",
                        row.0,
                        opts.population,
                        if cmp.visitors.cuped { " and the pre-period" } else { "" }
                    )
                });
                if let Some(w) = &warning {
                    warnings.push(w.clone());
                }
                Some(IncrementalReadout {
                    method,
                    label: method.label(),
                    lift: cmp.visitors.lift,
                    lift_ci: cmp.visitors.lift_ci,
                    visitors: cmp.visitors.diff * n,
                    visitors_ci: cmp.visitors.diff_ci.map(|x| x * n),
                    revenue: money(revenue),
                    revenue_ci: revenue_ci.map(money),
                    iroas: sp.filter(|s| *s > 0.0).map(|s| revenue / s),
                    iroas_ci: sp.filter(|s| *s > 0.0).map(|s| revenue_ci.map(|x| x / s)),
                    p_value: cmp.visitors.p_value,
                    p_adjusted: None,
                    treated: cmp.treated,
                    control: cmp.control,
                    cuped: cmp.visitors.cuped,
                    warning,
                })
            }
            Err(e) => {
                warnings.push(format!("{}: no incremental estimate: {e}", row.0));
                None
            }
        };
        let mut credited = BTreeMap::new();
        credited.insert(
            "last_touch".to_owned(),
            last_touch.get(row).copied().unwrap_or(0.0),
        );
        for m in opts
            .credits
            .iter()
            .filter(|m| m.channel == row.0 && (m.campaign.is_none() || m.campaign == row.1))
        {
            *credited.entry(m.model.clone()).or_default() += m.conversions;
        }
        let mut inf = influenced.get(row).cloned().unwrap_or_default();
        inf.revenue = money(inf.revenue);
        let mut inst = instrument_only.get(row).cloned().unwrap_or_default();
        inst.revenue = money(inst.revenue);
        if inst.visits > 0 {
            warnings.push(format!(
                "{}: {} visits ({} {cur}) identified only through the campaign's own voucher codes are reported beside it (instrument_only) and {} its incremental estimate: only its exposed could be identified that way",
                row.0,
                inst.visits,
                inst.revenue,
                if opts.count_instrument_only { "counted in (biased)" } else { "kept out of" }
            ));
        }
        rows.push(CampaignRow {
            channel: row.0.clone(),
            campaign: row.1.clone(),
            spend: sp.map(money),
            spend_source: source,
            exposed: set.len() as u64,
            randomised: is_random,
            credited,
            influenced: inf,
            instrument_only: inst,
            incremental,
            verdict: String::new(),
        });
    }

    // Multiple testing across campaigns.
    let ps: Vec<(usize, f64)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.incremental.as_ref().map(|x| (i, x.p_value)))
        .filter(|(_, p)| (0.0..=1.0).contains(p))
        .collect();
    if !ps.is_empty() {
        let p: Vec<f64> = ps.iter().map(|x| x.1).collect();
        let adj = adjust_p_values(&p, 1.0 - opts.confidence, opts.correction)?;
        for ((i, _), pa) in ps.iter().zip(adj.p_adjusted) {
            if let Some(x) = rows.get_mut(*i).and_then(|r| r.incremental.as_mut()) {
                x.p_adjusted = Some(pa);
            }
        }
    }
    let alpha = 1.0 - opts.confidence;
    for r in &mut rows {
        r.verdict = render::verdict(r, alpha, &cur);
    }

    let mut k = kpis(&vevents, &vkey, opts.window_days);
    let in_period_events: Vec<Event> = events
        .iter()
        .filter(|e| period.contains(e.timestamp()))
        .cloned()
        .collect();
    let summary_visits: Vec<Visit> = in_period.iter().map(|v| (*v).clone()).collect();
    let mut vs = VisitSummary::of(&summary_visits, &in_period_events);
    vs.revenue = money(vs.revenue);
    k.checkins_by_method = vs.checkins_by_method.clone();
    if global.is_empty() && per_campaign.is_empty() {
        warnings.push(
            "no assignment records: no holdout; every incremental number comes from exposure comparisons".into(),
        );
    }
    Ok(Measurement {
        period: period.stated(&events, &opts.timezone),
        population: opts.population,
        population_profiles: units.len() as u64,
        currency,
        visit_window_secs: opts.visit_window_secs,
        confidence: opts.confidence,
        correction: opts.correction,
        holdout,
        campaigns: rows,
        visits: vs,
        ropo: ropo_report(&vevents, &vkey, opts.window_days),
        kpis: k,
        o2o: o2o_report(
            &vevents,
            &vkey,
            &O2oOptions {
                window_days: opts.window_days,
            },
            &opts.credits,
            &opts.external_incremental,
        ),
        trust: render::TRUST.to_owned(),
        warnings,
    })
}

#[cfg(feature = "store")]
mod from_store;
#[cfg(feature = "store")]
pub use from_store::side_from_store;

#[cfg(all(feature = "store", feature = "sim"))]
pub mod sim_check;

#[cfg(test)]
mod tests;
