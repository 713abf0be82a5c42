//! Uploads from a keyed store: the store keeps emails and phones as keyed pseudonyms, and beside
//! each the SHA-256 of its normalised form under every platform's rules (`aliases/`). An upload
//! sends that hash, the one the platform would have got from the raw value; identifiers with no
//! such hash (a CRM id, a loyalty card: kept only as pseudonyms) are left out and counted, never
//! guessed (`docs/privacy.md`, "At rest").

use crate::hashing::Platform;
use std::collections::HashMap;

/// The platform hashes a keyed store keeps for its pseudonymised emails and phones, by
/// pseudonym: what [`super::UserHasher`] sends in place of hashing a raw value. Read one with
/// `Store::upload_hashes`.
///
/// ```
/// use o2o_core::activation::StoredHashes;
/// use o2o_core::hashing::Platform;
/// let mut h = StoredHashes::new(None);
/// h.insert(Platform::Google, "k1:ab12".into(), "f0".repeat(32), true);
/// assert_eq!(h.hashes(Platform::Google, "k1:ab12").count(), 1);
/// assert_eq!(h.hashes(Platform::Meta, "k1:ab12").count(), 0);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoredHashes {
    default_country: Option<String>,
    by_pseudonym: HashMap<String, Vec<(Platform, String, bool)>>,
}

impl StoredHashes {
    /// No hashes yet; `default_country` is the country the store read phones without a
    /// country code in (its pseudonyms' settings).
    #[must_use]
    pub fn new(default_country: Option<String>) -> Self {
        StoredHashes {
            default_country,
            by_pseudonym: HashMap::new(),
        }
    }

    /// Record `hash`, the SHA-256 of the value behind `pseudonym` under `platform`'s rules;
    /// `upload`: whether an upload sends it (a phone outside the ranges its country assigns
    /// links, but is not uploaded).
    pub fn insert(&mut self, platform: Platform, pseudonym: String, hash: String, upload: bool) {
        let list = self.by_pseudonym.entry(pseudonym).or_default();
        if !list.iter().any(|(p, h, _)| *p == platform && *h == hash) {
            list.push((platform, hash, upload));
        }
    }

    /// The country the store read phones without a country code in.
    #[must_use]
    pub fn default_country(&self) -> Option<&str> {
        self.default_country.as_deref()
    }

    /// The hashes an upload to `platform` sends for `pseudonym`.
    pub fn hashes<'a>(
        &'a self,
        platform: Platform,
        pseudonym: &str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        self.by_pseudonym
            .get(pseudonym)
            .into_iter()
            .flatten()
            .filter(move |(p, _, up)| *p == platform && *up)
            .map(|(_, h, _)| h.as_str())
    }

    /// Pseudonyms with at least one hash.
    #[must_use]
    pub fn len(&self) -> usize {
        self.by_pseudonym.len()
    }

    /// Whether no hash is kept.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.by_pseudonym.is_empty()
    }
}
