//! The few figures the rendered report shows that the report itself does not compute: the
//! period and currency of the data, daily visits of the target group against the holdout, and
//! visits per store. Grouping only: no estimate is made here.
//!
//! Every series counts **visits** — the groups of [`crate::measure::group_visits`], the same
//! grouping as the report's `visits.count` — never check-ins: a Wi-Fi join minutes before a
//! receipt is one visit, on the day and at the store of its first check-in. Check-ins as
//! recorded stay beside them, labelled check-ins (`visits.checkins_by_method`,
//! `by_store[].checkins`).

use super::format::local_date;
use super::view::{DailyVisits, Period, StoreVisits, VisitsView};
use crate::event::{AssignmentGroup, Event};
use crate::measure::{DEFAULT_VISIT_WINDOW_SECS, Visit, VisitSummary, group_visits};
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
#[must_use]
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

/// What the series count and over which time: check-ins of one profile at one store within
/// `visit_window_secs` are one visit (the grouping of [`crate::measure::group_visits`], the one
/// the report's `visits` object counts), and only visits whose first check-in falls in `period`
/// are counted.
#[derive(Clone, Debug)]
pub struct SeriesOptions {
    /// Check-ins of one profile at one store within this many seconds are one visit.
    pub visit_window_secs: i64,
    /// The analysed period (open by default: every visit).
    pub period: crate::measure::Period,
}

impl Default for SeriesOptions {
    fn default() -> Self {
        SeriesOptions {
            visit_window_secs: DEFAULT_VISIT_WINDOW_SECS,
            period: crate::measure::Period::default(),
        }
    }
}

/// The visits of `events` whose first check-in lies in `opts.period`, and the events of the
/// period: what every series of the view counts.
pub fn visits_in_period(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    opts: &SeriesOptions,
) -> Vec<Visit> {
    let mut v = group_visits(events, key, opts.visit_window_secs);
    v.retain(|v| opts.period.contains(v.start));
    v
}

/// The visits object of the view: visits, visits with a purchase, revenue and visits per
/// method, with the check-ins of the period as recorded beside them (labelled check-ins).
#[must_use]
pub fn visits_view(visits: &[Visit], events: &[Event], opts: &SeriesOptions) -> VisitsView {
    let in_period: Vec<Event> = events
        .iter()
        .filter(|e| matches!(e, Event::CheckIn(_)) && opts.period.contains(e.timestamp()))
        .cloned()
        .collect();
    let s = VisitSummary::of(visits, &in_period);
    VisitsView {
        count: s.count,
        with_purchase: s.with_purchase,
        revenue: s.revenue,
        by_method: s.by_method,
        checkins: in_period.len() as u64,
        checkins_by_method: s.checkins_by_method,
        visit_window_secs: opts.visit_window_secs,
    }
}

/// Visits per local day (the day of the visit's first check-in, in `tz`) of the members of each
/// arm, per 1,000 members of that arm, over every day of `period` (days without a visit are
/// zeros). A Wi-Fi join minutes before a receipt is one visit on that day. `members` maps a
/// profile key to its arm; people in neither arm are not counted. Empty when an arm has no
/// member.
#[must_use]
pub fn daily_by_group(
    visits: &[Visit],
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
    for v in visits {
        let Some(g) = v.profile.as_ref().and_then(|k| members.get(k).copied()) else {
            continue;
        };
        let day = days.entry(local_date(v.start, tz)).or_default();
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

/// Visits, their revenue and their check-ins per store, most visited first (ties by name).
/// `visits` are groups of `events` ([`crate::measure::group_visits`]); a store's region is
/// the first region its visits' check-ins name.
#[must_use]
pub fn by_store(events: &[Event], visits: &[Visit]) -> Vec<StoreVisits> {
    let mut m: BTreeMap<&str, StoreVisits> = BTreeMap::new();
    for v in visits {
        let s = m.entry(v.store.as_str()).or_insert_with(|| StoreVisits {
            store: v.store.clone(),
            ..StoreVisits::default()
        });
        s.visits += 1;
        s.checkins += u64::from(v.checkins);
        s.revenue += v.value;
        if s.region.is_none() {
            s.region = v.members.iter().find_map(|&i| match events.get(i) {
                Some(Event::CheckIn(c)) => c.region.clone(),
                _ => None,
            });
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

/// The first and last local day of the events inside `opts.period`.
fn stated_period(events: &[Event], tz: &str, opts: &SeriesOptions) -> Period {
    if opts.period.is_open() {
        return period_of(events, tz);
    }
    let inside: Vec<Event> = events
        .iter()
        .filter(|e| opts.period.contains(e.timestamp()))
        .cloned()
        .collect();
    period_of(&inside, tz)
}

/// The view's context from an event store: its time zone, what was ingested, its global
/// holdout's daily visits, visits per store — every series counting visits grouped as `opts`
/// says, in `opts.period`.
#[cfg(feature = "store")]
pub fn context_from_store(
    store: &crate::store::Store,
    graph: &crate::identity::IdentityGraph,
    events: &[Event],
    title: &str,
    window_days: u32,
    opts: &SeriesOptions,
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
    let visits = visits_in_period(events, &key, opts);
    let period = stated_period(events, &tz, opts);
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
        daily: daily_by_group(&visits, &members, &tz, &period),
        period,
        population: "all".to_owned(),
        currency: currency_of(events),
        by_store: by_store(events, &visits),
        visits: Some(visits_view(&visits, events, opts)),
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

/// The view's context from events without a store (UTC dates, no holdout series): visits per
/// store, grouped by `key` as `opts` says.
pub fn context_from_events(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    rules_fingerprint: String,
    title: &str,
    window_days: u32,
    opts: &SeriesOptions,
) -> super::ViewContext {
    let tz = "UTC".to_owned();
    let visits = visits_in_period(events, key, opts);
    let period = stated_period(events, &tz, opts);
    super::ViewContext {
        title: title.to_owned(),
        period,
        population: "all".to_owned(),
        currency: currency_of(events),
        timezone: tz,
        daily: Vec::new(),
        by_store: by_store(events, &visits),
        visits: Some(visits_view(&visits, events, opts)),
        provenance: super::Provenance {
            rows_read: events.len() as u64,
            rules_fingerprint,
            window_days,
            generator: format!("o2o {}", env!("CARGO_PKG_VERSION")),
            ..super::Provenance::default()
        },
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::measure::{MeasureOptions, Side, measure};
    use crate::render::{ReportView, html};
    use crate::report::simple_key;

    /// 2026-03-01 23:55 in Ho Chi Minh City (UTC+7).
    const LATE: i64 = 1_772_384_100;

    fn checkin(method: &str, store: &str, ts: i64, value: Option<f64>, email: &str) -> Event {
        let value = value.map(|v| format!(r#","value":{v},"currency":"USD""#));
        serde_json::from_str(&format!(
            r#"{{"type":"checkin","method":"{method}","store":"{store}","region":"south","timestamp":{ts}{},"identifiers":[{{"kind":"email","value":"{email}"}}]}}"#,
            value.unwrap_or_default()
        ))
        .unwrap()
    }

    /// A Wi-Fi join at 23:55 local time and a receipt ten minutes later (past midnight), and a
    /// holdout member's receipt at another store the next afternoon.
    fn events() -> Vec<Event> {
        vec![
            checkin("pos_purchase", "S1", LATE + 600, Some(42.5), "ann@x.com"),
            checkin("wifi_join", "S1", LATE, None, "ann@x.com"),
            checkin(
                "pos_purchase",
                "S2",
                LATE + 15 * 3600,
                Some(10.0),
                "bao@x.com",
            ),
        ]
    }

    #[test]
    fn a_wifi_join_before_a_receipt_is_one_visit_on_the_day_and_at_the_store_it_began() {
        let events = events();
        let opts = SeriesOptions::default();
        let visits = visits_in_period(&events, &simple_key, &opts);
        let tz = "Asia/Ho_Chi_Minh";
        let members = HashMap::from([
            ("email:ann@x.com".to_owned(), AssignmentGroup::Target),
            ("email:bao@x.com".to_owned(), AssignmentGroup::Holdout),
        ]);
        let period = period_of(&events, tz);
        assert_eq!(
            (period.from.as_str(), period.to.as_str()),
            ("2026-03-01", "2026-03-02")
        );
        let daily = daily_by_group(&visits, &members, tz, &period);
        // One target visit (of one member: 1,000 per 1,000) on the day of the Wi-Fi join, not
        // two and not on the day of the receipt.
        assert_eq!(daily.len(), 2);
        assert_eq!(
            (daily[0].date.as_str(), daily[0].target),
            ("2026-03-01", 1000.0)
        );
        assert_eq!(
            (daily[1].date.as_str(), daily[1].target),
            ("2026-03-02", 0.0)
        );
        assert_eq!(daily[1].holdout, 1000.0);
        let stores = by_store(&events, &visits);
        assert_eq!(stores.len(), 2);
        let s1 = stores.iter().find(|s| s.store == "S1").unwrap();
        assert_eq!((s1.visits, s1.checkins, s1.revenue), (1, 2, 42.5));
        assert_eq!(s1.region.as_deref(), Some("south"));
        let v = visits_view(&visits, &events, &opts);
        assert_eq!((v.count, v.with_purchase, v.checkins), (2, 2, 3));
        // Check-ins by method, labelled as check-ins: the join and both receipts.
        assert_eq!(v.checkins_by_method["wifi_join"], 1);
        assert_eq!(v.checkins_by_method["pos_purchase"], 2);
        // Visits by method: Ann's visit counts under both of its methods.
        assert_eq!(v.by_method["wifi_join"], 1);
        assert_eq!(v.by_method["pos_purchase"], 2);
    }

    #[test]
    fn the_rendered_view_counts_the_visits_of_the_report_json() {
        let events = events();
        let m = measure(
            &events,
            &simple_key,
            &Side::default(),
            &MeasureOptions::default(),
        )
        .unwrap();
        let series = SeriesOptions {
            visit_window_secs: m.visit_window_secs,
            period: MeasureOptions::default().period,
        };
        let ctx = context_from_events(&events, &simple_key, String::new(), "t", 28, &series);
        let view = ReportView::from_measurement(&m, ctx);
        let json: serde_json::Value = serde_json::to_value(&m).unwrap();
        assert_eq!(json["visits"]["count"], 2);
        assert_eq!(view.visits.count, 2);
        let per_store: u64 = view.by_store.iter().map(|s| s.visits).sum();
        assert_eq!(per_store, view.visits.count);
        assert_eq!(view.visits.checkins, 3);
        let page = html::render(&view);
        assert!(page.contains(r#"data-path="visits.count" data-value="2""#));
        assert!(page.contains(r#"data-path="by_store.0.visits" data-value="1""#));
        assert!(page.contains(r#"data-path="visits.checkins_by_method.wifi_join" data-value="1""#));
    }
}
