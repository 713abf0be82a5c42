//! SHA-256 of normalised values, as lowercase hex, and recognition of values that are already a
//! SHA-256 (uploaders often receive pre-hashed CRM exports: hashing them again loses the match).

use sha2::{Digest, Sha256};

/// The SHA-256 digest of `bytes`. RustCrypto `sha2` uses the CPU's SHA extensions when present.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Lowercase hex SHA-256 of an already normalised value.
///
/// This is the primitive for tooling (the `o2o hash` CLI, tests). Code that uploads to an ad
/// platform must go through [`hash_for_upload`](super::hash_for_upload) or
/// [`UploadHasher`](super::UploadHasher), which take a consent [`Permit`](crate::consent::Permit).
///
/// ```
/// assert_eq!(
///     o2o_core::hashing::sha256_hex("abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(normalised: &str) -> String {
    let mut s = String::with_capacity(64);
    push_hex(&sha256(normalised.as_bytes()), &mut s);
    s
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Append the lowercase hex of `digest` to `out` (64 characters, no allocation when `out` has room).
pub fn push_hex(digest: &[u8; 32], out: &mut String) {
    out.reserve(64);
    for &b in digest {
        // b >> 4 and b & 15 are both < 16, the length of HEX.
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

/// Whether `v` (trimmed) is 64 hex digits in any case, i.e. already a SHA-256.
///
/// ```
/// use o2o_core::hashing::is_prehashed;
/// assert!(is_prehashed(" BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD "));
/// assert!(!is_prehashed("ann@example.com"));
/// ```
pub fn is_prehashed(v: &str) -> bool {
    let v = v.trim();
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Decode a pre-hashed value (see [`is_prehashed`]) into its digest.
pub(crate) fn decode_prehashed(v: &str) -> Option<[u8; 32]> {
    let v = v.trim().as_bytes();
    if v.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (o, pair) in out.iter_mut().zip(v.chunks_exact(2)) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        // hi, lo < 16, so hi * 16 + lo < 256.
        *o = (hi * 16 + lo) as u8;
    }
    Some(out)
}
