//! Keyed pseudonyms: HMAC-SHA256 of a normalised identifier under a secret key with an id.
//!
//! A plain SHA-256 of an email can be reversed by hashing a list of known emails; an HMAC cannot
//! without the key. Pseudonyms are for o2o's own linking and exports, never for ad-platform
//! uploads (platforms match on plain SHA-256).
//!
//! The message is `kind ":" normalised` (e.g. `email:ann@example.com`), so the same text as two
//! kinds gives two pseudonyms. The text form is `KEY_ID:HEX`, so a pseudonym names the key that
//! made it; after rotation ([`KeyRing`]: the first key signs, all verify) old pseudonyms still
//! verify under their key.
//!
//! The keyed HMAC state (the SHA-256 state after absorbing `key ⊕ ipad` and `key ⊕ opad`) is
//! computed once per key and cloned per value, so a batch costs no re-keying. That state is
//! derived from the key one-way, but it can compute pseudonyms: it lives only as long as the
//! [`Pseudonymizer`]. The key bytes themselves are zeroized by [`SecretKey`].

use super::sha::push_hex;
use super::{NormalizeError, NormalizeOptions, normalize_into};
use crate::event::IdKind;
use crate::keys::{KeyRing, SecretKey};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;
use std::str::FromStr;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// A keyed pseudonym: the id of the key that made it and the HMAC-SHA256 digest.
/// Displays (and parses) as `KEY_ID:HEX`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pseudonym {
    /// The id of the key that made it.
    pub key_id: String,
    /// HMAC-SHA256(key, `kind:normalised`).
    pub digest: [u8; 32],
}

impl fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut hex = String::with_capacity(64);
        push_hex(&self.digest, &mut hex);
        write!(f, "{}:{hex}", self.key_id)
    }
}

/// Text that is not `KEY_ID:HEX` with 64 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a pseudonym (expected KEY_ID:64 hex digits)")]
pub struct BadPseudonym;

impl FromStr for Pseudonym {
    type Err = BadPseudonym;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (id, hex) = s.trim().rsplit_once(':').ok_or(BadPseudonym)?;
        let digest = super::sha::decode_prehashed(hex).ok_or(BadPseudonym)?;
        if id.is_empty() {
            return Err(BadPseudonym);
        }
        Ok(Pseudonym {
            key_id: id.to_owned(),
            digest,
        })
    }
}

/// Makes keyed pseudonyms under one key, with the HMAC state precomputed and buffers reused.
///
/// ```
/// use o2o_core::event::IdKind;
/// use o2o_core::hashing::{NormalizeOptions, Pseudonymizer};
/// use o2o_core::keys::KeyRing;
/// let ring = KeyRing::parse("k2:00112233445566778899aabbccddeeff\nk1:ffeeddccbbaa99887766554433221100").unwrap();
/// let mut p = Pseudonymizer::from_ring(&ring, NormalizeOptions::default());
/// let a = p.pseudonym(IdKind::Email, "Ann@Example.com").unwrap();
/// let b = p.pseudonym(IdKind::Email, " ann@example.com").unwrap();
/// assert_eq!(a, b);
/// assert!(a.to_string().starts_with("k2:"));
/// assert!(p.verify(&ring, IdKind::Email, "ann@example.com", &a).unwrap());
/// ```
#[derive(Clone)]
pub struct Pseudonymizer {
    key_id: String,
    mac: HmacSha256,
    opts: NormalizeOptions,
    buf: String,
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pseudonymizer")
            .field("key_id", &self.key_id)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

impl Drop for Pseudonymizer {
    /// The buffer holds the last value normalised: overwritten before it is released.
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.buf.zeroize();
    }
}

impl Pseudonymizer {
    /// A pseudonymizer under `key`.
    #[must_use]
    pub fn new(key: &SecretKey, opts: NormalizeOptions) -> Self {
        Pseudonymizer {
            key_id: key.id().to_owned(),
            mac: keyed(key),
            opts,
            buf: String::with_capacity(128),
        }
    }

    /// A pseudonymizer under the ring's current (first) key.
    #[must_use]
    pub fn from_ring(ring: &KeyRing, opts: NormalizeOptions) -> Self {
        Self::new(ring.current(), opts)
    }

    /// How values are normalised before they are keyed.
    #[must_use]
    pub fn options(&self) -> &NormalizeOptions {
        &self.opts
    }

    /// The id of the key in use.
    #[must_use]
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// Normalise `value` and write its HMAC-SHA256 into `out`.
    pub fn digest(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut [u8; 32],
    ) -> Result<(), NormalizeError> {
        normalize_into(kind, value, &self.opts, &mut self.buf)?;
        *out = mac_of(&self.mac, kind, &self.buf);
        Ok(())
    }

    /// The pseudonym of `value`.
    pub fn pseudonym(&mut self, kind: IdKind, value: &str) -> Result<Pseudonym, NormalizeError> {
        let mut digest = [0u8; 32];
        self.digest(kind, value, &mut digest)?;
        Ok(Pseudonym {
            key_id: self.key_id.clone(),
            digest,
        })
    }

    /// Append the pseudonym's text form `KEY_ID:HEX` to `out`. Nothing is appended on error.
    pub fn text_into(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut String,
    ) -> Result<(), NormalizeError> {
        let mut digest = [0u8; 32];
        self.digest(kind, value, &mut digest)?;
        out.push_str(&self.key_id);
        out.push(':');
        push_hex(&digest, out);
        Ok(())
    }

    /// Whether `pseudonym` is the pseudonym of `value` under the ring key it names (constant-time
    /// comparison). `Ok(false)` when the key id is not in the ring.
    pub fn verify(
        &mut self,
        ring: &KeyRing,
        kind: IdKind,
        value: &str,
        pseudonym: &Pseudonym,
    ) -> Result<bool, NormalizeError> {
        let Some(key) = ring.get(&pseudonym.key_id) else {
            return Ok(false);
        };
        normalize_into(kind, value, &self.opts, &mut self.buf)?;
        let d = if key.id() == self.key_id {
            mac_of(&self.mac, kind, &self.buf)
        } else {
            mac_of(&keyed(key), kind, &self.buf)
        };
        Ok(d.ct_eq(&pseudonym.digest).into())
    }
}

fn keyed(key: &SecretKey) -> HmacSha256 {
    // HMAC accepts keys of any length (longer ones are hashed first), so this cannot fail.
    match HmacSha256::new_from_slice(key.secret()) {
        Ok(m) => m,
        Err(_) => unreachable!("HMAC takes keys of any length"),
    }
}

fn mac_of(keyed: &HmacSha256, kind: IdKind, normalised: &str) -> [u8; 32] {
    let mut m = keyed.clone();
    m.update(kind.as_str().as_bytes());
    m.update(b":");
    m.update(normalised.as_bytes());
    m.finalize().into_bytes().into()
}
