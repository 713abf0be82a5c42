//! Sets of TCF ids: [`IdSet`] for vendor ids (1 to 65535, looked up on hot paths, so a bitset)
//! and [`Flags`] for the small fixed-width purpose / feature vectors (ids 1 to 64).

/// A set of vendor ids as a bitset: O(1) membership, sorted iteration, at most 8 KiB.
///
/// ```
/// use o2o_core::consent::tcf::IdSet;
/// let s = IdSet::from_ids([3, 700, 5]);
/// assert!(s.contains(700) && !s.contains(4));
/// assert_eq!(s.iter().collect::<Vec<_>>(), vec![3, 5, 700]);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct IdSet {
    /// Bit `id % 64` of word `id / 64` is set when `id` is in the set. No trailing zero words
    /// (every growth sets a bit in the new last word), so derived equality is set equality.
    words: Vec<u64>,
}

impl IdSet {
    /// The empty set.
    #[must_use]
    pub fn new() -> Self {
        IdSet::default()
    }

    /// The set of `ids`.
    pub fn from_ids(ids: impl IntoIterator<Item = u16>) -> Self {
        let mut s = IdSet::new();
        for id in ids {
            s.insert(id);
        }
        s
    }

    fn grow(&mut self, words: usize) {
        if self.words.len() < words {
            self.words.resize(words, 0);
        }
    }

    /// Add `id`.
    pub fn insert(&mut self, id: u16) {
        let (w, b) = (usize::from(id) / 64, usize::from(id) % 64);
        self.grow(w + 1);
        if let Some(word) = self.words.get_mut(w) {
            *word |= 1 << b;
        }
    }

    /// Add every id in `lo..=hi` (nothing when `hi < lo`), a word at a time.
    pub fn insert_range(&mut self, lo: u16, hi: u16) {
        if hi < lo {
            return;
        }
        let (lo, hi) = (usize::from(lo), usize::from(hi));
        self.grow(hi / 64 + 1);
        for w in lo / 64..=hi / 64 {
            let from = if w == lo / 64 { lo % 64 } else { 0 };
            let to = if w == hi / 64 { hi % 64 } else { 63 };
            let mask = (u64::MAX >> (63 - to)) & (u64::MAX << from);
            if let Some(word) = self.words.get_mut(w) {
                *word |= mask;
            }
        }
    }

    /// OR in `k` ≤ 64 bits where bit `j` of `bits` stands for id `start + j` (bitfield decoding).
    pub(crate) fn or_bits(&mut self, start: usize, bits: u64) {
        if bits == 0 {
            return;
        }
        let top = start + 63 - bits.leading_zeros() as usize;
        self.grow(top / 64 + 1);
        let (w, b) = (start / 64, start % 64);
        if let Some(word) = self.words.get_mut(w) {
            *word |= bits << b;
        }
        if b > 0
            && let Some(word) = self.words.get_mut(w + 1)
        {
            *word |= bits >> (64 - b);
        }
    }

    /// Whether `id` is in the set.
    #[inline]
    #[must_use]
    pub fn contains(&self, id: u16) -> bool {
        self.words
            .get(usize::from(id) / 64)
            .is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// How many ids are in the set.
    #[must_use]
    pub fn len(&self) -> usize {
        self.words.iter().map(|w| w.count_ones() as usize).sum()
    }

    /// Whether the set is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }

    /// The largest id, if any.
    #[must_use]
    pub fn max(&self) -> Option<u16> {
        let (i, w) = self
            .words
            .iter()
            .enumerate()
            .rev()
            .find(|(_, w)| **w != 0)?;
        // Ids come from u16 values, so the position fits in a u16.
        Some((i * 64 + 63 - w.leading_zeros() as usize) as u16)
    }

    /// The ids in ascending order.
    pub fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        self.words.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                // Word i holds ids i*64..i*64+63 ≤ 65535.
                Some((i * 64 + b) as u16)
            })
        })
    }

    /// Maximal runs of consecutive ids as `(first, last)`, for range encoding.
    #[must_use]
    pub fn runs(&self) -> Vec<(u16, u16)> {
        let mut out: Vec<(u16, u16)> = Vec::new();
        for id in self.iter() {
            match out.last_mut() {
                Some((_, last)) if u32::from(*last) + 1 == u32::from(id) => *last = id,
                _ => out.push((id, id)),
            }
        }
        out
    }
}

/// A fixed-width vector of small ids (purposes 1–24, special features 1–12, custom purposes
/// 1–63): bit `id - 1` is set when `id` is.
///
/// ```
/// use o2o_core::consent::tcf::Flags;
/// let f = Flags::from_ids([1, 7]);
/// assert!(f.has(1) && f.has(7) && !f.has(2) && !f.has(0));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Flags(pub u64);

impl Flags {
    /// The flags with `ids` (1 to 64) set; other ids are ignored.
    pub fn from_ids(ids: impl IntoIterator<Item = u8>) -> Self {
        let mut bits = 0u64;
        for id in ids {
            if (1..=64).contains(&id) {
                bits |= 1 << (id - 1);
            }
        }
        Flags(bits)
    }

    /// Whether `id` is set (false for 0 and ids above 64).
    #[inline]
    #[must_use]
    pub fn has(self, id: u8) -> bool {
        (1..=64).contains(&id) && self.0 >> (id - 1) & 1 == 1
    }

    /// The ids set, ascending.
    #[must_use]
    pub fn ids(self) -> Vec<u8> {
        // Ids are 1..=64 so `i + 1` fits in a u8.
        (0..64u8)
            .filter(|i| self.0 >> i & 1 == 1)
            .map(|i| i + 1)
            .collect()
    }

    /// Keep only ids 1..=width.
    pub(crate) fn truncate(self, width: usize) -> Self {
        if width >= 64 {
            self
        } else {
            Flags(self.0 & ((1u64 << width) - 1))
        }
    }
}
