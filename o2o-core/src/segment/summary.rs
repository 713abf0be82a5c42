//! Profile summaries from events.

use crate::consent::ConsentState;
use crate::event::Event;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What the rules need to know about one resolved profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProfileSummary {
    /// Profile id (the key events were grouped by).
    pub id: String,
    /// First event, Unix seconds.
    pub first_seen: i64,
    /// Last store check-in, Unix seconds.
    pub last_visit: Option<i64>,
    /// In-store spend over all check-ins.
    pub total_spend: f64,
    /// Store check-ins.
    pub visits: u32,
    /// Regions of the stores visited, sorted.
    pub regions: Vec<String>,
    /// Whether the latest consent signal allows personalised advertising (Consent Mode
    /// `ad_personalization` granted). Absent signals mean no (fail closed).
    pub consent_personalise: bool,
}

/// Summarise events per profile key. Profiles come out sorted by id; events may be in any order.
pub fn summarise(events: &[Event], key: impl Fn(&Event) -> Option<String>) -> Vec<ProfileSummary> {
    struct Acc {
        first: i64,
        last_visit: Option<i64>,
        spend: f64,
        visits: u32,
        regions: BTreeSet<String>,
        consent: Option<(i64, bool)>,
    }
    let mut map: BTreeMap<String, Acc> = BTreeMap::new();
    for e in events {
        let Some(k) = key(e) else { continue };
        let ts = e.timestamp();
        let a = map.entry(k).or_insert(Acc {
            first: ts,
            last_visit: None,
            spend: 0.0,
            visits: 0,
            regions: BTreeSet::new(),
            consent: None,
        });
        a.first = a.first.min(ts);
        if let Event::CheckIn(c) = e {
            a.visits += 1;
            a.spend += c.value.unwrap_or(0.0);
            a.last_visit = Some(a.last_visit.map_or(ts, |l| l.max(ts)));
            if let Some(r) = &c.region {
                a.regions.insert(r.clone());
            }
        }
        if let Some(gcm) = e.consent().and_then(|s| s.gcm.as_ref()) {
            let granted = gcm.ad_personalization == ConsentState::Granted;
            // Latest signal wins; at equal times a denial wins (fail closed, order-independent).
            let newer = match a.consent {
                None => true,
                Some((t, g)) => ts > t || (ts == t && g && !granted),
            };
            if newer {
                a.consent = Some((ts, granted));
            }
        }
    }
    map.into_iter()
        .map(|(id, a)| ProfileSummary {
            id,
            first_seen: a.first,
            last_visit: a.last_visit,
            total_spend: a.spend,
            visits: a.visits,
            regions: a.regions.into_iter().collect(),
            consent_personalise: a.consent.is_some_and(|(_, g)| g),
        })
        .collect()
}
