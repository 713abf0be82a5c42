//! Linking: observations among strong kinds first (bucket by bucket, time order within), so
//! that when a weak bridge (a device, an IP) comes, the profiles it would join already hold
//! their strong identifiers and the limits can see a conflict. Before each union the merged
//! per-kind counts are checked against the limits; on a violation the observation's
//! lowest-priority identifier is dropped and the observation retried (the drop is audited).

use super::elements::Dsu;
use super::hub::Guard;
use super::input::Input;
use super::kernels::{AHEAD, prefetch};
use super::order::Order;
use super::sessions::{Buckets, VERDICTS};
use crate::event::IdKind;
use crate::identity::intern::ASet;
use crate::identity::memory::tables::{Space, Tables};
use crate::identity::resolution::{NONE, Prevented};
use crate::identity::rules::LINK_KINDS;

/// One linkable occurrence of an observation: its union-find element (the identifier, or its
/// session), the identifier and its kind index.
#[derive(Clone, Copy)]
struct Occurrence {
    element: u32,
    id: u32,
    kind: u8,
}

/// An occurrence in the order linking takes them: by priority, then hash (which decides only
/// between equal priorities, and is filled in only then), then element.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Ranked {
    rank: u8,
    hash: u64,
    element: u32,
    id: u32,
}

/// Observations with more linkable occurrences than this take [`link_long`]: the drop-and-retry
/// loop below costs O(n²) per retry in an observation's n occurrences, nothing for the short
/// observations real data is made of, and hours for a hostile one.
const LONG: usize = 32;

/// Working memory of [`link_long`], kept across observations.
struct Long {
    /// Distinct roots seen so far.
    seen: ASet<u32>,
    /// The observation's distinct roots, in order of first occurrence, and where each occurs.
    roots: Vec<u32>,
    first_at: Vec<usize>,
}

// Not derived: ahash's `RandomState` has no `Default` without its runtime-rng feature (the C
// library's build), and fixed seeds keep runs reproducible anyway.
impl Default for Long {
    fn default() -> Self {
        Long {
            seen: ASet::with_hasher(crate::identity::intern::ahash_state()),
            roots: Vec::new(),
            first_at: Vec::new(),
        }
    }
}

/// Link one long observation (`buf`, in linking order) exactly as the drop-and-retry loop of
/// [`link`] does, in O(n log n) finds and limit checks instead of O(n³).
///
/// The loop drops the last occurrence while the merge of the prefix's distinct roots breaks a
/// limit, and stops when it does not or when the prefix holds fewer than two roots. Everything
/// depends on the prefix only through its number `c` of distinct roots (first occurrences in
/// order), "breaks kind k's limit" only grows with `c` (`Dsu::violates_kind`), and "fewer than
/// two roots" only shrinks: so the `c` the loop stops at is found by bisection, and the kind
/// each drop is audited under (the first kind broken at its prefix's `c`) from each kind's
/// smallest breaking `c`, also by bisection.
fn link_long(
    input: &Input<'_>,
    dsu: &mut Dsu,
    buf: &[Ranked],
    observation: u32,
    audit: &mut Vec<Prevented>,
    long: &mut Long,
    times: &mut Vec<i64>,
) {
    let rules = input.rules;
    long.seen.clear();
    long.roots.clear();
    long.first_at.clear();
    for (i, e) in buf.iter().enumerate() {
        let r = dsu.find(e.element);
        if long.seen.insert(r) {
            long.roots.push(r);
            long.first_at.push(i);
        }
    }
    let total = long.roots.len();
    if total < 2 {
        return;
    }
    let roots = &long.roots;
    let breaks = |dsu: &Dsu, c: usize, times: &mut Vec<i64>| {
        dsu.violates(rules, input.seen, &roots[..c], times)
            .is_some()
    };
    // The largest c the loop stops at: stop(c) = c < 2 or no limit breaks, true at c = 1.
    let keep = if breaks(dsu, total, times) {
        let (mut lo, mut hi) = (1usize, total);
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if mid < 2 || !breaks(dsu, mid, times) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        // Per linking kind, the smallest c at which its limit breaks (total + 1: never).
        let mut from = [total + 1; LINK_KINDS];
        for (k, f) in from.iter_mut().enumerate() {
            if !dsu.violates_kind(rules, input.seen, &roots[..total], k, times) {
                continue;
            }
            let (mut lo_k, mut hi_k) = (0usize, total);
            while hi_k - lo_k > 1 {
                let mid = lo_k + (hi_k - lo_k) / 2;
                if dsu.violates_kind(rules, input.seen, &roots[..mid], k, times) {
                    hi_k = mid;
                } else {
                    lo_k = mid;
                }
            }
            *f = hi_k;
        }
        // Occurrences from the (lo + 1)th root's first one on are dropped, the last first.
        let cut = long.first_at[lo];
        for i in (cut..buf.len()).rev() {
            let c = long.first_at.partition_point(|&p| p <= i);
            let kind = (0..LINK_KINDS)
                .find(|&k| from[k] <= c)
                .map(|k| IdKind::ALL[k]);
            if let Some(limit) = kind {
                audit.push(Prevented {
                    observation,
                    dropped: buf[i].id,
                    limit,
                });
            }
        }
        lo
    } else {
        total
    };
    if keep >= 2 {
        let mut r = roots[0];
        for &s in &roots[1..keep] {
            r = dsu.union(r, s);
        }
    }
}

/// Link the observations of `buckets` into `dsu`. Returns the merges the limits prevented.
pub(super) fn link(
    input: &Input<'_>,
    order: &Order,
    guard: &Guard,
    dsu: &mut Dsu,
    buckets: Buckets,
    scratch: &mut Tables,
) -> Vec<Prevented> {
    let rules = input.rules;
    let obs = input.obs;
    let Buckets {
        positions,
        sessions: sessions_of,
        shared_at,
    } = buckets;
    let mut audit = Vec::new();
    let mut buf: Vec<Ranked> = Vec::with_capacity(16);
    let mut roots: Vec<u32> = Vec::with_capacity(16);
    let mut times = Vec::new();
    let mut long = Long::default();
    // Each observation's elements are computed once, into a ring of the next 2 × AHEAD.
    let mut ring: Vec<Vec<Occurrence>> = (0..2 * AHEAD).map(|_| Vec::with_capacity(8)).collect();
    for (b, pos) in positions.iter().enumerate() {
        if pos.is_empty() {
            continue;
        }
        let sess = &sessions_of[b];
        // The linkable elements of the observation at canonical position k, whose queued session
        // elements start at q (the sessions pass queued one per time-bounded occurrence, in this
        // order). Returns where the next observation's start.
        let elements = |k: usize, q: usize, out: &mut Vec<Occurrence>| {
            let mut q = q;
            out.clear();
            let o = order.at(k);
            let mask = shared_at[o];
            for (at, j) in obs.span(o).enumerate() {
                let (x, kd) = (obs.ids[j], obs.kinds[j]);
                let shared = match at {
                    0..VERDICTS => mask >> at & 1 == 1,
                    _ => guard.shared(kd, x),
                };
                if shared {
                    continue;
                }
                let element = if rules.window[usize::from(kd)].is_some() {
                    q += 1;
                    sess.get(q - 1).copied().unwrap_or(NONE)
                } else {
                    x
                };
                out.push(Occurrence {
                    element,
                    id: x,
                    kind: kd,
                });
            }
            q
        };
        // Observations of this bucket are linked in order; the next 2 × AHEAD are known, so their
        // elements (then, AHEAD later, their parents) are loaded before they are needed.
        let (mut filled, mut q) = (0usize, 0usize);
        for i in 0..pos.len() {
            while filled < pos.len() && filled < i + 2 * AHEAD {
                let entry = &mut ring[filled % (2 * AHEAD)];
                q = elements(pos[filled] as usize, q, entry);
                for e in entry.iter() {
                    prefetch(&dsu.el, e.element as usize);
                }
                filled += 1;
            }
            if i + AHEAD < filled {
                for e in &ring[(i + AHEAD) % (2 * AHEAD)] {
                    if let Some(el) = dsu.el.get(e.element as usize) {
                        prefetch(&dsu.el, el.parent as usize);
                    }
                }
            }
            let o = order.at(pos[i] as usize);
            buf.clear();
            buf.extend(ring[i % (2 * AHEAD)].iter().map(|e| Ranked {
                rank: rules.rank_at(e.kind),
                hash: 0,
                element: e.element,
                id: e.id,
            }));
            // Order by (priority, hash): the hash decides only between equal priorities. The
            // observation's identifiers are stored in that order; where priorities are equal,
            // the element decides between equal hashes, so those are sorted here.
            if buf.windows(2).any(|w| w[0].rank == w[1].rank) {
                for e in buf.iter_mut() {
                    e.hash = input.hash(e.id);
                }
                buf.sort_unstable();
            }
            if buf.len() > LONG {
                link_long(
                    input, dsu, &buf, o as u32, &mut audit, &mut long, &mut times,
                );
                continue;
            }
            while buf.len() >= 2 {
                roots.clear();
                for e in &buf {
                    let r = dsu.find(e.element);
                    if !roots.contains(&r) {
                        roots.push(r);
                    }
                }
                if roots.len() < 2 {
                    break;
                }
                if let Some(kind) = dsu.violates(rules, input.seen, &roots, &mut times) {
                    if let Some(dropped) = buf.pop() {
                        audit.push(Prevented {
                            observation: o as u32,
                            dropped: dropped.id,
                            limit: kind,
                        });
                    }
                    continue;
                }
                let mut r = roots[0];
                for &s in &roots[1..] {
                    r = dsu.union(r, s);
                }
                break;
            }
        }
    }
    drop((positions, sessions_of, ring));
    scratch.keep(Space::Verdicts, shared_at);
    audit
}
