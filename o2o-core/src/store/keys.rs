//! Record keys per source: what makes a second ingest of the same export add nothing.
//!
//! Keys are 128-bit hashes of a record's source and dedupe columns (or its content), so a set of
//! them needs no hashing of its own: the low 64 bits are the bucket hash. A source's keys live
//! in one append-only file of little-endian `u128`s under `keys/`, read whole when the source is
//! ingested again (16 bytes per record: 13 M records are 208 MB).

use super::StoreError;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{Read, Write};
use std::path::Path;

/// A hasher for values that are already uniform hashes.
#[derive(Default)]
pub(crate) struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes.iter().take(8) {
            self.0 = (self.0 << 8) | u64::from(*b);
        }
    }
    fn write_u128(&mut self, i: u128) {
        // The low half of a 128-bit xxh3 is as uniform as any hash of it.
        self.0 = i as u64;
    }
}

/// A set of record keys.
#[derive(Default)]
pub(crate) struct KeySet(hashbrown::HashSet<u128, BuildHasherDefault<Prehashed>>);

impl KeySet {
    pub(crate) fn contains(&self, k: u128) -> bool {
        self.0.contains(&k)
    }

    /// Insert `k`; false when it was already there.
    pub(crate) fn insert(&mut self, k: u128) -> bool {
        self.0.insert(k)
    }

    /// Remove `k`; whether it was there.
    pub(crate) fn remove(&mut self, k: u128) -> bool {
        self.0.remove(&k)
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn extend(&mut self, other: &KeySet) {
        self.0.reserve(other.len());
        self.0.extend(other.0.iter().copied());
    }

    /// The keys in `path`; an absent file is an empty set.
    pub(crate) fn load(path: &Path) -> Result<KeySet, StoreError> {
        let mut bytes = Vec::new();
        match std::fs::File::open(path) {
            Ok(mut f) => {
                f.read_to_end(&mut bytes).map_err(StoreError::io(path))?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(KeySet::default()),
            Err(e) => return Err(StoreError::io(path)(e)),
        }
        let mut set = KeySet::default();
        set.0.reserve(bytes.len() / 16);
        for chunk in bytes.chunks_exact(16) {
            let mut b = [0u8; 16];
            b.copy_from_slice(chunk);
            set.0.insert(u128::from_le_bytes(b));
        }
        Ok(set)
    }

    /// Append these keys to `path` (created when absent), in sorted order so that the file's
    /// bytes do not depend on hashing order.
    pub(crate) fn append_to(&self, path: &Path) -> Result<(), StoreError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(StoreError::io(dir))?;
        }
        let mut keys: Vec<u128> = self.0.iter().copied().collect();
        keys.sort_unstable();
        let mut buf = Vec::with_capacity(keys.len() * 16);
        for k in keys {
            buf.extend_from_slice(&k.to_le_bytes());
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(StoreError::io(path))?;
        f.write_all(&buf).map_err(StoreError::io(path))?;
        f.sync_data().map_err(StoreError::io(path))
    }
}

/// The key file of a source: its name when it is plain, else a hash of it.
pub(crate) fn file_name(source: &str) -> String {
    if !source.is_empty()
        && source.len() <= 64
        && source
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        format!("{source}.keys")
    } else {
        format!(
            "{:016x}.keys",
            xxhash_rust::xxh3::xxh3_64(source.as_bytes())
        )
    }
}

/// The key of a record made by a program: its source and its content (as JSON of the record's
/// serde form, which is deterministic).
pub(crate) fn content_key(source: &str, r: &crate::event::Record) -> u128 {
    use crate::event::Record;
    let json = match r {
        Record::Event(e) => serde_json::to_vec(e),
        Record::Consent(c) => serde_json::to_vec(c),
        Record::Spend(s) => serde_json::to_vec(s),
        Record::Assignment(a) => serde_json::to_vec(a),
        Record::Customer(c) => serde_json::to_vec(c),
    }
    .unwrap_or_default();
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(source.as_bytes());
    h.update(&[0]);
    h.update(r.kind().as_str().as_bytes());
    h.update(&[0]);
    h.update(&json);
    h.digest128()
}
