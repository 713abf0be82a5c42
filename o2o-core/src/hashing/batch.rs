//! [`Hasher`]: normalise + SHA-256 many values with reused buffers (no allocation per value).

use super::sha::{decode_prehashed, push_hex, push_hex_bytes};
use super::{NormalizeError, NormalizeOptions, normalize_into};
use crate::event::IdKind;
use serde::Serialize;

/// Where a digest came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The value was normalised and hashed here.
    Hashed,
    /// The value was already a SHA-256 (64 hex digits): passed through lowercased, not re-hashed.
    Prehashed,
}

/// Normalises and SHA-256-hashes values of one profile, reusing its buffers.
///
/// A value that is already 64 hex digits passes through (lowercased) as [`Origin::Prehashed`]:
/// hashing it again would produce a value no platform can match.
///
/// ```
/// use o2o_core::event::IdKind;
/// use o2o_core::hashing::{Hasher, NormalizeOptions, Origin};
/// let mut h = Hasher::new(NormalizeOptions::default());
/// let mut hex = String::new();
/// assert_eq!(h.hex_into(IdKind::Email, " Ann@Example.com", &mut hex), Ok(Origin::Hashed));
/// assert_eq!(hex, o2o_core::hashing::sha256_hex("ann@example.com"));
/// let pre = hex.to_uppercase();
/// hex.clear();
/// assert_eq!(h.hex_into(IdKind::Email, &pre, &mut hex), Ok(Origin::Prehashed));
/// assert_eq!(hex, pre.to_lowercase());
/// ```
#[derive(Clone, Debug, Default)]
pub struct Hasher {
    opts: NormalizeOptions,
    buf: String,
}

impl Hasher {
    /// A hasher under `opts`.
    #[must_use]
    pub fn new(opts: NormalizeOptions) -> Self {
        Hasher {
            opts,
            buf: String::with_capacity(128),
        }
    }

    /// The options in force.
    #[must_use]
    pub fn options(&self) -> &NormalizeOptions {
        &self.opts
    }

    /// The normalised text of the last value hashed (empty after an error or a pre-hashed value).
    #[must_use]
    pub fn last_normalised(&self) -> &str {
        &self.buf
    }

    /// Normalise `value` and write its SHA-256 into `out`.
    pub fn digest(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut [u8; 32],
    ) -> Result<Origin, NormalizeError> {
        if let Some(d) = decode_prehashed(value) {
            self.buf.clear();
            *out = d;
            return Ok(Origin::Prehashed);
        }
        normalize_into(kind, value, &self.opts, &mut self.buf)?;
        *out = super::sha::sha256(self.buf.as_bytes());
        Ok(Origin::Hashed)
    }

    /// Normalise `value` and append the lowercase hex SHA-256 (64 characters) to `out`.
    /// Nothing is appended on error.
    pub fn hex_into(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut String,
    ) -> Result<Origin, NormalizeError> {
        let mut d = [0u8; 32];
        let origin = self.digest(kind, value, &mut d)?;
        push_hex(&d, out);
        Ok(origin)
    }

    /// Like [`Hasher::hex_into`], appending to a byte buffer (for output writers).
    pub fn hex_bytes_into(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut Vec<u8>,
    ) -> Result<Origin, NormalizeError> {
        let mut d = [0u8; 32];
        let origin = self.digest(kind, value, &mut d)?;
        push_hex_bytes(&d, out);
        Ok(origin)
    }

    /// Hash a batch: `out` is cleared and gets one entry per value, in order (capacity reused).
    pub fn hash_batch<'v, I>(
        &mut self,
        kind: IdKind,
        values: I,
        out: &mut Vec<Result<[u8; 32], NormalizeError>>,
    ) where
        I: IntoIterator<Item = &'v str>,
    {
        out.clear();
        for v in values {
            let mut d = [0u8; 32];
            out.push(self.digest(kind, v, &mut d).map(|_| d));
        }
    }
}
