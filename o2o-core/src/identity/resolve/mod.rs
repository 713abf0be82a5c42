//! Resolution: observations → profiles, in a canonical order so the result never depends on the
//! order events arrived in. [`resolve`] runs the passes below, one module each; the design notes
//! (what each pass keeps in memory, and why it is laid out as it is) are in
//! `docs/dev/identity-resolver.md`.
//!
//! 1. [`order`]: observations by `(timestamp, content hash)`.
//! 2. [`hub`]: the hub guard, from global counts before any linking: an identifier of a guarded
//!    kind seen with more than N distinct higher-priority identifiers is shared.
//! 3. [`sessions`]: an identifier of a time-bounded kind becomes one union-find element per
//!    session; observations are queued by the rank of their weakest kind; each observation is
//!    counted for its strongest identifier.
//! 4. [`link`]: union-find ([`elements`]), strongest evidence first; a union that would break a
//!    per-profile limit drops the observation's weakest identifier instead (audited).
//! 5. Profiles: [`slots`] for the components of strong identifiers, [`assign`] for the
//!    time-bounded ones, [`number`] by anchor hash (the profile id), [`members`] in each.
//!
//! The passes read a typed [`Input`] (not the graph), share the kernels of [`kernels`], and keep
//! their largest tables on the caller's [`Tables`] (`memory::tables`). The result is exactly
//! the one the straightforward algorithm gives (`reference.rs`, compared by proptests).

mod assign;
mod elements;
mod hub;
mod input;
mod kernels;
mod link;
mod members;
mod number;
mod order;
mod sessions;
mod slots;
mod sources;

#[cfg(test)]
pub(crate) use assign::SessionScore;
pub(crate) use input::Input;
pub(crate) use kernels::{prefetch, root};
#[cfg(test)]
pub(crate) use slots::Anchor;

use crate::identity::memory::tables::{Space, Tables};
use crate::identity::resolution::Resolution;
use order::Order;
use sources::SourceNames;

/// Resolve `input`'s observations into profiles, keeping the largest working tables on
/// `scratch` (which may hold the tables of an earlier resolution, of any size).
pub(crate) fn resolve(input: &Input<'_>, scratch: &mut Tables) -> Resolution {
    let order = Order::canonical(input);
    let guard = hub::guard(input, scratch);
    let names = SourceNames::new(input.sources);
    let sessions::Sessions {
        mut dsu,
        session_id,
        buckets,
        tally,
        src_pairs,
    } = sessions::sessions(input, &order, &guard, &names, scratch);
    let audit = link::link(input, &order, &guard, &mut dsu, buckets, scratch);
    let mut slots = slots::strong_members(input, &guard, &mut dsu, &tally, scratch);
    let split_sessions =
        assign::time_bounded(input, &session_id, &mut dsu, &tally, &mut slots, scratch);
    drop(session_id);
    scratch.keep(Space::Elements, dsu.el);
    scratch.keep(Space::Tallies, tally);
    let slots::Slots {
        slots,
        mut profile_of,
    } = slots;
    let mut numbering = number::number(slots, &names.by_name, scratch);
    let members = members::members(input, &mut profile_of, &mut numbering, scratch);
    if !names.few {
        members::many_sources(&profile_of, &src_pairs, &names.by_name, &mut numbering);
    }
    let number::Numbering {
        starts,
        profile_hash,
        first_seen,
        last_seen,
        n_obs,
        source_starts,
        sources,
        ..
    } = numbering;
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
