//! Normalise identifiers the way each ad platform does, and hash them: SHA-256 for uploads,
//! HMAC-SHA256 keyed pseudonyms for internal linking.
//!
//! See [`normalize`] for the rules (tabled in `docs/hashing.md`).

mod normalize;

pub use normalize::{
    NormalizeError, NormalizeOptions, Profile, UnknownProfile, normalize, normalize_into,
};
