//! The straightforward resolution (several passes over every observation, per-occurrence table
//! look-ups), kept as the specification (the oracle) the optimised [`super::resolve`] must match
//! exactly: `tests.rs` compares the two on random graphs under random rules. It reads the same
//! [`Input`] and decides where a time-bounded identifier goes with the same [`SessionScore`].

#![allow(clippy::needless_range_loop)]

use super::intern::fmix64;
use super::resolution::{Hub, NONE, Prevented, Resolution};
use super::resolve::{Anchor, Input, SessionScore};
use super::rules::{CompiledRules, KINDS, LINK_KINDS, kind_index};
use crate::event::IdKind;

/// Union-find over elements (identifiers and sessions), with per-root kind counts and a ring of
/// members per component (to walk a component when a windowed limit must be checked).
struct Dsu {
    parent: Vec<u32>,
    size: Vec<u32>,
    next: Vec<u32>,
    counts: Vec<[u16; LINK_KINDS]>,
    /// Time an element was first seen (identifier first observation, or session start).
    first: Vec<i64>,
    /// Kind index per element.
    kind: Vec<u8>,
}

impl Dsu {
    fn push(&mut self, kind: usize, first: i64) -> u32 {
        let e = self.parent.len() as u32;
        self.parent.push(e);
        self.size.push(1);
        self.next.push(e);
        let mut c = [0u16; LINK_KINDS];
        if let Some(slot) = c.get_mut(kind) {
            *slot = 1;
        }
        self.counts.push(c);
        self.first.push(first);
        self.kind.push(kind as u8);
        e
    }

    fn find(&mut self, mut x: u32) -> u32 {
        // Path halving; every index stored in `parent` is a valid element.
        while self.parent[x as usize] != x {
            let gp = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = gp;
            x = gp;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (big, small) = if self.size[a as usize] >= self.size[b as usize] {
            (a, b)
        } else {
            (b, a)
        };
        self.parent[small as usize] = big;
        self.size[big as usize] += self.size[small as usize];
        let cs = self.counts[small as usize];
        let cb = &mut self.counts[big as usize];
        for k in 0..LINK_KINDS {
            cb[k] = cb[k].saturating_add(cs[k]);
        }
        self.next.swap(big as usize, small as usize);
        big
    }

    /// Whether merging `roots` would break a limit; the kind broken if so.
    fn violates(
        &self,
        rules: &CompiledRules,
        roots: &[u32],
        times: &mut Vec<i64>,
    ) -> Option<IdKind> {
        for (k, kind) in IdKind::ALL.iter().enumerate().take(LINK_KINDS) {
            let Some(limit) = rules.limit[k] else {
                continue;
            };
            let total: u32 = roots
                .iter()
                .map(|&r| u32::from(self.counts[r as usize][k]))
                .sum();
            if total <= limit.max {
                continue;
            }
            let Some(window) = limit.window_secs else {
                return Some(*kind);
            };
            times.clear();
            for &r in roots {
                let mut e = r;
                loop {
                    if usize::from(self.kind[e as usize]) == k {
                        times.push(self.first[e as usize]);
                    }
                    e = self.next[e as usize];
                    if e == r {
                        break;
                    }
                }
            }
            times.sort_unstable();
            let max = limit.max as usize;
            if times
                .iter()
                .zip(times.iter().skip(max))
                .any(|(a, b)| b.saturating_sub(*a) < window)
            {
                return Some(*kind);
            }
        }
        None
    }
}

/// Resolve `g`'s observations into profiles: the straightforward version.
pub(crate) fn resolve_reference(g: &Input<'_>) -> Resolution {
    let rules = g.rules;
    let n = g.identifiers();
    let m = g.obs.len();
    let rank_of = |i: u32| rules.rank[kind_index(g.kind(i))];

    // 1. Canonical order.
    let source_hashes = g.source_hashes();
    let keys: Vec<u64> = (0..m).map(|o| g.obs_key(o, &source_hashes)).collect();
    let sorted = (1..m).all(|i| (g.obs.ts[i - 1], keys[i - 1]) <= (g.obs.ts[i], keys[i]));
    let order: Vec<u32> = if sorted {
        Vec::new()
    } else {
        let mut o: Vec<u32> = (0..m as u32).collect();
        o.sort_by_key(|&i| (g.obs.ts[i as usize], keys[i as usize]));
        o
    };
    let obs_at = |k: usize| if sorted { k } else { order[k] as usize };

    // 2. Hub guard from global counts, kind by kind in priority order. Higher-priority
    //    identifiers already linked to each other (by observations among stronger kinds only)
    //    count once: a phone and an email of one person seen on their phone are one owner, a
    //    family tablet seen with two people's phones is two.
    let mut hub = vec![false; n];
    let mut hubs = Vec::new();
    let mut guarded: Vec<(u8, usize, u32)> = (0..KINDS)
        .filter_map(|k| rules.hub[k].map(|t| (rules.rank[k], k, t)))
        .filter(|&(r, _, _)| r != u8::MAX)
        .collect();
    guarded.sort_unstable();
    if !guarded.is_empty() {
        let mut parent: Vec<u32> = (0..n as u32).collect();
        fn root(p: &mut [u32], mut x: u32) -> u32 {
            while p[x as usize] != x {
                let gp = p[p[x as usize] as usize];
                p[x as usize] = gp;
                x = gp;
            }
            x
        }
        let mut slot = vec![NONE; n];
        for &(r, k, t) in &guarded {
            for o in 0..m {
                let mut first = NONE;
                for &x in g.obs.ids_of(o) {
                    if rank_of(x) < r && !hub[x as usize] {
                        if first == NONE {
                            first = root(&mut parent, x);
                        } else {
                            let b = root(&mut parent, x);
                            if b != first {
                                parent[b as usize] = first;
                            }
                        }
                    }
                }
            }
            // Per higher kind, up to t + 1 distinct groups per identifier of kind k (enough to
            // decide, and bounded per kind so the decision never depends on arrival order).
            let per = t as usize + 1;
            let stride = per * usize::from(r);
            let mut count = 0usize;
            for x in 0..n {
                if kind_index(g.kind(x as u32)) == k {
                    slot[x] = count as u32;
                    count += 1;
                }
            }
            let mut nb: Vec<u32> = vec![NONE; count * stride];
            let mut nb_len = vec![0u8; count * usize::from(r)];
            let mut worst = vec![0u8; count];
            for o in 0..m {
                let ids = g.obs.ids_of(o);
                for &x in ids {
                    if kind_index(g.kind(x)) != k {
                        continue;
                    }
                    let s = slot[x as usize] as usize;
                    for &y in ids {
                        let ry_rank = rank_of(y);
                        if ry_rank >= r || hub[y as usize] {
                            continue;
                        }
                        let cell = s * usize::from(r) + usize::from(ry_rank);
                        let len = usize::from(nb_len[cell]);
                        if len >= per {
                            continue;
                        }
                        let ry = root(&mut parent, y);
                        let base = cell * per;
                        if !nb[base..base + len].contains(&ry) {
                            nb[base + len] = ry;
                            nb_len[cell] += 1;
                            worst[s] = worst[s].max(nb_len[cell]);
                        }
                    }
                }
            }
            for x in 0..n {
                if kind_index(g.kind(x as u32)) == k {
                    let w = u32::from(worst[slot[x] as usize]);
                    if w > t {
                        hub[x] = true;
                        hubs.push(Hub {
                            id: x as u32,
                            distinct_higher: w,
                        });
                    }
                }
            }
        }
    }

    // 3–4. Sessions and linking.
    let mut dsu = Dsu {
        parent: Vec::with_capacity(n),
        size: Vec::with_capacity(n),
        next: Vec::with_capacity(n),
        counts: Vec::with_capacity(n),
        first: Vec::with_capacity(n),
        kind: Vec::with_capacity(n),
    };
    let mut first_seen = vec![i64::MAX; n];
    let mut last_seen = vec![i64::MIN; n];
    for x in 0..n {
        dsu.push(kind_index(g.kind(x as u32)), i64::MAX);
    }
    let any_window = rules.window.iter().any(Option::is_some);
    let (mut cur_session, mut session_last) = if any_window {
        (vec![NONE; n], vec![i64::MIN; n])
    } else {
        (Vec::new(), Vec::new())
    };
    // Session elements (index ≥ n) → their identifier.
    let mut session_id: Vec<u32> = Vec::new();
    let mut audit = Vec::new();
    let mut buf: Vec<(u8, u64, u32, u32)> = Vec::with_capacity(16);
    let mut roots: Vec<u32> = Vec::with_capacity(16);
    let mut times = Vec::new();
    // Pass A, in time order: first/last seen, the session element of every occurrence, and the
    // bucket of every observation (the weakest linkable kind in it).
    let mut occ_el = vec![NONE; g.obs.ids.len()];
    let mut bucket = vec![u8::MAX; m];
    for k in 0..m {
        let o = obs_at(k);
        let ts = g.obs.ts[o];
        let start = if o == 0 {
            0
        } else {
            g.obs.ends[o - 1] as usize
        };
        let mut weakest = 0u8;
        let mut linkable = 0u32;
        for (j, &x) in g.obs.ids_of(o).iter().enumerate() {
            let xi = x as usize;
            if first_seen[xi] == i64::MAX {
                first_seen[xi] = ts;
                dsu.first[xi] = ts;
            }
            last_seen[xi] = ts;
            if hub[xi] {
                continue;
            }
            let kind = g.kind(x);
            let el = match rules.window[kind_index(kind)] {
                None => x,
                Some(w) => {
                    if cur_session[xi] == NONE || ts.saturating_sub(session_last[xi]) > w {
                        cur_session[xi] = dsu.push(kind_index(kind), ts);
                        session_id.push(x);
                    }
                    session_last[xi] = ts;
                    cur_session[xi]
                }
            };
            occ_el[start + j] = el;
            weakest = weakest.max(rank_of(x));
            linkable += 1;
        }
        if linkable >= 2 {
            bucket[o] = weakest;
        }
    }
    // Pass B: link observations among strong kinds first (stable by bucket, time order within),
    // so that when a weak bridge (a device, an IP) comes, the profiles it would join already hold
    // their strong identifiers and the limits can see a conflict.
    let mut link_order: Vec<u32> = Vec::with_capacity(m);
    {
        let mut per_bucket = [0usize; 256];
        for &b in &bucket {
            per_bucket[usize::from(b)] += 1;
        }
        let mut offset = [0usize; 256];
        for b in 1..256 {
            offset[b] = offset[b - 1] + per_bucket[b - 1];
        }
        let linkable: usize = per_bucket[..255].iter().sum();
        link_order.resize(linkable, 0);
        for k in 0..m {
            let o = obs_at(k);
            let b = usize::from(bucket[o]);
            if b < 255 {
                link_order[offset[b]] = o as u32;
                offset[b] += 1;
            }
        }
    }
    // Pass C: link.
    for &o in &link_order {
        let o = o as usize;
        buf.clear();
        let start = if o == 0 {
            0
        } else {
            g.obs.ends[o - 1] as usize
        };
        for (j, &x) in g.obs.ids_of(o).iter().enumerate() {
            let el = occ_el[start + j];
            if el != NONE {
                buf.push((rank_of(x), g.hash(x), el, x));
            }
        }
        buf.sort_unstable();
        while buf.len() >= 2 {
            roots.clear();
            for &(_, _, el, _) in &buf {
                let r = dsu.find(el);
                if !roots.contains(&r) {
                    roots.push(r);
                }
            }
            if roots.len() < 2 {
                break;
            }
            if let Some(kind) = dsu.violates(rules, &roots, &mut times) {
                if let Some((_, _, _, dropped)) = buf.pop() {
                    audit.push(Prevented {
                        observation: o as u32,
                        dropped,
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

    // 5. Profiles. Strong members (not time-bounded) decide each component's anchor.
    let total = dsu.parent.len();
    let mut anchor = vec![Anchor::NONE; total];
    let mut assigned = vec![NONE; n]; // root per id
    for x in 0..n {
        if hub[x] || rules.window[kind_index(g.kind(x as u32))].is_some() {
            continue;
        }
        let r = dsu.find(x as u32) as usize;
        assigned[x] = r as u32;
        let key = Anchor {
            rank: rank_of(x as u32),
            hash: g.hash(x as u32),
        };
        if key < anchor[r] {
            anchor[r] = key;
        }
    }
    // Time-bounded identifiers join the component holding the most of their sessions, preferring
    // components with a strong identifier, then the strongest anchor, then the earliest session.
    let mut split_sessions = Vec::new();
    if !session_id.is_empty() {
        let mut pairs: Vec<(u32, u32, u32)> = session_id
            .iter()
            .enumerate()
            .map(|(s, &x)| {
                let e = (n + s) as u32;
                (x, dsu.find(e), e)
            })
            .collect();
        pairs.sort_unstable();
        let mut i = 0;
        while i < pairs.len() {
            let x = pairs[i].0;
            let mut j = i;
            let mut best: Option<(SessionScore, u32)> = None;
            let mut roots_seen = 0u32;
            while j < pairs.len() && pairs[j].0 == x {
                let r = pairs[j].1;
                let mut k = j;
                let mut count = 0u32;
                let mut earliest = u32::MAX;
                while k < pairs.len() && pairs[k].0 == x && pairs[k].1 == r {
                    count += 1;
                    earliest = earliest.min(pairs[k].2);
                    k += 1;
                }
                roots_seen += 1;
                let score = SessionScore::new(anchor[r as usize], count, earliest);
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, r));
                }
                j = k;
            }
            if let Some((_, r)) = best {
                assigned[x as usize] = r;
            }
            if roots_seen > 1 {
                split_sessions.push(x);
            }
            i = j;
        }
        // Session-only components: anchor from their assigned time-bounded identifiers.
        for x in 0..n {
            let r = assigned[x];
            if r != NONE && rules.window[kind_index(g.kind(x as u32))].is_some() {
                let key = Anchor {
                    rank: rank_of(x as u32),
                    hash: g.hash(x as u32),
                };
                // Each identifier is assigned to one component only, so anchors stay unique.
                let slot = &mut anchor[r as usize];
                if key < *slot {
                    *slot = key;
                }
            }
        }
    }

    // Number the profiles by their anchor hash (the profile id), deterministic.
    let mut roots_list: Vec<(u64, u32)> = Vec::new();
    let mut profile_of_root = vec![NONE; total];
    for x in 0..n {
        let r = assigned[x];
        if r != NONE && profile_of_root[r as usize] == NONE {
            profile_of_root[r as usize] = 0;
            roots_list.push((fmix64(anchor[r as usize].hash ^ 0x6f32_6f00), r));
        }
    }
    roots_list.sort_unstable();
    for (p, &(_, r)) in roots_list.iter().enumerate() {
        profile_of_root[r as usize] = p as u32;
    }
    let np = roots_list.len();
    let mut profile_of = vec![NONE; n];
    let mut sizes = vec![0u32; np + 1];
    for x in 0..n {
        let r = assigned[x];
        if r != NONE {
            let p = profile_of_root[r as usize];
            profile_of[x] = p;
            sizes[p as usize + 1] += 1;
        }
    }
    let mut starts = sizes;
    for p in 0..np {
        starts[p + 1] += starts[p];
    }
    let mut fill = starts.clone();
    let mut members = vec![0u32; starts[np] as usize];
    for x in 0..n {
        let p = profile_of[x];
        if p != NONE {
            members[fill[p as usize] as usize] = x as u32;
            fill[p as usize] += 1;
        }
    }
    let mut pf = vec![i64::MAX; np];
    let mut pl = vec![i64::MIN; np];
    for p in 0..np {
        let ms = &mut members[starts[p] as usize..starts[p + 1] as usize];
        ms.sort_unstable_by_key(|&i| (rank_of(i), g.hash(i)));
        for &i in ms.iter() {
            pf[p] = pf[p].min(first_seen[i as usize]);
            pl[p] = pl[p].max(last_seen[i as usize]);
        }
    }
    // Sources and observation counts: by each observation's strongest non-shared identifier.
    let mut n_obs = vec![0u64; np];
    let mut src_bits = vec![0u64; if g.sources.len() <= 64 { np } else { 0 }];
    let mut src_pairs: Vec<(u32, u32)> = Vec::new();
    for o in 0..m {
        let best = g
            .obs
            .ids_of(o)
            .iter()
            .filter(|&&x| profile_of[x as usize] != NONE)
            .min_by_key(|&&x| (rank_of(x), g.hash(x)));
        if let Some(&x) = best {
            let p = profile_of[x as usize] as usize;
            n_obs[p] += 1;
            let s = g.obs.src[o];
            if src_bits.is_empty() {
                src_pairs.push((p as u32, s));
            } else {
                src_bits[p] |= 1 << s;
            }
        }
    }
    let mut sources = vec![Vec::new(); np];
    if src_bits.is_empty() {
        src_pairs.sort_unstable();
        src_pairs.dedup();
        for (p, s) in src_pairs {
            sources[p as usize].push(s);
        }
    } else {
        for (p, bits) in src_bits.iter().enumerate() {
            let mut b = *bits;
            while b != 0 {
                sources[p].push(b.trailing_zeros());
                b &= b - 1;
            }
        }
    }
    for s in &mut sources {
        s.sort_by(|a, b| g.sources[*a as usize].cmp(&g.sources[*b as usize]));
    }
    let mut source_starts = vec![0u32];
    for s in &sources {
        source_starts.push(source_starts[source_starts.len() - 1] + s.len() as u32);
    }
    let sources = sources.concat();
    Resolution {
        profile_of,
        starts,
        members,
        profile_hash: roots_list.iter().map(|&(h, _)| h).collect(),
        first_seen: pf,
        last_seen: pl,
        n_obs,
        source_starts,
        sources,
        hubs,
        audit,
        split_sessions,
    }
}
