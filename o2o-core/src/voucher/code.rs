//! The three code layouts (short, bulk and serial), Crockford base32 and the mod-37 check
//! symbol.
//!
//! Bits are packed most significant first into a `u128` and written 5 bits per symbol. The short
//! layout (75 bits) and the bulk layout (95 bits) are not whole numbers of bytes, which
//! byte-oriented base32 crates cannot encode; the serial layout (96 bits) is padded with 4 zero
//! bits to 20 symbols, exactly as RFC 4648-style base32 of its 12 bytes (the spelling of codes
//! issued before short codes existed, so they still verify).

use super::Rejection;
use serde::{Deserialize, Serialize};
use time::macros::date;
use time::{Date, Duration};

/// Characters in a short code (the default): 15 data symbols and one check symbol.
pub const CODE_LEN: usize = SHORT_SYMBOLS + 1;
/// Characters in a serial code: 20 data symbols and one check symbol.
pub const SERIAL_CODE_LEN: usize = SERIAL_SYMBOLS + 1;
/// Characters in a bulk code: 19 data symbols and one check symbol.
pub const BULK_CODE_LEN: usize = BULK_SYMBOLS + 1;
/// Highest campaign number.
pub const MAX_CAMPAIGN: u8 = 31;
/// Highest voucher type.
pub const MAX_TYPE: u8 = 7;
/// Highest serial of a (21-character) serial code.
pub const MAX_SERIAL: u32 = 511;
/// Highest serial of a (20-character) bulk code: 2²⁰ − 1, so 1,048,576 single-use codes per
/// campaign and type.
pub const MAX_BULK_SERIAL: u32 = (1 << BULK_SERIAL_BITS) - 1;
const BULK_SERIAL_BITS: u32 = 20;
/// Expiry epoch of serial codes: day 0.
const EPOCH: Date = date!(2024 - 01 - 01);
const MAX_EXPIRY_DAYS: u16 = 4095;

const SHORT_SYMBOLS: usize = 15;
const SERIAL_SYMBOLS: usize = 20;
const BULK_SYMBOLS: usize = 19;
/// Bits of the truncated HMAC tag, in both layouts.
pub(super) const TAG_BITS: u32 = 64;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Check symbols for values 32–36, after the 32 data symbols. Every one prints in a Code 39 and
/// a Code 128 barcode and stands in a URL without escaping: Code 39 and the URL-unreserved set
/// share only letters, digits, `-` (a separator here) and `.`; the letters the data alphabet
/// leaves out are `I`, `L`, `O` and `U`. Those five are all there is, so the set is forced.
/// At the check position `I`, `L` and `O` are therefore symbols of their own, not the data
/// positions' readings of `1` and `0`.
const CHECK_EXTRA: &[u8; 5] = b"ILO.U";
/// The check symbols codes were issued with before: still read, so old codes verify.
const OLD_CHECK_EXTRA: &[u8; 4] = b"*~$=";

/// The layout of a code, told apart by its length once separators are removed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Format {
    /// 16 characters: key slot, personal flag, campaign and type in 11 bits, a 64-bit tag. The
    /// expiry is the campaign's (from the [`CampaignTable`](super::CampaignTable)); there is no
    /// serial, so an anonymous short code is one shared code per campaign and type.
    Short,
    /// 21 characters: a 32-bit header with expiry and a 9-bit serial, a 64-bit tag. Single-use
    /// anonymous codes, up to 512 per campaign and type; still verified, superseded by
    /// [`Format::Bulk`] for new campaigns.
    Serial,
    /// 20 characters: key slot, personal flag, campaign, type and a 20-bit serial in 31 bits, a
    /// 64-bit tag; the expiry is the campaign's (from the table), as for short codes. Single-use
    /// codes at campaign scale: 1,048,576 per campaign and type.
    Bulk,
}

impl Format {
    /// Characters in a code of this format.
    #[must_use]
    pub fn len(self) -> usize {
        match self {
            Format::Short => CODE_LEN,
            Format::Serial => SERIAL_CODE_LEN,
            Format::Bulk => BULK_CODE_LEN,
        }
    }

    /// Always `false`: a code has characters (for clippy's `len_without_is_empty`).
    #[must_use]
    pub fn is_empty(self) -> bool {
        false
    }

    fn data_symbols(self) -> usize {
        self.len() - 1
    }

    /// Zero bits after the data, to fill the last symbol.
    fn pad_bits(self) -> u32 {
        match self {
            Format::Short | Format::Bulk => 0,
            Format::Serial => 4,
        }
    }
}

/// The first and last expiry day a serial code can carry.
#[must_use]
pub fn expiry_range() -> (Date, Date) {
    (EPOCH, EPOCH + Duration::days(i64::from(MAX_EXPIRY_DAYS)))
}

/// Data symbol values by typed byte, with Crockford's reading rules built in (lower case,
/// `O`→0, `I`/`L`→1): 0–31, `INVALID` otherwise. A table because verification decodes a code a
/// million times a second.
const INVALID: u8 = 0xff;
static VALUES: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 32 {
        let c = ALPHABET[i];
        t[c as usize] = i as u8;
        t[c.to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    t[b'O' as usize] = 0;
    t[b'o' as usize] = 0;
    t[b'I' as usize] = 1;
    t[b'i' as usize] = 1;
    t[b'L' as usize] = 1;
    t[b'l' as usize] = 1;
    t
};

/// Check symbol values by typed byte: the 32 data symbols (any case), then `I L O . U` (any
/// case) for 32–36, and the old `* ~ $ =` for 32–35; `INVALID` otherwise.
static CHECK_VALUES: [u8; 256] = {
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < 32 {
        let c = ALPHABET[i];
        t[c as usize] = i as u8;
        t[c.to_ascii_lowercase() as usize] = i as u8;
        i += 1;
    }
    let mut k = 0;
    while k < 5 {
        let c = CHECK_EXTRA[k];
        t[c as usize] = 32 + k as u8;
        t[c.to_ascii_lowercase() as usize] = 32 + k as u8;
        k += 1;
    }
    let mut k = 0;
    while k < 4 {
        t[OLD_CHECK_EXTRA[k] as usize] = 32 + k as u8;
        k += 1;
    }
    t
};

fn check_symbol(value: u8) -> u8 {
    match value {
        0..=31 => ALPHABET[usize::from(value)],
        // value ≤ 36 (a remainder mod 37), so the index is 0..=4.
        _ => CHECK_EXTRA[usize::from(value - 32) % CHECK_EXTRA.len()],
    }
}

/// Header of a short code, 11 bits: key slot (2), personal (1), campaign (5), type (3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ShortHeader {
    pub slot: u8,
    pub personal: bool,
    pub campaign: u8,
    pub voucher_type: u8,
}

impl ShortHeader {
    pub(super) fn pack(self) -> u16 {
        (u16::from(self.slot & 3) << 9)
            | (u16::from(self.personal) << 8)
            | (u16::from(self.campaign & 31) << 3)
            | u16::from(self.voucher_type & 7)
    }

    pub(super) fn unpack(v: u16) -> Self {
        // Each field is masked to its width, so the casts are lossless.
        ShortHeader {
            slot: ((v >> 9) & 3) as u8,
            personal: (v >> 8) & 1 == 1,
            campaign: ((v >> 3) & 31) as u8,
            voucher_type: (v & 7) as u8,
        }
    }
}

/// Header of a bulk code, 31 bits: key slot (2), personal (1), campaign (5), type (3),
/// serial (20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct BulkHeader {
    pub slot: u8,
    pub personal: bool,
    pub campaign: u8,
    pub voucher_type: u8,
    pub serial: u32,
}

impl BulkHeader {
    pub(super) fn pack(self) -> u32 {
        (u32::from(self.slot & 3) << 29)
            | (u32::from(self.personal) << 28)
            | (u32::from(self.campaign & 31) << 23)
            | (u32::from(self.voucher_type & 7) << 20)
            | (self.serial & MAX_BULK_SERIAL)
    }

    pub(super) fn unpack(v: u32) -> Self {
        // Each field is masked to its width, so the casts are lossless.
        BulkHeader {
            slot: ((v >> 29) & 3) as u8,
            personal: (v >> 28) & 1 == 1,
            campaign: ((v >> 23) & 31) as u8,
            voucher_type: ((v >> 20) & 7) as u8,
            serial: v & MAX_BULK_SERIAL,
        }
    }
}

/// Header of a serial code, 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Header {
    pub personal: bool,
    pub slot: u8,
    pub voucher_type: u8,
    pub campaign: u8,
    pub expiry_days: u16,
    pub serial: u32,
}

impl Header {
    pub(super) fn pack(self) -> [u8; 4] {
        let v: u32 = (u32::from(self.personal) << 31)
            | (u32::from(self.slot & 3) << 29)
            | (u32::from(self.voucher_type & 7) << 26)
            | (u32::from(self.campaign & 31) << 21)
            | (u32::from(self.expiry_days & 0x0fff) << 9)
            | (self.serial & 0x01ff);
        v.to_be_bytes()
    }

    pub(super) fn unpack(b: [u8; 4]) -> Self {
        let v = u32::from_be_bytes(b);
        // Each field is masked to its width, so the casts are lossless.
        Header {
            personal: v >> 31 == 1,
            slot: ((v >> 29) & 3) as u8,
            voucher_type: ((v >> 26) & 7) as u8,
            campaign: ((v >> 21) & 31) as u8,
            expiry_days: ((v >> 9) & 0x0fff) as u16,
            serial: v & 0x01ff,
        }
    }

    pub(super) fn expires(self) -> Date {
        EPOCH + Duration::days(i64::from(self.expiry_days))
    }

    pub(super) fn expiry_days(d: Date) -> Option<u16> {
        let days = (d - EPOCH).whole_days();
        u16::try_from(days).ok().filter(|&x| x <= MAX_EXPIRY_DAYS)
    }
}

/// The header bits and the tag of a code: `(header, tag)`.
pub(super) fn join(header: u64, tag: u64) -> u128 {
    (u128::from(header) << TAG_BITS) | u128::from(tag)
}

/// Split a code's bits into header and tag.
pub(super) fn split(bits: u128) -> (u64, u64) {
    // The header is at most 32 bits above the 64-bit tag, so both fit a u64.
    ((bits >> TAG_BITS) as u64, bits as u64)
}

/// Write `bits` (the layout's data, most significant first) as a code with its check symbol.
pub(super) fn encode(format: Format, bits: u128) -> String {
    let n = format.data_symbols();
    let v = bits << format.pad_bits();
    let mut s = String::with_capacity(format.len());
    let mut acc: u32 = 0;
    for i in (0..n).rev() {
        // Masked to 5 bits: an index into the 32-symbol alphabet.
        let sym = ((v >> (5 * i)) & 31) as u8;
        acc = (acc * 32 + u32::from(sym)) % 37;
        s.push(ALPHABET[usize::from(sym)] as char);
    }
    // acc < 37.
    s.push(check_symbol(acc as u8) as char);
    s
}

/// A typed code read: its layout, data bits, and canonical spelling.
pub(super) struct Decoded {
    pub format: Format,
    pub bits: u128,
    norm: [u8; SERIAL_CODE_LEN],
}

impl Decoded {
    /// The canonical spelling (upper case, no separators).
    pub fn canonical(&self) -> String {
        self.norm[..self.format.len()]
            .iter()
            .map(|&b| b as char)
            .collect()
    }
}

/// Decode a typed code, or say why not: length (which also picks the layout), characters,
/// check symbol, padding bits.
pub(super) fn decode(code: &str) -> Result<Decoded, Rejection> {
    let mut norm = [0u8; SERIAL_CODE_LEN];
    let mut n = 0usize;
    for b in code.bytes() {
        if b == b'-' || b == b' ' {
            continue;
        }
        if n == SERIAL_CODE_LEN {
            return Err(Rejection::Malformed {
                position: n + 1,
                message: format!(
                    "too long: a code has {CODE_LEN} characters ({BULK_CODE_LEN} or {SERIAL_CODE_LEN} with a serial)"
                ),
            });
        }
        norm[n] = b;
        n += 1;
    }
    let format = match n {
        CODE_LEN => Format::Short,
        BULK_CODE_LEN => Format::Bulk,
        SERIAL_CODE_LEN => Format::Serial,
        _ => {
            return Err(Rejection::Malformed {
                position: 0,
                message: format!(
                    "{n} characters: a code has {CODE_LEN} ({BULK_CODE_LEN} or {SERIAL_CODE_LEN} with a serial)"
                ),
            });
        }
    };
    let data = format.data_symbols();
    let mut bits: u128 = 0;
    let mut acc: u32 = 0;
    // `norm` holds `n` = data + 1 ≤ SERIAL_CODE_LEN bytes, so every index below is in bounds.
    for (i, b) in norm[..data].iter_mut().enumerate() {
        let v = VALUES[usize::from(*b)];
        if v >= 32 {
            return Err(Rejection::Malformed {
                position: i + 1,
                message: "not a Crockford base32 character".into(),
            });
        }
        bits = (bits << 5) | u128::from(v);
        acc = (acc * 32 + u32::from(v)) % 37;
        // Canonical spelling: the symbol of its value.
        *b = ALPHABET[usize::from(v)];
    }
    let check = CHECK_VALUES[usize::from(norm[data])];
    if check >= 37 {
        return Err(Rejection::Malformed {
            position: data + 1,
            message: "not a check character".into(),
        });
    }
    norm[data] = check_symbol(check);
    if u32::from(check) != acc {
        return Err(Rejection::BadCheckCharacter);
    }
    let pad = format.pad_bits();
    if bits & ((1u128 << pad) - 1) != 0 {
        return Err(Rejection::Malformed {
            position: data,
            message: "trailing bits are not zero".into(),
        });
    }
    Ok(Decoded {
        format,
        bits: bits >> pad,
        norm,
    })
}

/// The canonical spelling of a typed code of any format (upper case, no separators, `O`→`0`,
/// `I`/`L`→`1` in data positions, an old check symbol `* ~ $ =` as its safe successor
/// `I L O .`), used as the redemption ledger key; `None` when it is not a well-formed code.
///
/// ```
/// assert_eq!(o2o_core::voucher::canonical("0g36-g037-87ka-qeae-kr40g").as_deref(),
///            Some("0G36G03787KAQEAEKR40G"));
/// assert_eq!(o2o_core::voucher::canonical("0G36G03787KAQEAEKR41G"), None); // a typo
/// ```
#[must_use]
pub fn canonical(code: &str) -> Option<String> {
    decode(code).ok().map(|d| d.canonical())
}

/// Whether `code` is a *shared* code: an anonymous short code, the one code of its campaign and
/// type that everyone may use (see the [module documentation](super)). `false` for a malformed
/// code, a personal short code and any serial or bulk code, which are all single-use.
#[must_use]
pub fn is_shared(code: &str) -> bool {
    decode(code).is_ok_and(|d| {
        d.format == Format::Short && {
            let (h, _) = split(d.bits);
            // A short header is 11 bits.
            !ShortHeader::unpack(h as u16).personal
        }
    })
}
