//! Bit-level reading and writing of TC string segments: base64url text ⇄ a big-endian bit
//! stream, read field by field with the bit offset kept for error messages.

use super::TcfError;
use base64::Engine;
use base64::alphabet::URL_SAFE;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// Base64url without padding, tolerant of the non-zero trailing bits a 6-bit-aligned encoder
/// may leave (the TCF pads with zeros, but a decoder must not care).
const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Reads big-endian bit fields from one decoded segment.
pub(crate) struct BitReader<'a> {
    bytes: &'a [u8],
    /// How many bits the text really carried (6 per character), ≤ 8 × bytes.len().
    len: usize,
    pos: usize,
    segment: usize,
}

/// Decode one base64url segment into `buf` (cleared first) and return its length in bits.
///
/// `segment` is the 0-based segment index and `offset` the character position of the segment in
/// the whole string, both for error messages.
pub(crate) fn decode_segment(
    text: &str,
    segment: usize,
    offset: usize,
    buf: &mut Vec<u8>,
) -> Result<usize, TcfError> {
    buf.clear();
    if text.is_empty() {
        return Err(TcfError::EmptySegment { segment });
    }
    if let Some((i, c)) = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(TcfError::BadBase64 {
            segment,
            position: offset + i,
            character: c,
        });
    }
    let bits = text.len() * 6;
    decode_base64url(text.as_bytes(), buf);
    Ok(bits.min(buf.len() * 8))
}

/// The bytes of base64url text whose characters are all in the alphabet (checked by the
/// caller), as [`ENGINE`] decodes it: 6 bits per character, trailing bits that do not fill a
/// byte dropped, and a lone character past a multiple of four completed with six zero bits (base64
/// cannot express it as whole bytes otherwise; the bit length the caller keeps stops reads at the
/// real end). Hand-written because base64's general decoder costs the web tag 3 KB; a test checks
/// it against [`ENGINE`].
fn decode_base64url(text: &[u8], buf: &mut Vec<u8>) {
    let mut acc = 0u32;
    let mut n = 0;
    let lone = text.len() % 4 == 1;
    for &c in text.iter().chain(lone.then_some(&b'A')) {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            _ => 63,
        };
        acc = (acc << 6) | u32::from(v);
        n += 6;
        if n >= 8 {
            n -= 8;
            // The top byte of the bits not yet written.
            buf.push((acc >> n) as u8);
        }
    }
}

impl<'a> BitReader<'a> {
    /// A reader over the first `len` bits of `bytes`.
    pub(crate) fn new(bytes: &'a [u8], len: usize, segment: usize) -> Self {
        BitReader {
            bytes,
            len: len.min(bytes.len() * 8),
            pos: 0,
            segment,
        }
    }

    /// The current bit offset within the segment.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The segment index, for errors raised by callers.
    pub(crate) fn segment(&self) -> usize {
        self.segment
    }

    /// Read an `n`-bit (n ≤ 64) unsigned big-endian integer named `field`.
    pub(crate) fn read(&mut self, n: usize, field: &'static str) -> Result<u64, TcfError> {
        let n = n.min(64);
        if self.len.saturating_sub(self.pos) < n {
            return Err(TcfError::Truncated {
                segment: self.segment,
                field,
                bit: self.pos,
                needed: n,
                available: self.len.saturating_sub(self.pos),
            });
        }
        if n == 0 {
            return Ok(0);
        }
        // Load the (at most 9) bytes holding the field into a 128-bit big-endian window, then
        // shift the field to the bottom: one load per field instead of a loop over bits.
        let byte_ix = self.pos / 8;
        let mut window = [0u8; 16];
        let avail = self.bytes.len().saturating_sub(byte_ix).min(16);
        if let (Some(dst), Some(src)) = (
            window.get_mut(..avail),
            self.bytes.get(byte_ix..byte_ix + avail),
        ) {
            dst.copy_from_slice(src);
        }
        let w = u128::from_be_bytes(window) << (self.pos % 8);
        // 1 ≤ n ≤ 64, so the shift is in 64..=127 and the result fits in a u64.
        let v = (w >> (128 - n)) as u64;
        self.pos += n;
        Ok(v)
    }

    /// Read one bit as a bool.
    pub(crate) fn bool(&mut self, field: &'static str) -> Result<bool, TcfError> {
        Ok(self.read(1, field)? == 1)
    }

    /// Read a u16 field of `n` ≤ 16 bits.
    pub(crate) fn u16(&mut self, n: usize, field: &'static str) -> Result<u16, TcfError> {
        // n ≤ 16, so the value fits.
        Ok(self.read(n, field)? as u16)
    }

    /// Read a u8 field of `n` ≤ 8 bits.
    pub(crate) fn u8(&mut self, n: usize, field: &'static str) -> Result<u8, TcfError> {
        // n ≤ 8, so the value fits.
        Ok(self.read(n, field)? as u8)
    }
}

/// Writes big-endian bit fields; the encoder's side of [`BitReader`].
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    len: usize,
}

impl BitWriter {
    /// Append the low `n` bits of `v`, most significant first.
    pub(crate) fn write(&mut self, n: usize, v: u64) {
        for i in (0..n).rev() {
            let bit = (v >> i) & 1 == 1;
            if self.len.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if bit && let Some(last) = self.bytes.last_mut() {
                *last |= 0x80 >> (self.len % 8);
            }
            self.len += 1;
        }
    }

    /// Append one bit.
    pub(crate) fn bool(&mut self, b: bool) {
        self.write(1, u64::from(b));
    }

    /// Pad with zero bits to a multiple of 24 (whole base64 quads, as @iabtcf/core does) and
    /// encode as base64url without padding.
    pub(crate) fn finish(mut self) -> String {
        while !self.len.is_multiple_of(24) {
            self.bool(false);
        }
        ENGINE.encode(&self.bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::{ENGINE, decode_base64url};
    use base64::Engine;
    use proptest::prelude::*;

    proptest! {
        /// The hand-written decoder gives the bytes of the base64 crate's, for every length.
        #[test]
        fn base64url_decodes_as_the_base64_crate_does(text in "[A-Za-z0-9_-]{0,80}") {
            let mut ours = Vec::new();
            decode_base64url(text.as_bytes(), &mut ours);
            let mut padded = text.clone();
            if text.len() % 4 == 1 {
                padded.push('A');
            }
            prop_assert_eq!(ours, ENGINE.decode(padded.as_bytes()).unwrap());
        }
    }
}
