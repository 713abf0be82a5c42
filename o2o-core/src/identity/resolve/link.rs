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
use crate::identity::memory::tables::{Space, Tables};
use crate::identity::resolution::{NONE, Prevented};

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
