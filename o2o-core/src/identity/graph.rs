//! The identity graph's store: interned identifiers and the observations that saw them together.
//!
//! Observing only records (cheap, incremental); [`IdentityGraph::profiles`] resolves the whole
//! record into profiles in a canonical order, so the result does not depend on the order events
//! arrived in. The resolution is cached until the next change.

use super::error::IdentityError;
use super::intern::{AMap, ASet, Interner, ahash_state, stable_hash};
use super::memory::Scratch;
use super::memory::pages;
use super::memory::tables::Tables;
use super::normalize::normalize_in;
use super::observations::Observations;
use super::profiles::{Profile, ProfileId, Profiles};
use super::resolution::Resolution;
use super::resolve::{Input, resolve};
use super::rules::{CompiledRules, ResolutionRules};
use super::scored::Waterfall;
use crate::consent::{ConsentGate, Operation, Permit};
use crate::event::{Event, IdKind, Identifier};
use serde::Serialize;
use std::borrow::Cow;
use std::sync::OnceLock;

/// What happened to the identifiers of one observed event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ObserveOutcome {
    /// Identifiers recorded for linking.
    pub recorded: u32,
    /// Identifiers matching a blocked value or pattern (kept on the event, never linked).
    pub blocked: u32,
    /// Identifiers that could not be normalised (not an email, not a phone…).
    pub invalid: u32,
    /// Descriptive attributes (names, birth date, city…), never linked.
    pub attributes: u32,
    /// Whether the owner did not consent to identity linking (nothing was recorded).
    pub consent_denied: bool,
}

/// Running totals over every observation, for reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct GraphStats {
    /// Observations recorded (with at least one linkable identifier).
    pub observations: u64,
    /// Events refused by the consent gate.
    pub consent_denied: u64,
    /// Blocked identifier occurrences.
    pub blocked: u64,
    /// Identifier occurrences that failed normalisation.
    pub invalid: u64,
    /// Attribute occurrences skipped.
    pub attributes: u64,
}

/// An identity graph: observe events, then resolve them into profiles.
///
/// ```
/// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
/// use o2o_core::event::{IdKind, Identifier};
/// use o2o_core::identity::{IdentityGraph, ResolutionRules};
/// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
/// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
/// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
/// g.observe(&permit, 100, "store:pos_purchase", &[
///     Identifier::new(IdKind::LoyaltyCard, "LC1"), Identifier::new(IdKind::Phone, "0912 345 678")]).unwrap();
/// g.observe(&permit, 200, "online:zalo", &[Identifier::new(IdKind::Phone, "+84912345678")]).unwrap();
/// let p = g.profile_of(&Identifier::new(IdKind::Phone, "(+84) 91-234-5678")).unwrap();
/// assert_eq!(p.identifiers.len(), 2);
/// assert_eq!(g.profiles().len(), 1);
/// ```
#[derive(Clone, Debug)]
pub struct IdentityGraph {
    pub(crate) rules: ResolutionRules,
    pub(crate) compiled: CompiledRules,
    gate: ConsentGate,
    pub(crate) ids: Interner,
    pub(crate) sources: Vec<String>,
    source_index: AMap<String, u32>,
    pub(crate) obs: Observations,
    /// Per identifier, its first and last sighting (over every observation holding it). Kept as
    /// observations arrive (one slot beside the interning that touched the identifier anyway),
    /// so resolution gets profiles' first and last seen without a pass over the log.
    pub(crate) seen: Vec<(i64, i64)>,
    /// Stable hashes of identifiers seen in events without consent to link. Kept in memory only
    /// (never in snapshots) so that `explain` can say "consent" during a session.
    pub(crate) denied: ASet<u64>,
    pub(crate) stats: GraphStats,
    /// When the graph holds keyed pseudonyms instead of values (restored from
    /// [`IdentityGraph::snapshot_pseudonymized`]), the id of their key.
    pub(crate) pseudonym_key: Option<String>,
    /// The observation being recorded, as (rank, hash, id) (see `push`).
    scratch: Vec<(u8, u64, u32)>,
    /// Scored links' waterfalls, by their two identifiers (lower id first). The links
    /// themselves are observations; snapshots keep the waterfalls beside them.
    pub(crate) scored: AMap<(u32, u32), Waterfall>,
    cache: OnceLock<Resolution>,
}

impl IdentityGraph {
    /// An empty graph under `rules`, with the default consent gate.
    pub fn new(rules: ResolutionRules) -> Result<Self, IdentityError> {
        Self::with_gate(rules, ConsentGate::default())
    }

    /// An empty graph under `rules`, asking `gate` whether an event's owner allows linking.
    pub fn with_gate(rules: ResolutionRules, gate: ConsentGate) -> Result<Self, IdentityError> {
        let compiled = CompiledRules::new(&rules)?;
        Ok(IdentityGraph {
            rules,
            compiled,
            gate,
            ids: Interner::default(),
            sources: Vec::new(),
            source_index: AMap::with_hasher(ahash_state()),
            obs: Observations::default(),
            seen: Vec::new(),
            denied: ASet::with_hasher(ahash_state()),
            stats: GraphStats::default(),
            pseudonym_key: None,
            scratch: Vec::new(),
            scored: AMap::with_hasher(ahash_state()),
            cache: OnceLock::new(),
        })
    }

    /// A graph under `rules` that has observed every event (the default consent gate decides
    /// which may link). The one call the demo, `o2o attribute --events` and `o2o report` share to
    /// turn events into profiles.
    pub fn from_events(rules: ResolutionRules, events: &[Event]) -> Result<Self, IdentityError> {
        let mut g = Self::new(rules)?;
        for ev in events {
            g.observe_event(ev)?;
        }
        Ok(g)
    }

    /// The rules in force.
    pub fn rules(&self) -> &ResolutionRules {
        &self.rules
    }

    /// When the graph holds keyed pseudonyms instead of identifier values (it was restored from
    /// a pseudonymized snapshot), the id of their key; `None` for values.
    pub fn pseudonym_key(&self) -> Option<&str> {
        self.pseudonym_key.as_deref()
    }

    /// Take identifiers that are keyed pseudonyms under `key_id` as they are (a keyed store's
    /// identifiers, `KEY_ID:HEX`) instead of normalising them; `None` for values. For
    /// [`IdentityGraph::recordable`] over a keyed store's records, as its resolver records them.
    pub fn set_pseudonym_key(&mut self, key_id: Option<String>) {
        self.pseudonym_key = key_id;
    }

    /// Totals over everything observed.
    pub fn stats(&self) -> GraphStats {
        self.stats
    }

    /// Distinct linkable identifiers recorded.
    pub fn identifiers(&self) -> usize {
        self.ids.len()
    }

    /// Observations recorded.
    pub fn observations(&self) -> usize {
        self.obs.len()
    }

    /// Observe an event: its identifiers were seen together at its time, from its source. The
    /// consent gate decides first; an event whose owner did not allow `link_identity` records
    /// nothing.
    pub fn observe_event(&mut self, event: &Event) -> Result<ObserveOutcome, IdentityError> {
        match self.gate.permit(Operation::LinkIdentity, event.consent()) {
            Ok(permit) => self.observe(
                &permit,
                event.timestamp(),
                &event.source(),
                event.identifiers(),
            ),
            Err(_) => Ok(self.refuse(event.identifiers())),
        }
    }

    /// Whether the consent gate lets `event`'s identifiers be linked (what
    /// [`IdentityGraph::observe_event`] asks first).
    pub fn may_link(&self, event: &Event) -> bool {
        self.gate
            .permit(Operation::LinkIdentity, event.consent())
            .is_ok()
    }

    /// `id` as the graph records it: normalised, when its kind links and its value is valid and
    /// not blocked; `None` otherwise. Consent is not asked (see [`IdentityGraph::may_link`]).
    pub fn recordable(&self, id: &Identifier) -> Option<Identifier> {
        if id.kind.is_attribute() || !self.compiled.links(id.kind) {
            return None;
        }
        let value = normalize_in(
            id.kind,
            &id.value,
            &self.rules,
            self.pseudonym_key.as_deref(),
        )
        .ok()?;
        if self
            .compiled
            .blocked_identifier(id.kind, &id.value, &value)
            .is_some()
        {
            return None;
        }
        Some(Identifier::new(id.kind, value))
    }

    /// The identifiers of `event` as [`IdentityGraph::observe_event`] would record them:
    /// nothing when its consent does not allow linking; otherwise each
    /// [`IdentityGraph::recordable`] identifier. The graph is not changed.
    ///
    /// Two events the graph could ever link share one of these, so they are the edges of a
    /// partition of events into independent groups (connected components) that can be
    /// resolved apart, as `o2o.spark` does.
    ///
    /// ```
    /// use o2o_core::event::{Event, IdKind, Identifier};
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// let consent = r#""consent": {"gcm": {"ad_user_data": "granted"}}"#;
    /// let e: Event = serde_json::from_str(&format!(
    ///     r#"{{"type": "checkin", "method": "qr_scan", "store": "S1", "timestamp": 1772359200,
    ///        "identifiers": [{{"kind": "email", "value": " Ann@Example.com"}},
    ///                        {{"kind": "first_name", "value": "Ann"}}], {consent}}}"#)).unwrap();
    /// let g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// assert_eq!(g.linking_identifiers(&e), [Identifier::new(IdKind::Email, "ann@example.com")]);
    /// ```
    pub fn linking_identifiers(&self, event: &Event) -> Vec<Identifier> {
        if !self.may_link(event) {
            return Vec::new();
        }
        event
            .identifiers()
            .iter()
            .filter_map(|i| self.recordable(i))
            .collect()
    }

    /// Record identifiers whose owner refused linking: nothing is stored but a fingerprint kept
    /// in memory for `explain`.
    fn refuse(&mut self, identifiers: &[Identifier]) -> ObserveOutcome {
        self.stats.consent_denied += 1;
        for id in identifiers {
            if let Ok(v) = normalize_in(
                id.kind,
                &id.value,
                &self.rules,
                self.pseudonym_key.as_deref(),
            ) {
                self.denied.insert(stable_hash(id.kind, v.as_bytes()));
            }
        }
        ObserveOutcome {
            consent_denied: true,
            ..ObserveOutcome::default()
        }
    }

    /// Observe raw identifiers seen together, with a permit to link them. Each is normalised
    /// (`" Ann@Example.COM"` → `ann@example.com`, `0912 345 678` → `+84912345678`); blocked values,
    /// attributes and values that fail normalisation are counted and not recorded.
    pub fn observe(
        &mut self,
        permit: &Permit,
        timestamp: i64,
        source: &str,
        identifiers: &[Identifier],
    ) -> Result<ObserveOutcome, IdentityError> {
        check_permit(permit)?;
        let mut out = ObserveOutcome::default();
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mut result = Ok(());
        for id in identifiers {
            if id.kind.is_attribute() {
                out.attributes += 1;
                continue;
            }
            if !self.compiled.links(id.kind) {
                continue;
            }
            let value = match normalize_in(
                id.kind,
                &id.value,
                &self.rules,
                self.pseudonym_key.as_deref(),
            ) {
                Ok(v) => v,
                Err(_) => {
                    out.invalid += 1;
                    continue;
                }
            };
            if self
                .compiled
                .blocked_identifier(id.kind, &id.value, &value)
                .is_some()
            {
                out.blocked += 1;
                continue;
            }
            match self.ids.intern_hashed(id.kind, &value) {
                Ok((i, h)) => scratch.push((self.compiled.rank_of(id.kind), h, i)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() {
            out.recorded = self.push(timestamp, source, &mut scratch)?;
        }
        self.scratch = scratch;
        result?;
        self.stats.blocked += u64::from(out.blocked);
        self.stats.invalid += u64::from(out.invalid);
        self.stats.attributes += u64::from(out.attributes);
        Ok(out)
    }

    /// Record a scored link: `a` and `b` (raw, normalised here) were found to be one person by
    /// probabilistic matching (`crate::matching`), with the weights of `waterfall`.
    ///
    /// The link is an observation of the two identifiers from `source`, so the hub guard, the
    /// limits and the priorities apply to it as to any exact link, and `explain` shows the
    /// waterfall for it. It joins only identifiers the graph has already recorded (observed with
    /// consent to link, not blocked): it never brings a new identifier in. Its time is the later
    /// of the two identifiers' last sightings, so it moves no profile's first or last seen.
    /// Returns whether the link was recorded.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules, Waterfall};
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// let (crm, pos) = (Identifier::new(IdKind::ExternalId, "crm-1"), Identifier::new(IdKind::LoyaltyCard, "LC9"));
    /// g.observe(&permit, 100, "crm", &[crm.clone()]).unwrap();
    /// g.observe(&permit, 200, "store:pos_purchase", &[pos.clone()]).unwrap();
    /// let w = Waterfall { prior: -12.0, fields: vec![], match_weight: 8.0, probability: 0.996 };
    /// assert!(g.link_scored("match", &crm, &pos, w.clone()).unwrap());
    /// let e = g.explain(&crm, &pos);
    /// assert_eq!(e.chain()[0].match_weight.as_ref(), Some(&w));
    /// let stranger = Identifier::new(IdKind::Email, "new@example.com");
    /// assert!(!g.link_scored("match", &crm, &stranger, w).unwrap());
    /// ```
    pub fn link_scored(
        &mut self,
        source: &str,
        a: &Identifier,
        b: &Identifier,
        waterfall: Waterfall,
    ) -> Result<bool, IdentityError> {
        let (Some(x), Some(y)) = (self.lookup(a), self.lookup(b)) else {
            return Ok(false);
        };
        if x == y {
            return Ok(false);
        }
        let ts = self.seen[x as usize].1.max(self.seen[y as usize].1);
        let mut ids = std::mem::take(&mut self.scratch);
        ids.clear();
        for i in [x, y] {
            let kind = self.ids.kind(i);
            ids.push((self.compiled.rank_of(kind), self.ids.hash(i), i));
        }
        let pushed = self.push(ts, source, &mut ids);
        self.scratch = ids;
        pushed?;
        self.scored.insert((x.min(y), x.max(y)), waterfall);
        Ok(true)
    }

    /// Copy the waterfalls of scored links into `next`, a graph rebuilt from this one's
    /// observations (erasure, a pseudonymised snapshot): `name` gives an identifier's value in
    /// `next`; a link with an end that `keep` refuses, or that `next` does not hold, is dropped.
    pub(crate) fn carry_scored<'a>(
        &self,
        next: &mut IdentityGraph,
        name: impl Fn(u32) -> &'a str,
        keep: impl Fn(u32) -> bool,
    ) {
        for (&(x, y), w) in &self.scored {
            if !(keep(x) && keep(y)) {
                continue;
            }
            let end = |i: u32| next.ids.get(self.ids.kind(i), name(i));
            if let (Some(a), Some(b)) = (end(x), end(y)) {
                next.scored.insert((a.min(b), a.max(b)), w.clone());
            }
        }
    }

    /// The waterfall of a scored link between interned identifiers `x` and `y`, if any.
    pub(crate) fn scored_link(&self, x: u32, y: u32) -> Option<&Waterfall> {
        self.scored.get(&(x.min(y), x.max(y)))
    }

    /// Observe identifiers that are already normalised (or hashed upstream), skipping
    /// normalisation: the fast path for bulk loads and benchmarks. Blocked values are still
    /// refused (checked once per distinct value).
    /// Attribute kinds and kinds outside the priority list are skipped.
    pub fn observe_normalized(
        &mut self,
        permit: &Permit,
        timestamp: i64,
        source: &str,
        identifiers: &[(IdKind, &str)],
    ) -> Result<u32, IdentityError> {
        check_permit(permit)?;
        self.intern_and_push(timestamp, source, identifiers, true)
    }

    /// Intern `values` and append them as one observation. With `screen`, kinds that do not
    /// link are skipped and blocked values counted and skipped (new values only: an interned
    /// value passed that check when it arrived); without, every value is taken as it is (it
    /// comes from another graph: erasure and restore rebuild one).
    fn intern_and_push(
        &mut self,
        timestamp: i64,
        source: &str,
        values: &[(IdKind, &str)],
        screen: bool,
    ) -> Result<u32, IdentityError> {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        let mut result = Ok(0);
        for (kind, value) in values {
            if screen {
                if !self.compiled.links(*kind) {
                    continue;
                }
                if let Some((i, h)) = self.ids.get_hashed(*kind, value) {
                    scratch.push((self.compiled.rank_of(*kind), h, i));
                    continue;
                }
                if self.compiled.blocked(value).is_some() {
                    self.stats.blocked += 1;
                    continue;
                }
            }
            match self.ids.intern_hashed(*kind, value) {
                Ok((i, h)) => scratch.push((self.compiled.rank_of(*kind), h, i)),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if result.is_ok() {
            result = self.push(timestamp, source, &mut scratch);
        }
        self.scratch = scratch;
        result
    }

    /// Append one observation of interned ids, given as (rank, hash, id) (deduplicated here).
    fn push(
        &mut self,
        timestamp: i64,
        source: &str,
        ids: &mut Vec<(u8, u64, u32)>,
    ) -> Result<u32, IdentityError> {
        // Strongest first (by rank, then hash; the id orders exact ties), the order resolution
        // reads them in: an observation's strongest identifier is the first one not shared, and
        // its identifiers are linked in this order, so resolution sorts none of them. Callers
        // pass each key beside its id: looking hashes up here would cost a cache miss each.
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            return Ok(0);
        }
        let src = self.source_id(source)?;
        let end = u32::try_from(self.obs.ids.len() + ids.len())
            .map_err(|_| IdentityError::Capacity("more than 4 billion identifier occurrences"))?;
        // The columns resolution reads grow on huge pages (see `pages`).
        pages::reserve(&mut self.obs.ids, ids.len());
        pages::reserve(&mut self.obs.kinds, ids.len());
        pages::reserve(&mut self.obs.ends, 1);
        pages::reserve(&mut self.obs.ts, 1);
        pages::reserve(&mut self.obs.src, 1);
        self.obs.ids.extend(ids.iter().map(|&(_, _, i)| i));
        self.obs.kinds.extend(
            ids.iter()
                .map(|&(_, _, i)| super::rules::kind_index(self.ids.kind(i)) as u8),
        );
        self.obs.ends.push(end);
        self.obs.ts.push(timestamp);
        for &(_, _, i) in ids.iter() {
            let i = i as usize;
            if self.seen.len() <= i {
                let more = i + 1 - self.seen.len();
                pages::reserve(&mut self.seen, more);
                self.seen.resize(i + 1, (i64::MAX, i64::MIN));
            }
            let (first, last) = &mut self.seen[i];
            *first = (*first).min(timestamp);
            *last = (*last).max(timestamp);
        }
        self.obs.src.push(src);
        self.stats.observations += 1;
        self.cache = OnceLock::new();
        Ok(ids.len() as u32)
    }

    pub(crate) fn source_id(&mut self, source: &str) -> Result<u32, IdentityError> {
        if let Some(&s) = self.source_index.get(source) {
            return Ok(s);
        }
        let s = u32::try_from(self.sources.len())
            .map_err(|_| IdentityError::Capacity("more than 4 billion sources"))?;
        self.sources.push(source.to_owned());
        self.source_index.insert(source.to_owned(), s);
        Ok(s)
    }

    /// What resolution reads, borrowed from the graph.
    pub(crate) fn input(&self) -> Input<'_> {
        let (kinds, hashes) = self.ids.columns();
        Input {
            rules: &self.compiled,
            obs: &self.obs,
            kinds,
            hashes,
            seen: &self.seen,
            sources: &self.sources,
        }
    }

    /// The resolution, made on first use (on working memory of its own, freed after) and
    /// cached until the graph changes.
    /// Install a resolution made elsewhere (a thawed one: see `frozen`).
    pub(crate) fn set_resolution(&mut self, r: Resolution) {
        self.cache = OnceLock::from(r);
    }

    /// Whether the resolution is made (cached) already.
    #[cfg(test)]
    pub(crate) fn has_resolution(&self) -> bool {
        self.cache.get().is_some()
    }

    pub(crate) fn resolution(&self) -> &Resolution {
        self.cache
            .get_or_init(|| resolve(&self.input(), &mut Tables::default()))
    }

    /// The resolved profiles: every observation resolved into profiles under the rules, on
    /// first use, and cached until the graph changes (an observation or an erasure). The view
    /// borrows the graph.
    ///
    /// ```
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// let g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// assert!(g.profiles().is_empty());
    /// ```
    #[must_use]
    pub fn profiles(&self) -> Profiles<'_> {
        Profiles::new(self, Cow::Borrowed(self.resolution()))
    }

    /// [`Self::profiles`], resolving (if the cache is stale) on the caller's working memory:
    /// a graph resolved again and again, after each batch of events, keeps one [`Scratch`]
    /// so that each resolution writes memory that is resident already (see [`Scratch`]).
    ///
    /// ```
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules, Scratch};
    /// let g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let mut scratch = Scratch::new();
    /// assert_eq!(g.profiles_with(&mut scratch), g.profiles());
    /// ```
    #[must_use]
    pub fn profiles_with(&self, scratch: &mut Scratch) -> Profiles<'_> {
        if self.cache.get().is_none() {
            // Another thread may have filled the cache meanwhile: its resolution is the same.
            let _ = self.cache.set(resolve(&self.input(), &mut scratch.tables));
        }
        self.profiles()
    }

    /// Resolve again, ignoring (and leaving) the cache, on the caller's working memory: to
    /// time a resolution (the benchmarks), or to check one.
    #[must_use]
    pub fn resolve_fresh(&self, scratch: &mut Scratch) -> Profiles<'_> {
        Profiles::new(
            self,
            Cow::Owned(resolve(&self.input(), &mut scratch.tables)),
        )
    }

    /// Every co-occurrence link as a pair of identifier indexes: each observation's first
    /// identifier with each of the others (enough for connectivity). Exported for comparisons
    /// with other graph tools (`scripts/bench/identity_vs_networkx.py`).
    pub fn links(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        (0..self.obs.len()).flat_map(move |o| {
            let ids = self.obs.ids_of(o);
            let first = ids.first().copied().unwrap_or_default();
            ids.iter().skip(1).map(move |&y| (first, y))
        })
    }

    /// Normalise a raw identifier the way `observe` does; `None` if it is not linkable.
    pub(crate) fn lookup(&self, id: &Identifier) -> Option<u32> {
        let v = normalize_in(
            id.kind,
            &id.value,
            &self.rules,
            self.pseudonym_key.as_deref(),
        )
        .ok()?;
        self.ids.get(id.kind, &v)
    }

    /// The profile holding `identifier` (given raw, normalised here), if it is linked.
    pub fn profile_of(&self, identifier: &Identifier) -> Option<Profile> {
        self.profiles().of(identifier)
    }

    /// The profile id of an event: the profile of its strongest linked identifier, or `None` when
    /// none of its identifiers is in a profile (no consent to link, only shared or junk values).
    /// This is how attribution maps events to people.
    pub fn profile_id_of_event(&self, event: &Event) -> Option<ProfileId> {
        let res = self.resolution();
        event
            .identifiers()
            .iter()
            .filter(|i| !i.kind.is_attribute())
            .filter_map(|i| self.lookup(i))
            .filter_map(|x| res.profile_index_of(x).map(|p| (x, p)))
            .min_by_key(|&(x, _)| (self.compiled.rank_of(self.ids.kind(x)), self.ids.hash(x)))
            .map(|(_, p)| res.profile_id(p))
    }

    /// The identifier behind an interned id (normalised value).
    pub(crate) fn identifier(&self, i: u32) -> Identifier {
        Identifier::new(self.ids.kind(i), self.ids.value(i))
    }

    /// Approximate heap bytes held by the graph (not counting a cached resolution).
    pub fn heap_bytes(&self) -> usize {
        self.ids.heap_bytes()
            + self.obs.ts.capacity() * 8
            + self.obs.src.capacity() * 4
            + self.obs.ends.capacity() * 4
            + self.obs.ids.capacity() * 4
            + self.obs.kinds.capacity()
            + self.seen.capacity() * 16
    }

    /// Rebuild from scratch with the same rules and gate (used by erasure and restore).
    pub(crate) fn empty_like(&self) -> Self {
        IdentityGraph {
            rules: self.rules.clone(),
            compiled: self.compiled.clone(),
            gate: self.gate.clone(),
            ids: Interner::default(),
            sources: Vec::new(),
            source_index: AMap::with_hasher(ahash_state()),
            obs: Observations::default(),
            seen: Vec::new(),
            denied: ASet::with_hasher(ahash_state()),
            stats: GraphStats::default(),
            pseudonym_key: self.pseudonym_key.clone(),
            scratch: Vec::new(),
            scored: AMap::with_hasher(ahash_state()),
            cache: OnceLock::new(),
        }
    }

    /// Overwrite the memory that holds identifier values and what is derived from them (their
    /// hashes, the cached resolution's profile ids, the observation being recorded) before it
    /// is released: erasure calls it on the graph it replaces.
    pub(crate) fn wipe(&mut self) {
        self.ids.wipe();
        if let Some(mut r) = self.cache.take() {
            r.wipe();
        }
        for e in self.scratch.iter_mut() {
            *e = (0, 0, 0);
        }
        std::hint::black_box(&self.scratch);
        self.scratch.clear();
    }

    /// Append an observation of already-interned values from another graph (erasure, restore).
    pub(crate) fn push_values(
        &mut self,
        timestamp: i64,
        source: &str,
        values: &[(IdKind, &str)],
    ) -> Result<(), IdentityError> {
        self.intern_and_push(timestamp, source, values, false)
            .map(|_| ())
    }
}

fn check_permit(permit: &Permit) -> Result<(), IdentityError> {
    if permit.operation() == Operation::LinkIdentity {
        Ok(())
    } else {
        Err(IdentityError::WrongPermit(permit.operation().to_string()))
    }
}
