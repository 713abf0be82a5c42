//! Erasure (GDPR art. 17, CCPA): forget a person, keep everyone else.
//!
//! Forgetting removes every observation that holds any identifier of the person's profile, so
//! every node and edge of theirs is gone, then rebuilds the store from what is left (the value
//! arena is rewritten, so the bytes are gone from memory and from later snapshots) and lets the
//! next resolution recompute the affected components. The receipt says what was removed.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::intern::{ASet, ahash_state, stable_hash};
use super::profiles::ProfileId;
use crate::event::{IdKind, Identifier};
use serde::Serialize;

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

/// Proof of an erasure: what was removed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ErasureReceipt {
    /// The profile erased, if the request named one or reached one.
    pub profile: Option<ProfileId>,
    /// Every identifier removed (normalised).
    pub identifiers: Vec<Identifier>,
    /// Observations removed.
    pub observations_removed: u64,
    /// Co-occurrence edges removed (pairs within the removed observations).
    pub edges_removed: u64,
}

impl IdentityGraph {
    /// Forget a person: see the module documentation. Unknown targets give an empty receipt.
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
    /// assert_eq!(receipt.identifiers.len(), 2);
    /// assert!(g.profile_of(&email).is_none());
    /// ```
    pub fn forget(&mut self, what: &Forget) -> Result<ErasureReceipt, IdentityError> {
        let res = self.resolution();
        let (profile, targets): (Option<usize>, Vec<u32>) = match what {
            Forget::Identifier(id) => {
                let Some(i) = self.lookup(id) else {
                    // Not in the graph: still drop any consent fingerprint of it.
                    if let Ok(v) = super::normalize::normalize_value(
                        id.kind,
                        &id.value,
                        self.rules.default_country.as_deref(),
                    ) {
                        self.denied.remove(&stable_hash(id.kind, v.as_bytes()));
                    }
                    return Ok(ErasureReceipt::default());
                };
                match res.profile_index_of(i) {
                    Some(p) => (Some(p), res.members_of(p).to_vec()),
                    None => (None, vec![i]),
                }
            }
            Forget::Profile(pid) => match res.profile_index_by_id(*pid) {
                Some(p) => (Some(p), res.members_of(p).to_vec()),
                None => return Ok(ErasureReceipt::default()),
            },
        };
        let profile_id = profile.map(|p| res.profile_id(p));
        let mut doomed = vec![false; self.ids.len()];
        for &i in &targets {
            doomed[i as usize] = true;
        }
        let mut next = self.empty_like();
        let mut receipt = ErasureReceipt {
            profile: profile_id,
            identifiers: targets.iter().map(|&i| self.identifier(i)).collect(),
            ..ErasureReceipt::default()
        };
        receipt
            .identifiers
            .sort_by(|a, b| (a.kind, &a.value).cmp(&(b.kind, &b.value)));
        let mut values: Vec<(IdKind, &str)> = Vec::new();
        for o in 0..self.obs.len() {
            let ids = self.obs.ids_of(o);
            if ids.iter().any(|&i| doomed[i as usize]) {
                receipt.observations_removed += 1;
                let k = ids.len() as u64;
                receipt.edges_removed += k * k.saturating_sub(1) / 2;
                continue;
            }
            values.clear();
            values.extend(ids.iter().map(|&i| (self.ids.kind(i), self.ids.value(i))));
            next.push_values(
                self.obs.ts[o],
                &self.sources[self.obs.src[o] as usize],
                &values,
            )?;
        }
        next.stats = self.stats;
        next.stats.observations = next.obs.len() as u64;
        next.denied = std::mem::replace(&mut self.denied, ASet::with_hasher(ahash_state()));
        for id in &receipt.identifiers {
            next.denied
                .remove(&stable_hash(id.kind, id.value.as_bytes()));
        }
        *self = next;
        Ok(receipt)
    }
}
