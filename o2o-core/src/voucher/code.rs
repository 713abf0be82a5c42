//! The code layout: header bits, Crockford base32 (via `data-encoding`) and the mod-37 check.

use super::Rejection;
use data_encoding::{Encoding, Specification};
use std::sync::LazyLock;
use time::macros::date;
use time::{Date, Duration};

/// Characters in a code: 20 data symbols and one check symbol.
pub const CODE_LEN: usize = DATA_SYMBOLS + 1;
/// Highest campaign number.
pub const MAX_CAMPAIGN: u8 = 31;
/// Highest voucher type.
pub const MAX_TYPE: u8 = 7;
/// Highest serial.
pub const MAX_SERIAL: u16 = 511;
/// Expiry epoch: day 0.
const EPOCH: Date = date!(2024 - 01 - 01);
const MAX_EXPIRY_DAYS: u16 = 4095;

pub(super) const DATA_SYMBOLS: usize = 20;
/// 96 bits: 4 header bytes and an 8-byte tag.
pub(super) const BYTES: usize = 12;
pub(super) const TAG_BYTES: usize = 8;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Check symbols: the 32 data symbols, then values 32–36.
const CHECK_EXTRA: &[u8; 5] = b"*~$=U";

static CROCKFORD: LazyLock<Option<Encoding>> = LazyLock::new(|| {
    let mut spec = Specification::new();
    spec.symbols.push_str("0123456789ABCDEFGHJKMNPQRSTVWXYZ");
    // 96 bits in 20 symbols leave 4 trailing bits that must be zero.
    spec.check_trailing_bits = true;
    spec.encoding().ok()
});

/// The first and last expiry day a code can carry.
pub fn expiry_range() -> (Date, Date) {
    (EPOCH, EPOCH + Duration::days(i64::from(MAX_EXPIRY_DAYS)))
}

/// Symbol values by typed byte, with Crockford's reading rules built in (lower case, `O`→0,
/// `I`/`L`→1): 0–31 data symbols, 32–36 check-only symbols, `INVALID` otherwise. A table
/// because verification decodes 21 characters per code a million times a second.
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
    let mut k = 0;
    while k < 5 {
        t[CHECK_EXTRA[k] as usize] = 32 + k as u8;
        k += 1;
    }
    t[b'u' as usize] = 36;
    t
};

/// Value of a typed data symbol, or `None`.
fn symbol_value(b: u8) -> Option<u8> {
    let v = VALUES[usize::from(b)];
    (v < 32).then_some(v)
}

/// Value of a typed check symbol (0–36), or `None`.
fn check_symbol_value(b: u8) -> Option<u8> {
    let v = VALUES[usize::from(b)];
    (v < 37).then_some(v)
}

/// The mod-37 check value of data symbols (each < 32).
fn check_value(values: &[u8]) -> u8 {
    let mut acc: u32 = 0;
    for &v in values {
        acc = (acc * 32 + u32::from(v)) % 37;
    }
    // acc < 37.
    acc as u8
}

fn check_symbol(value: u8) -> u8 {
    match value {
        0..=31 => ALPHABET[usize::from(value)],
        // value ≤ 36 (a remainder mod 37), so the index is 0..=4.
        _ => CHECK_EXTRA[usize::from(value - 32)],
    }
}

/// Header fields packed in 32 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Header {
    pub personal: bool,
    pub slot: u8,
    pub voucher_type: u8,
    pub campaign: u8,
    pub expiry_days: u16,
    pub serial: u16,
}

impl Header {
    pub(super) fn pack(self) -> [u8; 4] {
        let v: u32 = (u32::from(self.personal) << 31)
            | (u32::from(self.slot & 3) << 29)
            | (u32::from(self.voucher_type & 7) << 26)
            | (u32::from(self.campaign & 31) << 21)
            | (u32::from(self.expiry_days & 0x0fff) << 9)
            | u32::from(self.serial & 0x01ff);
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
            serial: (v & 0x01ff) as u16,
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

/// Encode 12 bytes as 20 symbols plus the check symbol.
pub(super) fn encode(bytes: &[u8; BYTES]) -> String {
    let Some(enc) = CROCKFORD.as_ref() else {
        // The specification above is valid; unreachable in practice.
        return String::new();
    };
    let mut s = enc.encode(bytes);
    let values: Vec<u8> = s.bytes().filter_map(symbol_value).collect();
    s.push(check_symbol(check_value(&values)) as char);
    s
}

/// Decode a typed code into its 12 bytes and the canonical spelling, or say why not.
pub(super) fn decode(code: &str) -> Result<([u8; BYTES], [u8; CODE_LEN]), Rejection> {
    let mut norm = [0u8; CODE_LEN];
    let mut n = 0usize;
    for b in code.bytes() {
        if b == b'-' || b == b' ' {
            continue;
        }
        if n == CODE_LEN {
            return Err(Rejection::Malformed {
                position: n + 1,
                message: format!("too long: a code has {CODE_LEN} characters"),
            });
        }
        norm[n] = b;
        n += 1;
    }
    if n < CODE_LEN {
        return Err(Rejection::Malformed {
            position: 0,
            message: format!("too short: {n} of {CODE_LEN} characters"),
        });
    }
    let mut values = [0u8; DATA_SYMBOLS];
    for (i, (b, v)) in norm.iter_mut().zip(values.iter_mut()).enumerate() {
        *v = symbol_value(*b).ok_or_else(|| Rejection::Malformed {
            position: i + 1,
            message: "not a Crockford base32 character".into(),
        })?;
        // Canonical spelling: the symbol of its value.
        *b = ALPHABET[usize::from(*v)];
    }
    let check = check_symbol_value(norm[DATA_SYMBOLS]).ok_or_else(|| Rejection::Malformed {
        position: CODE_LEN,
        message: "not a check character".into(),
    })?;
    norm[DATA_SYMBOLS] = check_symbol(check);
    if check != check_value(&values) {
        return Err(Rejection::BadCheckCharacter);
    }
    let mut out = [0u8; BYTES];
    let enc = CROCKFORD.as_ref().ok_or(Rejection::Malformed {
        position: 0,
        message: "encoding unavailable".into(),
    })?;
    match enc.decode_mut(&norm[..DATA_SYMBOLS], &mut out) {
        Ok(BYTES) => Ok((out, norm)),
        Ok(_) | Err(_) => Err(Rejection::Malformed {
            position: DATA_SYMBOLS,
            message: "trailing bits are not zero".into(),
        }),
    }
}

/// The canonical spelling of a typed code (upper case, no separators, `O`→`0`, `I`/`L`→`1`),
/// used as the redemption ledger key; `None` when it is not a well-formed code.
pub fn canonical(code: &str) -> Option<String> {
    decode(code)
        .ok()
        .map(|(_, norm)| norm.iter().map(|&b| b as char).collect())
}
