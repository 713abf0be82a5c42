//! Identification that depends on treatment: visits known only through a campaign's own
//! instrument.
//!
//! A voucher code ties a redemption to the person it was issued to, and only people the
//! campaign reached were issued one. An exposed customer who pays anonymously with the code is
//! still identified; an unexposed customer who pays anonymously the same day is not. Counting
//! such visits in an uplift comparison counts the treated arm's anonymous visits and not the
//! control arm's: the lift is inflated by the instrument, not by the campaign. So the uplift
//! counts visits identified by identifiers that do not depend on the treatment, and the visits
//! identified **only** through a campaign's instrument are reported beside the campaign
//! (`instrument_only`), never mixed in.
//!
//! The issuance link: a code ([`IdKind::VoucherCode`]) carried by an event that other
//! identifiers tie to a profile (the messaging app's claim log with the phone it was sent to)
//! is issued to that profile, by the campaign of that event. A check-in that no other
//! identifier ties to a profile, carrying a code issued to exactly one profile, is that
//! profile's check-in *through the instrument*. A code seen with two profiles (a shared promo
//! code) identifies no one.

use crate::event::{Event, IdKind};
use crate::hashing::{NormalizeOptions, normalize};
use std::collections::BTreeMap;

/// A campaign's row key: channel and campaign.
pub(super) type RowKey = (String, Option<String>);

/// To whom a code was issued, and by which campaign.
#[derive(Clone, Debug, PartialEq)]
enum Holder {
    /// One profile, by the campaign of the issuing event (`None`: the event names none).
    One(String, Option<RowKey>),
    /// Several profiles: a shared code, which identifies no one.
    Shared,
}

/// The check-ins tied to a profile only through a campaign's instrument.
#[derive(Clone, Debug, Default)]
pub(super) struct Through {
    /// Per event index: the campaign row whose instrument identified the check-in (`None`
    /// inside: the issuing event named no campaign; use the check-in's own campaign).
    pub by_event: BTreeMap<usize, Option<RowKey>>,
}

fn codes(e: &Event) -> impl Iterator<Item = String> + '_ {
    let opts = NormalizeOptions::default();
    e.identifiers()
        .iter()
        .filter(|i| i.kind.is_instrument())
        .filter_map(move |i| normalize(IdKind::VoucherCode, &i.value, &opts).ok())
}

/// Follow the issuance of voucher codes: give each check-in without a profile of its own, and
/// with a code issued to exactly one profile, that profile (in `keys`), and say which check-ins
/// were so identified.
pub(super) fn follow_issuance(events: &[Event], keys: &mut [Option<String>]) -> Through {
    let mut holders: BTreeMap<String, Holder> = BTreeMap::new();
    for (e, k) in events.iter().zip(keys.iter()) {
        let Some(p) = k else { continue };
        let row = match e {
            Event::Touchpoint(t) => Some((t.channel.clone(), t.campaign.clone())),
            Event::CheckIn(_) | Event::ProductView(_) => None,
        };
        for code in codes(e) {
            let h = holders
                .entry(code)
                .or_insert_with(|| Holder::One(p.clone(), row.clone()));
            match h {
                Holder::One(q, r) if q == p => {
                    if r.is_none() {
                        r.clone_from(&row);
                    }
                }
                _ => *h = Holder::Shared,
            }
        }
    }
    let mut through = Through::default();
    for (i, (e, k)) in events.iter().zip(keys.iter_mut()).enumerate() {
        if k.is_some() || !matches!(e, Event::CheckIn(_)) {
            continue;
        }
        let mut found: Option<(String, Option<RowKey>)> = None;
        let mut ambiguous = false;
        for code in codes(e) {
            if let Some(Holder::One(p, row)) = holders.get(&code) {
                match &found {
                    Some((q, _)) if q != p => ambiguous = true,
                    Some(_) => {}
                    None => found = Some((p.clone(), row.clone())),
                }
            }
        }
        if let (Some((p, row)), false) = (found, ambiguous) {
            *k = Some(p);
            through.by_event.insert(i, row);
        }
    }
    through
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::simple_key;

    fn ev(json: &str) -> Event {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_code_issued_to_one_profile_identifies_an_anonymous_redemption_and_a_shared_code_does_not()
    {
        let events = [
            ev(
                r#"{"type":"touchpoint","action":"voucher_claim","channel":"zalo","campaign":"zalo-spring","timestamp":10,
                "identifiers":[{"kind":"phone","value":"+84912345678"},{"kind":"voucher_code","value":"zl-0001"}]}"#,
            ),
            ev(
                r#"{"type":"checkin","method":"voucher_redemption","store":"S1","timestamp":100,"value":20,
                "identifiers":[{"kind":"voucher_code","value":"ZL0001"}]}"#,
            ),
            // A shared code: claimed by two people, so a redemption with it is nobody's.
            ev(
                r#"{"type":"touchpoint","action":"voucher_claim","channel":"zalo","timestamp":10,
                "identifiers":[{"kind":"email","value":"a@x.com"},{"kind":"voucher_code","value":"ALL"}]}"#,
            ),
            ev(
                r#"{"type":"touchpoint","action":"voucher_claim","channel":"zalo","timestamp":11,
                "identifiers":[{"kind":"email","value":"b@x.com"},{"kind":"voucher_code","value":"ALL"}]}"#,
            ),
            ev(
                r#"{"type":"checkin","method":"voucher_redemption","store":"S1","timestamp":100,"value":20,
                "identifiers":[{"kind":"voucher_code","value":"ALL"}]}"#,
            ),
            // A redemption with a loyalty card is the card's, not the instrument's.
            ev(
                r#"{"type":"checkin","method":"voucher_redemption","store":"S1","timestamp":100,"value":20,
                "identifiers":[{"kind":"loyalty_card","value":"LC1"},{"kind":"voucher_code","value":"ZL0002"}]}"#,
            ),
        ];
        let mut keys: Vec<Option<String>> = events.iter().map(simple_key).collect();
        let through = follow_issuance(&events, &mut keys);
        assert_eq!(keys[1].as_deref(), Some("phone:+84912345678"));
        assert_eq!(
            through.by_event.get(&1),
            Some(&Some(("zalo".to_owned(), Some("zalo-spring".to_owned()))))
        );
        assert_eq!(keys[4], None);
        assert_eq!(keys[5].as_deref(), Some("loyalty_card:lc1"));
        assert_eq!(through.by_event.len(), 1);
    }
}
