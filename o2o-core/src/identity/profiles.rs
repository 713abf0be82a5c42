//! Resolved profiles as a user sees them: [`Profiles`], a view borrowing the graph, whose
//! accessors build owned [`Profile`]s, [`MergeAudit`]s and [`SharedIdentifier`]s with the
//! graph's normalised values; and [`ProfileId`], a profile's stable name.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::resolution::Resolution;
use crate::event::{IdKind, Identifier};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

/// The stable id of a profile: a hash of its strongest identifier (the smallest by priority,
/// then hash), written `p` + 16 hex digits. The same evidence gives the same id on every
/// machine and in every run, whatever order the events came in.
///
/// ```
/// use o2o_core::identity::ProfileId;
/// let id: ProfileId = "p00000000000000ff".parse().unwrap();
/// assert_eq!(id.to_string(), "p00000000000000ff");
/// assert!("00ff".parse::<ProfileId>().is_err());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProfileId(u64);

impl ProfileId {
    pub(crate) const fn from_hash(hash: u64) -> Self {
        ProfileId(hash)
    }

    pub(crate) const fn hash(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{:016x}", self.0)
    }
}

impl fmt::Debug for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ProfileId({self})")
    }
}

impl FromStr for ProfileId {
    type Err = IdentityError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || IdentityError::BadProfileId {
            input: s.to_owned(),
        };
        let hex = s.strip_prefix('p').ok_or_else(bad)?;
        if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        u64::from_str_radix(hex, 16)
            .map(ProfileId)
            .map_err(|_| bad())
    }
}

impl From<ProfileId> for String {
    fn from(id: ProfileId) -> String {
        id.to_string()
    }
}

impl Serialize for ProfileId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProfileId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Cow::<'de, str>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One resolved profile: a person as far as the evidence and the rules allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Stable id derived from the profile's strongest identifier.
    pub id: ProfileId,
    /// Normalised identifiers, strongest kind first, then by value.
    pub identifiers: Vec<Identifier>,
    /// Earliest observation of any of its identifiers (Unix seconds).
    pub first_seen: i64,
    /// Latest observation of any of its identifiers.
    pub last_seen: i64,
    /// Sources (`online:facebook`, `store:pos_purchase`) of its observations, sorted.
    pub sources: Vec<String>,
    /// Observations attributed to it.
    pub observations: u64,
}

/// A merge a limit prevented: the identifier dropped from linking, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MergeAudit {
    /// When the observation happened.
    pub timestamp: i64,
    /// Its source.
    pub source: String,
    /// The identifier dropped from linking (the lowest-priority one of the observation).
    pub dropped: Identifier,
    /// The kind whose per-profile limit the merge would have broken.
    pub limit: IdKind,
}

/// An identifier treated as shared by the hub guard.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SharedIdentifier {
    /// The identifier (normalised).
    pub identifier: Identifier,
    /// Distinct higher-priority identifiers it was seen with (counted up to threshold + 1).
    pub distinct_higher: u32,
}

/// The profiles of a graph, as resolved: a view that borrows the graph (from
/// [`IdentityGraph::profiles`]) and builds owned values on demand. Profiles are in id order.
///
/// ```
/// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
/// use o2o_core::event::IdKind;
/// use o2o_core::identity::{IdentityGraph, ResolutionRules};
/// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
/// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
/// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
/// g.observe_normalized(&permit, 1, "store:pos_purchase", &[(IdKind::Email, "ann@example.com"), (IdKind::LoyaltyCard, "LC1")]).unwrap();
/// g.observe_normalized(&permit, 2, "online:zalo", &[(IdKind::Email, "bob@example.com")]).unwrap();
/// let profiles = g.profiles();
/// assert_eq!(profiles.len(), 2);
/// assert_eq!(profiles.largest(), 2);
/// for p in &profiles {
///     assert!(p.id.to_string().starts_with('p') && !p.identifiers.is_empty());
/// }
/// let ann = profiles.iter().find(|p| p.identifiers.len() == 2).unwrap();
/// assert_eq!(profiles.get(ann.id), Some(ann));
/// ```
#[derive(Clone)]
pub struct Profiles<'g> {
    graph: &'g IdentityGraph,
    res: Cow<'g, Resolution>,
}

impl<'g> Profiles<'g> {
    pub(crate) fn new(graph: &'g IdentityGraph, res: Cow<'g, Resolution>) -> Self {
        Profiles { graph, res }
    }

    /// The compact resolution behind the view.
    #[cfg(test)]
    pub(crate) fn resolution(&self) -> &Resolution {
        &self.res
    }

    /// Number of profiles.
    #[must_use]
    pub fn len(&self) -> usize {
        self.res.profiles()
    }

    /// Whether there is no profile.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every profile, in id order.
    #[must_use]
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            graph: self.graph,
            res: &self.res,
            at: 0..self.len(),
        }
    }

    /// The profile named `id`.
    #[must_use]
    pub fn get(&self, id: ProfileId) -> Option<Profile> {
        self.res
            .profile_index_by_id(id)
            .map(|p| profile(self.graph, &self.res, p))
    }

    /// The profile holding `identifier` (given raw, normalised as `observe` does).
    #[must_use]
    pub fn of(&self, identifier: &Identifier) -> Option<Profile> {
        let i = self.graph.lookup(identifier)?;
        self.res
            .profile_index_of(i)
            .map(|p| profile(self.graph, &self.res, p))
    }

    /// Size (identifiers) of the largest profile; 0 when there is none.
    #[must_use]
    pub fn largest(&self) -> usize {
        self.res.sizes().max().unwrap_or(0)
    }

    /// Sizes of all profiles, in id order.
    pub fn sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.res.sizes()
    }

    /// The merges the limits prevented, in the order they were met.
    #[must_use]
    pub fn audit(&self) -> Vec<MergeAudit> {
        let g = self.graph;
        self.res
            .audit
            .iter()
            .map(|a| MergeAudit {
                timestamp: g.obs.ts[a.observation as usize],
                source: g.sources[g.obs.src[a.observation as usize] as usize].clone(),
                dropped: g.identifier(a.dropped),
                limit: a.limit,
            })
            .collect()
    }

    /// Number of merges the limits prevented.
    #[must_use]
    pub fn prevented_merges(&self) -> usize {
        self.res.audit.len()
    }

    /// Identifiers the hub guard treats as shared, sorted by kind and value.
    #[must_use]
    pub fn shared(&self) -> Vec<SharedIdentifier> {
        let mut v: Vec<SharedIdentifier> = self
            .res
            .hubs
            .iter()
            .map(|h| SharedIdentifier {
                identifier: self.graph.identifier(h.id),
                distinct_higher: h.distinct_higher,
            })
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v
    }
}

/// The owned view of profile `p` (identifiers sorted by priority, then value).
fn profile(g: &IdentityGraph, res: &Resolution, p: usize) -> Profile {
    let mut identifiers: Vec<(u8, Identifier)> = res
        .members_of(p)
        .iter()
        .map(|&i| {
            let id = g.identifier(i);
            (g.compiled.rank_of(id.kind), id)
        })
        .collect();
    identifiers.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.value.cmp(&b.1.value)));
    Profile {
        id: res.profile_id(p),
        identifiers: identifiers.into_iter().map(|(_, i)| i).collect(),
        first_seen: res.first_seen[p],
        last_seen: res.last_seen[p],
        sources: res
            .sources_of(p)
            .iter()
            .map(|&s| g.sources[s as usize].clone())
            .collect(),
        observations: res.n_obs[p],
    }
}

/// Two views are equal when they are of the same graph and hold the same resolution.
impl PartialEq for Profiles<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.graph, other.graph) && self.res == other.res
    }
}

impl fmt::Debug for Profiles<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profiles")
            .field("len", &self.len())
            .field("largest", &self.largest())
            .field("prevented_merges", &self.prevented_merges())
            .finish()
    }
}

/// The profiles of a [`Profiles`] view, in id order.
pub struct Iter<'a> {
    graph: &'a IdentityGraph,
    res: &'a Resolution,
    at: std::ops::Range<usize>,
}

impl Iterator for Iter<'_> {
    type Item = Profile;

    fn next(&mut self) -> Option<Profile> {
        self.at.next().map(|p| profile(self.graph, self.res, p))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.at.size_hint()
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Profile> {
        self.at
            .next_back()
            .map(|p| profile(self.graph, self.res, p))
    }
}

impl<'a> IntoIterator for &'a Profiles<'_> {
    type Item = Profile;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}
