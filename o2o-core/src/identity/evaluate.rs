//! Scoring a resolution against the simulator's ground truth.
//!
//! The unit is the identifier: every raw value a true person used, normalised the way the graph
//! normalises it. Two groups are left out of the scores, each for a stated reason:
//! - identifiers the truth lists as shared (store and carrier IPs, household tablets and IPs,
//!   junk values): they belong to no single person, so no pair containing one is right or wrong;
//! - identifiers of persons who refused consent: they are not linked *by design* (the consent
//!   gate keeps them out of the graph), so counting them would score the law, not the resolver.
//!   Their number is reported separately (`excluded_no_consent`).
//!
//! Pairwise precision/recall count pairs of identifiers placed in the same profile; B-cubed
//! averages per-identifier precision and recall, so one giant over-merge cannot hide behind many
//! small correct profiles.

use super::graph::IdentityGraph;
use super::intern::{AMap, ASet, ahash_state};
use super::normalize::normalize_value;
use crate::event::{Event, IdKind};
use crate::sim::Truth;
use serde::Serialize;

/// Quality of a resolution against the truth.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    /// Share of predicted same-profile pairs that are the same person.
    pub pairwise_precision: f64,
    /// Share of true same-person pairs that landed in one profile.
    pub pairwise_recall: f64,
    /// Harmonic mean of the two.
    pub pairwise_f1: f64,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
    /// Profiles in the resolution (all of them, singletons included).
    pub profiles: usize,
    /// Identifiers in the largest profile.
    pub largest_profile: usize,
    /// Distinct identifiers of the largest true person (the over-merge alarm compares the two).
    pub largest_true_person: usize,
    /// Profiles holding scored identifiers of more than one true person: over-merges.
    pub over_merged: usize,
    /// Identifiers scored.
    pub scored_identifiers: usize,
    /// Identifiers excluded as shared by the truth.
    pub excluded_shared: usize,
    /// Identifiers excluded because their person refused consent (not linked by design).
    pub excluded_no_consent: usize,
    /// Profile-size distribution: `(size, number of profiles)`, ascending.
    pub size_distribution: Vec<(usize, usize)>,
    /// The same scores against the *reachable* truth (see [`evaluate_with_events`]), when the
    /// events were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reachable: Option<Scores>,
}

/// Pairwise and B-cubed scores.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Scores {
    /// Pairwise precision.
    pub pairwise_precision: f64,
    /// Pairwise recall.
    pub pairwise_recall: f64,
    /// Pairwise F1.
    pub pairwise_f1: f64,
    /// B-cubed precision.
    pub bcubed_precision: f64,
    /// B-cubed recall.
    pub bcubed_recall: f64,
    /// B-cubed F1.
    pub bcubed_f1: f64,
}

type Key = (IdKind, String);

/// Truth labels: which person (or evidence class) each scored identifier belongs to.
struct Labels {
    label: AMap<Key, u64>,
    excluded_shared: usize,
    excluded_no_consent: usize,
    largest_true_person: usize,
}

fn labels(graph: &IdentityGraph, truth: &Truth) -> Labels {
    let norm = |kind: IdKind, v: &str| normalize_value(kind, v, &graph.rules).ok();
    let mut shared: ASet<Key> = ASet::with_hasher(ahash_state());
    for s in &truth.shared {
        if let Some(v) = norm(s.identifier.kind, &s.identifier.value) {
            shared.insert((s.identifier.kind, v));
        }
    }
    let mut out = Labels {
        label: AMap::with_hasher(ahash_state()),
        excluded_shared: 0,
        excluded_no_consent: 0,
        largest_true_person: 0,
    };
    for p in &truth.persons {
        let mut mine: Vec<Key> = p
            .identifiers
            .iter()
            // Voucher codes are never linked by the graph (measurement follows their issuance).
            .filter(|i| !i.kind.is_attribute() && !i.kind.is_instrument())
            .filter_map(|i| norm(i.kind, &i.value).map(|v| (i.kind, v)))
            .collect();
        mine.sort();
        mine.dedup();
        out.largest_true_person = out.largest_true_person.max(mine.len());
        for key in mine {
            if shared.contains(&key) {
                out.excluded_shared += 1;
            } else if !p.consent {
                out.excluded_no_consent += 1;
            } else {
                out.label.insert(key, p.person);
            }
        }
    }
    out
}

/// Profiles holding scored identifiers of more than one true person.
fn over_merged(graph: &IdentityGraph, label: &AMap<Key, u64>) -> usize {
    let res = graph.resolution();
    let mut owner: AMap<usize, Option<u64>> = AMap::with_hasher(ahash_state());
    for ((kind, value), person) in label {
        if let Some(p) = graph
            .ids
            .get(*kind, value)
            .and_then(|i| res.profile_index_of(i))
        {
            let e = owner.entry(p).or_insert(Some(*person));
            if *e != Some(*person) {
                *e = None;
            }
        }
    }
    owner.values().filter(|o| o.is_none()).count()
}

fn score(graph: &IdentityGraph, label: &AMap<Key, u64>) -> Scores {
    let res = graph.resolution();
    // Cluster per scored identifier: its profile, or a singleton of its own when unlinked.
    let mut cells: AMap<(u64, u64), u64> = AMap::with_hasher(ahash_state());
    let mut cluster_size: AMap<u64, u64> = AMap::with_hasher(ahash_state());
    let mut class_size: AMap<u64, u64> = AMap::with_hasher(ahash_state());
    let mut singleton = u64::MAX;
    for ((kind, value), person) in label {
        let cluster = match graph
            .ids
            .get(*kind, value)
            .and_then(|i| res.profile_index_of(i))
        {
            Some(p) => p as u64,
            None => {
                singleton -= 1;
                singleton
            }
        };
        *cells.entry((cluster, *person)).or_default() += 1;
        *cluster_size.entry(cluster).or_default() += 1;
        *class_size.entry(*person).or_default() += 1;
    }
    let pairs = |n: u64| (n * n.saturating_sub(1) / 2) as f64;
    let tp: f64 = cells.values().map(|&n| pairs(n)).sum();
    let predicted: f64 = cluster_size.values().map(|&n| pairs(n)).sum();
    let actual: f64 = class_size.values().map(|&n| pairs(n)).sum();
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 1.0 };
    let f1 = |p: f64, r: f64| {
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        }
    };
    let pp = ratio(tp, predicted);
    let pr = ratio(tp, actual);
    let total = label.len() as f64;
    let (mut bp, mut br) = (0.0, 0.0);
    for (&(cluster, person), &n) in &cells {
        let n = n as f64;
        // Each of the n identifiers in this cell has the same per-item precision and recall.
        bp += n * n / cluster_size.get(&cluster).copied().unwrap_or(1) as f64;
        br += n * n / class_size.get(&person).copied().unwrap_or(1) as f64;
    }
    let bp = ratio(bp, total);
    let br = ratio(br, total);
    Scores {
        pairwise_precision: pp,
        pairwise_recall: pr,
        pairwise_f1: f1(pp, pr),
        bcubed_precision: bp,
        bcubed_recall: br,
        bcubed_f1: f1(bp, br),
    }
}

/// Score `graph`'s resolution against `truth`: every identifier of a consenting person is
/// expected in one profile with all of that person's other identifiers.
pub fn evaluate(graph: &IdentityGraph, truth: &Truth) -> Metrics {
    let l = labels(graph, truth);
    let s = score(graph, &l.label);
    let res = graph.profiles();
    let mut dist: std::collections::BTreeMap<usize, usize> = std::collections::BTreeMap::new();
    for size in res.sizes() {
        *dist.entry(size).or_default() += 1;
    }
    Metrics {
        pairwise_precision: s.pairwise_precision,
        pairwise_recall: s.pairwise_recall,
        pairwise_f1: s.pairwise_f1,
        bcubed_precision: s.bcubed_precision,
        bcubed_recall: s.bcubed_recall,
        bcubed_f1: s.bcubed_f1,
        profiles: res.len(),
        largest_profile: res.largest(),
        largest_true_person: l.largest_true_person,
        over_merged: over_merged(graph, &l.label),
        scored_identifiers: l.label.len(),
        excluded_shared: l.excluded_shared,
        excluded_no_consent: l.excluded_no_consent,
        size_distribution: dist.into_iter().collect(),
        reachable: None,
    }
}

/// [`evaluate`], plus the scores against the **reachable truth**: a person's identifiers split
/// into the groups the events actually connect (identifiers seen together in that person's own
/// consented events, transitively, shared values left out). No resolver can join two groups that
/// no event connects (a loyalty card only ever scanned alone), so the raw recall has a ceiling
/// set by the data; the reachable scores measure the resolver against that ceiling.
pub fn evaluate_with_events(graph: &IdentityGraph, truth: &Truth, events: &[Event]) -> Metrics {
    let mut m = evaluate(graph, truth);
    let l = labels(graph, truth);
    // Union-find over the scored identifiers, joined by co-occurrence in one event.
    let keys: Vec<&Key> = l.label.keys().collect();
    let mut index: AMap<&Key, u32> = AMap::with_hasher(ahash_state());
    for (i, k) in keys.iter().enumerate() {
        index.insert(*k, i as u32);
    }
    let mut parent: Vec<u32> = (0..keys.len() as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            p[x as usize] = p[p[x as usize] as usize];
            x = p[x as usize];
        }
        x
    }
    for e in events {
        let mut first: Option<u32> = None;
        for i in e.identifiers() {
            if i.kind.is_attribute() {
                continue;
            }
            let Ok(v) = normalize_value(i.kind, &i.value, &graph.rules) else {
                continue;
            };
            let Some(&x) = index.get(&(i.kind, v)) else {
                continue;
            };
            match first {
                None => first = Some(x),
                Some(f) => {
                    let (a, b) = (find(&mut parent, f), find(&mut parent, x));
                    parent[a as usize] = b;
                }
            }
        }
    }
    let mut reach: AMap<Key, u64> = AMap::with_hasher(ahash_state());
    for (i, k) in keys.iter().enumerate() {
        let r = find(&mut parent, i as u32);
        reach.insert((*k).clone(), u64::from(r));
    }
    m.reachable = Some(score(graph, &reach));
    m
}
