//! The events an analysis reads: one check-in per visit, the profiles of one population, one
//! period.
//!
//! The report and `o2o attribute` must count the same things, or their numbers cannot be put
//! side by side: so both group check-ins into visits here, follow voucher issuance the same way,
//! keep instrument-only visits out, and restrict profiles to the same population.

use super::instrument::{self, RowKey};
use super::{MeasureOptions, Period, Population, Side, Visit, group_visits, population_profiles};
use crate::attribution::incremental::ExposureTable;
use crate::attribution::{AttributionError, Journey, JourneyConfig, build_journeys_keyed};
use crate::event::Event;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Check-ins grouped into visits, with the profile of every event once voucher issuance is
/// followed.
pub(super) struct Grouped {
    /// Per event: its profile, a voucher redemption's holder included.
    pub keys: Vec<Option<String>>,
    /// The visits.
    pub visits: Vec<Visit>,
    /// Per visit: `Some` when it is instrument-only, with the campaign row of the code (when
    /// the issuing event named one) and the campaign the visit's check-ins name.
    pub instrument: Vec<Option<(Option<RowKey>, Option<String>)>>,
}

/// Group the check-ins of `events` into visits, following voucher issuance first (see
/// `instrument`).
pub(super) fn group(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    window_secs: i64,
) -> Grouped {
    let mut keys: Vec<Option<String>> = events.iter().map(key).collect();
    let through = instrument::follow_issuance(events, &mut keys);
    let keyed = |e: &Event| match super::slice_index(events, e) {
        Some(i) => keys[i].clone(),
        None => key(e),
    };
    let visits = group_visits(events, &keyed, window_secs);
    // A visit is instrument-only when every check-in of it was identified through a code; the
    // campaign is the code's issuer, else the campaign the check-in names.
    let instrument = visits
        .iter()
        .map(|v| {
            if v.profile.is_none() || !v.members.iter().all(|i| through.by_event.contains_key(i)) {
                return None;
            }
            let row = v
                .members
                .iter()
                .find_map(|i| through.by_event.get(i).cloned().flatten());
            Some((row, v.campaigns.iter().next().cloned()))
        })
        .collect();
    Grouped {
        keys,
        visits,
        instrument,
    }
}

/// The events of one analysis: every touchpoint and one check-in per visit (worth the sum of
/// its purchases), keyed to the profiles of one population, read over one period.
#[derive(Clone, Debug)]
pub struct AnalysisEvents {
    /// Touchpoints and product views as recorded, and one check-in per visit. Events of every
    /// day: [`Self::journeys`] and [`Self::exposure_table`] read the period.
    pub events: Vec<Event>,
    /// Per event: its profile, `None` outside the population.
    pub keys: Vec<Option<String>>,
    /// What the analysis covers, as a report states it.
    pub scope: AnalysisScope,
}

/// The period, the population and the visits an analysis covered: the fields a result states.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AnalysisScope {
    /// The period (dates in the store's time zone; the data's first and last day for an open
    /// end).
    pub period: Period,
    /// The population.
    pub population: Population,
    /// Profiles of the population with an event.
    pub population_profiles: u64,
    /// Check-ins of one profile at one store within this many seconds are one visit.
    pub visit_window_secs: i64,
    /// Visits of the population in the period (the conversions an attribution shares out).
    pub visits: u64,
    /// Check-ins grouped into those visits.
    pub checkins: u64,
    /// Visits of the population in the period identified only through a campaign's own
    /// voucher code: left out (see `instrument_only` in the report).
    pub instrument_only_visits: u64,
}

/// The events `o2o attribute` reads: check-ins grouped into visits exactly as the report groups
/// them (window `opts.visit_window_secs`, voucher issuance followed, instrument-only visits kept
/// out unless `opts.count_instrument_only`), keyed to the profiles of `opts.population` (with
/// the customers and assignments of `side`), over `opts.period`.
///
/// ```
/// use o2o_core::event::Event;
/// use o2o_core::measure::{analysis_events, MeasureOptions, Population, Side};
/// let ev = |j: &str| -> Event { serde_json::from_str(j).unwrap() };
/// let events = [
///     ev(r#"{"type":"touchpoint","action":"click","channel":"search","timestamp":0,
///            "identifiers":[{"kind":"external_id","value":"C1"}]}"#),
///     ev(r#"{"type":"checkin","method":"wifi_join","store":"S1","timestamp":100,
///            "identifiers":[{"kind":"external_id","value":"C1"}]}"#),
///     ev(r#"{"type":"checkin","method":"pos_purchase","store":"S1","timestamp":400,"value":30,
///            "identifiers":[{"kind":"external_id","value":"C1"}]}"#),
/// ];
/// let opts = MeasureOptions { population: Population::Customers, ..MeasureOptions::default() };
/// let a = analysis_events(&events, &o2o_core::report::simple_key, &Side::default(), &opts);
/// assert_eq!((a.scope.visits, a.scope.checkins), (1, 2));
/// ```
pub fn analysis_events(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    side: &Side,
    opts: &MeasureOptions,
) -> AnalysisEvents {
    let g = group(events, key, opts.visit_window_secs);
    let keyed = |e: &Event| match super::slice_index(events, e) {
        Some(i) => g.keys[i].clone(),
        None => key(e),
    };
    let assigned: BTreeSet<String> = side.assignments.iter().map(|a| a.profile.clone()).collect();
    let pop = population_profiles(opts.population, events, &keyed, &side.customers, &assigned);
    let apart = |i: usize| !opts.count_instrument_only && g.instrument[i].is_some();
    let in_pop = |p: &Option<String>| p.as_ref().filter(|p| pop.contains(*p)).cloned();

    let mut scope = AnalysisScope {
        period: opts.period.stated(events, &opts.timezone),
        population: opts.population,
        population_profiles: 0,
        visit_window_secs: opts.visit_window_secs,
        visits: 0,
        checkins: 0,
        instrument_only_visits: 0,
    };
    // The representative check-in of each counted visit stands for it.
    let mut stands_for: BTreeMap<usize, &Visit> = BTreeMap::new();
    for (i, v) in g.visits.iter().enumerate() {
        let counted = in_pop(&v.profile).is_some() && opts.period.contains(v.start);
        if apart(i) {
            scope.instrument_only_visits += u64::from(counted);
            continue;
        }
        if counted {
            scope.visits += 1;
            scope.checkins += u64::from(v.checkins);
        }
        stands_for.insert(v.representative, v);
    }
    let mut out = Vec::with_capacity(events.len());
    let mut keys = Vec::with_capacity(events.len());
    let mut profiles: BTreeSet<&str> = BTreeSet::new();
    for (i, e) in events.iter().enumerate() {
        let (event, profile) = match e {
            Event::Touchpoint(_) | Event::ProductView(_) => (e.clone(), in_pop(&g.keys[i])),
            Event::CheckIn(_) => {
                let Some(v) = stands_for.get(&i) else {
                    continue;
                };
                let Some(merged) = super::visits::merge_visit(events, i, v) else {
                    continue;
                };
                (merged, in_pop(&v.profile))
            }
        };
        if let Some(p) = profile.as_deref().and_then(|p| pop.get(p)) {
            profiles.insert(p);
        }
        out.push(event);
        keys.push(profile);
    }
    scope.population_profiles = profiles.len() as u64;
    AnalysisEvents {
        events: out,
        keys,
        scope,
    }
}

impl AnalysisEvents {
    /// The journeys of the population's profiles over the period: touches and visits of the
    /// period (a visit dated by the check-in that stands for it).
    #[must_use]
    pub fn journeys(&self, cfg: &JourneyConfig) -> Vec<Journey<String>> {
        let period = &self.scope.period;
        // Events outside the period get no key instead of being copied out: on a store of
        // millions of events a copy of them is gigabytes.
        let keys: Vec<Option<&String>> = self
            .events
            .iter()
            .zip(&self.keys)
            .map(|(e, k)| k.as_ref().filter(|_| period.contains(e.timestamp())))
            .collect();
        build_journeys_keyed(&self.events, &keys, cfg)
            .into_iter()
            .map(|j| Journey {
                profile: j.profile.clone(),
                touches: j.touches,
                converted: j.converted,
                end: j.end,
                value: j.value,
            })
            .collect()
    }

    /// Exposure and visits per profile of the population over the period, for the incremental
    /// model: a profile of the population seen only outside the period is an unexposed profile
    /// who did not visit.
    pub fn exposure_table(&self, cfg: &JourneyConfig) -> Result<ExposureTable, AttributionError> {
        let p = &self.scope.period;
        let window =
            (!p.is_open()).then(|| (p.start.unwrap_or(i64::MIN), p.end.unwrap_or(i64::MAX)));
        ExposureTable::from_keyed_events(&self.events, &self.keys, cfg, window)
    }
}
