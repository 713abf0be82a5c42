//! Erasure (GDPR art. 17, CCPA): forget a person, keep everyone else.
//!
//! A request names the person by any identifiers they give (or profile ids). Every profile one
//! of them is in is erased whole, with every identifier in it; an identifier in no profile (a
//! shared one, or one a limit kept apart) is erased alone. Observations then lose the erased
//! identifiers: one that held only the person's is removed, one that also held other people's
//! keeps theirs. The graph is rebuilt from what is left, so the value arena, the hashes derived
//! from the values, the cached resolution (profile ids, explanations), the waterfalls of scored
//! links touching the person and the consent fingerprints no longer hold the person; the memory that held them is overwritten before it
//! is released. The receipt holds counts and, when a key is given, keyed pseudonyms of what was
//! erased: proof for the person and the auditor, and nothing a reader without the key can
//! reverse.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::intern::{ASet, ahash_state, stable_hash};
use super::profiles::ProfileId;
use crate::event::{IdKind, Identifier};
use crate::hashing::Pseudonymizer;
use serde::Serialize;
use std::collections::BTreeSet;
use zeroize::Zeroize;

/// What to forget.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Forget {
    /// The profile holding this identifier (raw; normalised like `observe`), or the identifier
    /// alone if it is in no profile (a shared one).
    Identifier(Identifier),
    /// A profile by its id.
    Profile(ProfileId),
}

/// Proof of an erasure: counts, and keyed pseudonyms of what was erased. It never holds a raw
/// or normalised value, nor a profile id (a profile id is an unkeyed hash of an identifier).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReceipt {
    /// Profiles erased.
    pub profiles_erased: u64,
    /// Identifiers erased (every identifier of those profiles, and those named that were in
    /// none).
    pub identifiers_erased: u64,
    /// Observations removed: they held only erased identifiers.
    pub observations_removed: u64,
    /// Observations kept without the erased identifiers: they also held other people's.
    pub observations_rewritten: u64,
    /// Co-occurrence edges removed (pairs of identifiers seen together, one of them erased).
    pub edges_removed: u64,
    /// Keyed pseudonyms (`KEY_ID:HEX`, HMAC-SHA256 of `kind:normalised value`) of the erased
    /// identifiers, sorted, when the erasure was given a [`Pseudonymizer`]; empty otherwise.
    pub pseudonyms: Vec<String>,
}

impl IdentityGraph {
    /// Forget one person named by one identifier or profile id: [`IdentityGraph::forget_all`]
    /// without pseudonyms. Unknown targets give an empty receipt.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::identity::{Forget, IdentityGraph, ResolutionRules};
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// let email = Identifier::new(IdKind::Email, "ann@example.com");
    /// g.observe(&permit, 1, "store:crm_visit", &[email.clone(), Identifier::new(IdKind::ExternalId, "C1")]).unwrap();
    /// let receipt = g.forget(&Forget::Identifier(email.clone())).unwrap();
    /// assert_eq!((receipt.profiles_erased, receipt.identifiers_erased), (1, 2));
    /// assert!(g.profile_of(&email).is_none());
    /// ```
    pub fn forget(&mut self, what: &Forget) -> Result<ErasureReceipt, IdentityError> {
        self.forget_all(std::slice::from_ref(what), None)
    }

    /// Forget a person named by every identifier (or profile id) they gave: see the module
    /// documentation. With `pseudonyms`, the receipt lists the keyed pseudonym of each erased
    /// identifier (the pseudonymizer should read phones as the graph does, `PhoneCheck` of the
    /// rules, or a possible-only phone gets none).
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::hashing::{NormalizeOptions, Pseudonymizer};
    /// use o2o_core::identity::{Forget, IdentityGraph, ResolutionRules};
    /// use o2o_core::keys::SecretKey;
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// let id = |k, v: &str| Identifier::new(k, v);
    /// // Ann on her phone, Bao on his; a family tablet order carries both emails.
    /// g.observe(&permit, 1, "crm", &[id(IdKind::Email, "ann@example.com"), id(IdKind::ExternalId, "C1")]).unwrap();
    /// g.observe(&permit, 2, "crm", &[id(IdKind::Email, "bao@example.com"), id(IdKind::ExternalId, "C2")]).unwrap();
    /// g.observe(&permit, 3, "web", &[id(IdKind::Email, "ann@example.com"), id(IdKind::Email, "bao@example.com")]).unwrap();
    /// let key = SecretKey::new("k1", (1u8..=32).collect()).unwrap();
    /// let mut pz = Pseudonymizer::new(&key, NormalizeOptions::default());
    /// let r = g.forget_all(&[Forget::Identifier(id(IdKind::ExternalId, "C1"))], Some(&mut pz)).unwrap();
    /// assert_eq!((r.identifiers_erased, r.observations_removed, r.observations_rewritten), (2, 1, 1));
    /// assert!(r.pseudonyms.iter().all(|p| p.starts_with("k1:")));
    /// // Bao keeps everything of his.
    /// assert_eq!(g.profile_of(&id(IdKind::Email, "bao@example.com")).unwrap().identifiers.len(), 2);
    /// ```
    pub fn forget_all(
        &mut self,
        what: &[Forget],
        pseudonyms: Option<&mut Pseudonymizer>,
    ) -> Result<ErasureReceipt, IdentityError> {
        let doomed = self.erasure_targets(what);
        let mut receipt = ErasureReceipt::default();
        if doomed.is_empty() {
            return Ok(receipt);
        }
        receipt.profiles_erased = {
            let res = self.resolution();
            let profiles: BTreeSet<usize> = doomed
                .iter()
                .filter_map(|&i| res.profile_index_of(i))
                .collect();
            profiles.len() as u64
        };
        receipt.identifiers_erased = doomed.len() as u64;
        if let Some(pz) = pseudonyms {
            let mut out: Vec<String> = Vec::with_capacity(doomed.len());
            for &i in &doomed {
                let mut s = String::new();
                let (kind, value) = (self.ids.kind(i), self.ids.value(i));
                // A graph of pseudonyms (a keyed store's) holds them already.
                if let Some(k) = self.pseudonym_key.as_deref()
                    && kind.pseudonymised_at_rest()
                    && super::normalize::is_pseudonym_of(k, value)
                {
                    out.push(value.to_owned());
                } else if pz
                    .text_into(self.ids.kind(i), self.ids.value(i), &mut s)
                    .is_ok()
                {
                    out.push(s);
                }
            }
            out.sort_unstable();
            receipt.pseudonyms = out;
        }
        let mut is_doomed = vec![false; self.ids.len()];
        for &i in &doomed {
            is_doomed[i as usize] = true;
        }
        let mut next = self.empty_like();
        let mut values: Vec<(IdKind, &str)> = Vec::new();
        for o in 0..self.obs.len() {
            let ids = self.obs.ids_of(o);
            let gone = ids.iter().filter(|&&i| is_doomed[i as usize]).count() as u64;
            let k = ids.len() as u64;
            let pairs = |n: u64| n * n.saturating_sub(1) / 2;
            if gone > 0 {
                receipt.edges_removed += pairs(k) - pairs(k - gone);
                if gone == k {
                    receipt.observations_removed += 1;
                    continue;
                }
                receipt.observations_rewritten += 1;
            }
            values.clear();
            values.extend(
                ids.iter()
                    .filter(|&&i| !is_doomed[i as usize])
                    .map(|&i| (self.ids.kind(i), self.ids.value(i))),
            );
            next.push_values(
                self.obs.ts[o],
                &self.sources[self.obs.src[o] as usize],
                &values,
            )?;
        }
        // The waterfalls of scored links between identifiers that stay; a link touching an
        // erased identifier goes with it.
        self.carry_scored(&mut next, |i| self.ids.value(i), |i| !is_doomed[i as usize]);
        next.stats = self.stats;
        next.stats.observations = next.obs.len() as u64;
        next.denied = std::mem::replace(&mut self.denied, ASet::with_hasher(ahash_state()));
        for &i in &doomed {
            next.denied.remove(&self.ids.hash(i));
        }
        self.wipe();
        *self = next;
        Ok(receipt)
    }

    /// The identifiers `what` reaches, in id order: every member of a profile named or holding
    /// a named identifier, and named identifiers in no profile. A named identifier not in the
    /// graph loses its consent fingerprint here.
    fn erasure_targets(&mut self, what: &[Forget]) -> Vec<u32> {
        let mut profiles: BTreeSet<usize> = BTreeSet::new();
        let mut alone: BTreeSet<u32> = BTreeSet::new();
        let mut fingerprints: Vec<u64> = Vec::new();
        {
            let res = self.resolution();
            for w in what {
                match w {
                    Forget::Identifier(id) => match self.lookup(id) {
                        Some(i) => match res.profile_index_of(i) {
                            Some(p) => {
                                profiles.insert(p);
                            }
                            None => {
                                alone.insert(i);
                            }
                        },
                        None => {
                            if let Ok(mut v) = super::normalize::normalize_in(
                                id.kind,
                                &id.value,
                                &self.rules,
                                self.pseudonym_key.as_deref(),
                            ) {
                                fingerprints.push(stable_hash(id.kind, v.as_bytes()));
                                v.zeroize();
                            }
                        }
                    },
                    Forget::Profile(pid) => {
                        if let Some(p) = res.profile_index_by_id(*pid) {
                            profiles.insert(p);
                        }
                    }
                }
            }
            for &p in &profiles {
                alone.extend(res.members_of(p));
            }
        }
        for f in fingerprints {
            self.denied.remove(&f);
        }
        alone.into_iter().collect()
    }
}

/// What an erasure erases, as a test on any identifier: for a store or an export holding the
/// person's records as they came (raw, or hashed by a platform's rules). It keeps digests, not
/// values (SHA-256 of `kind:normalised`, and the platform hashes of emails and phones), and
/// overwrites them when dropped.
pub struct ErasureMatcher {
    rules: super::ResolutionRules,
    /// The key id of the graph's pseudonyms, when it holds pseudonyms.
    pseudonym_key: Option<String>,
    /// SHA-256 of `kind ":" normalised value` of each erased identifier.
    digests: ASet<[u8; 32]>,
    /// The SHA-256 (hex) of each erased email and phone under every platform's normalisation,
    /// as `email_sha256` and `phone_sha256` columns hold them.
    hashed: ASet<String>,
}

impl std::fmt::Debug for ErasureMatcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ErasureMatcher")
            .field("identifiers", &self.digests.len())
            .finish_non_exhaustive()
    }
}

fn digest(kind: IdKind, value: &str) -> [u8; 32] {
    let mut msg = Vec::with_capacity(value.len() + 24);
    msg.extend_from_slice(kind.as_str().as_bytes());
    msg.push(b':');
    msg.extend_from_slice(value.as_bytes());
    let d = crate::hashing::sha256(&msg);
    msg.zeroize();
    d
}

impl ErasureMatcher {
    /// Whether `id` (raw as a record holds it, or a platform hash) is one of the erased.
    #[must_use]
    pub fn matches(&self, id: &Identifier) -> bool {
        if id.kind.is_hashed() {
            return self.hashed.contains(&id.value.trim().to_ascii_lowercase());
        }
        if id.kind.is_attribute() {
            return false;
        }
        match super::normalize::normalize_in(
            id.kind,
            &id.value,
            &self.rules,
            self.pseudonym_key.as_deref(),
        ) {
            Ok(mut v) => {
                let hit = self.digests.contains(&digest(id.kind, &v));
                v.zeroize();
                hit
            }
            Err(_) => false,
        }
    }

    /// Identifiers erased.
    #[must_use]
    pub fn len(&self) -> usize {
        self.digests.len()
    }

    /// Whether nothing is erased.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.digests.is_empty()
    }
}

impl Drop for ErasureMatcher {
    fn drop(&mut self) {
        for mut d in self.digests.drain() {
            d.zeroize();
        }
        for mut h in self.hashed.drain() {
            h.zeroize();
        }
    }
}

impl IdentityGraph {
    /// The test [`IdentityGraph::forget_all`] of `what` applies, for records outside the graph
    /// (the store's Parquet files): take it before forgetting.
    pub fn erasure_matcher(&mut self, what: &[Forget]) -> ErasureMatcher {
        use crate::hashing::{NormalizeOptions, PhoneCheck, Platform, normalize, sha256_hex};
        let targets = self.erasure_targets(what);
        let mut m = ErasureMatcher {
            rules: self.rules.clone(),
            pseudonym_key: self.pseudonym_key.clone(),
            digests: ASet::with_hasher(ahash_state()),
            hashed: ASet::with_hasher(ahash_state()),
        };
        for i in targets {
            let (kind, value) = (self.ids.kind(i), self.ids.value(i));
            m.digests.insert(digest(kind, value));
            if matches!(kind, IdKind::Email | IdKind::Phone) {
                for profile in Platform::ALL {
                    let opts = NormalizeOptions {
                        profile,
                        default_country: self.rules.default_country.clone(),
                        phone: PhoneCheck::Possible,
                        ..NormalizeOptions::default()
                    };
                    if let Ok(mut v) = normalize(kind, value, &opts) {
                        m.hashed.insert(sha256_hex(&v));
                        v.zeroize();
                    }
                }
            }
        }
        m
    }
}
