//! SHA-256 of normalised values, as lowercase hex, and recognition of values that are already a
//! SHA-256 (uploaders often receive pre-hashed CRM exports: hashing them again loses the match).

use sha2::digest::generic_array::GenericArray;
use sha2::{Digest, Sha256};

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const H256: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 digest of `bytes`. RustCrypto `sha2` uses the CPU's SHA extensions when present.
///
/// Messages of at most 55 bytes (nearly every normalised identifier) fit in one padded block:
/// for them the padding is written here and `sha2`'s compression function called once, which
/// skips the streaming hasher's buffering and is about a tenth faster per value. Longer
/// messages take the streaming hasher. A proptest checks both against each other.
#[must_use]
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    match one_block(bytes) {
        Some(block) => {
            let mut state = H256;
            sha2::compress256(&mut state, &[GenericArray::from(block)]);
            let mut out = [0u8; 32];
            for (o, w) in out.chunks_exact_mut(4).zip(state) {
                o.copy_from_slice(&w.to_be_bytes());
            }
            out
        }
        None => Sha256::digest(bytes).into(),
    }
}

/// The single padded block of a message of at most 55 bytes (FIPS 180-4, 5.1.1): the message,
/// a 1 bit, zeros, and the length in bits as a 64-bit big-endian number.
fn one_block(bytes: &[u8]) -> Option<[u8; 64]> {
    // 55 bytes and the 0x80 byte end at offset 56, where the length starts.
    if bytes.len() > 55 {
        return None;
    }
    let mut block = [0u8; 64];
    block.get_mut(..bytes.len())?.copy_from_slice(bytes);
    *block.get_mut(bytes.len())? = 0x80;
    let bits = (bytes.len() as u64) * 8;
    block.get_mut(56..)?.copy_from_slice(&bits.to_be_bytes());
    Some(block)
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
#[must_use]
pub fn sha256_hex(normalised: &str) -> String {
    let mut s = String::with_capacity(64);
    push_hex(&sha256(normalised.as_bytes()), &mut s);
    s
}

/// The 16 lowercase hex digits of 8 bytes, computed in one `u128` (SWAR): spread each nibble
/// into its own byte, then add `'0'`, plus 39 more (`'a' - '0' - 10`) where the nibble is
/// above 9. No lane can carry into the next (the largest lane value is 15 + 48 + 39 = 102), so
/// this equals the table lookup, without the 16 loads (hex output is a measurable share of
/// `o2o hash`).
fn hex16(bytes: [u8; 8]) -> [u8; 16] {
    const LANES: u128 = 0x0101_0101_0101_0101_0101_0101_0101_0101;
    let mut v = u128::from(u64::from_be_bytes(bytes));
    v = (v | (v << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    v = (v | (v << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    v = (v | (v << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    v = (v | (v << 4)) & (LANES * 0x0f);
    let letters = ((v + LANES * 6) & (LANES * 0x10)) >> 4;
    (v + LANES * u128::from(b'0') + letters * 39).to_be_bytes()
}

/// The 64 lowercase hex digits of `digest`.
fn hex64(digest: &[u8; 32]) -> [u8; 64] {
    let mut buf = [0u8; 64];
    for (out, chunk) in buf.chunks_exact_mut(16).zip(digest.chunks_exact(8)) {
        let mut eight = [0u8; 8];
        eight.copy_from_slice(chunk);
        out.copy_from_slice(&hex16(eight));
    }
    buf
}

/// Append the lowercase hex of `digest` to `out` (64 characters, no allocation when `out` has room).
pub fn push_hex(digest: &[u8; 32], out: &mut String) {
    // Only bytes of HEX (ASCII) were written, so this is valid UTF-8.
    if let Ok(s) = std::str::from_utf8(&hex64(digest)) {
        out.push_str(s);
    }
}

/// Append the lowercase hex of `digest` to a byte buffer (for writers that deal in bytes).
pub fn push_hex_bytes(digest: &[u8; 32], out: &mut Vec<u8>) {
    out.extend_from_slice(&hex64(digest));
}

/// Whether `v` (trimmed) is 64 hex digits in any case, i.e. already a SHA-256.
///
/// ```
/// use o2o_core::hashing::is_prehashed;
/// assert!(is_prehashed(" BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD "));
/// assert!(!is_prehashed("ann@example.com"));
/// ```
#[must_use]
pub fn is_prehashed(v: &str) -> bool {
    let v = v.trim();
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Decode a pre-hashed value (see [`is_prehashed`]) into its digest.
pub(crate) fn decode_prehashed(v: &str) -> Option<[u8; 32]> {
    if v.len() < 64 {
        return None;
    }
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

#[cfg(test)]
mod hex_tests {
    use super::hex64;
    use proptest::prelude::*;

    const HEX: &[u8; 16] = b"0123456789abcdef";

    proptest! {
        #[test]
        fn one_block_sha256_equals_the_streaming_hasher(m in prop::collection::vec(any::<u8>(), 0..130)) {
            use sha2::Digest;
            let want: [u8; 32] = sha2::Sha256::digest(&m).into();
            prop_assert_eq!(super::sha256(&m), want);
        }

        #[test]
        fn swar_hex_equals_the_digit_table(d in any::<[u8; 32]>()) {
            let mut want = Vec::new();
            for b in d {
                want.push(HEX[usize::from(b >> 4)]);
                want.push(HEX[usize::from(b & 15)]);
            }
            prop_assert_eq!(hex64(&d).to_vec(), want);
        }
    }
}
