//! Normalise identifiers the way each ad platform does, and hash them: SHA-256 for uploads,
//! HMAC-SHA256 keyed pseudonyms for o2o's own linking.
//!
//! * [`normalize`] / [`normalize_into`]: the platform rules per [`IdKind`] and [`Platform`]
//!   (tabled in `docs/hashing.md`). Invalid values are errors, never hashed.
//! * [`hash_for_upload`] / [`UploadHasher`]: SHA-256 for sending to an ad platform. They take a
//!   consent [`Permit`] for [`Operation::HashForUpload`], so code cannot upload without consent.
//! * [`Hasher`], [`sha256_hex`]: the same hashing without the gate, for tooling (the CLI, tests).
//! * [`Pseudonymizer`]: keyed pseudonyms with key ids for rotation.
//!
//! Values that are already a SHA-256 (64 hex digits, any case) pass through lowercased and
//! flagged [`Origin::Prehashed`]: never hashed twice.
//!
//! ```
//! use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
//! use o2o_core::event::IdKind;
//! use o2o_core::hashing::{hash_for_upload, NormalizeOptions, Origin};
//! let signals = ConsentSignals {
//!     gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }),
//!     ..Default::default()
//! };
//! let permit = ConsentGate::default().permit(Operation::HashForUpload, Some(&signals)).unwrap();
//! let h = hash_for_upload(&permit, IdKind::Email, " Ann@Example.com", &NormalizeOptions::default()).unwrap();
//! assert_eq!(h.origin, Origin::Hashed);
//! assert_eq!(h.hex, o2o_core::hashing::sha256_hex("ann@example.com"));
//! ```

mod batch;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod normalize;
mod pseudonym;
mod sha;
#[cfg(test)]
mod tests;

pub use batch::{Hasher, Origin};
pub use normalize::{
    NormalizeError, NormalizeOptions, PhoneCheck, Platform, UnknownPlatform, normalize,
    normalize_into,
};
#[allow(deprecated)]
pub use normalize::{Profile, UnknownProfile};
pub use pseudonym::{BadPseudonym, Pseudonym, Pseudonymizer};
pub use sha::{is_prehashed, push_hex, push_hex_bytes, sha256, sha256_hex};

use crate::consent::{Operation, Permit};
use crate::event::IdKind;
use serde::Serialize;

/// Why a value could not be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HashError {
    /// The permit is for another operation.
    #[error("consent: the permit allows {given}, hashing for upload needs hash_for_upload")]
    WrongPermit {
        /// The operation the permit allows.
        given: Operation,
    },
    /// The value is not a valid value of its kind.
    #[error(transparent)]
    Normalize(#[from] NormalizeError),
}

/// A SHA-256 ready for upload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Hashed {
    /// Lowercase hex SHA-256 (64 characters).
    pub hex: String,
    /// Whether it was hashed here or passed through as already hashed.
    pub origin: Origin,
}

fn check(permit: &Permit) -> Result<(), HashError> {
    match permit.operation() {
        Operation::HashForUpload => Ok(()),
        given => Err(HashError::WrongPermit { given }),
    }
}

/// Normalise and SHA-256 one value for upload to an ad platform. Needs a consent permit for
/// [`Operation::HashForUpload`]; any other permit is refused.
pub fn hash_for_upload(
    permit: &Permit,
    kind: IdKind,
    value: &str,
    opts: &NormalizeOptions,
) -> Result<Hashed, HashError> {
    check(permit)?;
    let mut h = Hasher::new(opts.clone());
    let mut hex = String::with_capacity(64);
    let origin = h.hex_into(kind, value, &mut hex)?;
    Ok(Hashed { hex, origin })
}

/// A [`Hasher`] for uploads: only made from a [`Permit`] for [`Operation::HashForUpload`].
/// Use one per consented batch (e.g. per person or per audience with a common consent basis).
#[derive(Clone, Debug)]
pub struct UploadHasher {
    inner: Hasher,
}

impl UploadHasher {
    /// A hasher for uploads under `opts`, or [`HashError::WrongPermit`].
    pub fn new(permit: &Permit, opts: NormalizeOptions) -> Result<Self, HashError> {
        check(permit)?;
        Ok(UploadHasher {
            inner: Hasher::new(opts),
        })
    }

    /// See [`Hasher::digest`].
    pub fn digest(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut [u8; 32],
    ) -> Result<Origin, NormalizeError> {
        self.inner.digest(kind, value, out)
    }

    /// See [`Hasher::hex_into`].
    pub fn hex_into(
        &mut self,
        kind: IdKind,
        value: &str,
        out: &mut String,
    ) -> Result<Origin, NormalizeError> {
        self.inner.hex_into(kind, value, out)
    }

    /// See [`Hasher::hash_batch`].
    pub fn hash_batch<'v, I>(
        &mut self,
        kind: IdKind,
        values: I,
        out: &mut Vec<Result<[u8; 32], NormalizeError>>,
    ) where
        I: IntoIterator<Item = &'v str>,
    {
        self.inner.hash_batch(kind, values, out);
    }
}
