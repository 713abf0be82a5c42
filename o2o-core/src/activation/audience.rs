//! Audiences: the profiles a segment's rules select, minus those who recently bought a product
//! (suppression), with the identifiers and consent an upload needs — and, when asked, each
//! member's products viewed online and not bought since ([`super::viewed`]).
//!
//! "The customer will not receive recommendations of products bought offline": a customer who
//! bought the advertised product in a store last week is left out of the list that would
//! advertise it to them.

use super::viewed::{ViewedOptions, ViewedProduct, lists};
use crate::consent::{ConsentGate, ConsentSignals, Operation};
use crate::event::{Event, Identifier, Item};
use crate::segment::{RuleSet, decide_all, summarise};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Leave out profiles that bought a product within a window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suppression {
    /// SKUs or categories (a category names every SKU the catalog puts in it).
    pub products: Vec<String>,
    /// How far back a purchase counts, in seconds before the audience's time.
    pub within_secs: i64,
    /// SKU → category, for suppressing by category.
    pub catalog: HashMap<String, String>,
}

impl Suppression {
    fn matches(&self, item: &Item) -> bool {
        self.products
            .iter()
            .any(|p| *p == item.sku || self.catalog.get(&item.sku).is_some_and(|c| c == p))
    }
}

/// How to build an audience.
#[derive(Clone, Debug, Default)]
pub struct AudienceOptions {
    /// Segment rules; a profile is in the audience when a rule matches it. `None`: every
    /// profile.
    pub rules: Option<RuleSet>,
    /// Who to leave out.
    pub suppression: Option<Suppression>,
    /// List each member's products viewed online and not bought since; the audience is then
    /// only the members with marketing consent (`personalise`, fail closed) and such a product.
    pub viewed: Option<ViewedOptions>,
    /// The consent policy.
    pub gate: ConsentGate,
}

/// One profile of an audience.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AudienceMember {
    /// The profile id.
    pub profile: String,
    /// The segment rule that selected it (`None` without rules).
    pub rule: Option<String>,
    /// Why the rule matched.
    pub because: Vec<String>,
    /// Identifiers from the profile's records that allow upload (sorted, distinct).
    #[serde(skip)]
    pub identifiers: Vec<Identifier>,
    /// The profile's latest consent signals.
    #[serde(skip)]
    pub consent: Option<ConsentSignals>,
    /// With [`AudienceOptions::viewed`]: the products viewed online within the window and not
    /// bought anywhere since, latest view first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub viewed_not_bought: Vec<ViewedProduct>,
}

/// What [`audience_members`] counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AudienceStats {
    /// Profiles among the events up to the audience's time.
    pub profiles: u64,
    /// Profiles a rule selected (all, without rules).
    pub selected: u64,
    /// Selected profiles left out for a recent purchase.
    pub suppressed: u64,
    /// With [`AudienceOptions::viewed`]: selected profiles left out because their latest
    /// consent does not allow personalised marketing (or they gave none).
    pub no_marketing_consent: u64,
    /// With [`AudienceOptions::viewed`]: selected, consenting profiles left out because they
    /// viewed nothing in the window that they have not bought since.
    pub nothing_viewed: u64,
}

fn bought(e: &Event) -> &[Item] {
    match e {
        Event::CheckIn(c) => &c.items,
        Event::Touchpoint(t) => t.order.as_deref().map_or(&[], |o| o.items.as_slice()),
        Event::ProductView(_) => &[],
    }
}

/// The audience at `now` (Unix seconds) over `events` grouped into profiles by `key`: the
/// profiles `opts.rules` select (judged on the events up to `now`), minus those that bought a
/// suppressed product (in a store, or an online order) within the window before `now`. Members
/// come in profile order.
pub fn audience_members(
    events: &[Event],
    key: &dyn Fn(&Event) -> Option<String>,
    now: i64,
    opts: &AudienceOptions,
) -> (Vec<AudienceMember>, AudienceStats) {
    let upto: Vec<&Event> = events.iter().filter(|e| e.timestamp() <= now).collect();
    let mut stats = AudienceStats::default();
    // Per profile: identifiers of records allowing upload, the latest consent, suppressed.
    struct Acc {
        ids: BTreeSet<Identifier>,
        consent: Option<(i64, bool, ConsentSignals)>,
        /// The latest signals' personalisation decision (time, allowed).
        marketing: Option<(i64, bool)>,
        suppressed: bool,
    }
    let mut acc: BTreeMap<String, Acc> = BTreeMap::new();
    for e in &upto {
        let Some(p) = key(e) else { continue };
        let a = acc.entry(p).or_insert(Acc {
            ids: BTreeSet::new(),
            consent: None,
            marketing: None,
            suppressed: false,
        });
        let allows = opts
            .gate
            .check(Operation::HashForUpload, e.consent())
            .allowed;
        if allows {
            a.ids.extend(e.identifiers().iter().cloned());
        }
        if let Some(s) = e.consent() {
            let ts = e.timestamp();
            // Latest wins; at equal times a refusal wins (fail closed, order-independent).
            let newer = match &a.consent {
                None => true,
                Some((t, ok, _)) => ts > *t || (ts == *t && *ok && !allows),
            };
            if newer {
                a.consent = Some((ts, allows, s.clone()));
            }
            if opts.viewed.is_some() {
                let ok = opts.gate.check(Operation::Personalise, Some(s)).allowed;
                let newer = match a.marketing {
                    None => true,
                    Some((t, was)) => ts > t || (ts == t && was && !ok),
                };
                if newer {
                    a.marketing = Some((ts, ok));
                }
            }
        }
        if let Some(s) = &opts.suppression
            && now - e.timestamp() <= s.within_secs
            && bought(e).iter().any(|i| s.matches(i))
        {
            a.suppressed = true;
        }
    }
    stats.profiles = acc.len() as u64;
    let selected: Vec<(String, Option<String>, Vec<String>)> = match &opts.rules {
        None => acc.keys().map(|p| (p.clone(), None, Vec::new())).collect(),
        Some(rules) => {
            let owned: Vec<Event> = upto.iter().map(|e| (*e).clone()).collect();
            let summaries = summarise(&owned, key);
            decide_all(rules, &summaries, now)
                .into_iter()
                .map(|d| (d.profile, Some(d.rule), d.because))
                .collect()
        }
    };
    stats.selected = selected.len() as u64;
    let mut viewed = match &opts.viewed {
        Some(v) => lists(&upto, key, now, v),
        None => BTreeMap::new(),
    };
    let mut out = Vec::with_capacity(selected.len());
    for (profile, rule, because) in selected {
        let Some(a) = acc.get(&profile) else { continue };
        if a.suppressed {
            stats.suppressed += 1;
            continue;
        }
        let mut viewed_not_bought = Vec::new();
        if opts.viewed.is_some() {
            // Fail closed: no signals, or latest signals without personalisation, is no.
            if !a.marketing.is_some_and(|(_, ok)| ok) {
                stats.no_marketing_consent += 1;
                continue;
            }
            match viewed.remove(&profile) {
                Some(list) => viewed_not_bought = list,
                None => {
                    stats.nothing_viewed += 1;
                    continue;
                }
            }
        }
        out.push(AudienceMember {
            profile,
            rule,
            because,
            identifiers: a.ids.iter().cloned().collect(),
            consent: a.consent.as_ref().map(|(_, _, s)| s.clone()),
            viewed_not_bought,
        });
    }
    (out, stats)
}
