//! Grouping events by profile.

use crate::event::{Event, IdKind};
use std::collections::BTreeMap;

/// A stand-in profile key when no identity graph is available: the strongest personal
/// identifier of the event (external id, loyalty card, email, phone, device id, in that order),
/// trimmed and lower-cased, as `kind:value`. IPs, MACs and descriptive attributes are never
/// used (shared or too weak). It links far less than the identity graph does, so reports built
/// on it undercount cross-device journeys.
///
/// ```
/// use o2o_core::event::Event;
/// let ev: Event = serde_json::from_str(r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":1,
///   "identifiers":[{"kind":"device_id","value":"D1"},{"kind":"email","value":" Ann@X.com"}]}"#).unwrap();
/// assert_eq!(o2o_core::report::simple_key(&ev).as_deref(), Some("email:ann@x.com"));
/// ```
#[must_use]
pub fn simple_key(ev: &Event) -> Option<String> {
    const ORDER: [IdKind; 5] = [
        IdKind::ExternalId,
        IdKind::LoyaltyCard,
        IdKind::Email,
        IdKind::Phone,
        IdKind::DeviceId,
    ];
    ORDER.iter().find_map(|k| {
        ev.identifiers()
            .iter()
            .find(|i| i.kind == *k && !i.value.trim().is_empty())
            .map(|i| format!("{}:{}", k.as_str(), i.value.trim().to_lowercase()))
    })
}

/// Event indices per profile key, each list sorted by (timestamp, index): deterministic for a
/// given input whatever the key function's allocation.
pub(crate) fn by_profile<'a>(
    events: &'a [Event],
    key: &dyn Fn(&Event) -> Option<String>,
) -> BTreeMap<String, Vec<&'a Event>> {
    let mut map: BTreeMap<String, Vec<(i64, usize)>> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        if let Some(k) = key(e) {
            map.entry(k).or_default().push((e.timestamp(), i));
        }
    }
    map.into_iter()
        .map(|(k, mut v)| {
            v.sort_unstable();
            // Indices come from enumerate over `events`, so they are in bounds.
            (k, v.into_iter().map(|(_, i)| &events[i]).collect())
        })
        .collect()
}
