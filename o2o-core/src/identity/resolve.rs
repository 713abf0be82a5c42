//! Resolution: observations → profiles, in a canonical order so the result never depends on the
//! order events arrived in.
//!
//! 1. **Order.** Observations are processed by `(timestamp, content hash)`; the content hash is
//!    order-free over the identifiers and includes the source, so two observations tie only when
//!    they are identical, and then their order cannot matter.
//! 2. **Hub guard** from global counts, before any linking: an identifier of a guarded kind seen
//!    with more than N distinct higher-priority identifiers (over all observations) is shared.
//! 3. **Sessions.** An identifier of a time-bounded kind becomes one union-find element per
//!    session (observations following each other within the window).
//! 4. **Linking** with union-find (union by size, path halving). Before each union the merged
//!    per-kind counts are checked against the limits; on a violation the observation's
//!    lowest-priority identifier is dropped and the observation retried (recorded in the audit).
//! 5. **Profiles** are the components; each is named by a hash of its strongest identifier (the
//!    smallest by `(priority, hash)`), so ids are stable and content-derived.

// Resolution walks parallel arrays indexed by identifier; index loops read best here.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

use super::graph::IdentityGraph;
use super::hub::hub_guard;
use super::intern::{AMap, ahash_state, fmix64};
use super::pages;
use super::rules::{CompiledRules, KINDS, kind_index};
use super::tables::{Space, Table, Tables};
use crate::event::{IdKind, Identifier};
use serde::Serialize;

/// Identifying kinds are the first seven of [`IdKind::ALL`]; attributes are never interned.
const LINK_KINDS: usize = 7;
pub(super) const NONE: u32 = u32::MAX;

/// One resolved profile: a person as far as the evidence and the rules allow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// Stable id derived from the profile's strongest identifier (`p` + 16 hex digits).
    pub id: String,
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

/// The result of resolving a graph: compact, with accessors that build owned views.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// Profile index per interned id (`NONE` for shared identifiers).
    pub(crate) profile_of: Vec<u32>,
    /// Members of profile `p`: `members[starts[p]..starts[p + 1]]`, strongest first.
    pub(crate) starts: Vec<u32>,
    pub(crate) members: Vec<u32>,
    pub(crate) profile_hash: Vec<u64>,
    pub(crate) first_seen: Vec<i64>,
    pub(crate) last_seen: Vec<i64>,
    pub(crate) n_obs: Vec<u64>,
    /// Sources of profile `p`: `sources[source_starts[p]..source_starts[p + 1]]`, by name.
    pub(crate) source_starts: Vec<u32>,
    pub(crate) sources: Vec<u32>,
    /// Hub identifiers, with their distinct higher-priority neighbour counts.
    pub(crate) hubs: Vec<(u32, u32)>,
    /// (observation, dropped id, limit kind).
    pub(crate) audit: Vec<(u32, u32, IdKind)>,
    /// Per id: the number of sessions (time-bounded kinds) and whether they span profiles.
    pub(crate) split_sessions: Vec<u32>,
}

impl Resolution {
    /// Number of profiles.
    pub fn profiles(&self) -> usize {
        self.profile_hash.len()
    }

    /// Size (identifiers) of the largest profile.
    pub fn largest_profile(&self) -> usize {
        self.starts
            .windows(2)
            .map(|w| (w[1] - w[0]) as usize)
            .max()
            .unwrap_or(0)
    }

    /// Sizes of all profiles, in profile order.
    pub fn profile_sizes(&self) -> impl Iterator<Item = usize> + '_ {
        self.starts.windows(2).map(|w| (w[1] - w[0]) as usize)
    }

    pub(crate) fn profile_index_of(&self, id: u32) -> Option<usize> {
        match self.profile_of.get(id as usize) {
            Some(&p) if p != NONE => Some(p as usize),
            _ => None,
        }
    }

    pub(crate) fn members_of(&self, p: usize) -> &[u32] {
        &self.members[self.starts[p] as usize..self.starts[p + 1] as usize]
    }

    /// The stable id of profile `p` as text.
    pub(crate) fn profile_id(&self, p: usize) -> String {
        format!("p{:016x}", self.profile_hash[p])
    }

    /// Build the owned view of profile `p` (identifiers sorted by priority, then value).
    pub fn profile(&self, graph: &IdentityGraph, p: usize) -> Profile {
        let mut identifiers: Vec<(u8, Identifier)> = self
            .members_of(p)
            .iter()
            .map(|&i| {
                let id = graph.identifier(i);
                (graph.compiled.rank_of(id.kind), id)
            })
            .collect();
        identifiers.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.value.cmp(&b.1.value)));
        Profile {
            id: self.profile_id(p),
            identifiers: identifiers.into_iter().map(|(_, i)| i).collect(),
            first_seen: self.first_seen[p],
            last_seen: self.last_seen[p],
            sources: self.sources
                [self.source_starts[p] as usize..self.source_starts[p + 1] as usize]
                .iter()
                .map(|&s| graph.sources[s as usize].clone())
                .collect(),
            observations: self.n_obs[p],
        }
    }

    /// Every profile, ordered by id.
    pub fn all_profiles<'a>(
        &'a self,
        graph: &'a IdentityGraph,
    ) -> impl Iterator<Item = Profile> + 'a {
        (0..self.profiles()).map(move |p| self.profile(graph, p))
    }

    /// The merges the limits prevented, in processing order.
    pub fn audit(&self, graph: &IdentityGraph) -> Vec<MergeAudit> {
        self.audit
            .iter()
            .map(|&(o, id, limit)| MergeAudit {
                timestamp: graph.obs.ts[o as usize],
                source: graph.sources[graph.obs.src[o as usize] as usize].clone(),
                dropped: graph.identifier(id),
                limit,
            })
            .collect()
    }

    /// Identifiers the hub guard treats as shared, sorted by kind and value.
    pub fn shared(&self, graph: &IdentityGraph) -> Vec<SharedIdentifier> {
        let mut v: Vec<SharedIdentifier> = self
            .hubs
            .iter()
            .map(|&(i, n)| SharedIdentifier {
                identifier: graph.identifier(i),
                distinct_higher: n,
            })
            .collect();
        v.sort_by(|a, b| a.identifier.cmp(&b.identifier));
        v
    }

    /// Number of merges the limits prevented.
    pub fn prevented_merges(&self) -> usize {
        self.audit.len()
    }
}

/// One union-find element (an identifier, or one session of a time-bounded identifier). Every
/// field a union reads or writes sits in these 16 bytes, since elements are visited in random
/// order: the ring link lives here rather than in an array of its own, which cost a second
/// cache miss per union. Counts take a byte per kind so that an element is 16 bytes (four per
/// cache line); the rare component with 255 or more identifiers of one kind keeps its exact
/// counts beside the union-find (`Dsu::big`).
#[derive(Clone, Copy)]
struct Elem {
    parent: u32,
    /// Next member of the component's ring (a cycle through all its elements).
    next: u32,
    /// Per linkable kind, identifiers of that kind in the component (valid at roots), up to
    /// `SATURATED` (the exact count is then in `Dsu::big`). Their sum is the size union by
    /// size reads.
    counts: [u8; LINK_KINDS],
    /// Kind index.
    kind: u8,
}

impl Elem {
    fn new(e: u32, kind: usize) -> Self {
        let mut counts = [0u8; LINK_KINDS];
        if let Some(slot) = counts.get_mut(kind) {
            *slot = 1;
        }
        Elem {
            parent: e,
            next: e,
            counts,
            kind: kind as u8,
        }
    }

    /// Elements in the component (at a root); saturated counts only skew the balance.
    fn size(&self) -> u32 {
        self.counts.iter().map(|&c| u32::from(c)).sum()
    }

    /// After linking, the profile slot of this root, if it was given one (see `Dsu::slot`).
    fn slot(&self) -> Option<u32> {
        (self.kind == TAKEN).then_some(self.next)
    }

    /// The element of an identifier of a time-bounded kind before any session: see `session`.
    fn unseen(kind: usize) -> Self {
        let mut e = Elem::new(0, kind);
        e.set_session(0, 0);
        e
    }

    /// An identifier of a time-bounded kind is never linked itself (its sessions are), so while
    /// the sessions are made its element holds its current session element (0 for none:
    /// session elements follow the identifiers) and its last sighting, the time in the parent
    /// and the first four count bytes. That spares a table of its own, 16 bytes per identifier
    /// of fresh memory, and its element is where the sessions' elements are looked up anyway.
    /// The element is made anew (`Elem::new`) once the sessions are made.
    fn session(&self) -> (u32, i64) {
        let [a, b, c, d, ..] = self.counts;
        let high = u32::from_le_bytes([a, b, c, d]);
        (
            self.next,
            (u64::from(high) << 32 | u64::from(self.parent)) as i64,
        )
    }

    fn set_session(&mut self, cur: u32, last: i64) {
        let last = last as u64;
        self.next = cur;
        self.parent = last as u32;
        let [a, b, c, d] = ((last >> 32) as u32).to_le_bytes();
        self.counts[..4].copy_from_slice(&[a, b, c, d]);
    }
}

// Four elements per cache line (see `Elem`).
const _: () = assert!(std::mem::size_of::<Elem>() == 16);

/// A count byte at this value means "this many or more": the exact counts are in `Dsu::big`.
const SATURATED: u8 = u8::MAX;

/// The kind byte of a root that has a profile slot (kinds are below `KINDS`).
const TAKEN: u8 = u8::MAX;

/// A profile while it is built, indexed by slot (the order its component was first met). What
/// an identifier adds to its profile sits in these 56 bytes, together.
#[derive(Clone, Copy)]
struct Slot {
    /// The strongest member so far as (rank, hash): the anchor, whose hash is the profile id.
    anchor: (u8, u64),
    first: i64,
    last: i64,
    /// The component's root element: it orders profiles whose anchors hash alike.
    root: u32,
    size: u32,
    observations: u64,
    sources: u32,
}

/// Observations counted for an identifier, and their sources as bits (when there are at most
/// 32): 8 bytes, as one is kept per identifier while the union-find is at its largest.
#[derive(Clone, Copy, Default)]
struct Tally {
    observations: u32,
    sources: u32,
}

impl Slot {
    /// A member joins: one more, its first and last sightings widen the profile's, and the
    /// observations counted for it are the profile's.
    fn add(&mut self, seen: Option<&(i64, i64)>, tally: Tally) {
        self.size += 1;
        self.observations += u64::from(tally.observations);
        self.sources |= tally.sources;
        if let Some(&(first, last)) = seen {
            self.first = self.first.min(first);
            self.last = self.last.max(last);
        }
    }
}

/// Union-find over elements (identifiers and sessions), with per-root kind counts and a ring of
/// members per component (to walk a component when a windowed limit must be checked).
struct Dsu {
    el: Table<Elem>,
    /// Identifiers are elements `0..ids`; sessions follow.
    ids: usize,
    /// Start of each session element (element `ids + i` at `i`) of a kind with a windowed
    /// limit, the only ones a limit check reads; left at zero for the others (the table comes
    /// zeroed, so what is never written is never touched: with the default rules, the IP
    /// sessions, 34 MB at 10 M observations). An identifier's first sighting is the graph's
    /// (`IdentityGraph::seen`).
    first: Vec<i64>,
    /// Exact per-kind counts of the roots with a count at `SATURATED` (and only of those).
    big: AMap<u32, [u32; LINK_KINDS]>,
}

impl Dsu {
    /// A new session element of `kind`, starting at `first` where a limit will read it.
    fn push(&mut self, kind: usize, first: Option<i64>) -> u32 {
        let e = self.el.len() as u32;
        self.el.push(Elem::new(e, kind));
        if let (Some(t), Some(s)) = (first, (e as usize).checked_sub(self.ids)) {
            if let Some(f) = self.first.get_mut(s) {
                *f = t;
            }
        }
        e
    }

    /// The profile slot of root `r`, made (appended to `slots`) the first time. Linking is done
    /// by then, so the ring links and kinds are no longer read: a root's ring link holds its
    /// slot and its kind byte says so.
    fn slot(&mut self, r: u32, slots: &mut Table<Slot>) -> u32 {
        let e = &mut self.el[r as usize];
        if let Some(s) = e.slot() {
            return s;
        }
        let s = slots.len() as u32;
        slots.push(Slot {
            anchor: (u8::MAX, u64::MAX),
            first: i64::MAX,
            last: i64::MIN,
            root: r,
            size: 0,
            observations: 0,
            sources: 0,
        });
        e.kind = TAKEN;
        e.next = s;
        s
    }

    fn find(&mut self, mut x: u32) -> u32 {
        // Path halving; every index stored in `parent` is a valid element.
        while self.el[x as usize].parent != x {
            let gp = self.el[self.el[x as usize].parent as usize].parent;
            self.el[x as usize].parent = gp;
            x = gp;
        }
        x
    }

    /// The exact per-kind counts of root `r`.
    fn counts(&self, r: u32) -> [u32; LINK_KINDS] {
        let c = self.el[r as usize].counts;
        if c.contains(&SATURATED) {
            if let Some(exact) = self.big.get(&r) {
                return *exact;
            }
        }
        c.map(u32::from)
    }

    fn union(&mut self, a: u32, b: u32) -> u32 {
        let (ea, eb) = (self.el[a as usize], self.el[b as usize]);
        let (big, small, s) = if ea.size() >= eb.size() {
            (a, b, eb)
        } else {
            (b, a, ea)
        };
        let bg = self.el[big as usize];
        let sums: [u16; LINK_KINDS] =
            std::array::from_fn(|k| u16::from(bg.counts[k]) + u16::from(s.counts[k]));
        let merged = if sums.iter().all(|&c| c < u16::from(SATURATED)) {
            sums.map(|c| c as u8)
        } else {
            // A count reaches the byte's end: keep the exact counts beside.
            let (x, y) = (self.counts(big), self.counts(small));
            let exact: [u32; LINK_KINDS] = std::array::from_fn(|k| x[k].saturating_add(y[k]));
            self.big.remove(&small);
            self.big.insert(big, exact);
            exact.map(|c| c.min(u32::from(SATURATED)) as u8)
        };
        let bg = &mut self.el[big as usize];
        bg.counts = merged;
        // Swapping the two roots' ring links splices the two cycles into one.
        let big_next = bg.next;
        bg.next = s.next;
        let sm = &mut self.el[small as usize];
        sm.parent = big;
        sm.next = big_next;
        big
    }

    /// Whether merging `roots` would break a limit; the kind broken if so.
    /// Nearly every merge is within all of them, which one branch-free comparison of the
    /// summed counts with `rules.limit_max` tells.
    fn violates(
        &self,
        rules: &CompiledRules,
        seen: &[(i64, i64)],
        roots: &[u32],
        times: &mut Vec<i64>,
    ) -> Option<IdKind> {
        let mut totals = [0u32; LINK_KINDS];
        for &r in roots {
            let counts = &self.el[r as usize].counts;
            if counts.contains(&SATURATED) {
                for (t, c) in totals.iter_mut().zip(self.counts(r)) {
                    *t = t.saturating_add(c);
                }
                continue;
            }
            for (t, &c) in totals.iter_mut().zip(counts) {
                *t += u32::from(c);
            }
        }
        if totals.iter().zip(&rules.limit_max).all(|(t, m)| t <= m) {
            return None;
        }
        for (k, kind) in IdKind::ALL.iter().enumerate().take(LINK_KINDS) {
            let Some(limit) = rules.limit[k] else {
                continue;
            };
            if totals[k] <= limit.max {
                continue;
            }
            let Some(window) = limit.window_secs else {
                return Some(*kind);
            };
            times.clear();
            for &r in roots {
                let mut e = r;
                loop {
                    if usize::from(self.el[e as usize].kind) == k {
                        let e = e as usize;
                        times.push(match e.checked_sub(self.ids) {
                            Some(s) => self.first.get(s).copied().unwrap_or(i64::MAX),
                            None => seen.get(e).map_or(i64::MAX, |s| s.0),
                        });
                    }
                    e = self.el[e as usize].next;
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

/// One bit per identifier: the hub guard's verdicts, 700 KB at 5 M identifiers. Met in random
/// order beside the tables a pass streams through, they do not stay in the cache (`perf` put
/// 5 % of the resolve's samples on their loads in linking, as many in pass A): pass A loads
/// them ahead (`prefetch`) and keeps each linking observation's verdicts beside it, which
/// linking reads in order.
pub(super) struct Bits(Vec<u64>);

impl Bits {
    pub(super) fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    /// `i` must be below the `n` given to `new` (every caller passes an interned id).
    pub(super) fn get(&self, i: u32) -> bool {
        self.0[(i >> 6) as usize] >> (i & 63) & 1 == 1
    }

    pub(super) fn set(&mut self, i: u32) {
        self.0[(i >> 6) as usize] |= 1 << (i & 63);
    }

    /// Start loading bit `i` (see `prefetch`).
    pub(super) fn prefetch(&self, i: u32) {
        prefetch(&self.0, (i >> 6) as usize);
    }
}

/// Identifiers per observation whose hub verdicts pass A keeps for linking (the bits of a
/// byte); later ones, in the rare longer observation, are looked up again.
const VERDICTS: usize = u8::BITS as usize;

/// Observations looked ahead when linking (see `prefetch`).
pub(super) const AHEAD: usize = 8;

/// Start loading `v[i]` into the cache without waiting for it. Resolution visits identifiers in
/// random order, so it is bound by memory latency; loading the next observations' state while
/// working on this one overlaps those waits. A no-op off x86-64 and for `i` out of range.
#[inline(always)]
pub(super) fn prefetch<T>(v: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(r) = v.get(i) {
        // SAFETY: a prefetch is only a hint to the cache: it never faults, reads nothing into
        // the program and writes nothing, whatever the address (here a valid reference anyway).
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                (r as *const T).cast(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (v, i);
}

/// Items grouped by `bucket` (below `buckets`), each group in the order `items` yields them:
/// a counting pass, then one write per item to the next place of its group. With a few thousand
/// groups the places being written stay in cache, so this costs two sequential passes where
/// visiting items at random would miss the cache for each one. `buckets_of` yields the bucket of
/// each item, in the order `items` yields the items (it is read first, to size the groups).
/// The items replace those of `out` (whose room is used: a caller partitioning again and again
/// keeps one table). Returns where each group ends (group `b` is `ends[b]..ends[b + 1]`).
pub(super) fn partition_into<T: Copy + Default>(
    buckets: usize,
    buckets_of: impl Iterator<Item = usize>,
    items: impl Iterator<Item = T>,
    bucket: impl Fn(&T) -> usize,
    out: &mut Table<T>,
) -> Vec<u32> {
    let mut ends = vec![0u32; buckets + 1];
    for b in buckets_of {
        if let Some(c) = ends.get_mut(b + 1) {
            *c += 1;
        }
    }
    for b in 0..buckets {
        ends[b + 1] += ends[b];
    }
    let total = ends[buckets] as usize;
    out.clear();
    out.resize(total, T::default());
    let mut at = ends.clone();
    for item in items {
        if let Some(c) = at.get_mut(bucket(&item)) {
            if let Some(slot) = out.get_mut(*c as usize) {
                *slot = item;
                *c += 1;
            }
        }
    }
    ends
}

/// Sort items into `buckets` by `bucket` (which must order them as `Ord` does: a smaller bucket
/// holds only smaller items), then each bucket on its own: a counting-sort pass and sorts small
/// enough for the cache, faster than one sort of millions (see `partition_into` for the
/// arguments). The items replace those of `out`.
fn bucket_sort<T: Copy + Default + Ord>(
    buckets: usize,
    buckets_of: impl Iterator<Item = usize>,
    items: impl Iterator<Item = T>,
    bucket: impl Fn(&T) -> usize,
    mut out: Table<T>,
) -> Table<T> {
    let ends = partition_into(buckets, buckets_of, items, bucket, &mut out);
    for w in ends.windows(2) {
        out[w[0] as usize..w[1] as usize].sort_unstable();
    }
    out
}

/// The shift that puts values below `n` into buckets of about 16 of `len` items each (at most
/// 2^16 buckets).
fn bucket_shift(n: usize, len: usize) -> u32 {
    let buckets = (len / 16).clamp(1, 1 << 16);
    let per = n.div_ceil(buckets).max(1);
    usize::BITS - (per - 1).leading_zeros()
}

/// Root of `x` in a plain parent array, with path halving.
pub(super) fn root(p: &mut [u32], mut x: u32) -> u32 {
    while p[x as usize] != x {
        let gp = p[p[x as usize] as usize];
        p[x as usize] = gp;
        x = gp;
    }
    x
}

/// Resolve `g`'s observations into profiles.
///
/// Every pass reads the observations sequentially (identifier and kind columns side by side);
/// per-identifier state is touched only where an observation can change it. The result is the
/// one the straightforward algorithm gives (`reference.rs`, compared by a proptest).
pub(crate) fn resolve(g: &IdentityGraph, kept: &mut Tables) -> Resolution {
    let rules = &g.compiled;
    let obs = &g.obs;
    let n = g.ids.len();
    let m = obs.len();
    let rank_of = |i: u32| rules.rank_of(g.ids.kind(i));

    // 1. Canonical order.
    let source_hashes = g.source_hashes();
    let key = |o: usize| g.obs_key(o, &source_hashes);
    // Content keys are computed only where timestamps tie, or for every observation to sort.
    let sorted = (1..m).all(|i| {
        let (a, b) = (obs.ts[i - 1], obs.ts[i]);
        a < b || (a == b && key(i - 1) <= key(i))
    });
    let order: Vec<u32> = if sorted {
        Vec::new()
    } else {
        let keys: Vec<u64> = (0..m).map(key).collect();
        let mut o: Vec<u32> = (0..m as u32).collect();
        o.sort_by_key(|&i| (obs.ts[i as usize], keys[i as usize]));
        o
    };
    let obs_at = |k: usize| if sorted { k } else { order[k] as usize };

    // 2. Hub guard (`hub.rs`).
    let guard = hub_guard(g, kept);

    // 3–4. Sessions and linking.
    let mut dsu = Dsu {
        el: Table::new(),
        ids: n,
        first: Vec::new(),
        big: AMap::with_hasher(ahash_state()),
    };
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
    dsu.el = kept.table(Space::First, n + most_sessions);
    // Identifiers of time-bounded kinds hold their session state (`Elem::session`).
    let windowed = |kind: usize| rules.window[kind].is_some();
    dsu.el
        .extend((0..n as u32).map(|x| match kind_index(g.ids.kind(x)) {
            k if windowed(k) => Elem::unseen(k),
            k => Elem::new(x, k),
        }));
    // Time-bounded kinds whose limit has a window: their sessions' starts are kept.
    let timed: [bool; KINDS] = std::array::from_fn(|k| {
        rules.window[k].is_some() && rules.limit[k].is_some_and(|l| l.window_secs.is_some())
    });
    if timed.contains(&true) {
        dsu.first = pages::zeroed(most_sessions);
    }
    let mut session_id: Vec<u32> = pages::with_capacity(most_sessions);
    let mut audit = Vec::new();
    let mut buf: Vec<(u8, u64, u32, u32)> = Vec::with_capacity(16);
    let mut roots: Vec<u32> = Vec::with_capacity(16);
    let mut times = Vec::new();
    // Pass A, in time order: the session element of every occurrence of a
    // time-bounded kind, and the bucket of every observation (the weakest linkable kind in it),
    // as the list of canonical positions of each bucket. Session elements are queued per bucket in
    // the order pass C reads them back.
    // It also counts each observation once, for its strongest identifier not shared (the hash
    // decides between equal priorities): per identifier here, added up per profile as the
    // profiles are built (in id order, where each identifier's profile is at hand anyway).
    // Sources are bits, up to 32 of them; more are collected as (identifier, source) pairs.
    // A source's bit (or number in the pairs) is its place by name, so that profiles list
    // their sources by name as they come out of the bits, with no sort per profile.
    let few_sources = g.sources.len() <= 32;
    let mut by_name: Vec<u32> = (0..g.sources.len() as u32).collect();
    by_name.sort_by(|&a, &b| g.sources[a as usize].cmp(&g.sources[b as usize]));
    let mut name_rank = vec![0u32; by_name.len()];
    for (r, &s) in by_name.iter().enumerate() {
        name_rank[s as usize] = r as u32;
    }
    let mut tally: Table<Tally> = kept.filled(Space::Third, n, Tally::default());
    let mut src_pairs: Vec<(u32, u32)> = Vec::new();
    let mut positions: Vec<Vec<u32>> = vec![Vec::new(); 256];
    let mut sessions_of: Vec<Vec<u32>> = vec![Vec::new(); 256];
    let mut here: Vec<u32> = Vec::with_capacity(16);
    // Per observation that links: the hub verdicts of its first `VERDICTS` identifiers as
    // bits, so that linking reads them in order instead of looking each one up again at random.
    let mut shared_at: Table<u8> = kept.filled(Space::Fourth, m, 0);
    for k in 0..m {
        if k + AHEAD < m {
            for j in obs.span(obs_at(k + AHEAD)) {
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
        let o = obs_at(k);
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
                let (cur, last) = dsu.el[xi].session();
                let cur = if cur == 0 || ts.saturating_sub(last) > w {
                    session_id.push(x);
                    dsu.push(ku, timed[ku].then_some(ts))
                } else {
                    cur
                };
                dsu.el[xi].set_session(cur, ts);
                here.push(cur);
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
        let s = name_rank[obs.src[o] as usize];
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
            let k = kind_index(g.ids.kind(x as u32));
            if windowed(k) {
                dsu.el[x] = Elem::new(x as u32, k);
            }
        }
    }
    // Pass B–C: link observations among strong kinds first (bucket by bucket, time order within),
    // so that when a weak bridge (a device, an IP) comes, the profiles it would join already hold
    // their strong identifiers and the limits can see a conflict.
    // Each observation's elements are computed once, into a ring of the next 2 × AHEAD.
    let mut ring: Vec<Vec<(u32, u32, u8)>> =
        (0..2 * AHEAD).map(|_| Vec::with_capacity(8)).collect();
    for (b, pos) in positions.iter().enumerate() {
        if pos.is_empty() {
            continue;
        }
        let sess = &sessions_of[b];
        // The linkable elements of the observation at canonical position k, whose queued session
        // elements start at q (pass A queued one per time-bounded occurrence, in this order).
        // Returns where the next observation's start.
        let elements = |k: usize, q: usize, out: &mut Vec<(u32, u32, u8)>| {
            let mut q = q;
            out.clear();
            let o = obs_at(k);
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
                let el = if rules.window[usize::from(kd)].is_some() {
                    q += 1;
                    sess.get(q - 1).copied().unwrap_or(NONE)
                } else {
                    x
                };
                out.push((el, x, kd));
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
                for &(e, _, _) in entry.iter() {
                    prefetch(&dsu.el, e as usize);
                }
                filled += 1;
            }
            if i + AHEAD < filled {
                for &(e, _, _) in &ring[(i + AHEAD) % (2 * AHEAD)] {
                    if let Some(el) = dsu.el.get(e as usize) {
                        prefetch(&dsu.el, el.parent as usize);
                    }
                }
            }
            let o = obs_at(pos[i] as usize);
            buf.clear();
            buf.extend(
                ring[i % (2 * AHEAD)]
                    .iter()
                    .map(|&(el, x, kd)| (rules.rank_at(kd), 0, el, x)),
            );
            // Order by (priority, hash): the hash decides only between equal priorities. The
            // observation's identifiers are stored in that order; where priorities are equal,
            // the element decides between equal hashes, so those are sorted here.
            if buf.windows(2).any(|w| w[0].0 == w[1].0) {
                for e in buf.iter_mut() {
                    e.1 = g.ids.hash(e.3);
                }
                buf.sort_unstable();
            }
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
                if let Some(kind) = dsu.violates(rules, &g.seen, &roots, &mut times) {
                    if let Some((_, _, _, dropped)) = buf.pop() {
                        audit.push((o as u32, dropped, kind));
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
    kept.keep(Space::Fourth, shared_at);

    // 5. Profiles. A component gets a slot the first time one of its identifiers is met (strong
    //    identifiers in id order, then time-bounded ones): per-profile state is then in tables
    //    as long as the profiles rather than as long as the union-find, and the two the members
    //    pass reads per identifier (4 bytes per profile) stay in cache. Strong members (not
    //    time-bounded) decide each component's anchor.
    // At most one slot per identifier (each identifier gives at most one): room for that up
    // front, untouched beyond the slots made, spares growing the table by copies.
    let mut slots: Table<Slot> = kept.table(Space::Second, n);
    // Per identifier: its slot, then (once the profiles are numbered) its profile.
    let mut profile_of = pages::filled(n, NONE);
    for x in 0..n {
        // Identifiers are read in order but their roots and slots are anywhere: a link of each
        // chain at a time, so no load waits on one that missed. The parent of the identifier
        // 3 × AHEAD on, the grandparent (the root, in trees this shallow) of the one 2 × AHEAD
        // on, the slot of the one AHEAD on.
        let up = |x: usize| dsu.el.get(x).map(|e| e.parent as usize);
        if let Some(p) = up(x + 3 * AHEAD) {
            prefetch(&dsu.el, p);
        }
        if let Some(gp) = up(x + 2 * AHEAD).and_then(up) {
            prefetch(&dsu.el, gp);
        }
        if let Some(s) = up(x + AHEAD)
            .and_then(up)
            .and_then(|gp| dsu.el.get(gp))
            .and_then(Elem::slot)
        {
            prefetch(&slots, s as usize);
        }
        let kind = kind_index(g.ids.kind(x as u32));
        if guard.shared(kind as u8, x as u32) || rules.window[kind].is_some() {
            continue;
        }
        let r = dsu.find(x as u32);
        let s = dsu.slot(r, &mut slots);
        profile_of[x] = s;
        let sl = &mut slots[s as usize];
        sl.anchor = sl.anchor.min((rank_of(x as u32), g.ids.hash(x as u32)));
        sl.add(g.seen.get(x), tally[x]);
    }
    // Time-bounded identifiers join the component holding the most of their sessions, preferring
    // components with a strong identifier, then the strongest anchor, then the earliest session.
    let mut split_sessions = Vec::new();
    if !session_id.is_empty() {
        // Sorted by identifier (then root, then session), in buckets of identifiers.
        let shift = bucket_shift(n, session_id.len());
        let pairs: Table<(u32, u32, u32)> = bucket_sort(
            (n >> shift) + 1,
            session_id.iter().map(|&x| (x >> shift) as usize),
            session_id.iter().enumerate().map(|(s, &x)| {
                if let Some(el) = dsu.el.get(n + s + AHEAD) {
                    prefetch(&dsu.el, el.parent as usize);
                }
                let e = (n + s) as u32;
                (x, dsu.find(e), e)
            }),
            |&(x, _, _)| (x >> shift) as usize,
            kept.table(Space::Fourth, session_id.len()),
        );
        // Their own keys join the anchors once every one is placed: the choice reads the
        // anchors of the strong members only.
        // (At most one per session: room up front, on huge pages.)
        let mut late: Vec<(u32, (u8, u64))> = pages::with_capacity(pairs.len());
        // Identifiers are read in order here, but their state and their roots' are anywhere:
        // each pair's is loaded 2 × AHEAD pairs early, and its root's slot AHEAD early.
        let (kinds, hashes) = g.ids.columns();
        let (mut near, mut far) = (0usize, 0usize);
        let mut i = 0;
        while i < pairs.len() {
            while far < pairs.len() && far < i + 2 * AHEAD {
                let (x, r, _) = pairs[far];
                let x = x as usize;
                prefetch(&dsu.el, r as usize);
                prefetch(&profile_of, x);
                prefetch(&tally, x);
                prefetch(&g.seen, x);
                prefetch(kinds, x);
                prefetch(hashes, x);
                far += 1;
            }
            while near < far && near < i + AHEAD {
                if let Some(s) = dsu.el.get(pairs[near].1 as usize).and_then(Elem::slot) {
                    prefetch(&slots, s as usize);
                }
                near += 1;
            }
            let x = pairs[i].0;
            let mut j = i;
            let mut best: Option<(
                (
                    bool,
                    u32,
                    std::cmp::Reverse<(u8, u64)>,
                    std::cmp::Reverse<u32>,
                ),
                u32,
            )> = None;
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
                let a = dsu.el[r as usize]
                    .slot()
                    .map_or((u8::MAX, u64::MAX), |s| slots[s as usize].anchor);
                let score = (
                    a.0 != u8::MAX,
                    count,
                    std::cmp::Reverse(a),
                    std::cmp::Reverse(earliest),
                );
                if best.as_ref().is_none_or(|(b, _)| score > *b) {
                    best = Some((score, r));
                }
                j = k;
            }
            if let Some((_, r)) = best {
                let s = dsu.slot(r, &mut slots);
                profile_of[x as usize] = s;
                slots[s as usize].add(g.seen.get(x as usize), tally[x as usize]);
                late.push((s, (rank_of(x), g.ids.hash(x))));
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
        kept.keep(Space::Fourth, pairs);
    }
    kept.keep(Space::First, dsu.el);
    kept.keep(Space::Third, tally);

    // Number the profiles by their anchor hash (the profile id), deterministic: the root breaks
    // ties between equal hashes, as it is unique.
    let np = slots.len();
    let profile_key = |sl: &Slot| fmix64(sl.anchor.1 ^ 0x6f32_6f00);
    // Sorted in buckets of the hash's top bits (hashes spread evenly).
    let bits = (usize::BITS - (np / 16).leading_zeros()).clamp(1, 16);
    let top = |h: u64| (h >> (64 - bits)) as usize;
    let numbering: Table<(u64, u32, u32)> = bucket_sort(
        1 << bits,
        slots.iter().map(|sl| top(profile_key(sl))),
        slots
            .iter()
            .enumerate()
            .map(|(s, sl)| (profile_key(sl), sl.root, s as u32)),
        |&(h, _, _)| top(h),
        kept.table(Space::Third, np),
    );
    let mut profile_of_slot: Vec<u32> = pages::zeroed(np);
    // The profiles' own tables (a few MB each) on huge pages too: on small ones, their first
    // writes fault about 9,000 times at 10 M observations.
    let mut starts = pages::with_capacity(np + 1);
    starts.push(0u32);
    let (mut first_seen, mut last_seen) = (pages::with_capacity(np), pages::with_capacity(np));
    let mut n_obs = pages::with_capacity(np);
    let (mut source_starts, mut sources) = (pages::with_capacity(np + 1), Vec::new());
    source_starts.push(0u32);
    for (p, &(_, _, s)) in numbering.iter().enumerate() {
        // Slots are read in profile order, which is no order: load each AHEAD profiles early.
        if let Some(&(_, _, ahead)) = numbering.get(p + AHEAD) {
            prefetch(&slots, ahead as usize);
        }
        profile_of_slot[s as usize] = p as u32;
        let sl = &slots[s as usize];
        starts.push(starts[p] + sl.size);
        first_seen.push(sl.first);
        last_seen.push(sl.last);
        n_obs.push(sl.observations);
        let mut bits = sl.sources;
        pages::reserve(&mut sources, bits.count_ones() as usize);
        while bits != 0 {
            sources.push(by_name[bits.trailing_zeros() as usize]);
            bits &= bits - 1;
        }
        source_starts.push(sources.len() as u32);
    }
    let profile_hash: Vec<u64> = pages::collected(numbering.iter().map(|&(h, _, _)| h));
    kept.keep(Space::Second, slots);
    kept.keep(Space::Third, numbering);
    // Members with their sort keys beside them (read in id order here, not per member later).
    // The per-profile tables read here are a few MB: only the writes of members go far.
    let mut fill = starts.clone();
    let mut keyed: Table<(u8, u64, u32)> =
        kept.filled(Space::First, starts[np] as usize, (0, 0, 0));
    // Each identifier's chain (slot → profile → fill position → member entry) is loaded a
    // link at a time: the profile 3 × AHEAD ids early, its fill position 2 × AHEAD early, the
    // entry it writes AHEAD early, so no load waits on one that missed.
    let profile_at = |profile_of: &[u32], x: usize| {
        profile_of
            .get(x)
            .and_then(|&s| profile_of_slot.get(s as usize).copied())
    };
    for x in 0..n {
        if let Some(&s) = profile_of.get(x + 3 * AHEAD) {
            prefetch(&profile_of_slot, s as usize);
        }
        if let Some(p) = profile_at(&profile_of, x + 2 * AHEAD) {
            prefetch(&fill, p as usize);
        }
        if let Some(&f) = profile_at(&profile_of, x + AHEAD).and_then(|p| fill.get(p as usize)) {
            prefetch(&keyed, f as usize);
        }
        let s = profile_of[x];
        if s == NONE {
            continue;
        }
        let p = profile_of_slot[s as usize];
        profile_of[x] = p;
        let f = &mut fill[p as usize];
        keyed[*f as usize] = (rank_of(x as u32), g.ids.hash(x as u32), x as u32);
        *f += 1;
    }
    drop((fill, profile_of_slot));
    for p in 0..np {
        let ms = &mut keyed[starts[p] as usize..starts[p + 1] as usize];
        ms.sort_unstable_by_key(|&(r, h, _)| (r, h));
    }
    let members: Vec<u32> = pages::collected(keyed.iter().map(|&(_, _, x)| x));
    kept.keep(Space::First, keyed);
    if !few_sources {
        // Pairs of (profile, source by name), sorted: the profiles' lists, in profile order.
        let mut by_profile: Vec<(u32, u32)> = src_pairs
            .iter()
            .filter_map(|&(x, s)| Some((*profile_of.get(x as usize)?, s)))
            .filter(|&(p, _)| p != NONE)
            .collect();
        by_profile.sort_unstable();
        by_profile.dedup();
        let mut at = 0;
        for p in 0..np {
            while let Some(&(_, s)) = by_profile.get(at).filter(|e| e.0 as usize == p) {
                sources.push(by_name[s as usize]);
                at += 1;
            }
            source_starts[p + 1] = sources.len() as u32;
        }
    }
    Resolution {
        profile_of,
        starts,
        members,
        profile_hash,
        first_seen,
        last_seen,
        n_obs,
        source_starts,
        sources,
        hubs: guard.hubs,
        audit,
        split_sessions,
    }
}

/// Plain connected components of `links` over `nodes` nodes (union-find, no rules): the baseline
/// the networkx comparison runs against. Returns the number of components.
///
/// ```
/// use o2o_core::identity::connected_components;
/// assert_eq!(connected_components(4, [(0, 1), (2, 3), (1, 0)]), 2);
/// ```
pub fn connected_components(nodes: usize, links: impl IntoIterator<Item = (u32, u32)>) -> usize {
    let mut parent: Vec<u32> = (0..nodes as u32).collect();
    let mut size = vec![1u32; nodes];
    let mut components = nodes;
    let mut links = links
        .into_iter()
        .filter(|&(a, b)| (a as usize) < nodes && (b as usize) < nodes);
    // Links are read a chunk ahead and their nodes prefetched while the previous chunk is joined.
    const CHUNK: usize = 64;
    let (mut cur, mut ahead): (Vec<(u32, u32)>, Vec<(u32, u32)>) =
        (Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK));
    loop {
        std::mem::swap(&mut cur, &mut ahead);
        ahead.clear();
        ahead.extend(links.by_ref().take(CHUNK));
        for &(a, b) in &ahead {
            prefetch(&parent, a as usize);
            prefetch(&parent, b as usize);
        }
        if cur.is_empty() && ahead.is_empty() {
            break;
        }
        for &(a, b) in &cur {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            if ra != rb {
                // Union by size keeps the trees shallow.
                let (big, small) = if size[ra as usize] >= size[rb as usize] {
                    (ra, rb)
                } else {
                    (rb, ra)
                };
                parent[small as usize] = big;
                size[big as usize] += size[small as usize];
                components -= 1;
            }
        }
    }
    components
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Bucket sorting gives the plain sort, whatever the bucket sizes (empty, one, uneven).
        #[test]
        fn bucket_sort_is_a_sort(
            items in proptest::collection::vec((0u32..5000, any::<u32>(), any::<u32>()), 0..3000),
        ) {
            let shift = bucket_shift(5000, items.len());
            let bucket = |&(x, _, _): &(u32, u32, u32)| (x >> shift) as usize;
            let got = bucket_sort(
                (5000 >> shift) + 1,
                items.iter().map(bucket),
                items.iter().copied(),
                bucket,
                Table::new(),
            );
            let mut want = items.clone();
            want.sort_unstable();
            prop_assert_eq!(&got[..], &want[..]);
        }

        /// Partitioning is a stable sort by bucket, and says where each bucket ends.
        #[test]
        fn partition_is_a_stable_sort_by_bucket(
            items in proptest::collection::vec((0u32..5000, any::<u32>()), 0..3000),
            shift in 0u32..14,
        ) {
            let bucket = |&(x, _): &(u32, u32)| (x >> shift) as usize;
            let buckets = (5000 >> shift) + 1;
            // Into a table holding other items already, which are replaced.
            let mut got = Table::new();
            got.extend((0..items.len() / 2).map(|i| (i as u32, 7)));
            let ends = partition_into(
                buckets,
                items.iter().map(bucket),
                items.iter().copied(),
                bucket,
                &mut got,
            );
            let mut want = items.clone();
            want.sort_by_key(bucket);
            prop_assert_eq!(&got[..], &want[..]);
            prop_assert_eq!(ends.len(), buckets + 1);
            for (b, w) in ends.windows(2).enumerate() {
                prop_assert!(got[w[0] as usize..w[1] as usize].iter().all(|i| bucket(i) == b));
            }
            prop_assert_eq!(ends[buckets] as usize, items.len());
        }
    }
}
