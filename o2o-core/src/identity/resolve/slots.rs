//! Profiles, first pass: every component holding a strong identifier (one not time-bounded)
//! gets a slot the first time one of its identifiers is met, in id order. Per-profile state is
//! then in tables as long as the profiles rather than as long as the union-find, and the two
//! tables the members pass reads per identifier (4 bytes per profile) stay in cache. Strong
//! members decide each component's anchor.

use super::elements::{Dsu, Elem};
use super::hub::Guard;
use super::input::Input;
use super::kernels::{AHEAD, prefetch};
use crate::identity::memory::pages;
use crate::identity::memory::tables::{Space, Table, Tables};
use crate::identity::resolution::NONE;
use crate::identity::rules::kind_index;

/// A profile's strongest identifier, as (rank, hash): the smallest names the profile. `NONE`
/// stands for no member yet (it is larger than any).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Anchor {
    pub rank: u8,
    pub hash: u64,
}

impl Anchor {
    pub const NONE: Anchor = Anchor {
        rank: u8::MAX,
        hash: u64::MAX,
    };
}

/// A profile while it is built, indexed by slot (the order its component was first met). What
/// an identifier adds to its profile sits in these 56 bytes, together.
#[derive(Clone, Copy)]
pub(super) struct Slot {
    /// The strongest member so far: its hash is the profile id.
    pub anchor: Anchor,
    pub first: i64,
    pub last: i64,
    /// The component's root element: it orders profiles whose anchors hash alike.
    pub root: u32,
    pub size: u32,
    pub observations: u64,
    pub sources: u32,
}

const _: () = assert!(std::mem::size_of::<Slot>() == 56);

/// Observations counted for an identifier, and their sources as bits (when there are at most
/// 32): 8 bytes, as one is kept per identifier while the union-find is at its largest.
#[derive(Clone, Copy, Default)]
pub(super) struct Tally {
    pub observations: u32,
    pub sources: u32,
}

impl Slot {
    /// The empty slot of the component rooted at `root`.
    pub fn new(root: u32) -> Self {
        Slot {
            anchor: Anchor::NONE,
            first: i64::MAX,
            last: i64::MIN,
            root,
            size: 0,
            observations: 0,
            sources: 0,
        }
    }

    /// A member joins: one more, its first and last sightings widen the profile's, and the
    /// observations counted for it are the profile's.
    #[inline]
    pub fn add(&mut self, seen: Option<&(i64, i64)>, tally: Tally) {
        self.size += 1;
        self.observations += u64::from(tally.observations);
        self.sources |= tally.sources;
        if let Some(&(first, last)) = seen {
            self.first = self.first.min(first);
            self.last = self.last.max(last);
        }
    }
}

/// The slots of the components holding strong identifiers, and each identifier's slot
/// (`NONE` for shared and time-bounded identifiers, placed later).
pub(super) struct Slots {
    pub slots: Table<Slot>,
    /// Per identifier: its slot (then, once the profiles are numbered, its profile).
    pub profile_of: Vec<u32>,
}

/// Give every strong identifier's component a slot, and add the identifier to it.
pub(super) fn strong_members(
    input: &Input<'_>,
    guard: &Guard,
    dsu: &mut Dsu,
    tally: &Table<Tally>,
    scratch: &mut Tables,
) -> Slots {
    let n = input.identifiers();
    let rules = input.rules;
    // At most one slot per identifier (each identifier gives at most one): room for that up
    // front, untouched beyond the slots made, spares growing the table by copies.
    let mut slots: Table<Slot> = scratch.table(Space::Slots, n);
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
        let kind = kind_index(input.kind(x as u32));
        if guard.shared(kind as u8, x as u32) || rules.window[kind].is_some() {
            continue;
        }
        let r = dsu.find(x as u32);
        let s = dsu.slot(r, &mut slots);
        profile_of[x] = s;
        let sl = &mut slots[s as usize];
        sl.anchor = sl.anchor.min(Anchor {
            rank: input.rank_of(x as u32),
            hash: input.hash(x as u32),
        });
        sl.add(input.seen.get(x), tally[x]);
    }
    Slots { slots, profile_of }
}
