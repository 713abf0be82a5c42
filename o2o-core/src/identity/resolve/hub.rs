//! The hub guard, before any linking: an identifier of a guarded kind (a device, a MAC, an IP)
//! seen with more than N distinct higher-priority identifiers, over all observations, is
//! shared and links nothing. Kinds are guarded in priority order. Higher-priority identifiers
//! already linked to each other (by observations among stronger kinds only) count once: a phone
//! and an email of one person seen on their phone are one owner, a family tablet seen with two
//! people's phones is two. The counts are global, so the verdicts do not depend on the order
//! observations arrived in.

// The union-find and counting loops index parallel arrays by identifier.
#![allow(clippy::needless_range_loop)]

use super::input::Input;
use super::kernels::{AHEAD, Bits, partition_into, prefetch, root};
use crate::identity::memory::tables::{Space, Table, Tables};
use crate::identity::observations::Observations;
use crate::identity::resolution::{Hub, NONE};
use crate::identity::rules::{CompiledRules, KINDS, kind_index};

/// One guarded kind's turn: kind `k` of rank `r`; links among stronger kinds are new from rank
/// `prev` on (ranks below it were linked at the previous turn).
struct Turn<'a> {
    rules: &'a CompiledRules,
    r: u8,
    k: usize,
    prev: u8,
}

impl Turn<'_> {
    /// This turn's work lists, from one scan of the observations. Observations of two or three
    /// identifiers (nearly all) are read through the table of their shapes (see `Shape`);
    /// longer ones, and those with a stronger identifier that may be shared, one by one.
    fn scan(
        &self,
        obs: &Observations,
        guard: &Guard,
        joins: &mut Table<(u32, u32)>,
        meets: &mut Table<(u32, u32, u8)>,
    ) {
        joins.clear();
        meets.clear();
        let shapes = Shape::table(self, guard);
        let mut linked = Vec::with_capacity(16);
        // Items are written unconditionally into small buffers, the count advanced by the
        // shape's; full buffers are appended to the lists.
        const CHUNK: usize = 64;
        let mut jchunk = [(0u32, 0u32); CHUNK];
        let mut mchunk = [(0u32, 0u32, 0u8); CHUNK];
        let (mut jc, mut mc) = (0usize, 0usize);
        let shared = |kd, x| guard.shared(kd, x);
        let mut start = 0usize;
        for &end in &obs.ends {
            let end = end as usize;
            let (ids, kinds) = (&obs.ids[start..end], &obs.kinds[start..end]);
            start = end;
            let shape = match ids.len() {
                2 | 3 => Shape::index(kinds).and_then(|i| shapes.get(i)?.as_ref()),
                _ => None,
            };
            let Some(shape) = shape else {
                self.general(shared, ids, kinds, joins, meets, &mut linked);
                continue;
            };
            let v = [ids[0], ids[1], ids[ids.len() - 1]];
            // The shape's identifiers that may be shared are looked up without branching on
            // the shape. (These loads miss the cache, about a tenth of the hub guard's `perf`
            // samples, but loading the bits a few observations ahead made the scan slower.)
            let maybe = |p: usize| (shape.check >> p & 1 == 1) & guard.hub.get(v[p]);
            if maybe(0) | maybe(1) | maybe(2) {
                self.general(shared, ids, kinds, joins, meets, &mut linked);
                continue;
            }
            jchunk[jc] = (v[0], v[1]);
            jchunk[jc + 1] = (v[0], v[2]);
            jc += usize::from(shape.joins);
            let [(x0, y0, r0), (x1, y1, r1)] = shape.meet;
            mchunk[mc] = (v[usize::from(x0)], v[usize::from(y0)], r0);
            mchunk[mc + 1] = (v[usize::from(x1)], v[usize::from(y1)], r1);
            mc += usize::from(shape.meets);
            if jc > CHUNK - 2 {
                joins.extend_from_slice(&jchunk[..jc]);
                jc = 0;
            }
            if mc > CHUNK - 2 {
                meets.extend_from_slice(&mchunk[..mc]);
                mc = 0;
            }
        }
        joins.extend_from_slice(&jchunk[..jc]);
        meets.extend_from_slice(&mchunk[..mc]);
    }

    /// One observation's items, in the general case; `shared(kind, x)` says whether an
    /// identifier is shared.
    fn general(
        &self,
        shared: impl Fn(u8, u32) -> bool,
        ids: &[u32],
        kinds: &[u8],
        joins: &mut Table<(u32, u32)>,
        meets: &mut Table<(u32, u32, u8)>,
        linked: &mut Vec<(u32, u8)>,
    ) {
        // Identifiers are stored strongest first: the stronger kinds' come first, then kind
        // k's (rank r), then the weaker ones', which play no part here.
        let stronger = kinds
            .iter()
            .position(|&kd| self.rules.rank_at(kd) >= self.r)
            .unwrap_or(kinds.len());
        linked.clear();
        for (&x, &kd) in ids[..stronger].iter().zip(&kinds[..stronger]) {
            if !shared(kd, x) {
                linked.push((x, self.rules.rank_at(kd)));
            }
        }
        let Some(&(_, weakest)) = linked.last() else {
            return;
        };
        if linked.len() >= 2 && weakest >= self.prev {
            joins.extend(linked[1..].iter().map(|&(y, _)| (linked[0].0, y)));
        }
        // The linked identifiers are one group once this turn's joins are made (those of ranks
        // below `prev` were joined at an earlier turn), so each identifier of kind k meets one
        // group per rank here: one meeting per rank says all (the count is of distinct groups),
        // and an observation of n identifiers gives O(n) meetings, not O(n²).
        // Linked identifiers are in rank order: the first of each rank stands for its rank.
        let mut firsts = [(0u32, 0u8); KINDS];
        let mut n = 0;
        for &(y, ry) in linked.iter() {
            if (n == 0 || firsts[n - 1].1 != ry)
                && let Some(slot) = firsts.get_mut(n)
            {
                *slot = (y, ry);
                n += 1;
            }
        }
        for (&x, &kd) in ids[stronger..].iter().zip(&kinds[stronger..]) {
            if usize::from(kd) != self.k {
                break;
            }
            meets.extend(firsts[..n].iter().map(|&(y, ry)| (x, y, ry)));
        }
    }
}

/// What observations of one shape (their identifiers' kinds, two or three of them) give at one
/// hub-guard turn, worked out once per turn: the scan then copies identifiers by position
/// without deciding anything per observation (shapes come in random order, so deciding per
/// observation mispredicts branches, which costs more than the rest of the scan).
#[derive(Clone, Copy, Default)]
struct Shape {
    /// Links (first, second) and (first, third) to make: the first `joins` of them.
    joins: u8,
    /// Meetings (kind-k position, stronger position, its rank): the first `meets` of them.
    meets: u8,
    meet: [(u8, u8, u8); 2],
    /// Positions (bits) of stronger identifiers that may be shared; when one is, the
    /// observation takes the general path (which leaves it out).
    check: u8,
}

impl Shape {
    /// Where observations of these kinds (2 or 3, each below 8) are in the table.
    fn index(kinds: &[u8]) -> Option<usize> {
        let k = |i: usize| kinds.get(i).map(|&k| usize::from(k)).filter(|&k| k < 8);
        match kinds.len() {
            2 => Some(k(0)? << 3 | k(1)?),
            3 => Some(64 + (k(0)? << 6 | k(1)? << 3 | k(2)?)),
            _ => None,
        }
    }

    /// Every shape at `turn`: what the general case gives for an observation of those kinds
    /// with no identifier shared, its identifiers standing for their positions (so the table
    /// cannot disagree with the general case). Shapes it cannot express (more than two
    /// meetings) are left out, so they take the general path.
    fn table(turn: &Turn<'_>, guard: &Guard) -> Vec<Option<Shape>> {
        let mut table = vec![None; 64 + 512];
        let (mut joins, mut meets, mut linked) = (Table::new(), Table::new(), Vec::new());
        for len in 2..=3usize {
            for code in 0..1usize << (3 * len) {
                let kinds: Vec<u8> = (0..len)
                    .map(|i| (code >> (3 * (len - 1 - i)) & 7) as u8)
                    .collect();
                let Some(at) = Shape::index(&kinds) else {
                    continue;
                };
                let positions = [0u32, 1, 2];
                joins.clear();
                meets.clear();
                turn.general(
                    |_, _| false,
                    &positions[..len],
                    &kinds,
                    &mut joins,
                    &mut meets,
                    &mut linked,
                );
                if meets.len() > 2 {
                    continue;
                }
                let mut shape = Shape {
                    // Joins are (first, other) for the others in order: (0, 1), then (0, 2).
                    joins: joins.len() as u8,
                    meets: meets.len() as u8,
                    ..Shape::default()
                };
                for (slot, &(x, y, ry)) in shape.meet.iter_mut().zip(&meets) {
                    *slot = (x as u8, y as u8, ry);
                }
                // Positions of stronger identifiers that may be shared.
                for (y, &kd) in kinds.iter().enumerate() {
                    if turn.rules.rank_at(kd) >= turn.r {
                        break;
                    }
                    if guard.may_hub(kd) {
                        shape.check |= 1 << y;
                    }
                }
                table[at] = Some(shape);
            }
        }
        table
    }
}

/// The hub guard's verdicts.
pub(super) struct Guard {
    /// One bit per identifier: shared.
    pub hub: Bits,
    /// The shared identifiers, with their distinct higher-priority neighbour counts (t + 1).
    pub hubs: Vec<Hub>,
    /// Per kind: guarded (only identifiers of these kinds can be shared).
    may_hub: [bool; KINDS],
}

impl Guard {
    /// Whether identifiers of the kind (by index, as observations store kinds) can be shared.
    pub fn may_hub(&self, kind: u8) -> bool {
        self.may_hub
            .get(usize::from(kind))
            .copied()
            .unwrap_or(false)
    }

    /// Whether identifier `x` of the kind is shared (checking the kind first spares the bit's
    /// load for the kinds that are never guarded).
    pub fn shared(&self, kind: u8, x: u32) -> bool {
        self.may_hub(kind) && self.hub.get(x)
    }
}

/// The hub guard's verdicts on `input`'s observations under its rules. Its own function, apart
/// from the rest of resolution: its loops are compiled on their own.
#[inline(never)]
pub(super) fn guard(input: &Input<'_>, scratch: &mut Tables) -> Guard {
    let rules = input.rules;
    let obs = input.obs;
    let n = input.identifiers();
    let mut guarded: Vec<(u8, usize, u32)> = (0..KINDS)
        .filter_map(|k| rules.hub[k].map(|t| (rules.rank[k], k, t)))
        .filter(|&(r, _, _)| r != u8::MAX)
        .collect();
    guarded.sort_unstable();
    // Only identifiers of a guarded kind can be shared.
    let mut may_hub = [false; KINDS];
    for &(_, k, _) in &guarded {
        may_hub[k] = true;
    }
    let mut guard = Guard {
        hub: Bits::new(n),
        hubs: Vec::new(),
        may_hub,
    };
    if !guarded.is_empty() {
        let mut parent: Table<u32> = scratch.table(Space::Verdicts, n);
        parent.extend(0..n as u32);
        // Identifiers of each kind: a guarded kind with none takes no turn.
        let mut of_kind = [0usize; KINDS];
        for x in 0..n {
            of_kind[kind_index(input.kind(x as u32))] += 1;
        }
        // Work lists, refilled at each guarded kind's turn: one scan of the observations writes
        // them, then two tight loops read them (deciding per occurrence which ones take part
        // costs more than the union-find itself, so it is done once).
        // They get room up front for what a turn gives when no observation holds more than
        // three identifiers (nearly all): an observation of `len` then gives at most `len - 1`
        // joins and as many meetings. Room never touched costs no memory, where growing by
        // doubling writes the items again into fresh pages at each step (about 130 MB of them
        // at 10 M observations), and fresh pages are the dearest memory there is (`pages`).
        // Longer observations can give more; the lists then grow as before. The meetings
        // grouped by range (below) keep their table from turn to turn likewise.
        let room = obs.ids.len().saturating_sub(obs.len());
        let mut joins: Table<(u32, u32)> = scratch.table(Space::Tallies, room);
        let mut meets: Table<(u32, u32, u8)> = scratch.table(Space::Elements, room);
        let mut grouped: Table<(u32, u32, u8)> = scratch.table(Space::Slots, room);
        // Ranks below `prev` were linked at the previous guarded kind's turn; the identifiers of
        // those ranks it could exclude were shared already then, so those links still stand.
        let mut prev = 0u8;
        for &(r, k, t) in &guarded {
            if of_kind[k] == 0 {
                // Nothing of this kind to guard; its links are made at the next guarded kind's
                // turn (`prev` stays).
                continue;
            }
            // One scan: `joins` gets (first, other) for every observation with two linkable
            // identifiers below rank r, one of them new at this rank; `meets` gets
            // (identifier of kind k, linkable identifier below rank r, its rank) for every
            // observation holding both.
            let turn = Turn { rules, r, k, prev };
            let turn_start = guard.hubs.len();
            turn.scan(obs, &guard, &mut joins, &mut meets);
            // Link the stronger kinds (attaching each root to the first identifier's root).
            // This loop and the counting one do little per item next to a miss, so they load
            // each item's state 4 × AHEAD items early, the next link of its chain 2 × AHEAD.
            for i in 0..joins.len() {
                if let Some(&(a, b)) = joins.get(i + 4 * AHEAD) {
                    prefetch(&parent, a as usize);
                    prefetch(&parent, b as usize);
                }
                if let Some(&(a, b)) = joins.get(i + 2 * AHEAD) {
                    prefetch(&parent, parent[a as usize] as usize);
                    prefetch(&parent, parent[b as usize] as usize);
                }
                let (a, b) = joins[i];
                let ra = root(&mut parent, a);
                let rb = root(&mut parent, b);
                if ra != rb {
                    parent[rb as usize] = ra;
                }
            }
            prev = r;
            // Per higher rank, up to t + 1 distinct groups per identifier of kind k (enough to
            // decide, and bounded per kind so the decision never depends on arrival order).
            // Only t are kept: a group not among t kept ones is the (t + 1)th, which decides.
            // An identifier found shared is marked so at once and not read again: its count is
            // already t + 1.
            // Meetings are first grouped by ranges of identifiers (`partition`), small enough
            // that a range's counting cells stay in cache: only the group root of each meeting's
            // stronger identifier is then looked up at random, where counting in one table for
            // all identifiers missed the cache on its cell too.
            let per = t as usize;
            let ru = usize::from(r);
            let width = ru * per;
            let shift = count_shift(n, width);
            let ends = partition_into(
                (n >> shift) + 1,
                meets.iter().map(|&(x, _, _)| (x >> shift) as usize),
                meets.iter().copied(),
                |&(x, _, _)| (x >> shift) as usize,
                &mut grouped,
            );
            // Per identifier of the range: `width` cells (per higher rank, up to `per` group
            // roots, NONE = free), valid when its stamp is the range's number + 1.
            let mut cells = vec![NONE; width << shift];
            let mut stamp = vec![0u32; 1 << shift];
            for (range, w) in ends.windows(2).enumerate() {
                let base = range << shift;
                let mark = range as u32 + 1;
                for i in w[0] as usize..w[1] as usize {
                    if let Some(&(_, y, _)) = grouped.get(i + 4 * AHEAD) {
                        prefetch(&parent, y as usize);
                    }
                    if let Some(&(_, y, _)) = grouped.get(i + 2 * AHEAD) {
                        prefetch(&parent, parent[y as usize] as usize);
                    }
                    let (x, y, ry) = grouped[i];
                    if guard.hub.get(x) {
                        continue;
                    }
                    let local = x as usize - base;
                    let own = &mut cells[local * width..(local + 1) * width];
                    if stamp[local] != mark {
                        stamp[local] = mark;
                        own.fill(NONE);
                    }
                    let cell = &mut own[usize::from(ry) * per..(usize::from(ry) + 1) * per];
                    let len = cell.iter().position(|&e| e == NONE).unwrap_or(per);
                    let root_y = root(&mut parent, y);
                    if !cell[..len].contains(&root_y) {
                        match cell.get_mut(len) {
                            Some(free) => *free = root_y,
                            None => {
                                guard.hub.set(x);
                                guard.hubs.push(Hub {
                                    id: x,
                                    distinct_higher: t + 1,
                                });
                            }
                        }
                    }
                }
            }
            // This turn's hubs, found range by range but in no order within a range: in id
            // order, as the resolution lists them.
            guard.hubs[turn_start..].sort_unstable();
        }
        scratch.keep(Space::Elements, meets);
        scratch.keep(Space::Slots, grouped);
        scratch.keep(Space::Tallies, joins);
        scratch.keep(Space::Verdicts, parent);
    }
    guard
}

/// Bytes of counting cells per range of identifiers: within the core's own cache (L2). Unit
/// tests use ranges of a few identifiers, so that their small graphs span many ranges.
const RANGE_BYTES: usize = if cfg!(test) { 256 } else { 128 << 10 };

/// The shift that groups identifiers (below `n`) into ranges whose counting cells (`width` per
/// identifier, 4 bytes each, and a stamp) fit in `RANGE_BYTES`, in at most 2^16 + 1 ranges.
fn count_shift(n: usize, width: usize) -> u32 {
    let fit = RANGE_BYTES / ((width + 1) * 4);
    let by_cache = usize::BITS - 1 - fit.max(1).leading_zeros();
    let mut by_ranges = 0;
    while n >> by_ranges > 1 << 16 {
        by_ranges += 1;
    }
    by_cache.max(by_ranges)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ranges keep their cells within `RANGE_BYTES` where that leaves at most 2^16 + 1 ranges,
    /// and never number more ranges than that.
    #[test]
    fn count_ranges_fit_the_cache_or_bound_the_ranges() {
        for n in [0usize, 1, 1000, 5_261_678, 1 << 30, u32::MAX as usize] {
            for width in [1usize, 6, 63] {
                let shift = count_shift(n, width);
                assert!((n >> shift) <= 1 << 16, "n {n} width {width}: {shift}");
                let bytes = ((width + 1) * 4) << shift;
                // Larger ranges than the cache allows only where fewer would be too many.
                assert!(bytes <= RANGE_BYTES || (n >> (shift - 1)) > 1 << 16);
                // And no smaller than the cache allows.
                assert!(
                    bytes * 2 > RANGE_BYTES,
                    "n {n} width {width}: {bytes} bytes"
                );
            }
        }
    }
}
