//! From the store's records to people: the identity graph over every record, with consent that
//! reaches events through the person, hashed identifiers joined to the raw ones they hash, and
//! click ids joining the records of one click.
//!
//! The rules, in order (`docs/privacy.md`, "Consent from records"):
//! 1. **Hashed identifiers.** An `email_sha256` or `phone_sha256` that is the SHA-256 of an email
//!    or phone seen raw anywhere in the store, under any platform's normalisation (Meta, Google,
//!    TikTok), stands for that raw identifier. One that matches none stays as it is and does not
//!    link.
//! 2. **Click ids.** Records carrying the same click id are the same person: each such record
//!    also carries the click's representative identifier (the least, in kind then value order, of
//!    the identifiers seen with that click).
//! 3. **Consent of a record.** A record's own consent signals (a consent column of its export)
//!    are its consent. A record without them takes the latest consent record, at or before its
//!    time, of each of its identifiers, combined field by field: any denial denies, otherwise any
//!    grant grants. An identifier whose latest record denies linking is never linked.
//! 4. **Consent through the person.** A record that still has no consent (none of its identifiers
//!    has a record: a device id in an ad platform's exposure export) takes the latest consent
//!    record, at or before its time, among the identifiers of the profile its identifiers resolve
//!    to when the graph is built from the records whose consent is known. No record at all means
//!    no consent: o2o fails closed.
//! 5. **Scored links.** Pairs matched by `o2o match --store` (`links/match.parquet`) join the
//!    two identifiers when both were recorded under the rules above (never one denied).

use super::{StoreError, StoredRecord};
use crate::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use crate::event::{Event, IdKind, Identifier, RecordKind};
use crate::hashing::{NormalizeOptions, PhoneCheck, Platform, normalize, sha256_hex};
use crate::identity::{IdentityError, IdentityGraph, ResolutionRules};
use std::collections::{BTreeMap, HashMap};

/// What [`resolve`] counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PeopleStats {
    /// Hashed identifiers replaced by the raw identifier they hash.
    pub hashed_joined: u64,
    /// Hashed identifiers that match no raw identifier in the store.
    pub hashed_unmatched: u64,
    /// Records that took consent from their identifiers' consent records.
    pub consent_from_records: u64,
    /// Records that took consent from their person's consent records.
    pub consent_from_person: u64,
    /// Records left without consent.
    pub no_consent: u64,
    /// Identifiers not linked because their latest consent record denies linking.
    pub identifiers_denied: u64,
    /// Records that carry a click id seen on another record.
    pub joined_by_click: u64,
    /// Scored links (`o2o match --store`) joining two recorded identifiers.
    pub scored_links: u64,
}

/// The store's people: events with the consent they end up with, the graph of every record.
pub struct People {
    /// Touchpoints and check-ins, in storage order, each with its effective consent and its
    /// identifiers as linked (hashed ones joined to raw ones).
    pub events: Vec<Event>,
    /// The identity graph over every record (events, customers, consent records, assignments).
    pub graph: IdentityGraph,
    /// Counts.
    pub stats: PeopleStats,
}

/// Why the people could not be resolved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PeopleError {
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The identity graph refused the rules or an observation.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The stored matches could not be read.
    #[cfg(feature = "matching")]
    #[error(transparent)]
    Matching(Box<crate::matching::MatchError>),
}

/// A record as an observation: when, what, with which identifiers and consent.
struct Obs {
    ts: i64,
    kind: RecordKind,
    /// Index into `events` for events.
    event: Option<usize>,
    /// The source the graph records (`online:facebook`, `crm:consent`).
    source: String,
    identifiers: Vec<Identifier>,
    own: Option<ConsentSignals>,
    consent: Option<ConsentSignals>,
}

/// The SHA-256 (hex) of each form of a raw email or phone under which an upstream hash stands
/// for it (rule 1: its stored form and each platform's normalisation); nothing for other
/// kinds. `o2o.spark` joins records on these to keep a hashed identifier with its raw one.
#[must_use]
pub fn hash_forms(id: &Identifier) -> Vec<String> {
    if !matches!(id.kind, IdKind::Email | IdKind::Phone) {
        return Vec::new();
    }
    // Possible phones: an upstream hash of a number outside today's ranges still names it.
    let google = NormalizeOptions {
        profile: Platform::Google,
        phone: PhoneCheck::Possible,
        ..NormalizeOptions::default()
    };
    let tiktok = NormalizeOptions {
        profile: Platform::Tiktok,
        phone: PhoneCheck::Possible,
        ..NormalizeOptions::default()
    };
    let mut forms = vec![id.value.clone()];
    for opts in [&google, &tiktok] {
        if let Ok(v) = normalize(id.kind, &id.value, opts)
            && !forms.contains(&v)
        {
            forms.push(v);
        }
    }
    forms.iter().map(|f| sha256_hex(f)).collect()
}

/// The click ids of an event, as `kind:value` (rule 2 joins the records that share one).
#[must_use]
pub fn click_keys(e: &Event) -> Vec<String> {
    e.tracking()
        .map(|t| {
            t.click_ids()
                .map(|(k, v)| format!("{}:{v}", k.as_str()))
                .collect()
        })
        .unwrap_or_default()
}

/// Hashes of every raw email and phone in the store, under each platform's normalisation.
fn aliases(obs: &[Obs]) -> HashMap<String, Identifier> {
    let mut out = HashMap::new();
    // Only worth computing when some record carries a hashed identifier.
    if !obs
        .iter()
        .any(|o| o.identifiers.iter().any(|i| i.kind.is_hashed()))
    {
        return out;
    }
    // Each distinct raw value once: a customer's phone is on every receipt.
    let mut seen: ahash::AHashSet<&Identifier> = ahash::AHashSet::new();
    for o in obs {
        for id in &o.identifiers {
            if !matches!(id.kind, IdKind::Email | IdKind::Phone) || !seen.insert(id) {
                continue;
            }
            for h in hash_forms(id) {
                out.entry(h).or_insert_with(|| id.clone());
            }
        }
    }
    out
}

fn phone_name(p: PhoneCheck) -> &'static str {
    match p {
        PhoneCheck::Valid => "valid",
        PhoneCheck::Possible => "possible",
    }
}

/// Combine the latest records of several identifiers, field by field.
fn combine(records: &[&ConsentSignals]) -> Option<ConsentSignals> {
    if records.is_empty() {
        return None;
    }
    let field = |f: fn(&ConsentMode) -> ConsentState| {
        let states: Vec<ConsentState> = records
            .iter()
            .filter_map(|r| r.gcm.as_ref().map(f))
            .collect();
        if states.contains(&ConsentState::Denied) {
            ConsentState::Denied
        } else if states.contains(&ConsentState::Granted) {
            ConsentState::Granted
        } else {
            ConsentState::Unknown
        }
    };
    let gcm = records
        .iter()
        .any(|r| r.gcm.is_some())
        .then(|| ConsentMode {
            ad_storage: field(|m| m.ad_storage),
            analytics_storage: field(|m| m.analytics_storage),
            ad_user_data: field(|m| m.ad_user_data),
            ad_personalization: field(|m| m.ad_personalization),
        });
    let tcfs: Vec<&String> = records.iter().filter_map(|r| r.tcf.as_ref()).collect();
    // Several different TC strings cannot be combined: none is kept (fail closed).
    let tcf = match tcfs.first() {
        Some(first) if tcfs.iter().all(|t| t == first) => Some((*first).clone()),
        _ => None,
    };
    Some(ConsentSignals { tcf, gcm })
}

/// Consent records per identifier, sorted by time.
type Index = HashMap<Identifier, Vec<(i64, ConsentSignals)>>;

fn latest(list: &[(i64, ConsentSignals)], ts: i64) -> Option<&ConsentSignals> {
    let i = list.partition_point(|(t, _)| *t <= ts);
    i.checked_sub(1).and_then(|i| list.get(i)).map(|(_, c)| c)
}

/// Resolve the people of a store under `rules`.
pub fn resolve(store: &super::Store, rules: ResolutionRules) -> Result<People, PeopleError> {
    let keyed = match pseudonym_key(store, &rules)? {
        Some(key_id) => Some(Keyed {
            key_id,
            aliases: super::pseudonyms::read_aliases(store.dir())?,
        }),
        None => None,
    };
    let events = store.events()?;
    let mut records = Vec::new();
    for kind in [
        RecordKind::Consent,
        RecordKind::Customer,
        RecordKind::Assignment,
    ] {
        records.extend(store.records(kind)?.into_iter().map(|(r, _)| r));
    }
    #[allow(unused_mut)]
    let mut people = resolve_records(events, records, rules, keyed, None)?;
    // 5. Scored links from `o2o match --store`, between identifiers recorded above.
    #[cfg(feature = "matching")]
    {
        people.stats.scored_links = crate::matching::add_links(store.dir(), &mut people.graph)
            .map_err(|e| PeopleError::Matching(Box::new(e)))?;
    }
    Ok(people)
}

/// The id of the key a keyed store's identifiers are pseudonyms under (`None` for a plain
/// store), once `rules` are checked against it: the pseudonyms were made under the store's phone
/// check, and another check cannot be applied to them.
pub fn pseudonym_key(
    store: &super::Store,
    rules: &ResolutionRules,
) -> Result<Option<String>, StoreError> {
    let Some(p) = store.pseudonyms() else {
        return Ok(None);
    };
    if p.phone != rules.phone {
        return Err(StoreError::KeySettings {
            message: format!(
                "phones were kept at ingest under the \"{}\" check; the rules given ask for \"{}\" (ingest again with those rules)",
                phone_name(p.phone),
                phone_name(rules.phone)
            ),
        });
    }
    Ok(Some(p.key_id.clone()))
}

/// A keyed store, as [`resolve_records`] needs it: the key id its pseudonyms were made under,
/// and the platform hashes kept at ingest (hash → the pseudonym of the value it hashes), through
/// which hashed identifiers join.
#[derive(Clone, Debug, Default)]
pub struct Keyed {
    /// The key id.
    pub key_id: String,
    /// Platform hash → the identifier (a pseudonym) it hashes.
    pub aliases: HashMap<String, Identifier>,
}

/// Identifiers left out of linking (the hub guard's verdicts, decided elsewhere from counts
/// over all the data).
pub type Unlinked<'a> = &'a (dyn Fn(&Identifier) -> bool + Sync);

/// Rules 1 to 4 over records already read: `events` in storage order, then `records` (the
/// consent records, then the customers, then the assignments, each in storage order). A part of
/// a store closed under the rules' joins (every record sharing an identifier, a hashed value or
/// a click id with one in it is in it) resolves as it does in the whole store: this is what
/// `o2o.spark` runs per group of connected components. Identifiers `unlinked` selects are
/// taken out of the records just before the graph observes them (as the hub guard leaves a
/// shared identifier unlinked), after the joins and consent that read them. `keyed` is a keyed
/// store's key id and kept platform hashes (its identifiers are pseudonyms), `None` for a plain
/// store.
pub fn resolve_records(
    mut events: Vec<Event>,
    records: Vec<StoredRecord>,
    rules: ResolutionRules,
    keyed: Option<Keyed>,
    unlinked: Option<Unlinked<'_>>,
) -> Result<People, IdentityError> {
    let pseudonym_key = keyed.as_ref().map(|k| k.key_id.as_str());
    let gate = ConsentGate::default();
    // The events' identifiers and consent move into their observations while people are
    // resolved, and come back resolved at the end (one copy in memory, not two).
    let mut obs: Vec<Obs> = events
        .iter_mut()
        .enumerate()
        .map(|(i, e)| {
            let (ts, source) = (e.timestamp(), e.source());
            let (ids, consent) = e.identity_mut();
            let (identifiers, own) = (std::mem::take(ids), consent.take());
            Obs {
                ts,
                kind: RecordKind::Event,
                event: Some(i),
                source,
                identifiers,
                own,
                consent: None,
            }
        })
        .collect();
    let mut index: Index = HashMap::new();
    for r in records {
        let (kind, ts, ids, own) = match r {
            StoredRecord::Consent(c) => {
                for id in &c.identifiers {
                    index
                        .entry(id.clone())
                        .or_default()
                        .push((c.timestamp, c.consent.clone()));
                }
                let ts = c.timestamp;
                (RecordKind::Consent, ts, c.identifiers, Some(c.consent))
            }
            StoredRecord::Customer(c) => {
                let ts = c.timestamp.unwrap_or_default();
                if let Some(s) = &c.consent {
                    for id in &c.identifiers {
                        index.entry(id.clone()).or_default().push((ts, s.clone()));
                    }
                }
                (RecordKind::Customer, ts, c.identifiers, c.consent)
            }
            StoredRecord::Assignment(a) => {
                (RecordKind::Assignment, a.timestamp, a.identifiers, None)
            }
            _ => continue,
        };
        obs.push(Obs {
            ts,
            kind,
            event: None,
            source: format!("crm:{}", kind.as_str()),
            identifiers: ids,
            own,
            consent: None,
        });
    }
    for list in index.values_mut() {
        list.sort_by_key(|(t, _)| *t);
    }
    let mut stats = PeopleStats::default();

    // 1. Hashed identifiers join the raw ones they hash (in a keyed store, through the
    // platform hashes kept at ingest).
    let alias = match &keyed {
        Some(k) => &k.aliases,
        None => &aliases(&obs),
    };
    for o in &mut obs {
        for id in &mut o.identifiers {
            if id.kind.is_hashed() {
                match alias.get(&id.value) {
                    Some(raw) if raw.kind == id.kind.unhashed() => {
                        *id = raw.clone();
                        stats.hashed_joined += 1;
                    }
                    _ => stats.hashed_unmatched += 1,
                }
            }
        }
        o.identifiers.sort();
        o.identifiers.dedup();
    }

    // 2. Records of one click are one person.
    let mut clicks: HashMap<String, Identifier> = HashMap::new();
    let click_ids = click_keys;
    for o in &obs {
        let Some(e) = o.event.and_then(|i| events.get(i)) else {
            continue;
        };
        for c in click_ids(e) {
            if let Some(least) = o
                .identifiers
                .iter()
                .filter(|i| !i.kind.is_attribute())
                .min()
            {
                clicks
                    .entry(c)
                    .and_modify(|x| {
                        if least < x {
                            *x = least.clone();
                        }
                    })
                    .or_insert_with(|| least.clone());
            }
        }
    }
    for o in &mut obs {
        let Some(e) = o.event.and_then(|i| events.get(i)) else {
            continue;
        };
        for c in click_ids(e) {
            if let Some(rep) = clicks.get(&c)
                && !o.identifiers.contains(rep)
            {
                o.identifiers.push(rep.clone());
                stats.joined_by_click += 1;
            }
        }
    }

    // 3. Consent of each record: its own, or its identifiers' latest records.
    let denies_link = |s: &ConsentSignals| !gate.check(Operation::LinkIdentity, Some(s)).allowed;
    for o in &mut obs {
        let latest_of: Vec<(&Identifier, &ConsentSignals)> = o
            .identifiers
            .iter()
            .filter_map(|id| index.get(id).and_then(|l| latest(l, o.ts)).map(|c| (id, c)))
            .collect();
        // Never link an identifier whose latest record denies linking.
        let denied: Vec<Identifier> = latest_of
            .iter()
            .filter(|(_, c)| denies_link(c))
            .map(|(id, _)| (*id).clone())
            .collect();
        if o.own.is_some() {
            o.consent = o.own.clone();
        } else {
            let recs: Vec<&ConsentSignals> = latest_of.iter().map(|(_, c)| *c).collect();
            o.consent = combine(&recs);
            if o.consent.is_some() {
                stats.consent_from_records += 1;
            }
        }
        if !denied.is_empty() && o.kind != RecordKind::Consent {
            stats.identifiers_denied += denied.len() as u64;
            o.identifiers.retain(|i| !denied.contains(i));
        }
    }

    // 4. Consent through the person, for records that still have none.
    if obs.iter().any(|o| o.consent.is_none()) && !index.is_empty() {
        let first = build(
            &rules,
            pseudonym_key,
            &obs,
            |o| o.consent.is_some(),
            unlinked,
        )?;
        let profiles: Vec<_> = first.profiles().iter().collect();
        let mut profile_of: HashMap<&Identifier, usize> = HashMap::new();
        for (p, prof) in profiles.iter().enumerate() {
            for id in &prof.identifiers {
                profile_of.insert(id, p);
            }
        }
        let mut by_profile: BTreeMap<usize, Vec<(i64, ConsentSignals)>> = BTreeMap::new();
        for (id, list) in &index {
            if let Some(&p) = profile_of.get(id) {
                by_profile
                    .entry(p)
                    .or_default()
                    .extend(list.iter().cloned());
            }
        }
        for list in by_profile.values_mut() {
            list.sort_by(|a, b| {
                a.0.cmp(&b.0)
                    .then_with(|| format!("{:?}", a.1).cmp(&format!("{:?}", b.1)))
            });
        }
        for o in &mut obs {
            if o.consent.is_some() {
                continue;
            }
            let p = o
                .identifiers
                .iter()
                .find_map(|id| profile_of.get(id).copied());
            if let Some(c) = p
                .and_then(|p| by_profile.get(&p))
                .and_then(|l| latest(l, o.ts))
            {
                o.consent = Some(c.clone());
                stats.consent_from_person += 1;
            }
        }
    }
    stats.no_consent = obs.iter().filter(|o| o.consent.is_none()).count() as u64;

    let graph = build(&rules, pseudonym_key, &obs, |_| true, unlinked)?;
    drop(index);
    for o in obs {
        if let Some(e) = o.event.and_then(|i| events.get_mut(i)) {
            let (ids, consent) = e.identity_mut();
            *ids = o.identifiers;
            if let Some(u) = unlinked {
                ids.retain(|i| !u(i));
            }
            *consent = o.consent;
        }
    }
    Ok(People {
        events,
        graph,
        stats,
    })
}

/// A graph over the observations `keep` selects, each under its consent (the gate decides).
fn build(
    rules: &ResolutionRules,
    pseudonym_key: Option<&str>,
    obs: &[Obs],
    keep: impl Fn(&Obs) -> bool,
    unlinked: Option<Unlinked<'_>>,
) -> Result<IdentityGraph, IdentityError> {
    let gate = ConsentGate::default();
    let mut g = IdentityGraph::new(rules.clone())?;
    g.pseudonym_key = pseudonym_key.map(str::to_owned);
    for o in obs.iter().filter(|o| keep(o)) {
        if let Ok(permit) = gate.permit(Operation::LinkIdentity, o.consent.as_ref()) {
            match unlinked {
                Some(u) => {
                    let ids: Vec<Identifier> =
                        o.identifiers.iter().filter(|i| !u(i)).cloned().collect();
                    g.observe(&permit, o.ts, &o.source, &ids)?;
                }
                None => {
                    g.observe(&permit, o.ts, &o.source, &o.identifiers)?;
                }
            }
        }
    }
    Ok(g)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_denial_denies_and_a_grant_grants() {
        let g = ConsentSignals {
            tcf: None,
            gcm: Some(ConsentMode {
                ad_storage: ConsentState::Granted,
                analytics_storage: ConsentState::Granted,
                ad_user_data: ConsentState::Granted,
                ad_personalization: ConsentState::Granted,
            }),
        };
        let mut d = g.clone();
        if let Some(m) = d.gcm.as_mut() {
            m.ad_user_data = ConsentState::Denied;
        }
        let c = combine(&[&g, &d]).unwrap().gcm.unwrap();
        assert_eq!(c.ad_user_data, ConsentState::Denied);
        assert_eq!(c.ad_storage, ConsentState::Granted);
        assert!(combine(&[]).is_none());
    }

    #[test]
    fn the_latest_record_at_or_before_counts() {
        let s = |x: ConsentState| ConsentSignals {
            tcf: None,
            gcm: Some(ConsentMode {
                ad_user_data: x,
                ..ConsentMode::default()
            }),
        };
        let list = vec![
            (10, s(ConsentState::Granted)),
            (20, s(ConsentState::Denied)),
        ];
        assert!(latest(&list, 5).is_none());
        assert_eq!(latest(&list, 10), Some(&list[0].1));
        assert_eq!(latest(&list, 19), Some(&list[0].1));
        assert_eq!(latest(&list, 20), Some(&list[1].1));
    }
}
