//! What resolution reads, borrowed from the graph: the observations, each identifier's kind,
//! hash and sightings, the source names and the compiled rules. Resolution depends on this
//! type, not on the graph, so the graph can call it without the two importing each other.

use crate::event::IdKind;
use crate::identity::intern::{fmix64, stable_hash};
use crate::identity::observations::Observations;
use crate::identity::rules::CompiledRules;

/// The record to resolve. Identifiers are numbered `0..identifiers()`; `kinds`, `hashes` and
/// `seen` are indexed by that number.
#[derive(Clone, Copy)]
pub(crate) struct Input<'a> {
    pub rules: &'a CompiledRules,
    pub obs: &'a Observations,
    /// Each identifier's kind.
    pub kinds: &'a [IdKind],
    /// Each identifier's stable hash (`intern::stable_hash`): it orders identifiers of equal
    /// priority and names profiles.
    pub hashes: &'a [u64],
    /// Each identifier's first and last sighting (Unix seconds).
    pub seen: &'a [(i64, i64)],
    /// Source names, by source number.
    pub sources: &'a [String],
}

impl Input<'_> {
    /// Distinct identifiers.
    #[inline]
    pub fn identifiers(&self) -> usize {
        self.kinds.len()
    }

    /// The kind of identifier `x` (below `identifiers()`).
    #[inline]
    pub fn kind(&self, x: u32) -> IdKind {
        self.kinds[x as usize]
    }

    /// The hash of identifier `x` (below `identifiers()`).
    #[inline]
    pub fn hash(&self, x: u32) -> u64 {
        self.hashes[x as usize]
    }

    /// The rank of identifier `x`'s kind (0 the strongest).
    #[inline]
    pub fn rank_of(&self, x: u32) -> u8 {
        self.rules.rank_of(self.kind(x))
    }

    /// Stable hashes of the sources, by source number (for [`Self::obs_key`]).
    pub fn source_hashes(&self) -> Vec<u64> {
        self.sources
            .iter()
            .map(|s| stable_hash(IdKind::Country, s.as_bytes()))
            .collect()
    }

    /// Order-free hash of observation `o`'s content (identifiers and source): it orders
    /// observations with equal timestamps, so two tie only when they are identical. Computed
    /// when needed rather than stored (8 bytes an observation saved).
    pub fn obs_key(&self, o: usize, source_hashes: &[u64]) -> u64 {
        let (mut sum, mut xor) = (0u64, 0u64);
        for &i in self.obs.ids_of(o) {
            let h = self.hash(i);
            sum = sum.wrapping_add(fmix64(h));
            xor ^= h;
        }
        let src_hash = source_hashes
            .get(self.obs.src[o] as usize)
            .copied()
            .unwrap_or_default();
        fmix64(sum ^ xor.rotate_left(17) ^ src_hash)
    }
}
