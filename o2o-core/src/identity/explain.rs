//! Explanations: why two identifiers are one person (the shortest chain of evidence), or why
//! they are not (blocked, shared, limit, window, consent, simply never seen together).
//!
//! An analyst who doubts a match, or a customer who asks "why do you think this is me?", gets
//! the evidence: each link of the chain names the source and when, and how often, the two
//! identifiers were seen together.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::intern::stable_hash;
use super::normalize::normalize_in;
use super::profiles::ProfileId;
use super::scored::Waterfall;
use crate::event::{IdKind, Identifier};
use petgraph::graphmap::UnGraphMap;
use serde::{Serialize, Serializer};

/// One link of evidence: two identifiers seen together.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// One end (normalised).
    pub from: Identifier,
    /// The other end (normalised).
    pub to: Identifier,
    /// Source of the first observation of the pair.
    pub source: String,
    /// First time they were seen together.
    pub first_seen: i64,
    /// Last time they were seen together.
    pub last_seen: i64,
    /// How many observations saw them together.
    pub count: u64,
    /// For a scored link (probabilistic matching), its match weight field by field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_weight: Option<Waterfall>,
}

/// Why two identifiers are not linked. More reasons may come as the rules grow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum NotLinked {
    /// A descriptive attribute (name, city…): never links.
    Attribute {
        /// The identifier.
        identifier: Identifier,
    },
    /// The value could not be normalised.
    Invalid {
        /// The identifier as given.
        identifier: Identifier,
        /// Why.
        message: String,
    },
    /// A blocked value or pattern.
    Blocked {
        /// The identifier (normalised).
        identifier: Identifier,
        /// The rule.
        rule: String,
    },
    /// Seen only in events whose owner did not consent to identity linking.
    Consent {
        /// The identifier (normalised).
        identifier: Identifier,
    },
    /// Never observed.
    Unknown {
        /// The identifier (normalised).
        identifier: Identifier,
    },
    /// Shared by the hub guard.
    Hub {
        /// The identifier.
        identifier: Identifier,
        /// Distinct identifiers of one higher-priority kind it was seen with.
        distinct_higher: u32,
    },
    /// A merge was prevented by a per-profile limit.
    Limit {
        /// The identifier dropped from linking.
        dropped: Identifier,
        /// The kind whose limit the merge would have broken.
        limit: IdKind,
        /// When.
        timestamp: i64,
    },
    /// A time-bounded identifier whose sessions fell in different profiles (outside the window).
    Window {
        /// The identifier.
        identifier: Identifier,
    },
    /// In two different profiles with no evidence joining them.
    DifferentProfiles {
        /// Profile of the first.
        a: ProfileId,
        /// Profile of the second.
        b: ProfileId,
    },
}

/// The answer of [`IdentityGraph::explain`]: one person, with the evidence, or not, with the
/// reasons.
///
/// As JSON (the C API, `o2o explain`): `{"linked": true, "profile": "p…", "chain": […],
/// "reasons": []}` or `{"linked": false, "chain": [], "reasons": [{"reason": "hub", …}, …]}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Explanation {
    /// The two are in one profile.
    Linked {
        /// That profile.
        profile: ProfileId,
        /// The shortest chain of evidence from the first to the second (empty when they are
        /// the same identifier).
        chain: Vec<Link>,
    },
    /// The two are not in one profile.
    Unlinked {
        /// Why not: each side's reason (blocked, shared, unknown…) or, when both are in
        /// profiles, the limits and windows that kept them apart, then the two profiles.
        reasons: Vec<NotLinked>,
    },
}

impl Explanation {
    /// Whether the two are one person.
    #[must_use]
    pub fn is_linked(&self) -> bool {
        matches!(self, Explanation::Linked { .. })
    }

    /// The chain of evidence (empty when not linked).
    #[must_use]
    pub fn chain(&self) -> &[Link] {
        match self {
            Explanation::Linked { chain, .. } => chain,
            Explanation::Unlinked { .. } => &[],
        }
    }

    /// The reasons they are apart (empty when linked).
    #[must_use]
    pub fn reasons(&self) -> &[NotLinked] {
        match self {
            Explanation::Linked { .. } => &[],
            Explanation::Unlinked { reasons } => reasons,
        }
    }
}

/// The JSON shape of an [`Explanation`]: flat, with `linked` saying which.
#[derive(Serialize)]
struct ExplanationJson<'a> {
    linked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    profile: Option<ProfileId>,
    chain: &'a [Link],
    reasons: &'a [NotLinked],
}

impl Serialize for Explanation {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let profile = match self {
            Explanation::Linked { profile, .. } => Some(*profile),
            Explanation::Unlinked { .. } => None,
        };
        ExplanationJson {
            linked: self.is_linked(),
            profile,
            chain: self.chain(),
            reasons: self.reasons(),
        }
        .serialize(s)
    }
}

/// Parse `kind:value` (as on the command line: `email:ann@example.com`): `Identifier`'s
/// `FromStr`, with the identity module's error.
///
/// ```
/// use o2o_core::identity::parse_identifier;
/// let id = parse_identifier("phone:+84 912 345 678").unwrap();
/// assert_eq!(id.value, "+84 912 345 678");
/// assert!(parse_identifier("nokind").is_err());
/// ```
pub fn parse_identifier(s: &str) -> Result<Identifier, IdentityError> {
    Ok(s.parse::<Identifier>()?)
}

impl IdentityGraph {
    /// Explain whether and why `a` and `b` (raw identifiers) are one person.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::identity::{Explanation, IdentityGraph, NotLinked, ResolutionRules};
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// let (email, card) = (Identifier::new(IdKind::Email, "ann@example.com"), Identifier::new(IdKind::LoyaltyCard, "LC1"));
    /// g.observe(&permit, 1, "store:pos_purchase", &[email.clone(), card.clone()]).unwrap();
    /// match g.explain(&email, &card) {
    ///     Explanation::Linked { chain, .. } => assert_eq!(chain[0].source, "store:pos_purchase"),
    ///     Explanation::Unlinked { .. } => unreachable!(),
    /// }
    /// let junk = Identifier::new(IdKind::Email, "test@test.com");
    /// assert!(matches!(g.explain(&email, &junk).reasons(), [NotLinked::Blocked { .. }]));
    /// ```
    #[must_use]
    pub fn explain(&self, a: &Identifier, b: &Identifier) -> Explanation {
        let res = self.resolution();
        let mut reasons = Vec::new();
        let ia = self.explain_one(a, &mut reasons);
        let ib = self.explain_one(b, &mut reasons);
        let (Some(ia), Some(ib)) = (ia, ib) else {
            return not_linked(reasons);
        };
        let (pa, pb) = (res.profile_index_of(ia), res.profile_index_of(ib));
        if let (Some(pa), Some(pb)) = (pa, pb) {
            if pa == pb {
                return Explanation::Linked {
                    profile: res.profile_id(pa),
                    chain: self.chain(pa, ia, ib),
                };
            }
            // Limits that cut a merge touching either profile.
            let touches = |i: u32| res.profile_index_of(i).is_some_and(|p| p == pa || p == pb);
            for cut in &res.audit {
                let o = cut.observation as usize;
                if self.obs.ids_of(o).iter().any(|&i| touches(i)) {
                    reasons.push(NotLinked::Limit {
                        dropped: self.identifier(cut.dropped),
                        limit: cut.limit,
                        timestamp: self.obs.ts[o],
                    });
                }
            }
            for &x in &[ia, ib] {
                if res.split_sessions.binary_search(&x).is_ok() {
                    reasons.push(NotLinked::Window {
                        identifier: self.identifier(x),
                    });
                }
            }
            reasons.push(NotLinked::DifferentProfiles {
                a: res.profile_id(pa),
                b: res.profile_id(pb),
            });
        }
        not_linked(reasons)
    }

    /// Check one side; `Some(id)` when it is in the graph and not shared.
    fn explain_one(&self, raw: &Identifier, reasons: &mut Vec<NotLinked>) -> Option<u32> {
        if raw.kind.is_attribute() {
            reasons.push(NotLinked::Attribute {
                identifier: raw.clone(),
            });
            return None;
        }
        let v = match normalize_in(
            raw.kind,
            &raw.value,
            &self.rules,
            self.pseudonym_key.as_deref(),
        ) {
            Ok(v) => v,
            Err(message) => {
                reasons.push(NotLinked::Invalid {
                    identifier: raw.clone(),
                    message,
                });
                return None;
            }
        };
        let norm = Identifier::new(raw.kind, v.clone());
        if let Some(rule) = self.compiled.blocked_identifier(raw.kind, &raw.value, &v) {
            reasons.push(NotLinked::Blocked {
                identifier: norm,
                rule,
            });
            return None;
        }
        let Some(i) = self.ids.get(raw.kind, &v) else {
            if self.denied.contains(&stable_hash(raw.kind, v.as_bytes())) {
                reasons.push(NotLinked::Consent { identifier: norm });
            } else {
                reasons.push(NotLinked::Unknown { identifier: norm });
            }
            return None;
        };
        let res = self.resolution();
        if let Some(hub) = res.hubs.iter().find(|h| h.id == i) {
            reasons.push(NotLinked::Hub {
                identifier: norm,
                distinct_higher: hub.distinct_higher,
            });
            return None;
        }
        Some(i)
    }

    /// Shortest chain of co-occurrence evidence from `a` to `b` inside profile `p`.
    fn chain(&self, p: usize, a: u32, b: u32) -> Vec<Link> {
        if a == b {
            return Vec::new();
        }
        let res = self.resolution();
        let in_p = |i: u32| res.profile_index_of(i) == Some(p);
        // (from, to) → (source of first sighting, first, last, count)
        let mut graph: UnGraphMap<u32, (u32, i64, i64, u64), std::hash::RandomState> =
            UnGraphMap::default();
        for o in 0..self.obs.len() {
            let ids = self.obs.ids_of(o);
            if !ids.iter().any(|&i| in_p(i)) {
                continue;
            }
            let ts = self.obs.ts[o];
            for (j, &x) in ids.iter().enumerate() {
                for &y in &ids[j + 1..] {
                    if !(in_p(x) && in_p(y)) {
                        continue;
                    }
                    match graph.edge_weight_mut(x, y) {
                        Some(w) => {
                            if ts < w.1 {
                                w.0 = self.obs.src[o];
                                w.1 = ts;
                            }
                            w.2 = w.2.max(ts);
                            w.3 += 1;
                        }
                        None => {
                            graph.add_edge(x, y, (self.obs.src[o], ts, ts, 1));
                        }
                    }
                }
            }
        }
        let Some((_, path)) = petgraph::algo::astar(&graph, a, |n| n == b, |_| 1u32, |_| 0u32)
        else {
            return Vec::new();
        };
        path.windows(2)
            .filter_map(|w| {
                let (s, first, last, count) = *graph.edge_weight(w[0], w[1])?;
                Some(Link {
                    from: self.identifier(w[0]),
                    to: self.identifier(w[1]),
                    source: self.sources[s as usize].clone(),
                    first_seen: first,
                    last_seen: last,
                    count,
                    match_weight: self.scored_link(w[0], w[1]).cloned(),
                })
            })
            .collect()
    }
}

fn not_linked(reasons: Vec<NotLinked>) -> Explanation {
    Explanation::Unlinked { reasons }
}
