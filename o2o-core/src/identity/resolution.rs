//! The result of a resolution, compact: profile numbers, members and per-profile totals as flat
//! arrays of identifier numbers. [`super::Profiles`] turns it into owned views with the graph's
//! values.

use super::profiles::ProfileId;
use crate::event::IdKind;

/// No profile (a shared identifier), no element, no slot.
pub(crate) const NONE: u32 = u32::MAX;

/// An identifier the hub guard treats as shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Hub {
    pub id: u32,
    /// Distinct higher-priority identifiers it was seen with (counted up to threshold + 1).
    pub distinct_higher: u32,
}

/// A merge a limit prevented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prevented {
    /// The observation whose link was cut.
    pub observation: u32,
    /// The identifier dropped from linking (the observation's lowest-priority one).
    pub dropped: u32,
    /// The kind whose per-profile limit the merge would have broken.
    pub limit: IdKind,
}

/// Profiles as resolved: profile `p` is the `p`-th by id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Resolution {
    /// Profile number per identifier (`NONE` for identifiers in no profile).
    pub profile_of: Vec<u32>,
    /// Members of profile `p`: `members[starts[p]..starts[p + 1]]`, strongest first.
    pub starts: Vec<u32>,
    pub members: Vec<u32>,
    /// The profile's id (the hash its name shows).
    pub profile_hash: Vec<u64>,
    pub first_seen: Vec<i64>,
    pub last_seen: Vec<i64>,
    pub n_obs: Vec<u64>,
    /// Sources of profile `p`: `sources[source_starts[p]..source_starts[p + 1]]`, by name.
    pub source_starts: Vec<u32>,
    pub sources: Vec<u32>,
    /// Hub identifiers, in id order.
    pub hubs: Vec<Hub>,
    /// The merges limits prevented, in linking order.
    pub audit: Vec<Prevented>,
    /// Time-bounded identifiers whose sessions fell in more than one component, in id order.
    pub split_sessions: Vec<u32>,
}

impl Resolution {
    /// Overwrite what is derived from identifier values (the profile ids, hashes of anchors).
    pub fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.profile_hash.zeroize();
    }

    /// Number of profiles.
    pub fn profiles(&self) -> usize {
        self.profile_hash.len()
    }

    /// Sizes (identifiers) of the profiles, in profile order.
    pub fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.starts.windows(2).map(|w| (w[1] - w[0]) as usize)
    }

    /// The profile holding identifier `id`, if any.
    pub fn profile_index_of(&self, id: u32) -> Option<usize> {
        match self.profile_of.get(id as usize) {
            Some(&p) if p != NONE => Some(p as usize),
            _ => None,
        }
    }

    /// Members of profile `p`, strongest first.
    pub fn members_of(&self, p: usize) -> &[u32] {
        &self.members[self.starts[p] as usize..self.starts[p + 1] as usize]
    }

    /// The sources of profile `p` (numbers, in name order).
    pub fn sources_of(&self, p: usize) -> &[u32] {
        &self.sources[self.source_starts[p] as usize..self.source_starts[p + 1] as usize]
    }

    /// The id of profile `p`.
    pub fn profile_id(&self, p: usize) -> ProfileId {
        ProfileId::from_hash(self.profile_hash[p])
    }

    /// The profile named `id`, if any (profiles are in id order).
    pub fn profile_index_by_id(&self, id: ProfileId) -> Option<usize> {
        let h = id.hash();
        let p = self.profile_hash.partition_point(|&x| x < h);
        (self.profile_hash.get(p) == Some(&h)).then_some(p)
    }
}
