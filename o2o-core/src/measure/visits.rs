//! Store visits: the check-ins of one profile at one store within a window are one visit.
//!
//! A customer who joins the store Wi-Fi, scans a QR code and then pays at the till leaves three
//! check-ins. Counted as check-ins they are three conversions, two of them worth nothing, and an
//! attribution model hands the purchase's credit to whichever touch preceded the Wi-Fi join.
//! Counted as one visit, identified by Wi-Fi and QR and purchased at the POS, they are what the
//! retailer means by "a visit". Every analysis of [`crate::measure`] counts visits; the check-ins
//! by method stay available in the KPIs.

use crate::event::{CheckIn, CheckInMethod, Event};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The default visit window: two hours.
pub const DEFAULT_VISIT_WINDOW_SECS: i64 = 2 * 3600;

/// One visit: check-ins of one profile at one store, each at most the window after the visit's
/// first check-in.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Visit {
    /// The profile key; `None` for a check-in no profile holds (each such check-in is a visit).
    pub profile: Option<String>,
    /// The store.
    pub store: String,
    /// Time of the first check-in (Unix seconds).
    pub start: i64,
    /// Time of the last check-in.
    pub end: i64,
    /// Check-ins grouped into the visit.
    pub checkins: u32,
    /// Check-ins with a purchase value.
    pub purchases: u32,
    /// Sum of the purchases' values.
    pub value: f64,
    /// Every method that identified the visit (Wi-Fi, QR, POS…).
    pub methods: BTreeSet<CheckInMethod>,
    /// Campaigns the check-ins carry (a redeemed voucher names its campaign).
    pub campaigns: BTreeSet<String>,
    /// Index in the input of the check-in that stands for the visit: the first purchase, or the
    /// first check-in when nothing was bought.
    #[serde(skip)]
    pub representative: usize,
    /// Indexes in the input of the visit's check-ins.
    #[serde(skip)]
    pub members: Vec<usize>,
}

impl Visit {
    /// Whether something was bought.
    #[must_use]
    pub fn with_purchase(&self) -> bool {
        self.purchases > 0
    }

    /// Whether the visit is known only through `method` (a voucher redemption and nothing
    /// else): its identification depends on the campaign that issued the voucher.
    #[must_use]
    pub fn only_by(&self, method: CheckInMethod) -> bool {
        self.methods.len() == 1 && self.methods.contains(&method)
    }
}

fn purchase_value(c: &CheckIn) -> Option<f64> {
    c.value.filter(|v| v.is_finite() && *v > 0.0)
}

/// Group the check-ins of `events` into visits: per profile (by `key`) and store, sorted by
/// time, a check-in more than `window_secs` after the current visit's first check-in starts a
/// new visit. The result does not depend on the order of `events`: check-ins are ordered by
/// time, then by method, value and identifiers before grouping and summing.
///
/// ```
/// use o2o_core::event::Event;
/// use o2o_core::measure::{group_visits, DEFAULT_VISIT_WINDOW_SECS};
/// let ev = |m: &str, ts: i64, v: Option<f64>| -> Event {
///     let value = v.map(|v| format!(r#","value":{v}"#)).unwrap_or_default();
///     serde_json::from_str(&format!(r#"{{"type":"checkin","method":"{m}","store":"S1",
///       "timestamp":{ts}{value},"identifiers":[{{"kind":"email","value":"a@x.com"}}]}}"#)).unwrap()
/// };
/// let events = [ev("wifi_join", 0, None), ev("pos_purchase", 600, Some(30.0)),
///               ev("pos_purchase", 86_400, Some(12.5))];
/// let visits = group_visits(&events, &o2o_core::report::simple_key, DEFAULT_VISIT_WINDOW_SECS);
/// assert_eq!(visits.len(), 2);
/// assert_eq!((visits[0].checkins, visits[0].value), (2, 30.0));
/// assert_eq!(visits[0].methods.len(), 2);
/// ```
pub fn group_visits(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    window_secs: i64,
) -> Vec<Visit> {
    type Slot = (Option<String>, String);
    let mut by: BTreeMap<Slot, Vec<(usize, &CheckIn)>> = BTreeMap::new();
    let mut loose: Vec<(usize, &CheckIn)> = Vec::new();
    for (i, e) in events.iter().enumerate() {
        if let Event::CheckIn(c) = e {
            match key(e) {
                Some(k) => by
                    .entry((Some(k), c.store.clone()))
                    .or_default()
                    .push((i, c)),
                None => loose.push((i, c)),
            }
        }
    }
    // A canonical order of check-ins that ignores their position in the input.
    let canon = |a: &(usize, &CheckIn), b: &(usize, &CheckIn)| {
        let (x, y) = (a.1, b.1);
        x.timestamp
            .cmp(&y.timestamp)
            .then(x.method.cmp(&y.method))
            .then(
                purchase_value(x)
                    .unwrap_or(0.0)
                    .total_cmp(&purchase_value(y).unwrap_or(0.0)),
            )
            .then_with(|| x.identifiers.cmp(&y.identifiers))
            .then_with(|| x.id.cmp(&y.id))
    };
    let mut out = Vec::new();
    let mut emit = |profile: Option<String>, store: &str, group: &[(usize, &CheckIn)]| {
        let Some(first) = group.first() else { return };
        let mut v = Visit {
            profile,
            store: store.to_owned(),
            start: first.1.timestamp,
            end: first.1.timestamp,
            checkins: 0,
            purchases: 0,
            value: 0.0,
            methods: BTreeSet::new(),
            campaigns: BTreeSet::new(),
            representative: first.0,
            members: Vec::with_capacity(group.len()),
        };
        let mut rep: Option<usize> = None;
        for (i, c) in group {
            v.end = v.end.max(c.timestamp);
            v.checkins += 1;
            v.members.push(*i);
            v.methods.insert(c.method);
            v.campaigns.extend(c.campaign.clone());
            if let Some(x) = purchase_value(c) {
                v.purchases += 1;
                v.value += x;
                rep.get_or_insert(*i);
            }
        }
        v.representative = rep.unwrap_or(first.0);
        out.push(v);
    };
    for ((profile, store), mut list) in by {
        list.sort_by(canon);
        let mut start = 0;
        for j in 1..=list.len() {
            let split =
                j == list.len() || list[j].1.timestamp - list[start].1.timestamp > window_secs;
            if split {
                emit(profile.clone(), &store, &list[start..j]);
                start = j;
            }
        }
    }
    loose.sort_by(canon);
    for c in &loose {
        emit(None, &c.1.store, std::slice::from_ref(c));
    }
    out
}

/// The events with every visit's check-ins replaced by one check-in: the representative (the
/// first purchase, else the first check-in) carrying the union of the visit's identifiers and
/// the sum of its purchases. Touchpoints are kept as they are. Attribution, the O2O report and
/// the KPIs read these events, so a Wi-Fi join before a purchase is no second conversion.
#[must_use]
pub fn visit_events(events: &[Event], visits: &[Visit]) -> Vec<Event> {
    let mut merged: BTreeMap<usize, &Visit> = BTreeMap::new();
    for v in visits {
        merged.insert(v.representative, v);
    }
    let mut out = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Touchpoint(_) | Event::ProductView(_) => out.push(e.clone()),
            Event::CheckIn(_) => {
                let Some(v) = merged.get(&i) else { continue };
                out.extend(merge_visit(events, i, v));
            }
        }
    }
    out
}

/// The check-in `events[i]` (the representative of `v`) standing for the whole visit: the
/// union of its check-ins' identifiers and the sum of its purchases. `None` when `events[i]`
/// is no check-in.
pub(super) fn merge_visit(events: &[Event], i: usize, v: &Visit) -> Option<Event> {
    let Some(Event::CheckIn(c)) = events.get(i) else {
        return None;
    };
    let mut c = c.clone();
    c.value = v.with_purchase().then_some(v.value);
    for &m in &v.members {
        if let Some(other) = events.get(m).filter(|_| m != i) {
            c.identifiers.extend(other.identifiers().iter().cloned());
        }
    }
    c.identifiers.sort();
    c.identifiers.dedup();
    Some(Event::CheckIn(c))
}

/// What the visits add up to: the `visits` object of the report.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct VisitSummary {
    /// Visits.
    pub count: u64,
    /// Visits with a purchase.
    pub with_purchase: u64,
    /// Revenue of the visits (sum of purchases).
    pub revenue: f64,
    /// `revenue / with_purchase`.
    pub revenue_per_visit: Option<f64>,
    /// Check-ins grouped into the visits.
    pub checkins: u64,
    /// Visits identified by each method (a visit identified by Wi-Fi and at the POS counts
    /// under both), every method listed.
    pub by_method: BTreeMap<String, u64>,
    /// Check-ins per method, as they were recorded.
    pub checkins_by_method: BTreeMap<String, u64>,
}

impl VisitSummary {
    /// Sum up `visits`, and count the check-ins of `events` by method.
    pub fn of(visits: &[Visit], events: &[Event]) -> VisitSummary {
        let zero = || -> BTreeMap<String, u64> {
            CheckInMethod::ALL
                .iter()
                .map(|m| (m.as_str().to_owned(), 0))
                .collect()
        };
        let mut s = VisitSummary {
            by_method: zero(),
            checkins_by_method: zero(),
            ..VisitSummary::default()
        };
        for e in events {
            if let Event::CheckIn(c) = e {
                *s.checkins_by_method
                    .entry(c.method.as_str().to_owned())
                    .or_default() += 1;
            }
        }
        let mut values: Vec<f64> = Vec::new();
        for v in visits {
            s.count += 1;
            s.checkins += u64::from(v.checkins);
            if v.with_purchase() {
                s.with_purchase += 1;
                values.push(v.value);
            }
            for m in &v.methods {
                *s.by_method.entry(m.as_str().to_owned()).or_default() += 1;
            }
        }
        // Summed in value order so that the total does not depend on the visits' order.
        values.sort_by(f64::total_cmp);
        s.revenue = values.iter().sum();
        s.revenue_per_visit = (s.with_purchase > 0).then(|| s.revenue / s.with_purchase as f64);
        s
    }
}
