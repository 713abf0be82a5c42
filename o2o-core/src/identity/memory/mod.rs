//! Memory for the identity graph and its resolver: the only module of the crate allowed
//! `unsafe` code (`#![deny(unsafe_code)]` at the crate root, allowed here alone).
//!
//! - [`pages`]: large vectors that ask the kernel for huge pages (`madvise`);
//! - [`tables`]: raw blocks a resolution keeps between runs, and the tables it builds on them;
//! - [`prefetch`]: a cache hint for the resolver's random accesses;
//! - [`Scratch`]: the caller-owned working memory that holds [`tables::Tables`] between
//!   resolutions (as `regex-automata`'s `Cache` holds a regex's).
//!
//! Every `unsafe` block states why it is sound in a `SAFETY` comment beside it.

pub(crate) mod pages;
pub(crate) mod tables;

use tables::Tables;

/// Start loading `v[i]` into the cache without waiting for it. Resolution visits identifiers in
/// random order, so it is bound by memory latency; loading the next observations' state while
/// working on this one overlaps those waits. A no-op off x86-64 and for `i` out of range.
#[inline(always)]
pub(crate) fn prefetch<T>(v: &[T], i: usize) {
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

/// Working memory for resolving an [`IdentityGraph`](super::IdentityGraph), owned by the
/// caller and reused from one resolution to the next.
///
/// A resolution writes large working tables (about 50 bytes per identifier, counting what they
/// touch). Without a scratch they are allocated and freed by each resolution; with one, they
/// stay on it, so the next resolution, after more observations, writes memory that is resident
/// already rather than fresh pages (which cost a resolve about a seventh of its time on a VM
/// that hands freed memory back to its host; docs/performance.md). A graph resolved once, or
/// rarely, needs none. Dropping the scratch (or [`Scratch::release`]) gives the memory back.
///
/// One scratch serves one resolution at a time (it is borrowed mutably), any graph, any size.
/// It holds identifier numbers and hashes of the last resolution, never values.
///
/// ```
/// use o2o_core::identity::{IdentityGraph, ResolutionRules, Scratch};
/// let g = IdentityGraph::new(ResolutionRules::default()).unwrap();
/// let mut scratch = Scratch::new();
/// assert_eq!(g.profiles_with(&mut scratch).len(), 0);
/// scratch.release();
/// assert_eq!(scratch.bytes(), 0);
/// ```
#[derive(Default)]
pub struct Scratch {
    pub(crate) tables: Tables,
}

impl Scratch {
    /// An empty scratch: it takes memory at its first resolution.
    #[must_use]
    pub fn new() -> Self {
        Scratch::default()
    }

    /// Bytes of address space held. What is resident is what the last resolution touched of
    /// it (room a table reserves stays virtual until written).
    #[must_use]
    pub fn bytes(&self) -> usize {
        self.tables.bytes()
    }

    /// Give the memory back (the next resolution with this scratch allocates anew).
    pub fn release(&mut self) {
        self.tables = Tables::default();
    }
}

impl std::fmt::Debug for Scratch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scratch")
            .field("bytes", &self.bytes())
            .finish()
    }
}
