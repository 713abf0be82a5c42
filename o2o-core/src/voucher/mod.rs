//! Offline-verifiable vouchers: short codes a cashier can type at a till, signed so that a POS
//! with the key file and the campaign table (and no server) can tell a genuine, unexpired code
//! from a typo or a forgery.
//!
//! # Two formats
//!
//! A **short code** (the default) is 16 Crockford base32 characters: 15 data symbols (75 bits)
//! and one mod-37 check symbol. The 75 bits are 11 header bits and a 64-bit truncated
//! HMAC-SHA256 tag:
//!
//! | bits | field | meaning |
//! |------|-------|---------|
//! | 2    | key slot | which key of the ring signed (derived from the key id, see [`key_slot`]) |
//! | 1    | personal | the tag also covers a customer pseudonym, which the till must supply |
//! | 5    | campaign | 0–31, the campaign's position in the [`CampaignTable`] |
//! | 3    | voucher type | 0–7, meaning set by the retailer (e.g. 1 = 10 % off) |
//!
//! The expiry is not in the bits: it is the campaign's last valid day in the campaign table,
//! which travels with the key file to the tills (it is not secret). The tag covers the header,
//! the campaign's **name and last valid day** from the table and, for a personal code, the
//! customer pseudonym, under its own domain string. So a campaign number reused later for
//! another campaign, or a table whose expiry was altered, makes the old codes fail as
//! [`Rejection::BadSignature`]: a till cannot be talked into a longer validity by editing the
//! (public) table.
//!
//! A personal short code is bound to its customer (the pseudonym is covered by the tag, not
//! carried; the till reads it from the loyalty card). An anonymous short code has no serial:
//! it is **the one shared code** of its campaign and type, like a printed promo code. The
//! [`RedemptionLedger`] therefore counts a shared code's redemptions per customer (a second
//! use by the same identified customer is a double use; uses by different or unidentified
//! customers are not) instead of calling every reuse a double use.
//!
//! A **serial code** (opt-in, for single-use anonymous codes) is 21 characters: 20 data symbols
//! (96 bits: a 32-bit header and the 64-bit tag, the original layout) and the check symbol:
//!
//! | bits | field | meaning |
//! |------|-------|---------|
//! | 1    | personal | as above |
//! | 2    | key slot | as above |
//! | 3    | voucher type | as above |
//! | 5    | campaign | as above (the table only names it) |
//! | 12   | expiry | days since 2024-01-01 (last valid day, up to 2035-03-18) |
//! | 9    | serial | 0–511, so that many anonymous codes of one offer are distinct |
//!
//! One [`Verifier`] reads both: the length, once `-` and spaces are removed, picks the format.
//!
//! # Why single-use anonymous codes cannot be 16 characters
//!
//! Sixteen characters with a check symbol leave 15 data symbols, 75 bits; a tag of at least 64
//! bits leaves at most 11 bits that the verifier does not recompute. For a given key, campaign
//! table and customer, the tag is a function of those 11 bits (that is what lets a till check it
//! offline, without a list of issued codes), so **at most 2¹¹ = 2048 codes are valid per key and
//! customer**. An anonymous code has no customer, so all anonymous codes of a key are among
//! those 2048; to be single-use each voucher needs its own code, and after the key slot (2 bits)
//! the 9 remaining bits could number 512 vouchers in all, with no room left for a campaign or a
//! type. Shortening the tag would make forging cheaper (2⁻⁶⁴ per guess is the budget), and
//! dropping the check symbol would lose typo detection; so single-use anonymous codes use the
//! 21-character serial format, and short anonymous codes are shared.
//!
//! # Check symbol
//!
//! The check symbol is the value of the data symbols modulo 37 (Crockford's check alphabet adds
//! `* ~ $ = U`). 37 is prime and neither divides 32ⁱ nor any symbol difference (< 32), so every
//! single-character substitution changes the remainder: one typo is always reported as
//! [`Rejection::BadCheckCharacter`], never as a forgery. Input is case-insensitive, `O` reads as
//! `0`, `I` and `L` as `1`, and `-` or spaces are ignored.
//!
//! Verification recomputes the tag from per-key HMAC states prepared once ([`Verifier::new`]),
//! compares it with [`subtle::ConstantTimeEq`], then checks the expiry.
//!
//! ```
//! use o2o_core::keys::{KeyRing, SecretKey};
//! use o2o_core::voucher::{CampaignTable, Issuer, Verifier, Voucher, Rejection};
//! use time::macros::date;
//! let ring = KeyRing::single(SecretKey::new("k1", (9..41).collect()).unwrap());
//! let mut table = CampaignTable::default();
//! let spring = table.register_until("zalo-spring", date!(2026 - 04 - 30)).unwrap();
//! let issuer = Issuer::new(&ring, &table);
//! let verifier = Verifier::new(&ring, &table);
//!
//! // Short (default): a personal code, 16 characters, expiry from the table.
//! let short = issuer.issue_short(spring, 1, Some("p:9f2c41d07a")).unwrap();
//! assert_eq!(short.code.len(), 16);
//! let ok = verifier.verify(&short.code, date!(2026 - 04 - 01), Some("p:9f2c41d07a")).unwrap();
//! assert_eq!(ok.voucher, short.voucher);
//! assert!(matches!(verifier.verify(&short.code, date!(2026 - 05 - 01), Some("p:9f2c41d07a")),
//!                  Err(Rejection::Expired { .. })));
//!
//! // Serial: single-use anonymous codes, 21 characters, the expiry in the code.
//! let v = Voucher { campaign: spring, voucher_type: 1, expires: date!(2026 - 04 - 30),
//!                   serial: Some(7), customer: None };
//! let code = issuer.issue(&v).unwrap();
//! assert_eq!(code.len(), 21);
//! assert_eq!(verifier.verify(&code, date!(2026 - 04 - 01), None).unwrap().voucher, v);
//! ```

mod code;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod ledger;
mod sign;
mod verdict;

pub use code::{
    BULK_CODE_LEN, CODE_LEN, Format, MAX_BULK_SERIAL, MAX_CAMPAIGN, MAX_SERIAL, MAX_TYPE,
    SERIAL_CODE_LEN, canonical, expiry_range, is_shared,
};
pub use ledger::{DoubleUse, Redemption, RedemptionLedger, SharedUse};
pub use sign::{Issued, Issuer, MAX_CUSTOMER_LEN, Verified, Verifier, key_slot};
pub use verdict::Verdict;

use crate::event::{CheckIn, CheckInMethod, Identifier};
use serde::{Deserialize, Serialize};
use time::Date;

/// What a code says: the offer, its last valid day, the serial (serial codes) and, for a
/// personal code, the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voucher {
    /// Campaign number (0–31), registered in a [`CampaignTable`].
    pub campaign: u8,
    /// Voucher type (0–7), meaning set by the retailer.
    pub voucher_type: u8,
    /// Last day on which the code is valid (inclusive). For a short code, the campaign's.
    #[serde(with = "day")]
    pub expires: Date,
    /// Serial distinguishing single-use codes of the same offer: 0–1,048,575 for a bulk code,
    /// 0–511 for a serial code; absent for a short code (which has none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial: Option<u32>,
    /// Customer pseudonym the code is bound to (a keyed hash, never a raw identifier), 1 to
    /// [`MAX_CUSTOMER_LEN`] bytes: `o2o hash --hmac-key-file`'s and `o2o_pseudonym`'s
    /// `KEY_ID:HEX` fits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
}

/// A voucher that cannot be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VoucherError {
    /// Campaign number above [`MAX_CAMPAIGN`].
    #[error("campaign {0} is out of range 0..={MAX_CAMPAIGN}")]
    Campaign(u32),
    /// Voucher type above [`MAX_TYPE`].
    #[error("voucher type {0} is out of range 0..={MAX_TYPE}")]
    Type(u32),
    /// Serial above [`MAX_SERIAL`] (serial codes) or [`MAX_BULK_SERIAL`] (bulk codes).
    #[error(
        "serial {0} is out of range (0..={MAX_SERIAL} for a serial code, 0..={MAX_BULK_SERIAL} for a bulk code)"
    )]
    Serial(u32),
    /// Expiry outside the range a serial code can carry.
    #[error("expiry {0} is outside {lo} ..= {hi}", lo = expiry_range().0, hi = expiry_range().1)]
    Expiry(Date),
    /// Customer pseudonym empty or longer than [`MAX_CUSTOMER_LEN`] bytes.
    #[error(
        "customer pseudonym has {len} bytes: it must be 1 to {MAX_CUSTOMER_LEN} (a pseudonym such \
         as o2o_pseudonym returns, KEY_ID:HEX, is at most 97)"
    )]
    Customer {
        /// Its length in bytes.
        len: usize,
    },
    /// A short code for a campaign number the table does not have.
    #[error("campaign {0} is not in the campaign table: register it with its last valid day")]
    UnknownCampaign(u8),
    /// A short code for a campaign whose table entry has no last valid day.
    #[error(
        "campaign `{0}` has no expiry in the campaign table: a short code's expiry is its campaign's"
    )]
    NoExpiry(String),
    /// A short code asked with an expiry other than its campaign's.
    #[error(
        "campaign `{campaign}` expires {} in the campaign table, not {}: a short code's expiry is its campaign's",
        day::format(*table),
        day::format(*given)
    )]
    ExpiryMismatch {
        /// Campaign name.
        campaign: String,
        /// The table's last valid day.
        table: Date,
        /// The expiry asked for.
        given: Date,
    },
    /// The campaign table is full, malformed, or the name is empty.
    #[error("campaign table: {0}")]
    Table(String),
    /// A date that is not `YYYY-MM-DD`.
    #[error("`{0}` is not a date YYYY-MM-DD")]
    Date(String),
}

/// Why a code was refused. Serialised with a `reason` tag for the POS and the CLI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
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
    /// A short code whose campaign number has no entry with a last valid day in the till's
    /// campaign table (the table is out of date, or the code is not genuine).
    #[error(
        "unknown campaign {campaign}: this till's campaign table has no entry with an expiry for it"
    )]
    UnknownCampaign {
        /// The campaign number in the code.
        campaign: u8,
    },
    /// A personal code was presented without the customer pseudonym.
    #[error("personal code: the customer must be identified")]
    CustomerRequired,
    /// The customer pseudonym given is not one a code can be bound to: empty or longer than
    /// [`MAX_CUSTOMER_LEN`] bytes. An argument error of the caller, not a verdict on the code.
    #[error(
        "customer pseudonym has {len} bytes: it must be 1 to {MAX_CUSTOMER_LEN} (a pseudonym such \
         as o2o_pseudonym returns, KEY_ID:HEX, is at most 97)"
    )]
    InvalidCustomer {
        /// Its length in bytes.
        len: usize,
    },
    /// The tag does not match: forged, altered, bound to another customer, or (short codes)
    /// issued for another campaign name or expiry than the till's table says.
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
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match self {
            Rejection::Malformed { .. } => "malformed",
            Rejection::BadCheckCharacter => "bad_check_character",
            Rejection::UnknownKey { .. } => "unknown_key",
            Rejection::UnknownCampaign { .. } => "unknown_campaign",
            Rejection::CustomerRequired => "customer_required",
            Rejection::InvalidCustomer { .. } => "invalid_customer",
            Rejection::BadSignature => "bad_signature",
            Rejection::Expired { .. } => "expired",
        }
    }
}

/// One campaign of the table: its name and, for short codes, its last valid day. Unknown
/// fields are refused, so a misspelt `expires` is an error rather than a campaign without one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Campaign name (as in events' `campaign` field).
    pub name: String,
    /// Last valid day of its short codes; `None` for a campaign with serial codes only.
    #[serde(default, with = "day::option", skip_serializing_if = "Option::is_none")]
    pub expires: Option<Date>,
}

/// A table entry as written: a bare name (the original format) or `{"name", "expires"}`.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Entry {
    Name(String),
    Campaign(Campaign),
}

/// Campaign numbers carried by codes, the campaign names they stand for and, for short codes,
/// each campaign's last valid day.
///
/// The table travels with the key file to the tills (it is not secret: short codes' tags cover
/// the name and expiry, so an edited table only makes codes fail). Numbers are positions. JSON:
/// an array whose entries are a name (`"tet-2026"`, serial codes only) or an object
/// `{"name": "zalo-spring", "expires": "2026-04-30"}`.
///
/// ```
/// use o2o_core::voucher::CampaignTable;
/// use time::macros::date;
/// let mut t: CampaignTable = serde_json::from_str(r#"["tet-2026"]"#).unwrap();
/// assert_eq!(t.register("tet-2026").unwrap(), 0);
/// assert_eq!(t.register_until("zalo-spring", date!(2026 - 04 - 30)).unwrap(), 1);
/// assert_eq!(t.name(1), Some("zalo-spring"));
/// assert_eq!(serde_json::to_string(&t).unwrap(),
///            r#"["tet-2026",{"name":"zalo-spring","expires":"2026-04-30"}]"#);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CampaignTable {
    #[serde(with = "entries")]
    entries: Vec<Campaign>,
}

/// Serde of the table's entries: bare names or objects, checked (names non-empty and distinct,
/// at most 32).
mod entries {
    use super::{Campaign, CampaignTable, Entry, MAX_CAMPAIGN, VoucherError};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(list: &[Campaign], s: S) -> Result<S::Ok, S::Error> {
        let out: Vec<Entry> = list
            .iter()
            .map(|c| match c.expires {
                None => Entry::Name(c.name.clone()),
                Some(_) => Entry::Campaign(c.clone()),
            })
            .collect();
        out.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Campaign>, D::Error> {
        let list = Vec::<Entry>::deserialize(d)?;
        checked(list)
            .map(|t| t.entries)
            .map_err(serde::de::Error::custom)
    }

    fn checked(list: Vec<Entry>) -> Result<CampaignTable, VoucherError> {
        let mut t = CampaignTable::default();
        for (i, e) in list.into_iter().enumerate() {
            let c = match e {
                Entry::Name(name) => Campaign {
                    name,
                    expires: None,
                },
                Entry::Campaign(c) => c,
            };
            if c.name.is_empty() {
                return Err(VoucherError::Table(format!(
                    "entry {i}: empty campaign name"
                )));
            }
            if t.number(&c.name).is_some() {
                return Err(VoucherError::Table(format!(
                    "entry {i}: campaign `{}` is listed twice",
                    c.name
                )));
            }
            if t.entries.len() > usize::from(MAX_CAMPAIGN) {
                return Err(VoucherError::Table(format!(
                    "entry {i}: more than {} campaigns",
                    usize::from(MAX_CAMPAIGN) + 1
                )));
            }
            t.entries.push(c);
        }
        Ok(t)
    }
}

impl CampaignTable {
    /// The number of `name`, registering it (without an expiry) if new.
    pub fn register(&mut self, name: &str) -> Result<u8, VoucherError> {
        if let Some(n) = self.number(name) {
            return Ok(n);
        }
        self.push(Campaign {
            name: name.to_owned(),
            expires: None,
        })
    }

    /// The number of `name`, registering it with last valid day `expires` if new, or giving an
    /// existing entry without an expiry this one. Refuses to change an existing expiry: codes
    /// already issued would fail (register the new offer under a new name).
    pub fn register_until(&mut self, name: &str, expires: Date) -> Result<u8, VoucherError> {
        let Some(n) = self.number(name) else {
            return self.push(Campaign {
                name: name.to_owned(),
                expires: Some(expires),
            });
        };
        // `number` returned a position of `entries`.
        let entry = &mut self.entries[usize::from(n)];
        match entry.expires {
            None => entry.expires = Some(expires),
            Some(d) if d == expires => {}
            Some(d) => {
                return Err(VoucherError::ExpiryMismatch {
                    campaign: name.to_owned(),
                    table: d,
                    given: expires,
                });
            }
        }
        Ok(n)
    }

    fn push(&mut self, c: Campaign) -> Result<u8, VoucherError> {
        if c.name.is_empty() {
            return Err(VoucherError::Table("empty campaign name".into()));
        }
        if self.entries.len() > usize::from(MAX_CAMPAIGN) {
            return Err(VoucherError::Table(format!(
                "full ({} campaigns); retire one or rotate the key",
                self.entries.len()
            )));
        }
        self.entries.push(c);
        // Bounded by the check above: len ≤ MAX_CAMPAIGN + 1 ≤ 256.
        Ok((self.entries.len() - 1) as u8)
    }

    /// The number of a registered campaign.
    #[must_use]
    pub fn number(&self, name: &str) -> Option<u8> {
        self.entries
            .iter()
            .position(|c| c.name == name)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The name of campaign `number`.
    #[must_use]
    pub fn name(&self, number: u8) -> Option<&str> {
        self.entry(number).map(|c| c.name.as_str())
    }

    /// The last valid day of campaign `number`'s short codes.
    #[must_use]
    pub fn expires(&self, number: u8) -> Option<Date> {
        self.entry(number).and_then(|c| c.expires)
    }

    /// The entry of campaign `number`.
    #[must_use]
    pub fn entry(&self, number: u8) -> Option<&Campaign> {
        self.entries.get(usize::from(number))
    }

    /// Number of campaigns.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no campaign is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
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
        channel: None,
        tracking: None,
    }
}

/// `YYYY-MM-DD` dates for serde and the CLI.
pub mod day {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;
    use time::macros::format_description;

    /// Format as `YYYY-MM-DD`.
    #[must_use]
    pub fn format(d: Date) -> String {
        let f = format_description!("[year]-[month]-[day]");
        d.format(&f).unwrap_or_default()
    }

    /// Parse `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Result<Date, super::VoucherError> {
        let f = format_description!("[year]-[month]-[day]");
        Date::parse(s.trim(), &f).map_err(|_| super::VoucherError::Date(s.to_owned()))
    }

    /// The local day of a Unix timestamp at a UTC offset (seconds east of UTC).
    #[must_use]
    pub fn local(ts: i64, utc_offset_secs: i32) -> Option<Date> {
        let offset = time::UtcOffset::from_whole_seconds(utc_offset_secs).ok()?;
        time::OffsetDateTime::from_unix_timestamp(ts)
            .ok()
            .map(|t| t.to_offset(offset).date())
    }

    /// The local day of a Unix timestamp in an IANA time zone (the store's), and the zone's UTC
    /// offset then, in seconds.
    #[cfg(feature = "ingest")]
    pub fn in_zone(ts: i64, zone: &str) -> Result<(Date, i32), super::VoucherError> {
        let tz = jiff::tz::TimeZone::get(zone).map_err(|_| {
            super::VoucherError::Table(format!("`{zone}` is not an IANA time zone"))
        })?;
        let t = jiff::Timestamp::from_second(ts)
            .map_err(|e| super::VoucherError::Table(format!("time {ts}: {e}")))?;
        let offset = tz.to_offset(t).seconds();
        local(ts, offset)
            .map(|d| (d, offset))
            .ok_or_else(|| super::VoucherError::Table(format!("time {ts} is out of range")))
    }

    /// The UTC day of a Unix timestamp.
    #[must_use]
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

    /// Serde for `Option<Date>` as `YYYY-MM-DD` or absent/null.
    pub mod option {
        use serde::{Deserialize, Deserializer, Serializer};
        use time::Date;

        /// Serde: serialise as `YYYY-MM-DD` (or null).
        pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&super::format(*d)),
                None => s.serialize_none(),
            }
        }

        /// Serde: deserialise from `YYYY-MM-DD` or null.
        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
            Option::<String>::deserialize(d)?
                .map(|s| super::parse(&s).map_err(serde::de::Error::custom))
                .transpose()
        }
    }
}

#[cfg(test)]
mod tests;
