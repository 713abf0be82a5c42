//! Profiles, last pass: each identifier's slot becomes its profile, and each profile's members
//! are listed strongest first. With more than 32 sources, the profiles' sources are gathered
//! here too (with fewer, the slots carried them as bits).

use super::input::Input;
use super::kernels::{AHEAD, prefetch};
use super::number::Numbering;
use crate::identity::memory::pages;
use crate::identity::memory::tables::{Space, Table, Tables};
use crate::identity::resolution::NONE;

/// A member with its sort key beside it (rank, then hash).
#[derive(Clone, Copy, Default)]
struct MemberKey {
    rank: u8,
    hash: u64,
    id: u32,
}

/// Turn `profile_of` from slots into profiles and list the members of each profile. Consumes
/// the numbering's slot table.
pub(super) fn members(
    input: &Input<'_>,
    profile_of: &mut [u32],
    numbering: &mut Numbering,
    scratch: &mut Tables,
) -> Vec<u32> {
    let n = input.identifiers();
    let starts = &numbering.starts;
    let np = starts.len() - 1;
    let profile_of_slot = std::mem::take(&mut numbering.profile_of_slot);
    // Members with their sort keys beside them (read in id order here, not per member later).
    // The per-profile tables read here are a few MB: only the writes of members go far.
    let mut fill = starts.clone();
    let mut keyed: Table<MemberKey> =
        scratch.filled(Space::Elements, starts[np] as usize, MemberKey::default());
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
        if let Some(p) = profile_at(profile_of, x + 2 * AHEAD) {
            prefetch(&fill, p as usize);
        }
        if let Some(&f) = profile_at(profile_of, x + AHEAD).and_then(|p| fill.get(p as usize)) {
            prefetch(&keyed, f as usize);
        }
        let s = profile_of[x];
        if s == NONE {
            continue;
        }
        let p = profile_of_slot[s as usize];
        profile_of[x] = p;
        let f = &mut fill[p as usize];
        keyed[*f as usize] = MemberKey {
            rank: input.rank_of(x as u32),
            hash: input.hash(x as u32),
            id: x as u32,
        };
        *f += 1;
    }
    drop((fill, profile_of_slot));
    for p in 0..np {
        let ms = &mut keyed[starts[p] as usize..starts[p + 1] as usize];
        ms.sort_unstable_by_key(|m| (m.rank, m.hash));
    }
    let members: Vec<u32> = pages::collected(keyed.iter().map(|m| m.id));
    scratch.keep(Space::Elements, keyed);
    members
}

/// With more than 32 sources: the profiles' sources from the (counted identifier, source by
/// name) pairs the sessions pass collected, in profile order, into the numbering's lists.
pub(super) fn many_sources(
    profile_of: &[u32],
    src_pairs: &[(u32, u32)],
    by_name: &[u32],
    numbering: &mut Numbering,
) {
    let np = numbering.starts.len() - 1;
    let (sources, source_starts) = (&mut numbering.sources, &mut numbering.source_starts);
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
