//! The observations a graph records, as flat columns: one entry per observation, its
//! identifiers (interned ids, strongest first) and their kinds side by side in `ids` and
//! `kinds`. Resolution reads them sequentially.

/// The observations, in flat arrays (one entry per observation, identifiers in `ids`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Observations {
    pub ts: Vec<i64>,
    pub src: Vec<u32>,
    /// End of observation `i`'s identifiers in `ids`; it starts at `ends[i - 1]`.
    pub ends: Vec<u32>,
    pub ids: Vec<u32>,
    /// Kind index ([`super::rules::kind_index`]) of each entry of `ids`, so resolution reads
    /// kinds sequentially instead of looking each identifier up.
    pub kinds: Vec<u8>,
}

impl Observations {
    pub fn len(&self) -> usize {
        self.ts.len()
    }

    pub fn ids_of(&self, i: usize) -> &[u32] {
        &self.ids[self.span(i)]
    }

    /// Where observation `i`'s entries lie in `ids` and `kinds`.
    pub fn span(&self, i: usize) -> std::ops::Range<usize> {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        start..self.ends[i] as usize
    }
}
