//! The union-find the linking runs on. Its elements are the identifiers (elements
//! `0..identifiers`) and, after them, one element per session of a time-bounded identifier.
//! Each root keeps per-kind counts (for the limits) and a ring through its component's
//! elements (to walk a component when a windowed limit must be checked).

use super::slots::Slot;
use crate::event::IdKind;
use crate::identity::intern::{AMap, ahash_state};
use crate::identity::memory::tables::Table;
use crate::identity::rules::{CompiledRules, LINK_KINDS};

/// One union-find element (an identifier, or one session of a time-bounded identifier). Every
/// field a union reads or writes sits in these 16 bytes, since elements are visited in random
/// order: the ring link lives here rather than in an array of its own, which cost a second
/// cache miss per union. Counts take a byte per kind so that an element is 16 bytes (four per
/// cache line); the rare component with 255 or more identifiers of one kind keeps its exact
/// counts beside the union-find (`Dsu::big`).
#[derive(Clone, Copy)]
pub(super) struct Elem {
    pub parent: u32,
    /// Next member of the component's ring (a cycle through all its elements).
    pub next: u32,
    /// Per linkable kind, identifiers of that kind in the component (valid at roots), up to
    /// `SATURATED` (the exact count is then in `Dsu::big`). Their sum is the size union by
    /// size reads.
    pub counts: [u8; LINK_KINDS],
    /// Kind index.
    pub kind: u8,
}

// Four elements per cache line (see `Elem`).
const _: () = assert!(std::mem::size_of::<Elem>() == 16);

/// A count byte at this value means "this many or more": the exact counts are in `Dsu::big`.
const SATURATED: u8 = u8::MAX;

/// The kind byte of a root that has a profile slot (kinds are below `KINDS`).
const TAKEN: u8 = u8::MAX;

/// The session state of a time-bounded identifier while the sessions are made (see
/// [`Elem::session`]).
#[derive(Clone, Copy)]
pub(super) struct Session {
    /// Its current session element (0 for none: session elements follow the identifiers).
    pub current: u32,
    /// Its last sighting.
    pub last: i64,
}

impl Elem {
    pub fn new(e: u32, kind: usize) -> Self {
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
    #[inline]
    pub fn slot(&self) -> Option<u32> {
        (self.kind == TAKEN).then_some(self.next)
    }

    /// The element of an identifier of a time-bounded kind before any session: see `session`.
    pub fn unseen(kind: usize) -> Self {
        let mut e = Elem::new(0, kind);
        e.set_session(Session {
            current: 0,
            last: 0,
        });
        e
    }

    /// An identifier of a time-bounded kind is never linked itself (its sessions are), so while
    /// the sessions are made its element holds its current session element and its last
    /// sighting, the time in the parent and the first four count bytes. That spares a table of
    /// its own, 16 bytes per identifier of fresh memory, and its element is where the sessions'
    /// elements are looked up anyway. The element is made anew (`Elem::new`) once the sessions
    /// are made.
    #[inline]
    pub fn session(&self) -> Session {
        let [a, b, c, d, ..] = self.counts;
        let high = u32::from_le_bytes([a, b, c, d]);
        Session {
            current: self.next,
            last: (u64::from(high) << 32 | u64::from(self.parent)) as i64,
        }
    }

    #[inline]
    pub fn set_session(&mut self, s: Session) {
        let last = s.last as u64;
        self.next = s.current;
        self.parent = last as u32;
        let [a, b, c, d] = ((last >> 32) as u32).to_le_bytes();
        self.counts[..4].copy_from_slice(&[a, b, c, d]);
    }
}

/// Union-find over elements (identifiers and sessions), with per-root kind counts and a ring of
/// members per component (to walk a component when a windowed limit must be checked).
pub(super) struct Dsu {
    pub el: Table<Elem>,
    /// Identifiers are elements `0..ids`; sessions follow.
    pub ids: usize,
    /// Start of each session element (element `ids + i` at `i`) of a kind with a windowed
    /// limit, the only ones a limit check reads; left at zero for the others (the table comes
    /// zeroed, so what is never written is never touched: with the default rules, the IP
    /// sessions, 34 MB at 10 M observations). An identifier's first sighting is the graph's
    /// (`Input::seen`).
    pub first: Vec<i64>,
    /// Exact per-kind counts of the roots with a count at `SATURATED` (and only of those).
    big: AMap<u32, [u32; LINK_KINDS]>,
}

impl Dsu {
    /// A union-find of `ids` identifiers on `el` (filled by the caller), and session starts in
    /// `first` (see the field).
    pub fn new(el: Table<Elem>, ids: usize, first: Vec<i64>) -> Self {
        Dsu {
            el,
            ids,
            first,
            big: AMap::with_hasher(ahash_state()),
        }
    }

    /// A new session element of `kind`, starting at `first` where a limit will read it.
    #[inline]
    pub fn push(&mut self, kind: usize, first: Option<i64>) -> u32 {
        let e = self.el.len() as u32;
        self.el.push(Elem::new(e, kind));
        if let (Some(t), Some(s)) = (first, (e as usize).checked_sub(self.ids))
            && let Some(f) = self.first.get_mut(s)
        {
            *f = t;
        }
        e
    }

    /// The profile slot of root `r`, made (appended to `slots`) the first time. Linking is done
    /// by then, so the ring links and kinds are no longer read: a root's ring link holds its
    /// slot and its kind byte says so.
    #[inline]
    pub fn slot(&mut self, r: u32, slots: &mut Table<Slot>) -> u32 {
        let e = &mut self.el[r as usize];
        if let Some(s) = e.slot() {
            return s;
        }
        let s = slots.len() as u32;
        slots.push(Slot::new(r));
        e.kind = TAKEN;
        e.next = s;
        s
    }

    #[inline]
    pub fn find(&mut self, mut x: u32) -> u32 {
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
        if c.contains(&SATURATED)
            && let Some(exact) = self.big.get(&r)
        {
            return *exact;
        }
        c.map(u32::from)
    }

    #[inline]
    pub fn union(&mut self, a: u32, b: u32) -> u32 {
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
    pub fn violates(
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
            if self.window_broken(k, limit.max, window, seen, roots, times) {
                return Some(*kind);
            }
        }
        None
    }

    /// Whether merging `roots` would break kind `k`'s limit (by kind index): [`Dsu::violates`]
    /// for one kind. Whether a limit breaks only grows as roots are added (totals and first
    /// sightings only accumulate), which the linking of long observations relies on.
    pub fn violates_kind(
        &self,
        rules: &CompiledRules,
        seen: &[(i64, i64)],
        roots: &[u32],
        k: usize,
        times: &mut Vec<i64>,
    ) -> bool {
        let Some(limit) = rules.limit.get(k).copied().flatten() else {
            return false;
        };
        let mut total = 0u32;
        for &r in roots {
            total = total.saturating_add(self.counts(r).get(k).copied().unwrap_or(0));
        }
        if total <= limit.max {
            return false;
        }
        match limit.window_secs {
            None => true,
            Some(window) => self.window_broken(k, limit.max, window, seen, roots, times),
        }
    }

    /// Whether more than `max` identifiers of kind `k` in the components of `roots` were first
    /// seen within `window` seconds of each other.
    fn window_broken(
        &self,
        k: usize,
        max: u32,
        window: i64,
        seen: &[(i64, i64)],
        roots: &[u32],
        times: &mut Vec<i64>,
    ) -> bool {
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
        let max = max as usize;
        times
            .iter()
            .zip(times.iter().skip(max))
            .any(|(a, b)| b.saturating_sub(*a) < window)
    }
}
