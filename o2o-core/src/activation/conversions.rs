//! Store visits as offline conversions: one record per visit, with the identifiers, purchase and
//! click ids that the check-ins allowed to be uploaded.

use crate::consent::{ConsentGate, ConsentSignals, Operation};
use crate::event::{ClickIdKind, Event, Identifier, Item};
use crate::measure::Visit;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// How far back a click may be and still be credited with a visit: 90 days, the longest click
/// window Google Ads accepts for imported conversions.
pub const DEFAULT_CLICK_LOOKBACK_SECS: i64 = 90 * 86_400;

/// One offline conversion ready for a platform: a store visit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversion {
    /// Deduplication id: the source system's id of the visit's representative check-in (a
    /// receipt number), else `o2o-` and 32 hex digits of SHA-256 over profile, store and time.
    pub event_id: String,
    /// When it happened (Unix seconds): the purchase, or the first check-in.
    pub timestamp: i64,
    /// The store.
    pub store: String,
    /// Purchase value, when something was bought.
    pub value: Option<f64>,
    /// ISO 4217 currency of `value`.
    pub currency: Option<String>,
    /// What was bought.
    pub items: Vec<Item>,
    /// Identifiers of the check-ins that allow upload (sorted, distinct).
    pub identifiers: Vec<Identifier>,
    /// Consent signals of the visit: those of a check-in that allows upload, else the
    /// representative's.
    pub consent: Option<ConsentSignals>,
    /// Ad click ids: carried by the check-ins, or the person's latest click of each kind within
    /// the lookback before the visit (clicks whose own record allows upload only).
    pub clicks: Vec<(ClickIdKind, String)>,
}

impl Conversion {
    /// The click id of `kind`, when known.
    #[must_use]
    pub fn click(&self, kind: ClickIdKind) -> Option<&str> {
        self.clicks
            .iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v.as_str())
    }

    /// Whether something was bought.
    #[must_use]
    pub fn is_purchase(&self) -> bool {
        self.value.is_some()
    }
}

fn allows(gate: &ConsentGate, e: &Event) -> bool {
    gate.check(Operation::HashForUpload, e.consent()).allowed
}

fn tracking(e: &Event) -> Option<&crate::event::Tracking> {
    e.tracking()
}

/// The visits of `visits` (grouped from `events` by [`crate::measure::group_visits`] under the
/// same `key`) whose time lies in `[from, to)`, as conversions in time order (then store and
/// event id). The second value counts the
/// check-ins whose identifiers were kept out because their consent does not allow upload.
///
/// Each check-in is judged on its own consent: only the identifiers, items and click ids of
/// check-ins with a `hash_for_upload` permit join the visit. A visit none of whose check-ins
/// allows upload keeps no identifier and its representative's (refusing) consent, so the
/// export counts it as without consent.
pub fn conversions(
    events: &[Event],
    visits: &[Visit],
    key: &dyn Fn(&Event) -> Option<String>,
    period: (Option<i64>, Option<i64>),
    gate: &ConsentGate,
    lookback_secs: i64,
) -> (Vec<Conversion>, u64) {
    // Clicks per person, in time order, from records that allow upload.
    let mut clicks: HashMap<String, Vec<(i64, ClickIdKind, &str)>> = HashMap::new();
    for e in events {
        let Event::Touchpoint(_) = e else { continue };
        let Some(t) = tracking(e) else { continue };
        if t.click_ids().next().is_none() || !allows(gate, e) {
            continue;
        }
        if let Some(p) = key(e) {
            let list = clicks.entry(p).or_default();
            list.extend(t.click_ids().map(|(k, v)| (e.timestamp(), k, v)));
        }
    }
    for list in clicks.values_mut() {
        list.sort_unstable();
    }
    let (from, to) = period;
    let mut out = Vec::new();
    let mut kept_out = 0u64;
    for v in visits {
        let Some(Event::CheckIn(rep)) = events.get(v.representative) else {
            continue;
        };
        let ts = rep.timestamp;
        if from.is_some_and(|f| ts < f) || to.is_some_and(|t| ts >= t) {
            continue;
        }
        let mut c = Conversion {
            event_id: rep.id.clone().unwrap_or_else(|| derived_id(v)),
            timestamp: ts,
            store: v.store.clone(),
            value: v.with_purchase().then_some(v.value),
            currency: None,
            items: Vec::new(),
            identifiers: Vec::new(),
            consent: None,
            clicks: Vec::new(),
        };
        for &m in &v.members {
            let Some(e @ Event::CheckIn(ci)) = events.get(m) else {
                continue;
            };
            if !allows(gate, e) {
                kept_out += 1;
                continue;
            }
            if c.consent.is_none() {
                c.consent = ci.consent.clone();
            }
            if c.currency.is_none() && ci.value.is_some() {
                c.currency = ci.currency.clone();
            }
            c.identifiers.extend(ci.identifiers.iter().cloned());
            c.items.extend(ci.items.iter().cloned());
            if let Some(t) = ci.tracking.as_deref() {
                for (k, val) in t.click_ids() {
                    if c.click(k).is_none() {
                        c.clicks.push((k, val.to_owned()));
                    }
                }
            }
        }
        if c.consent.is_none() {
            // No check-in allows upload: the export counts it, nothing of it is hashed.
            c.consent = rep.consent.clone();
            c.identifiers.clear();
        } else if let Some(list) = v.profile.as_ref().and_then(|p| clicks.get(p)) {
            // The latest click of each kind within the lookback, at or before the visit.
            let end = list.partition_point(|(t, _, _)| *t <= v.start);
            for &(t, k, val) in list[..end].iter().rev() {
                if v.start - t > lookback_secs {
                    break;
                }
                if c.click(k).is_none() {
                    c.clicks.push((k, val.to_owned()));
                }
            }
        }
        c.identifiers.sort();
        c.identifiers.dedup();
        c.clicks.sort();
        out.push(c);
    }
    // In time order, not profile order: profile ids are hashes (of pseudonyms in a keyed
    // store), so their order says nothing, and the same visits give the same file whichever
    // way the store keeps identifiers.
    out.sort_by(|a, b| {
        (a.timestamp, &a.store, &a.event_id).cmp(&(b.timestamp, &b.store, &b.event_id))
    });
    (out, kept_out)
}

/// `o2o-` + 32 hex digits of SHA-256 over the visit's profile, store and first check-in time.
fn derived_id(v: &Visit) -> String {
    let text = format!(
        "{}\u{1f}{}\u{1f}{}",
        v.profile.as_deref().unwrap_or(""),
        v.store,
        v.start
    );
    let d = crate::hashing::sha256(text.as_bytes());
    let mut hex = String::with_capacity(69);
    hex.push_str("o2o-");
    crate::hashing::push_hex(&d, &mut hex);
    hex.truncate(4 + 32);
    hex
}
