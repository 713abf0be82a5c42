//! The few figures the rendered report shows that the report itself does not compute: the
//! period and currency of the data, daily visits of the target group against the holdout, and
//! visits per store. Grouping only: no estimate is made here.

use super::format::local_date;
use super::view::{DailyVisits, Period, StoreVisits};
use crate::event::{AssignmentGroup, Event};
use std::collections::{BTreeMap, HashMap};

/// The first and last local day of any event in `tz`; empty when there is no event.
pub fn period_of(events: &[Event], tz: &str) -> Period {
    let (lo, hi) = events
        .iter()
        .map(Event::timestamp)
        .fold((i64::MAX, i64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    if lo > hi {
        return Period::default();
    }
    Period {
        from: local_date(lo, tz),
        to: local_date(hi, tz),
    }
}

/// The currency most purchases are in (ties: alphabetical first); empty when none says.
pub fn currency_of(events: &[Event]) -> String {
    let mut n: BTreeMap<&str, u64> = BTreeMap::new();
    for e in events {
        if let Event::CheckIn(c) = e
            && let Some(cur) = &c.currency
        {
            *n.entry(cur.as_str()).or_default() += 1;
        }
    }
    let mut best: Option<(&str, u64)> = None;
    for (c, k) in n {
        if best.is_none_or(|(_, b)| k > b) {
            best = Some((c, k));
        }
    }
    best.map(|(c, _)| c.to_owned()).unwrap_or_default()
}

/// Visits (check-ins) per local day of the members of each arm, per 1,000 members of that arm,
/// over every day of `period` (days without a visit are zeros). `members` maps a profile key to
/// its arm; people in neither arm are not counted. Empty when an arm has no member.
pub fn daily_by_group(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    members: &HashMap<String, AssignmentGroup>,
    tz: &str,
    period: &Period,
) -> Vec<DailyVisits> {
    let target = members
        .values()
        .filter(|g| **g == AssignmentGroup::Target)
        .count();
    let holdout = members.len() - target;
    if target == 0 || holdout == 0 {
        return Vec::new();
    }
    let mut days: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    if let (Ok(from), Ok(to)) = (
        period.from.parse::<jiff::civil::Date>(),
        period.to.parse::<jiff::civil::Date>(),
    ) {
        let mut d = from;
        while d <= to {
            days.insert(d.to_string(), (0, 0));
            match d.tomorrow() {
                Ok(n) => d = n,
                Err(_) => break,
            }
        }
    }
    for e in events {
        let Event::CheckIn(c) = e else { continue };
        let Some(g) = key(e).and_then(|k| members.get(&k).copied()) else {
            continue;
        };
        let day = days.entry(local_date(c.timestamp, tz)).or_default();
        match g {
            AssignmentGroup::Target => day.0 += 1,
            AssignmentGroup::Holdout => day.1 += 1,
        }
    }
    let per_k = |n: u64, of: usize| (n as f64 * 1000.0 / of as f64 * 100.0).round() / 100.0;
    days.into_iter()
        .map(|(date, (t, h))| DailyVisits {
            date,
            target: per_k(t, target),
            holdout: per_k(h, holdout),
        })
        .collect()
}

/// Visits and revenue per store, most visited first (ties by name).
pub fn by_store(events: &[Event]) -> Vec<StoreVisits> {
    let mut m: BTreeMap<&str, StoreVisits> = BTreeMap::new();
    for e in events {
        if let Event::CheckIn(c) = e {
            let s = m.entry(c.store.as_str()).or_insert_with(|| StoreVisits {
                store: c.store.clone(),
                ..StoreVisits::default()
            });
            s.visits += 1;
            s.revenue += c.value.filter(|v| v.is_finite() && *v > 0.0).unwrap_or(0.0);
            if s.region.is_none() {
                s.region.clone_from(&c.region);
            }
        }
    }
    let mut v: Vec<StoreVisits> = m.into_values().collect();
    v.sort_by(|a, b| b.visits.cmp(&a.visits).then_with(|| a.store.cmp(&b.store)));
    v
}

/// SHA-256 of `value` as JSON, first 16 hex digits.
pub fn fingerprint<T: serde::Serialize>(value: &T) -> String {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(value).unwrap_or_default();
    let d = Sha256::digest(&json);
    d.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// Global-holdout arms by profile: each assignment without a campaign, mapped through the
/// identity graph to the profile of its first linked identifier. A profile assigned twice keeps
/// its latest assignment.
#[cfg(feature = "identity")]
pub fn members_from_assignments(
    assignments: &[crate::event::Assignment],
    graph: &crate::identity::IdentityGraph,
) -> HashMap<String, AssignmentGroup> {
    let profiles = graph.profiles();
    let mut latest: HashMap<String, (i64, AssignmentGroup)> = HashMap::new();
    for a in assignments.iter().filter(|a| a.campaign.is_none()) {
        let Some(p) = a.identifiers.iter().find_map(|i| profiles.of(i)) else {
            continue;
        };
        let e = latest
            .entry(p.id.to_string())
            .or_insert((a.timestamp, a.group));
        if a.timestamp >= e.0 {
            *e = (a.timestamp, a.group);
        }
    }
    latest.into_iter().map(|(k, (_, g))| (k, g)).collect()
}

/// The view's context from an event store: its time zone, what was ingested, its global
/// holdout's daily series, visits per store.
#[cfg(feature = "store")]
pub fn context_from_store(
    store: &crate::store::Store,
    graph: &crate::identity::IdentityGraph,
    events: &[Event],
    title: &str,
    window_days: u32,
) -> Result<super::ViewContext, crate::store::StoreError> {
    use crate::event::RecordKind;
    use crate::store::StoredRecord;
    let tz = store.manifest().timezone.clone();
    let assignments: Vec<crate::event::Assignment> = store
        .records(RecordKind::Assignment)?
        .into_iter()
        .filter_map(|(r, _)| match r {
            StoredRecord::Assignment(a) => Some(a),
            _ => None,
        })
        .collect();
    let members = members_from_assignments(&assignments, graph);
    let key = |e: &Event| graph.profile_id_of_event(e).map(|p| p.to_string());
    let period = period_of(events, &tz);
    let sources: Vec<super::SourceView> = store
        .manifest()
        .ingests
        .iter()
        .map(|i| super::SourceView {
            source: i.source.clone(),
            file: i.file.clone(),
            rows: i.stats.rows,
            rejected: i.stats.rejected,
        })
        .collect();
    Ok(super::ViewContext {
        title: title.to_owned(),
        daily: daily_by_group(events, &key, &members, &tz, &period),
        period,
        population: "all".to_owned(),
        currency: currency_of(events),
        by_store: by_store(events),
        provenance: super::Provenance {
            rows_read: sources.iter().map(|s| s.rows).sum(),
            rows_rejected: sources.iter().map(|s| s.rejected).sum(),
            sources,
            rules_fingerprint: fingerprint(graph.rules()),
            window_days,
            generator: format!("o2o {}", env!("CARGO_PKG_VERSION")),
        },
        timezone: tz,
    })
}

/// The view's context from events without a store (UTC dates, no holdout series).
pub fn context_from_events(
    events: &[Event],
    rules_fingerprint: String,
    title: &str,
    window_days: u32,
) -> super::ViewContext {
    let tz = "UTC".to_owned();
    let period = period_of(events, &tz);
    super::ViewContext {
        title: title.to_owned(),
        period,
        population: "all".to_owned(),
        currency: currency_of(events),
        timezone: tz,
        daily: Vec::new(),
        by_store: by_store(events),
        provenance: super::Provenance {
            rows_read: events.len() as u64,
            rules_fingerprint,
            window_days,
            generator: format!("o2o {}", env!("CARGO_PKG_VERSION")),
            ..super::Provenance::default()
        },
    }
}
