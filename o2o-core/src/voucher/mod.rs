//! Offline-verifiable vouchers: short codes a cashier can type at a till, signed so that a POS
//! with the key file (and no server) can tell a genuine, unexpired code from a typo or a forgery.
//!
//! A code is 21 Crockford base32 characters: 20 data symbols (96 bits) and one Crockford
//! mod-37 check symbol. The 96 bits are a 32-bit header and a 64-bit HMAC-SHA256 tag:
//!
//! | bits | field | meaning |
//! |------|-------|---------|
//! | 1    | personal | the tag also covers a customer pseudonym, which the till must supply |
//! | 2    | key slot | which key of the ring signed (derived from the key id, see [`key_slot`]) |
//! | 3    | voucher type | 0–7, meaning set by the retailer (e.g. 1 = 10 % off) |
//! | 5    | campaign | 0–31, a number registered in a [`CampaignTable`] |
//! | 12   | expiry | days since 2024-01-01 (last valid day, up to 2035-03-18) |
//! | 9    | serial | 0–511, so that many anonymous codes of one offer are distinct |
//!
//! Why 21 and not 16 characters: 16 Crockford characters with a check symbol hold 75 bits; a
//! 64-bit tag leaves 11 bits, too few for a campaign, a type, an expiry and a serial. Security
//! (a forged code is money) won over length: the tag keeps its 64 bits and the code grows.
//! The customer pseudonym is *bound* (covered by the tag) rather than carried, which keeps
//! personal codes as short as anonymous ones; the till reads it from the loyalty card.
//!
//! The check symbol is the value of the 20 data symbols modulo 37 (Crockford's check alphabet
//! adds `* ~ $ = U`). 37 is prime and neither divides 32ⁱ nor any symbol difference (< 32), so
//! every single-character substitution changes the remainder: one typo is always reported as
//! [`Rejection::BadCheckCharacter`], never as a forgery. Input is case-insensitive, `O` reads as
//! `0`, `I` and `L` as `1`, and `-` or spaces are ignored.
//!
//! Verification recomputes the tag from a per-key HMAC state prepared once ([`Verifier::new`]),
//! compares it with [`subtle::ConstantTimeEq`], then checks the expiry.
//!
//! ```
//! use o2o_core::keys::{KeyRing, SecretKey};
//! use o2o_core::voucher::{Issuer, Verifier, Voucher, Rejection};
//! use time::macros::date;
//! let ring = KeyRing::single(SecretKey::new("k1", vec![9u8; 32]).unwrap());
//! let v = Voucher { campaign: 3, voucher_type: 1, expires: date!(2026 - 04 - 30), serial: 7, customer: None };
//! let code = Issuer::new(&ring).issue(&v).unwrap();
//! assert_eq!(code.len(), 21);
//! let verifier = Verifier::new(&ring);
//! let ok = verifier.verify(&code, date!(2026 - 04 - 01), None).unwrap();
//! assert_eq!(ok.voucher, v);
//! assert!(matches!(verifier.verify(&code, date!(2026 - 05 - 01), None), Err(Rejection::Expired { .. })));
//! ```

mod code;
mod ledger;
mod sign;

pub use code::{CODE_LEN, MAX_CAMPAIGN, MAX_SERIAL, MAX_TYPE, canonical, expiry_range};
pub use ledger::{DoubleUse, Redemption, RedemptionLedger};
pub use sign::{Issuer, Verified, Verifier, key_slot};

use crate::event::{CheckIn, CheckInMethod, Identifier};
use serde::{Deserialize, Serialize};
use time::Date;

/// What a code says: the offer, its last valid day and, for a personal code, the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    /// Campaign number (0–31), registered in a [`CampaignTable`].
    pub campaign: u8,
    /// Voucher type (0–7), meaning set by the retailer.
    pub voucher_type: u8,
    /// Last day on which the code is valid (inclusive).
    #[serde(with = "day")]
    pub expires: Date,
    /// Serial (0–511) distinguishing codes of the same offer.
    pub serial: u16,
    /// Customer pseudonym the code is bound to (a keyed hash, never a raw identifier).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

/// A voucher that cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VoucherError {
    /// Campaign number above [`MAX_CAMPAIGN`].
    #[error("campaign {0} is out of range 0..={MAX_CAMPAIGN}")]
    Campaign(u32),
    /// Voucher type above [`MAX_TYPE`].
    #[error("voucher type {0} is out of range 0..={MAX_TYPE}")]
    Type(u32),
    /// Serial above [`MAX_SERIAL`].
    #[error("serial {0} is out of range 0..={MAX_SERIAL}")]
    Serial(u32),
    /// Expiry outside the range a code can carry.
    #[error("expiry {0} is outside {lo} ..= {hi}", lo = expiry_range().0, hi = expiry_range().1)]
    Expiry(Date),
    /// Customer pseudonym empty or longer than 64 bytes.
    #[error("customer pseudonym must be 1 to 64 bytes")]
    Customer,
    /// The campaign table is full or the name is empty.
    #[error("campaign table: {0}")]
    Table(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("`{0}` is not a date YYYY-MM-DD")]
    Date(String),
}

/// Why a code was refused. Serialised with a `reason` tag for the POS and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Rejection {
    /// Wrong length or a character outside Crockford base32.
    #[error("malformed code: {message} (character {position})")]
    Malformed {
        /// 1-based character position (separators not counted); 0 for the whole code.
        position: usize,
        /// What is wrong.
        message: String,
    },
    /// The check symbol does not match: most likely a typo.
    #[error("bad check character: a character was mistyped")]
    BadCheckCharacter,
    /// No key of the ring has the code's key slot.
    #[error("unknown key (slot {slot}): the code was signed with a key this till does not have")]
    UnknownKey {
        /// The key slot in the code.
        slot: u8,
    },
    /// A personal code was presented without the customer pseudonym.
    #[error("personal code: the customer must be identified")]
    CustomerRequired,
    /// The tag does not match: forged, altered, or bound to another customer.
    #[error("bad signature")]
    BadSignature,
    /// Genuine but past its last valid day.
    #[error("expired on {}", day::format(*expired))]
    Expired {
        /// Last valid day.
        #[serde(with = "day")]
        expired: Date,
        /// The genuine voucher.
        voucher: Voucher,
    },
}

impl Rejection {
    /// The stable `reason` string (as in JSON).
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Malformed { .. } => "malformed",
            Rejection::BadCheckCharacter => "bad_check_character",
            Rejection::UnknownKey { .. } => "unknown_key",
            Rejection::CustomerRequired => "customer_required",
            Rejection::BadSignature => "bad_signature",
            Rejection::Expired { .. } => "expired",
        }
    }
}

/// Campaign numbers carried by codes, and the campaign names they stand for.
///
/// The table travels with the key file to the tills (it is not secret). Numbers are positions.
///
/// ```
/// use o2o_core::voucher::CampaignTable;
/// let mut t = CampaignTable::default();
/// assert_eq!(t.register("zalo-spring").unwrap(), 0);
/// assert_eq!(t.register("zalo-spring").unwrap(), 0);
/// assert_eq!(t.name(0), Some("zalo-spring"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CampaignTable {
    names: Vec<String>,
}

impl CampaignTable {
    /// The number of `name`, registering it if new.
    pub fn register(&mut self, name: &str) -> Result<u8, VoucherError> {
        if let Some(n) = self.number(name) {
            return Ok(n);
        }
        if name.is_empty() {
            return Err(VoucherError::Table("empty campaign name".into()));
        }
        if self.names.len() > usize::from(MAX_CAMPAIGN) {
            return Err(VoucherError::Table(format!(
                "full ({} campaigns); retire one or rotate the key",
                self.names.len()
            )));
        }
        self.names.push(name.to_owned());
        // Bounded by the check above: len ≤ MAX_CAMPAIGN < 256.
        Ok((self.names.len() - 1) as u8)
    }

    /// The number of a registered campaign.
    pub fn number(&self, name: &str) -> Option<u8> {
        self.names
            .iter()
            .position(|n| n == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The name of campaign `number`.
    pub fn name(&self, number: u8) -> Option<&str> {
        self.names.get(usize::from(number)).map(String::as_str)
    }
}

/// A verified redemption as an offline check-in, so attribution credits the campaign.
///
/// The campaign is the table's name for the number, or `#N` when the table does not know it.
pub fn redemption_checkin(
    verified: &Verified,
    table: &CampaignTable,
    store: &str,
    timestamp: i64,
    value: Option<f64>,
    identifiers: Vec<Identifier>,
) -> CheckIn {
    let n = verified.voucher.campaign;
    CheckIn {
        id: None,
        method: CheckInMethod::VoucherRedemption,
        store: store.to_owned(),
        region: None,
        timestamp,
        value,
        currency: None,
        items: Vec::new(),
        campaign: Some(table.name(n).map_or_else(|| format!("#{n}"), str::to_owned)),
        voucher: Some(verified.code.clone()),
        identifiers,
        consent: None,
    }
}

/// `YYYY-MM-DD` dates for serde and the CLI.
pub mod day {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    /// Format as `YYYY-MM-DD`.
    pub fn format(d: Date) -> String {
        let f = format_description!("[year]-[month]-[day]");
        d.format(&f).unwrap_or_default()
    }

    /// Parse `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, super::VoucherError> {
        let f = format_description!("[year]-[month]-[day]");
        Date::parse(s.trim(), &f).map_err(|_| super::VoucherError::Date(s.to_owned()))
    }

    /// The UTC day of a Unix timestamp.
    pub fn of_timestamp(ts: i64) -> Option<Date> {
        time::OffsetDateTime::from_unix_timestamp(ts)
            .ok()
            .map(|t| t.date())
    }

    /// Serde: serialise as `YYYY-MM-DD`.
    pub fn serialize<S: Serializer>(d: &Date, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*d))
    }

    /// Serde: deserialise from `YYYY-MM-DD`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Date, D::Error> {
        let s = String::deserialize(d)?;
        parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests;
