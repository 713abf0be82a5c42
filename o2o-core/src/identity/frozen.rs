//! A graph and its resolution as plain columns: what an event store keeps
//! (`store::resolution`) so that a later run reads the profiles instead of resolving again.
//!
//! [`IdentityGraph::freeze`] copies the graph out (identifiers, observations, and the
//! resolution with its profile ids, members, first and last seen); [`IdentityGraph::thaw`]
//! builds the same graph back with that resolution already made, so `profiles()`,
//! `profile_of` and `profile_id_of_event` answer without resolving. Thawing checks every index
//! against the lengths it refers to: columns read from a damaged file give an error, never a
//! panic.

use super::error::IdentityError;
use super::graph::{GraphStats, IdentityGraph};
use super::resolution::{Hub, NONE, Prevented, Resolution};
use super::rules::ResolutionRules;
use crate::event::IdKind;

/// A graph's observations and resolution as columns (see the module documentation).
/// Identifier `i` is row `i` of `kinds`/`values`/`seen`; observation `o` holds
/// `obs_ids[obs_ends[o - 1]..obs_ends[o]]`; profile `p` (the `p`-th by id) holds
/// `members[starts[p]..starts[p + 1]]`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FrozenGraph {
    /// The rules the graph resolved under.
    pub rules: ResolutionRules,
    /// The id of the key whose pseudonyms the values are, when they are pseudonyms.
    pub pseudonym_key: Option<String>,
    /// Running totals.
    pub stats: GraphStats,
    /// Kind of each identifier.
    pub kinds: Vec<IdKind>,
    /// Normalised value of each identifier.
    pub values: Vec<String>,
    /// First and last sighting of each identifier.
    pub seen: Vec<(i64, i64)>,
    /// Source names, by number.
    pub sources: Vec<String>,
    /// Time of each observation.
    pub obs_ts: Vec<i64>,
    /// Source number of each observation.
    pub obs_src: Vec<u32>,
    /// End of each observation's identifiers in `obs_ids`.
    pub obs_ends: Vec<u32>,
    /// The observations' identifiers (strongest first within each).
    pub obs_ids: Vec<u32>,
    /// Profile ids, as their hashes, in id order.
    pub profile_hash: Vec<u64>,
    /// Where each profile's members start in `members` (one more entry than profiles).
    pub starts: Vec<u32>,
    /// Members of every profile, strongest first.
    pub members: Vec<u32>,
    /// First sighting of each profile.
    pub first_seen: Vec<i64>,
    /// Last sighting of each profile.
    pub last_seen: Vec<i64>,
    /// Observations of each profile.
    pub n_obs: Vec<u64>,
    /// Where each profile's sources start in `profile_sources` (one more entry than profiles).
    pub source_starts: Vec<u32>,
    /// Source numbers of every profile, in name order.
    pub profile_sources: Vec<u32>,
    /// Identifiers the hub guard treats as shared, with the distinct stronger identifiers they
    /// were seen with, in id order.
    pub hubs: Vec<(u32, u32)>,
    /// Merges a limit prevented: (observation, identifier dropped, kind whose limit held).
    pub audit: Vec<(u32, u32, IdKind)>,
    /// Time-bounded identifiers whose sessions fell in more than one profile, in id order.
    pub split_sessions: Vec<u32>,
}

fn bad(what: &str) -> IdentityError {
    IdentityError::snapshot("stored resolution", what)
}

/// `ends` are non-decreasing ends within `len`, the last one `len`.
fn check_ends(ends: &[u32], len: usize, what: &str) -> Result<(), IdentityError> {
    let mut prev = 0u32;
    for &e in ends {
        if e < prev || e as usize > len {
            return Err(bad(&format!("{what}: offsets out of order or range")));
        }
        prev = e;
    }
    if ends.last().map_or(0, |&e| e as usize) != len {
        return Err(bad(&format!("{what}: offsets do not cover the list")));
    }
    Ok(())
}

impl IdentityGraph {
    /// The graph and its resolution (made here if not yet made) as columns.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// g.observe(&permit, 1, "pos", &[Identifier::new(IdKind::LoyaltyCard, "LC1"), Identifier::new(IdKind::Phone, "+84912345678")]).unwrap();
    /// let back = IdentityGraph::thaw(g.freeze()).unwrap();
    /// assert!(back.profiles().iter().eq(g.profiles().iter()));
    /// ```
    pub fn freeze(&self) -> FrozenGraph {
        let r = self.resolution();
        let n = self.ids.len();
        let mut seen = self.seen.clone();
        seen.resize(n, (i64::MAX, i64::MIN));
        FrozenGraph {
            rules: self.rules.clone(),
            pseudonym_key: self.pseudonym_key.clone(),
            stats: self.stats,
            kinds: (0..n as u32).map(|i| self.ids.kind(i)).collect(),
            values: (0..n as u32)
                .map(|i| self.ids.value(i).to_owned())
                .collect(),
            seen,
            sources: self.sources.clone(),
            obs_ts: self.obs.ts.clone(),
            obs_src: self.obs.src.clone(),
            obs_ends: self.obs.ends.clone(),
            obs_ids: self.obs.ids.clone(),
            profile_hash: r.profile_hash.clone(),
            starts: r.starts.clone(),
            members: r.members.clone(),
            first_seen: r.first_seen.clone(),
            last_seen: r.last_seen.clone(),
            n_obs: r.n_obs.clone(),
            source_starts: r.source_starts.clone(),
            profile_sources: r.sources.clone(),
            hubs: r.hubs.iter().map(|h| (h.id, h.distinct_higher)).collect(),
            audit: r
                .audit
                .iter()
                .map(|a| (a.observation, a.dropped, a.limit))
                .collect(),
            split_sessions: r.split_sessions.clone(),
        }
    }

    /// The graph of [`IdentityGraph::freeze`], its resolution made already; an error naming
    /// the column when the columns do not fit together.
    pub fn thaw(f: FrozenGraph) -> Result<Self, IdentityError> {
        let n = f.kinds.len();
        let profiles = f.profile_hash.len();
        if f.values.len() != n || f.seen.len() != n {
            return Err(bad("identifier columns differ in length"));
        }
        if f.obs_src.len() != f.obs_ts.len() || f.obs_ends.len() != f.obs_ts.len() {
            return Err(bad("observation columns differ in length"));
        }
        check_ends(&f.obs_ends, f.obs_ids.len(), "observations")?;
        if f.starts.len() != profiles + 1 || f.starts.first() != Some(&0) {
            return Err(bad("profile member offsets"));
        }
        check_ends(&f.starts, f.members.len(), "profile members")?;
        if f.source_starts.len() != profiles + 1 || f.source_starts.first() != Some(&0) {
            return Err(bad("profile source offsets"));
        }
        check_ends(&f.source_starts, f.profile_sources.len(), "profile sources")?;
        if [f.first_seen.len(), f.last_seen.len(), f.n_obs.len()] != [profiles; 3] {
            return Err(bad("profile columns differ in length"));
        }
        if !f.profile_hash.windows(2).all(|w| w[0] < w[1]) {
            return Err(bad("profiles are not in id order"));
        }
        let in_ids = |i: &u32| (*i as usize) < n;
        if !f.obs_ids.iter().all(in_ids)
            || !f.members.iter().all(in_ids)
            || !f.split_sessions.iter().all(in_ids)
            || !f.hubs.iter().all(|(i, _)| in_ids(i))
            || !f.audit.iter().all(|(_, i, _)| in_ids(i))
        {
            return Err(bad("an identifier number is out of range"));
        }
        let n_sources = f.sources.len();
        if !f
            .obs_src
            .iter()
            .chain(&f.profile_sources)
            .all(|&s| (s as usize) < n_sources)
        {
            return Err(bad("a source number is out of range"));
        }
        if !f
            .audit
            .iter()
            .all(|(o, _, _)| (*o as usize) < f.obs_ts.len())
        {
            return Err(bad("an observation number is out of range"));
        }
        let mut g = IdentityGraph::new(f.rules)?;
        g.pseudonym_key = f.pseudonym_key;
        for (i, (kind, value)) in f.kinds.iter().zip(&f.values).enumerate() {
            let (id, _) = g.ids.intern_hashed(*kind, value)?;
            if id as usize != i {
                return Err(bad(&format!("identifier {i} repeats identifier {id}")));
            }
        }
        for s in &f.sources {
            g.source_id(s)?;
        }
        if g.sources.len() != n_sources {
            return Err(bad("a source name repeats"));
        }
        g.obs.kinds = f
            .obs_ids
            .iter()
            .map(|&i| super::rules::kind_index(f.kinds[i as usize]) as u8)
            .collect();
        g.obs.ts = f.obs_ts;
        g.obs.src = f.obs_src;
        g.obs.ends = f.obs_ends;
        g.obs.ids = f.obs_ids;
        g.seen = f.seen;
        g.stats = f.stats;
        let mut profile_of = vec![NONE; n];
        for p in 0..profiles {
            for &m in &f.members[f.starts[p] as usize..f.starts[p + 1] as usize] {
                if profile_of[m as usize] != NONE {
                    return Err(bad(&format!("identifier {m} is in two profiles")));
                }
                profile_of[m as usize] = p as u32;
            }
        }
        g.set_resolution(Resolution {
            profile_of,
            starts: f.starts,
            members: f.members,
            profile_hash: f.profile_hash,
            first_seen: f.first_seen,
            last_seen: f.last_seen,
            n_obs: f.n_obs,
            source_starts: f.source_starts,
            sources: f.profile_sources,
            hubs: f
                .hubs
                .into_iter()
                .map(|(id, distinct_higher)| Hub {
                    id,
                    distinct_higher,
                })
                .collect(),
            audit: f
                .audit
                .into_iter()
                .map(|(observation, dropped, limit)| Prevented {
                    observation,
                    dropped,
                    limit,
                })
                .collect(),
            split_sessions: f.split_sessions,
        });
        Ok(g)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    use crate::event::Identifier;
    use crate::identity::Scratch;

    fn graph() -> IdentityGraph {
        let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
        let yes = ConsentSignals {
            gcm: Some(ConsentMode {
                ad_user_data: ConsentState::Granted,
                ..Default::default()
            }),
            ..Default::default()
        };
        let p = ConsentGate::default()
            .permit(Operation::LinkIdentity, Some(&yes))
            .unwrap();
        let id = Identifier::new;
        for (t, src, ids) in [
            (
                1,
                "pos",
                vec![
                    id(IdKind::LoyaltyCard, "LC1"),
                    id(IdKind::Phone, "+84912345678"),
                ],
            ),
            (
                2,
                "web",
                vec![
                    id(IdKind::Email, "a@example.com"),
                    id(IdKind::Phone, "+84912345678"),
                ],
            ),
            (
                3,
                "wifi",
                vec![
                    id(IdKind::Mac, "aa:bb:cc:dd:ee:01"),
                    id(IdKind::LoyaltyCard, "LC2"),
                ],
            ),
            (
                4,
                "wifi",
                vec![
                    id(IdKind::Mac, "aa:bb:cc:dd:ee:01"),
                    id(IdKind::LoyaltyCard, "LC3"),
                ],
            ),
            (
                5,
                "wifi",
                vec![
                    id(IdKind::Mac, "aa:bb:cc:dd:ee:01"),
                    id(IdKind::LoyaltyCard, "LC4"),
                ],
            ),
        ] {
            g.observe(&p, t, src, &ids).unwrap();
        }
        g
    }

    #[test]
    fn a_thawed_graph_holds_the_same_resolution_without_resolving() {
        let g = graph();
        let back = IdentityGraph::thaw(g.freeze()).unwrap();
        assert!(back.has_resolution());
        assert_eq!(back.resolution(), g.resolution());
        assert!(back.profiles().iter().eq(g.profiles().iter()));
        assert_eq!(back.profiles().shared(), g.profiles().shared());
        assert_eq!(back.stats(), g.stats());
        assert_eq!(back.snapshot(), g.snapshot());
        // Resolving the thawed graph again gives what it was thawed with.
        let mut s = Scratch::new();
        assert!(back.resolve_fresh(&mut s).iter().eq(g.profiles().iter()));
        assert!(!g.profiles().shared().is_empty(), "the test has a hub");
    }

    #[test]
    fn columns_that_do_not_fit_are_an_error() {
        let f = graph().freeze();
        let mut a = f.clone();
        a.members.push(999);
        assert!(IdentityGraph::thaw(a).is_err());
        let mut b = f.clone();
        b.obs_src[0] = 99;
        assert!(IdentityGraph::thaw(b).is_err());
        let mut c = f.clone();
        c.values[1] = c.values[0].clone();
        c.kinds[1] = c.kinds[0];
        assert!(IdentityGraph::thaw(c).is_err());
        let mut d = f;
        d.starts.pop();
        assert!(IdentityGraph::thaw(d).is_err());
    }
}
