//! The sessions pass, in canonical order: every occurrence of a time-bounded identifier gets
//! its session's union-find element (observations following each other within the kind's
//! window share one), every observation that can link is queued in the bucket of its weakest
//! linkable kind, and each observation is counted for its strongest identifier not shared.
//!
//! The counts (observations and sources per identifier, [`Tally`]) are added up per profile
//! as the profiles are built, in id order, where each identifier's profile is at hand anyway.

use super::elements::{Dsu, Elem, Session};
use super::hub::Guard;
use super::input::Input;
use super::kernels::{AHEAD, prefetch};
use super::order::Order;
use super::slots::Tally;
use super::sources::SourceNames;
use crate::identity::memory::pages;
use crate::identity::memory::tables::{Space, Table, Tables};
use crate::identity::resolution::NONE;
use crate::identity::rules::{KINDS, kind_index};

/// Identifiers per observation whose hub verdicts the sessions pass keeps for linking (the
/// bits of a byte); later ones, in the rare longer observation, are looked up again.
pub(super) const VERDICTS: usize = u8::BITS as usize;

/// Buckets of rank: 256 (a rank is a byte).
const BUCKETS: usize = 256;

/// The observations to link, by bucket: a bucket is the rank of an observation's weakest
/// linkable kind, so linking bucket by bucket links strong evidence first.
pub(super) struct Buckets {
    /// Per bucket, the canonical positions of its observations, in time order.
    pub positions: Vec<Vec<u32>>,
    /// Per bucket, the session elements of its observations' time-bounded occurrences, in the
    /// order linking reads them back.
    pub sessions: Vec<Vec<u32>>,
    /// Per observation that links: the hub verdicts of its first `VERDICTS` identifiers as
    /// bits, so that linking reads them in order instead of looking each one up again at
    /// random.
    pub shared_at: Table<u8>,
}

/// What the sessions pass leaves for the next ones.
pub(super) struct Sessions {
    /// The union-find: identifiers, then one element per session.
    pub dsu: Dsu,
    /// The identifier of each session element (element `identifiers + s` at `s`).
    pub session_id: Vec<u32>,
    pub buckets: Buckets,
    /// Per identifier, the observations counted for it.
    pub tally: Table<Tally>,
    /// With more than 32 sources: (counted identifier, source place by name) per observation.
    pub src_pairs: Vec<(u32, u32)>,
}

/// Run the sessions pass over `input` in `order`.
pub(super) fn sessions(
    input: &Input<'_>,
    order: &Order,
    guard: &Guard,
    names: &SourceNames,
    scratch: &mut Tables,
) -> Sessions {
    let rules = input.rules;
    let obs = input.obs;
    let n = input.identifiers();
    let m = obs.len();
    let any_window = rules.window.iter().any(Option::is_some);
    // Session elements (index ≥ n) → their identifier. There are at most as many as occurrences
    // of time-bounded kinds: reserving that once spares the copies of growing (untouched
    // reserve costs no memory).
    let most_sessions = if any_window {
        obs.kinds
            .iter()
            .filter(|&&k| rules.window[usize::from(k)].is_some())
            .count()
    } else {
        0
    };
    let mut el: Table<Elem> = scratch.table(Space::Elements, n + most_sessions);
    // Identifiers of time-bounded kinds hold their session state (`Elem::session`).
    let windowed = |kind: usize| rules.window[kind].is_some();
    el.extend((0..n as u32).map(|x| match kind_index(input.kind(x)) {
        k if windowed(k) => Elem::unseen(k),
        k => Elem::new(x, k),
    }));
    // Time-bounded kinds whose limit has a window: their sessions' starts are kept.
    let timed: [bool; KINDS] = std::array::from_fn(|k| {
        rules.window[k].is_some() && rules.limit[k].is_some_and(|l| l.window_secs.is_some())
    });
    let first = if timed.contains(&true) {
        pages::zeroed(most_sessions)
    } else {
        Vec::new()
    };
    let mut dsu = Dsu::new(el, n, first);
    let mut session_id: Vec<u32> = pages::with_capacity(most_sessions);
    let few_sources = names.few;
    let mut tally: Table<Tally> = scratch.filled(Space::Tallies, n, Tally::default());
    let mut src_pairs: Vec<(u32, u32)> = Vec::new();
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); BUCKETS];
    let mut sessions_of: Vec<Vec<u32>> = vec![Vec::new(); BUCKETS];
    let mut here: Vec<u32> = Vec::with_capacity(16);
    let mut shared_at: Table<u8> = scratch.filled(Space::Verdicts, m, 0);
    for k in 0..m {
        if k + AHEAD < m {
            for j in obs.span(order.at(k + AHEAD)) {
                let (x, ku) = (obs.ids[j] as usize, usize::from(obs.kinds[j]));
                if rules.window[ku].is_some() {
                    prefetch(&dsu.el, x);
                }
                if guard.may_hub(obs.kinds[j]) {
                    guard.hub.prefetch(x as u32);
                }
                prefetch(&tally, x);
            }
        }
        let o = order.at(k);
        let ts = obs.ts[o];
        let mut weakest = 0u8;
        let mut linkable = 0u32;
        // Identifiers are stored strongest first: the first one not shared is the one counted.
        let mut best = NONE;
        let mut mask = 0u8;
        here.clear();
        for (at, j) in obs.span(o).enumerate() {
            let (x, kd) = (obs.ids[j], obs.kinds[j]);
            let (xi, ku) = (x as usize, usize::from(kd));
            if guard.shared(kd, x) {
                if at < VERDICTS {
                    mask |= 1 << at;
                }
                continue;
            }
            if best == NONE {
                best = x;
            }
            if let Some(w) = rules.window[ku] {
                let Session { current, last } = dsu.el[xi].session();
                let current = if current == 0 || ts.saturating_sub(last) > w {
                    session_id.push(x);
                    dsu.push(ku, timed[ku].then_some(ts))
                } else {
                    current
                };
                dsu.el[xi].set_session(Session { current, last: ts });
                here.push(current);
            }
            weakest = weakest.max(rules.rank[ku]);
            linkable += 1;
        }
        // Observations with an unranked kind (rank u8::MAX) never link.
        if linkable >= 2 && weakest != u8::MAX {
            let (pos, sess) = (
                &mut positions[usize::from(weakest)],
                &mut sessions_of[usize::from(weakest)],
            );
            // A bucket's lists get room for every observation left (and every session) the
            // first time it is used: untouched room costs no memory, and growing by copies
            // would fault the copies in on small pages (see `pages`).
            if pos.capacity() == 0 {
                *pos = pages::with_capacity(m - k);
                *sess = pages::with_capacity(most_sessions);
            }
            pages::reserve(pos, 1);
            pages::reserve(sess, here.len());
            pos.push(k as u32);
            sess.extend_from_slice(&here);
            shared_at[o] = mask;
        }
        if best == NONE {
            continue;
        }
        let s = names.place[obs.src[o] as usize];
        let t = &mut tally[best as usize];
        t.observations += 1;
        if few_sources {
            t.sources |= 1 << s;
        } else {
            src_pairs.push((best, s));
        }
    }
    // The identifiers' elements held their session state: back to elements (never linked).
    if any_window {
        for x in 0..n {
            let k = kind_index(input.kind(x as u32));
            if windowed(k) {
                dsu.el[x] = Elem::new(x as u32, k);
            }
        }
    }
    Sessions {
        dsu,
        session_id,
        buckets: Buckets {
            positions,
            sessions: sessions_of,
            shared_at,
        },
        tally,
        src_pairs,
    }
}
