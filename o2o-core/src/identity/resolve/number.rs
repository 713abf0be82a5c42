//! Profiles, third pass: number the slots by their anchor's hash (the profile id), the root
//! breaking ties between equal hashes (it is unique), and lay out the per-profile tables in
//! that order.

use super::kernels::{AHEAD, bucket_sort, prefetch};
use super::slots::Slot;
use crate::identity::intern::fmix64;
use crate::identity::memory::pages;
use crate::identity::memory::tables::{Space, Table, Tables};

/// A slot's place in the numbering: sorted, these give the profiles in id order.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
struct Numbered {
    /// The profile id.
    hash: u64,
    root: u32,
    slot: u32,
}

/// The per-profile tables, in profile order.
pub(super) struct Numbering {
    /// Per slot, its profile.
    pub profile_of_slot: Vec<u32>,
    /// Members of profile `p` will be `starts[p]..starts[p + 1]`.
    pub starts: Vec<u32>,
    pub profile_hash: Vec<u64>,
    pub first_seen: Vec<i64>,
    pub last_seen: Vec<i64>,
    pub n_obs: Vec<u64>,
    /// Sources of profile `p`: `sources[source_starts[p]..source_starts[p + 1]]`. Filled from
    /// the slots' bits when there are at most 32 sources; left empty for the members pass to
    /// fill otherwise.
    pub source_starts: Vec<u32>,
    pub sources: Vec<u32>,
}

/// The profile id of a slot: a hash of its anchor's.
fn profile_key(sl: &Slot) -> u64 {
    fmix64(sl.anchor.hash ^ 0x6f32_6f00)
}

/// Number the slots and lay out their tables. `by_name[b]` is the source of bit `b`.
pub(super) fn number(slots: Table<Slot>, by_name: &[u32], scratch: &mut Tables) -> Numbering {
    let np = slots.len();
    // Sorted in buckets of the hash's top bits (hashes spread evenly).
    let bits = (usize::BITS - (np / 16).leading_zeros()).clamp(1, 16);
    let top = |h: u64| (h >> (64 - bits)) as usize;
    let numbering: Table<Numbered> = bucket_sort(
        1 << bits,
        slots.iter().map(|sl| top(profile_key(sl))),
        slots.iter().enumerate().map(|(s, sl)| Numbered {
            hash: profile_key(sl),
            root: sl.root,
            slot: s as u32,
        }),
        |e| top(e.hash),
        scratch.table(Space::Tallies, np),
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
    for (p, e) in numbering.iter().enumerate() {
        // Slots are read in profile order, which is no order: load each AHEAD profiles early.
        if let Some(ahead) = numbering.get(p + AHEAD) {
            prefetch(&slots, ahead.slot as usize);
        }
        profile_of_slot[e.slot as usize] = p as u32;
        let sl = &slots[e.slot as usize];
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
    let profile_hash: Vec<u64> = pages::collected(numbering.iter().map(|e| e.hash));
    scratch.keep(Space::Slots, slots);
    scratch.keep(Space::Tallies, numbering);
    Numbering {
        profile_of_slot,
        starts,
        profile_hash,
        first_seen,
        last_seen,
        n_obs,
        source_starts,
        sources,
    }
}
