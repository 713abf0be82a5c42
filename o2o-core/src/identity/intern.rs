//! Interning of normalised identifiers: each distinct `(kind, value)` becomes a dense `u32`, its
//! bytes stored once in an arena. Resolution then works on integers only.
//!
//! Memory is the point: an entry costs its value bytes plus ~19 bytes (end offset, kind, hash,
//! and a 4-byte slot of the hash table), instead of a heap `String` per identifier.

use super::error::IdentityError;
use super::memory::pages;
use crate::event::IdKind;
use hashbrown::HashTable;

/// A stable, portable 64-bit hash of an identifier (same value on every platform and version):
/// 8 bytes at a time, multiply-rotate mixing, then the MurmurHash3 finaliser. It orders
/// observations canonically and names profiles, so it must not depend on a random seed.
pub(crate) fn stable_hash(kind: IdKind, value: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = (kind as u64 + 1).wrapping_mul(K) ^ value.len() as u64;
    let mut chunks = value.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(b)).wrapping_mul(K).rotate_left(29);
    }
    fmix64(h)
}

/// MurmurHash3's 64-bit finaliser: every input bit affects every output bit.
pub(crate) fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Dense ids for `(kind, value)` pairs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Interner {
    table: HashTable<u32>,
    bytes: Vec<u8>,
    /// `ends[i]` is the end of value `i` in `bytes`; it starts at `ends[i - 1]` (0 for i = 0).
    ends: Vec<u32>,
    kinds: Vec<IdKind>,
    hashes: Vec<u64>,
}

impl Interner {
    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    fn bytes_of(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The value of id `i` (which must be below `len()`).
    pub fn value(&self, i: u32) -> &str {
        // Only `&str` values are inserted, at char boundaries, so every slice is UTF-8.
        std::str::from_utf8(self.bytes_of(i as usize)).unwrap_or_default()
    }

    pub fn kind(&self, i: u32) -> IdKind {
        self.kinds[i as usize]
    }

    pub fn hash(&self, i: u32) -> u64 {
        self.hashes[i as usize]
    }

    /// Kinds and hashes by id, for callers that load them ahead of use.
    pub fn columns(&self) -> (&[IdKind], &[u64]) {
        (&self.kinds, &self.hashes)
    }

    pub fn get(&self, kind: IdKind, value: &str) -> Option<u32> {
        self.get_hashed(kind, value).map(|(i, _)| i)
    }

    /// The id of a value if interned, with its hash (computed here anyway: a caller that needs
    /// it saves a lookup in `hashes`, a cache miss per identifier in bulk loads).
    pub fn get_hashed(&self, kind: IdKind, value: &str) -> Option<(u32, u64)> {
        let h = stable_hash(kind, value.as_bytes());
        self.find(h, kind, value).map(|i| (i, h))
    }

    /// The id of a value of hash `h`, if interned.
    fn find(&self, h: u64, kind: IdKind, value: &str) -> Option<u32> {
        self.table
            .find(h, |&i| {
                self.kinds[i as usize] == kind && self.bytes_of(i as usize) == value.as_bytes()
            })
            .copied()
    }

    /// Intern a value; its id and hash (see `get_hashed`).
    pub fn intern_hashed(
        &mut self,
        kind: IdKind,
        value: &str,
    ) -> Result<(u32, u64), IdentityError> {
        let h = stable_hash(kind, value.as_bytes());
        if let Some(i) = self.find(h, kind, value) {
            return Ok((i, h));
        }
        let Interner {
            table,
            bytes,
            ends,
            kinds,
            hashes,
        } = self;
        let id = u32::try_from(kinds.len())
            .ok()
            .filter(|&i| i < u32::MAX)
            .ok_or(IdentityError::Capacity("more than 4 billion identifiers"))?;
        let end = u32::try_from(bytes.len() + value.len())
            .map_err(|_| IdentityError::Capacity("more than 4 GiB of identifier values"))?;
        // The columns resolution reads grow on huge pages (see `pages`).
        pages::reserve(ends, 1);
        pages::reserve(kinds, 1);
        pages::reserve(hashes, 1);
        bytes.extend_from_slice(value.as_bytes());
        ends.push(end);
        kinds.push(kind);
        hashes.push(h);
        let hashes_ref = &*hashes;
        table.insert_unique(h, id, |&i| hashes_ref[i as usize]);
        Ok((id, h))
    }

    /// Overwrite the value bytes and their hashes (the whole capacity) and empty the interner.
    pub fn wipe(&mut self) {
        use zeroize::Zeroize;
        self.bytes.zeroize();
        self.hashes.zeroize();
        self.ends.zeroize();
        self.table.clear();
        self.kinds.clear();
    }

    /// Heap bytes held (capacity, not length), for memory reports.
    pub fn heap_bytes(&self) -> usize {
        self.table.capacity() * (4 + 1)
            + self.bytes.capacity()
            + self.ends.capacity() * 4
            + self.kinds.capacity()
            + self.hashes.capacity() * 8
    }
}

/// A std map hashed with ahash under fixed seeds (no runtime randomness needed; iteration order
/// is never relied on).
pub(crate) type AMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
/// A std set hashed with ahash under fixed seeds.
pub(crate) type ASet<K> = std::collections::HashSet<K, ahash::RandomState>;

/// The fixed-seed ahash state of [`AMap`] and [`ASet`].
pub(crate) fn ahash_state() -> ahash::RandomState {
    ahash::RandomState::with_seeds(0x006f_326f, 0x1d, 0x2e, 0x3f)
}
