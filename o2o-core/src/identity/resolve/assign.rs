//! Profiles, second pass: each time-bounded identifier (a MAC, an IP) joins the component
//! holding the most of its sessions, preferring components with a strong identifier, then the
//! strongest anchor, then the earliest session ([`SessionScore`]). Components made of sessions
//! alone get their anchor here, from their time-bounded members.

use super::elements::{Dsu, Elem};
use super::input::Input;
use super::kernels::{AHEAD, bucket_shift, bucket_sort, prefetch};
use super::slots::{Anchor, Slots, Tally};
use crate::identity::memory::pages;
use crate::identity::memory::tables::{Space, Table, Tables};
use std::cmp::Reverse;

/// How well a component suits a time-bounded identifier with sessions in it; the largest wins.
/// Fields compare in order: a component with a strong member first, then the one with more of
/// the identifier's sessions, then the strongest anchor, then the earliest session. The oracle
/// (`reference.rs`) decides with the same type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct SessionScore {
    /// The component has a strong (not time-bounded) member.
    strong: bool,
    /// The identifier's sessions in it.
    sessions: u32,
    /// Its anchor so far (the smallest is the strongest).
    anchor: Reverse<Anchor>,
    /// The identifier's earliest session element in it (sessions are numbered in time order).
    earliest: Reverse<u32>,
}

impl SessionScore {
    /// The score of a component whose strong members' anchor is `anchor` (`Anchor::NONE` for
    /// none), holding `sessions` of the identifier's sessions, the earliest `earliest`.
    pub(crate) fn new(anchor: Anchor, sessions: u32, earliest: u32) -> Self {
        SessionScore {
            strong: anchor.rank != u8::MAX,
            sessions,
            anchor: Reverse(anchor),
            earliest: Reverse(earliest),
        }
    }
}

/// A session of a time-bounded identifier: the identifier, its component's root, and the
/// session's element. Sorted, an identifier's sessions are together, by component.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct SessionOf {
    id: u32,
    root: u32,
    element: u32,
}

/// Place every time-bounded identifier (`session_id[s]` owns session element
/// `identifiers + s`) in a slot. Returns the identifiers whose sessions fell in more than one
/// component, in id order (`explain` names them).
pub(super) fn time_bounded(
    input: &Input<'_>,
    session_id: &[u32],
    dsu: &mut Dsu,
    tally: &Table<Tally>,
    slots: &mut Slots,
    scratch: &mut Tables,
) -> Vec<u32> {
    let mut split_sessions = Vec::new();
    if session_id.is_empty() {
        return split_sessions;
    }
    let n = input.identifiers();
    let Slots { slots, profile_of } = slots;
    // Sorted by identifier (then root, then session), in buckets of identifiers.
    let shift = bucket_shift(n, session_id.len());
    let pairs: Table<SessionOf> = bucket_sort(
        (n >> shift) + 1,
        session_id.iter().map(|&x| (x >> shift) as usize),
        session_id.iter().enumerate().map(|(s, &x)| {
            if let Some(el) = dsu.el.get(n + s + AHEAD) {
                prefetch(&dsu.el, el.parent as usize);
            }
            let e = (n + s) as u32;
            SessionOf {
                id: x,
                root: dsu.find(e),
                element: e,
            }
        }),
        |p| (p.id >> shift) as usize,
        scratch.table(Space::Verdicts, session_id.len()),
    );
    // Their own keys join the anchors once every one is placed: the choice reads the
    // anchors of the strong members only.
    // (At most one per session: room up front, on huge pages.)
    let mut late: Vec<(u32, Anchor)> = pages::with_capacity(pairs.len());
    // Identifiers are read in order here, but their state and their roots' are anywhere:
    // each pair's is loaded 2 × AHEAD pairs early, and its root's slot AHEAD early.
    let (mut near, mut far) = (0usize, 0usize);
    let mut i = 0;
    while i < pairs.len() {
        while far < pairs.len() && far < i + 2 * AHEAD {
            let SessionOf { id, root, .. } = pairs[far];
            let x = id as usize;
            prefetch(&dsu.el, root as usize);
            prefetch(profile_of, x);
            prefetch(tally, x);
            prefetch(input.seen, x);
            prefetch(input.kinds, x);
            prefetch(input.hashes, x);
            far += 1;
        }
        while near < far && near < i + AHEAD {
            if let Some(s) = dsu.el.get(pairs[near].root as usize).and_then(Elem::slot) {
                prefetch(slots, s as usize);
            }
            near += 1;
        }
        let x = pairs[i].id;
        let mut j = i;
        let mut best: Option<(SessionScore, u32)> = None;
        let mut roots_seen = 0u32;
        while j < pairs.len() && pairs[j].id == x {
            let r = pairs[j].root;
            let mut k = j;
            let mut count = 0u32;
            let mut earliest = u32::MAX;
            while k < pairs.len() && pairs[k].id == x && pairs[k].root == r {
                count += 1;
                earliest = earliest.min(pairs[k].element);
                k += 1;
            }
            roots_seen += 1;
            let anchor = dsu.el[r as usize]
                .slot()
                .map_or(Anchor::NONE, |s| slots[s as usize].anchor);
            let score = SessionScore::new(anchor, count, earliest);
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, r));
            }
            j = k;
        }
        if let Some((_, r)) = best {
            let s = dsu.slot(r, slots);
            profile_of[x as usize] = s;
            slots[s as usize].add(input.seen.get(x as usize), tally[x as usize]);
            late.push((
                s,
                Anchor {
                    rank: input.rank_of(x),
                    hash: input.hash(x),
                },
            ));
        }
        if roots_seen > 1 {
            split_sessions.push(x);
        }
        i = j;
    }
    // Session-only components get their anchor here, from their time-bounded members.
    for (s, key) in late {
        let a = &mut slots[s as usize].anchor;
        *a = (*a).min(key);
    }
    scratch.keep(Space::Verdicts, pairs);
    split_sessions
}
