//! Signing and verifying: HMAC-SHA256 truncated to 64 bits, with the keyed state prepared once
//! per key so a till verifies in about a microsecond.
//!
//! What the tag covers, after a domain string per layout (a tag made for one layout or for
//! pseudonyms can never be replayed as another):
//! - short code: the campaign's last valid day (Julian day) and its name (length-prefixed),
//!   zero-padded to a hash block (so the state is prepared once per key and campaign), then the
//!   11 header bits and, when personal, the customer pseudonym (length-prefixed);
//! - serial code: the 32-bit header and, when personal, the length-prefixed customer pseudonym;
//! - bulk code: as a short code (campaign expiry and name, padded to a block), under its own
//!   domain, then the 31-bit header (4 bytes) and, when personal, the customer pseudonym.

use super::code::{self, BulkHeader, Decoded, Format, Header, ShortHeader};
use super::{Campaign, CampaignTable, Rejection, Voucher, VoucherError};
use crate::keys::{KeyRing, SecretKey};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::Date;

type HmacSha256 = Hmac<Sha256>;

/// Domain of serial codes (the original layout; unchanged so issued codes keep verifying).
const SERIAL_DOMAIN: &[u8] = b"o2o-voucher-v1\0";
/// Domain of short codes.
const SHORT_DOMAIN: &[u8] = b"o2o-voucher-short-v1\0";
/// Domain of bulk codes (the same length as the short domain, so the campaign state pads the
/// same way).
const BULK_DOMAIN: &[u8] = b"o2o-voucher-bulk-v01\0";
/// Longest customer pseudonym a code can be bound to, in bytes. A keyed pseudonym's text form
/// `KEY_ID:HEX` (as `o2o_pseudonym` and `o2o hash --hmac-key-file` write it) is at most
/// 32 + 1 + 64 = 97 bytes; the rest is room for the retailer's own pseudonym formats. The tag
/// length-prefixes the pseudonym with one byte, so the bound must stay below 256.
pub const MAX_CUSTOMER_LEN: usize = 128;

/// The 2-bit slot a key id occupies in codes: the first byte of SHA-256(id), mod 4.
///
/// Rotation: give the new key an id whose slot differs from the keys still accepted (the CLI
/// and [`Verifier`] try every key sharing a slot, so a clash costs time, never correctness).
#[must_use]
pub fn key_slot(id: &str) -> u8 {
    Sha256::digest(id.as_bytes())[0] & 3
}

/// The keyed HMAC state with `domain` already absorbed.
fn prepared(key: &SecretKey, domain: &[u8]) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails; fall back to an empty key only to
    // satisfy the type (a ring key is at least 16 bytes).
    let mut mac = HmacSha256::new_from_slice(key.secret())
        .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
    mac.update(domain);
    mac
}

fn truncate(mac: HmacSha256) -> u64 {
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; 8];
    out.copy_from_slice(&full[..8]);
    u64::from_be_bytes(out)
}

fn absorb_customer(mac: &mut HmacSha256, customer: Option<&str>) {
    if let Some(c) = customer {
        // Length-prefixed (≤ MAX_CUSTOMER_LEN < 256 bytes, checked by every caller) so no two
        // inputs coincide.
        mac.update(&[c.len() as u8]);
        mac.update(c.as_bytes());
    }
}

fn serial_tag(state: &HmacSha256, header: &[u8; 4], customer: Option<&str>) -> u64 {
    let mut mac = state.clone();
    mac.update(header);
    absorb_customer(&mut mac, customer);
    truncate(mac)
}

/// The keyed state of one campaign's short codes: the domain, the campaign's last valid day
/// (Julian day) and its length-prefixed name, zero-padded to the end of a SHA-256 block. Prepared
/// once per key and campaign, so verifying hashes only the header and the customer (one block
/// for pseudonyms up to 52 bytes). The padding is a function of the name's length, so no two
/// (expiry, name, header, customer) inputs coincide.
fn campaign_state(short: &HmacSha256, campaign: &str, expires: Date) -> HmacSha256 {
    // Both campaign-keyed domains have the same length, so this padding fits either.
    const _: () = assert!(SHORT_DOMAIN.len() == BULK_DOMAIN.len());
    let mut mac = short.clone();
    mac.update(&expires.to_julian_day().to_be_bytes());
    // A table entry's name fits in memory, so its length fits a u64.
    mac.update(&(campaign.len() as u64).to_be_bytes());
    mac.update(campaign.as_bytes());
    let absorbed = SHORT_DOMAIN.len() + 4 + 8 + campaign.len();
    let pad = (64 - absorbed % 64) % 64;
    mac.update(&[0u8; 64][..pad]);
    mac
}

fn short_tag(campaign_state: &HmacSha256, header: u16, customer: Option<&str>) -> u64 {
    let mut mac = campaign_state.clone();
    mac.update(&header.to_be_bytes());
    absorb_customer(&mut mac, customer);
    truncate(mac)
}

fn bulk_tag(campaign_state: &HmacSha256, header: u32, customer: Option<&str>) -> u64 {
    let mut mac = campaign_state.clone();
    mac.update(&header.to_be_bytes());
    absorb_customer(&mut mac, customer);
    truncate(mac)
}

fn valid_customer(c: Option<&str>) -> bool {
    c.is_none_or(|c| !c.is_empty() && c.len() <= MAX_CUSTOMER_LEN)
}

/// The campaign a short code stands for: its table entry, which must have a last valid day.
fn short_campaign(table: &CampaignTable, n: u8) -> Option<(&str, Date)> {
    let Campaign { name, expires } = table.entry(n)?;
    Some((name.as_str(), (*expires)?))
}

/// A code just issued, with what it says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Issued {
    /// The code (canonical spelling).
    pub code: String,
    /// Id of the key that signed it.
    pub key_id: String,
    /// What the code says (for a short code, the expiry is its campaign's).
    pub voucher: Voucher,
}

/// Issues codes with the current (first) key of a ring.
#[derive(Clone)]
pub struct Issuer {
    slot: u8,
    key_id: String,
    serial: HmacSha256,
    short: HmacSha256,
    bulk: HmacSha256,
    campaigns: CampaignTable,
}

impl Issuer {
    /// An issuer signing with `ring.current()`. Short codes take their campaign's name and last
    /// valid day from `campaigns` (the table the tills get); serial codes need no table.
    #[must_use]
    pub fn new(ring: &KeyRing, campaigns: &CampaignTable) -> Self {
        let key = ring.current();
        Issuer {
            slot: key_slot(key.id()),
            key_id: key.id().to_owned(),
            serial: prepared(key, SERIAL_DOMAIN),
            short: prepared(key, SHORT_DOMAIN),
            bulk: prepared(key, BULK_DOMAIN),
            campaigns: campaigns.clone(),
        }
    }

    /// The bulk code of campaign `campaign`, type `voucher_type` and `serial` (0 to
    /// [`MAX_BULK_SERIAL`](super::MAX_BULK_SERIAL)), bound to `customer` when given; 20
    /// characters, single-use, its expiry the campaign's in the table.
    ///
    /// ```
    /// use o2o_core::keys::{KeyRing, SecretKey};
    /// use o2o_core::voucher::{CampaignTable, Issuer, Verifier, MAX_BULK_SERIAL};
    /// use time::macros::date;
    /// let ring = KeyRing::single(SecretKey::new("k1", (9..41).collect()).unwrap());
    /// let mut table = CampaignTable::default();
    /// let n = table.register_until("tet-2026", date!(2026 - 02 - 28)).unwrap();
    /// let last = Issuer::new(&ring, &table).issue_bulk(n, 1, MAX_BULK_SERIAL, None).unwrap();
    /// assert_eq!(last.code.len(), 20);
    /// let ok = Verifier::new(&ring, &table).verify(&last.code, date!(2026 - 02 - 28), None).unwrap();
    /// assert_eq!(ok.voucher.serial, Some(1_048_575));
    /// ```
    pub fn issue_bulk(
        &self,
        campaign: u8,
        voucher_type: u8,
        serial: u32,
        customer: Option<&str>,
    ) -> Result<Issued, VoucherError> {
        let (_, expires) = self.short_entry(campaign)?;
        let voucher = Voucher {
            campaign,
            voucher_type,
            expires,
            serial: Some(serial),
            customer: customer.map(str::to_owned),
        };
        let code = self.issue_as(Format::Bulk, &voucher)?;
        Ok(Issued {
            code,
            key_id: self.key_id.clone(),
            voucher,
        })
    }

    /// The bulk codes of serials `first_serial .. first_serial + count` of campaign `campaign`
    /// and type `voucher_type` (anonymous, or all bound to `customer`), in serial order: what a
    /// print run or a mailing of single-use codes needs. Every argument is checked before the
    /// first code is made (the whole range must lie within 0 to
    /// [`MAX_BULK_SERIAL`](super::MAX_BULK_SERIAL)), so the iterator cannot fail half-way; the
    /// campaign's keyed state is prepared once for the range.
    ///
    /// ```
    /// use o2o_core::keys::{KeyRing, SecretKey};
    /// use o2o_core::voucher::{CampaignTable, Issuer, Verifier};
    /// use time::macros::date;
    /// let ring = KeyRing::single(SecretKey::new("k1", (9..41).collect()).unwrap());
    /// let mut table = CampaignTable::default();
    /// let n = table.register_until("tet-2026", date!(2026 - 02 - 28)).unwrap();
    /// let issuer = Issuer::new(&ring, &table);
    /// let codes: Vec<String> = issuer.issue_bulk_range(n, 1, 1_000, 3, None).unwrap().collect();
    /// assert_eq!(codes[2], issuer.issue_bulk(n, 1, 1_002, None).unwrap().code);
    /// let v = Verifier::new(&ring, &table);
    /// assert_eq!(v.verify(&codes[0], date!(2026 - 02 - 01), None).unwrap().voucher.serial, Some(1_000));
    /// assert!(issuer.issue_bulk_range(n, 1, 1_048_575, 2, None).is_err());
    /// ```
    pub fn issue_bulk_range<'a>(
        &'a self,
        campaign: u8,
        voucher_type: u8,
        first_serial: u32,
        count: u32,
        customer: Option<&'a str>,
    ) -> Result<impl ExactSizeIterator<Item = String> + 'a, VoucherError> {
        let (name, expires) = self.short_entry(campaign)?;
        let voucher = Voucher {
            campaign,
            voucher_type,
            expires,
            serial: Some(first_serial),
            customer: customer.map(str::to_owned),
        };
        self.check_fields(&voucher)?;
        let last = first_serial.saturating_add(count.saturating_sub(1));
        if first_serial > super::MAX_BULK_SERIAL || last > super::MAX_BULK_SERIAL {
            return Err(VoucherError::Serial(last.max(first_serial)));
        }
        let state = campaign_state(&self.bulk, name, expires);
        // `first_serial + count - 1 ≤ MAX_BULK_SERIAL` was checked above: no saturation here.
        let serials = first_serial..first_serial.saturating_add(count);
        Ok(serials.map(move |serial| self.bulk_code(&state, &voucher, serial)))
    }

    /// The bulk code of `v` with `serial`, its fields already checked and `state` its
    /// campaign's keyed state.
    fn bulk_code(&self, state: &HmacSha256, v: &Voucher, serial: u32) -> String {
        let header = BulkHeader {
            slot: self.slot,
            personal: v.customer.is_some(),
            campaign: v.campaign,
            voucher_type: v.voucher_type,
            serial,
        }
        .pack();
        let t = bulk_tag(state, header, v.customer.as_deref());
        code::encode(Format::Bulk, code::join(u64::from(header), t))
    }

    /// The code for `v` in `format`: [`Format::Short`] needs no serial, [`Format::Serial`] and
    /// [`Format::Bulk`] need one; short and bulk codes take their expiry from the campaign
    /// table, which must agree with `v.expires`.
    pub fn issue_as(&self, format: Format, v: &Voucher) -> Result<String, VoucherError> {
        match (format, v.serial) {
            (Format::Short, None) | (Format::Serial, Some(_)) => self.issue(v),
            (Format::Bulk, Some(serial)) => {
                self.check_fields(v)?;
                if serial > super::MAX_BULK_SERIAL {
                    return Err(VoucherError::Serial(serial));
                }
                let (name, expires) = self.short_entry(v.campaign)?;
                if expires != v.expires {
                    return Err(VoucherError::ExpiryMismatch {
                        campaign: name.to_owned(),
                        table: expires,
                        given: v.expires,
                    });
                }
                let state = campaign_state(&self.bulk, name, expires);
                Ok(self.bulk_code(&state, v, serial))
            }
            (Format::Short, Some(s)) => Err(VoucherError::Table(format!(
                "a short code has no serial (got {s}): use the bulk or serial format"
            ))),
            (_, None) => Err(VoucherError::Table(format!(
                "a {} code needs a serial",
                match format {
                    Format::Bulk => "bulk",
                    _ => "serial",
                }
            ))),
        }
    }

    fn check_fields(&self, v: &Voucher) -> Result<(), VoucherError> {
        if v.campaign > super::MAX_CAMPAIGN {
            return Err(VoucherError::Campaign(v.campaign.into()));
        }
        if v.voucher_type > super::MAX_TYPE {
            return Err(VoucherError::Type(v.voucher_type.into()));
        }
        if !valid_customer(v.customer.as_deref()) {
            return Err(VoucherError::Customer {
                len: v.customer.as_deref().map_or(0, str::len),
            });
        }
        Ok(())
    }

    /// The short code of campaign `campaign` and type `voucher_type`, bound to `customer` when
    /// given; its expiry is the campaign's. Anonymous: the one shared code of that campaign and
    /// type (issuing it again gives the same code).
    ///
    /// ```
    /// use o2o_core::keys::{KeyRing, SecretKey};
    /// use o2o_core::voucher::{CampaignTable, Issuer};
    /// use time::macros::date;
    /// let ring = KeyRing::single(SecretKey::new("k1", (9..41).collect()).unwrap());
    /// let mut table = CampaignTable::default();
    /// let n = table.register_until("tet-2026", date!(2026 - 02 - 28)).unwrap();
    /// let issued = Issuer::new(&ring, &table).issue_short(n, 1, Some("p:4f1c")).unwrap();
    /// assert_eq!(issued.code.len(), 16);
    /// assert_eq!(issued.voucher.expires, date!(2026 - 02 - 28));
    /// ```
    pub fn issue_short(
        &self,
        campaign: u8,
        voucher_type: u8,
        customer: Option<&str>,
    ) -> Result<Issued, VoucherError> {
        let (_, expires) = self.short_entry(campaign)?;
        let voucher = Voucher {
            campaign,
            voucher_type,
            expires,
            serial: None,
            customer: customer.map(str::to_owned),
        };
        let code = self.issue(&voucher)?;
        Ok(Issued {
            code,
            key_id: self.key_id.clone(),
            voucher,
        })
    }

    fn short_entry(&self, campaign: u8) -> Result<(&str, Date), VoucherError> {
        if campaign > super::MAX_CAMPAIGN {
            return Err(VoucherError::Campaign(campaign.into()));
        }
        let entry = self
            .campaigns
            .entry(campaign)
            .ok_or(VoucherError::UnknownCampaign(campaign))?;
        let expires = entry
            .expires
            .ok_or_else(|| VoucherError::NoExpiry(entry.name.clone()))?;
        Ok((entry.name.as_str(), expires))
    }

    /// The code for `v`: a serial code when `v.serial` is set, else a short code, whose
    /// `expires` must be its campaign's last valid day in the table.
    pub fn issue(&self, v: &Voucher) -> Result<String, VoucherError> {
        self.check_fields(v)?;
        let Some(serial) = v.serial else {
            let (name, expires) = self.short_entry(v.campaign)?;
            if expires != v.expires {
                return Err(VoucherError::ExpiryMismatch {
                    campaign: name.to_owned(),
                    table: expires,
                    given: v.expires,
                });
            }
            let header = ShortHeader {
                slot: self.slot,
                personal: v.customer.is_some(),
                campaign: v.campaign,
                voucher_type: v.voucher_type,
            }
            .pack();
            let state = campaign_state(&self.short, name, expires);
            let t = short_tag(&state, header, v.customer.as_deref());
            return Ok(code::encode(
                Format::Short,
                code::join(u64::from(header), t),
            ));
        };
        if serial > super::MAX_SERIAL {
            return Err(VoucherError::Serial(serial));
        }
        let expiry_days = Header::expiry_days(v.expires).ok_or(VoucherError::Expiry(v.expires))?;
        let header = Header {
            personal: v.customer.is_some(),
            slot: self.slot,
            voucher_type: v.voucher_type,
            campaign: v.campaign,
            expiry_days,
            serial,
        }
        .pack();
        let t = serial_tag(&self.serial, &header, v.customer.as_deref());
        Ok(code::encode(
            Format::Serial,
            code::join(u64::from(u32::from_be_bytes(header)), t),
        ))
    }
}

/// A code that verified: the voucher, the key that signed it, the canonical code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The canonical code (upper case, no separators).
    pub code: String,
    /// Its layout.
    pub format: Format,
    /// Id of the key that signed it.
    pub key_id: String,
    /// What the code says.
    pub voucher: Voucher,
}

struct PreparedKey {
    slot: u8,
    id: String,
    serial: HmacSha256,
    /// By campaign number: the campaign's prepared state, `None` without an expiry.
    campaigns: Vec<Option<HmacSha256>>,
    /// The same for bulk codes.
    bulk: Vec<Option<HmacSha256>>,
}

/// Verifies codes of both formats offline against every key of a ring and the campaign table.
pub struct Verifier {
    keys: Vec<PreparedKey>,
    campaigns: CampaignTable,
}

impl Verifier {
    /// Prepare the keyed HMAC states of every key in `ring`. `campaigns` is the table the codes
    /// were issued with: a short code's campaign name and last valid day come from it (serial
    /// codes carry their expiry and need no table).
    #[must_use]
    pub fn new(ring: &KeyRing, campaigns: &CampaignTable) -> Self {
        Verifier {
            keys: ring
                .keys()
                .iter()
                .map(|k| {
                    let short = prepared(k, SHORT_DOMAIN);
                    let bulk = prepared(k, BULK_DOMAIN);
                    PreparedKey {
                        slot: key_slot(k.id()),
                        id: k.id().to_owned(),
                        serial: prepared(k, SERIAL_DOMAIN),
                        campaigns: (0..campaigns.len())
                            .map(|n| {
                                // n < len ≤ 32 (the table's bound), so it fits a u8.
                                short_campaign(campaigns, n as u8)
                                    .map(|(name, expires)| campaign_state(&short, name, expires))
                            })
                            .collect(),
                        bulk: (0..campaigns.len())
                            .map(|n| {
                                // As above.
                                short_campaign(campaigns, n as u8)
                                    .map(|(name, expires)| campaign_state(&bulk, name, expires))
                            })
                            .collect(),
                    }
                })
                .collect(),
            campaigns: campaigns.clone(),
        }
    }

    /// The campaign table this verifier reads short codes with.
    #[must_use]
    pub fn campaigns(&self) -> &CampaignTable {
        &self.campaigns
    }

    /// Verify `code` on day `today`. A personal code needs the `customer` pseudonym it was
    /// issued to. Checks, in order: the customer argument ([`Rejection::InvalidCustomer`] when
    /// it is empty or longer than [`MAX_CUSTOMER_LEN`]: an argument error, not a verdict), form
    /// (the length picks the format), check character, key slot, campaign (short codes),
    /// customer, tag (constant time), expiry.
    pub fn verify(
        &self,
        code: &str,
        today: Date,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        if !valid_customer(customer) {
            return Err(Rejection::InvalidCustomer {
                len: customer.map_or(0, str::len),
            });
        }
        let d = code::decode(code)?;
        let (header, tag) = code::split(d.bits);
        match d.format {
            // A short header is 11 bits, a serial header 32 bits (`split`).
            Format::Short => self.verify_short(&d, header as u16, tag, today, customer),
            Format::Serial => self.verify_serial(&d, header as u32, tag, today, customer),
            // A bulk header is 31 bits.
            Format::Bulk => self.verify_bulk(&d, header as u32, tag, today, customer),
        }
    }

    /// [`Verifier::verify`] at a moment (`unix_secs`) in the store's time zone, given as its UTC
    /// offset at that moment in seconds (`+25_200` for UTC+7): a code's last valid day ends at
    /// local midnight, so a till at UTC+7 refuses a code expiring on the 31st from 00:00 local
    /// on the 1st (17:00 UTC on the 31st).
    ///
    /// ```
    /// use o2o_core::keys::{KeyRing, SecretKey};
    /// use o2o_core::voucher::{CampaignTable, Issuer, Rejection, Verifier};
    /// use time::macros::date;
    /// let ring = KeyRing::single(SecretKey::new("k1", (9..41).collect()).unwrap());
    /// let mut table = CampaignTable::default();
    /// let n = table.register_until("spring", date!(2030 - 03 - 31)).unwrap();
    /// let code = Issuer::new(&ring, &table).issue_short(n, 1, None).unwrap().code;
    /// let v = Verifier::new(&ring, &table);
    /// let five_am_local_april_1st = 1_901_224_800; // 2030-03-31T22:00:00Z
    /// assert!(v.verify_at(&code, five_am_local_april_1st, 0, None).is_ok()); // UTC: still the 31st
    /// assert!(matches!(v.verify_at(&code, five_am_local_april_1st, 7 * 3600, None),
    ///                  Err(Rejection::Expired { .. })));
    /// ```
    pub fn verify_at(
        &self,
        code: &str,
        unix_secs: i64,
        utc_offset_secs: i32,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        let today =
            super::day::local(unix_secs, utc_offset_secs).ok_or_else(|| Rejection::Malformed {
                position: 0,
                message: format!(
                    "time {unix_secs} with UTC offset {utc_offset_secs} s is out of range"
                ),
            })?;
        self.verify(code, today, customer)
    }

    /// [`Verifier::verify`] as a [`Verdict`]: the outcome with the campaign's name, in the JSON
    /// shape the CLI prints and the C API returns.
    #[must_use]
    pub fn verdict(&self, code: &str, today: Date, customer: Option<&str>) -> super::Verdict {
        super::Verdict::new(self.verify(code, today, customer), &self.campaigns)
    }

    fn candidates(&self, slot: u8) -> Result<impl Iterator<Item = &PreparedKey>, Rejection> {
        let mut it = self.keys.iter().filter(move |k| k.slot == slot).peekable();
        if it.peek().is_none() {
            return Err(Rejection::UnknownKey { slot });
        }
        Ok(it)
    }

    /// The candidate key whose tag (`tag_of`, `None` when the key cannot have signed) equals
    /// `tag`. Every candidate is computed and compared in constant time, without an early
    /// exit, so the timing does not tell which key signed.
    fn signer<'k>(
        candidates: impl Iterator<Item = &'k PreparedKey>,
        tag: u64,
        tag_of: impl Fn(&PreparedKey) -> Option<u64>,
    ) -> Option<&'k PreparedKey> {
        let tag = tag.to_be_bytes();
        let mut signer = None;
        for k in candidates {
            let Some(t) = tag_of(k) else { continue };
            if bool::from(t.to_be_bytes().ct_eq(&tag)) {
                signer = Some(k);
            }
        }
        signer
    }

    fn customer(personal: bool, customer: Option<&str>) -> Result<Option<&str>, Rejection> {
        if !personal {
            return Ok(None);
        }
        // `verify` checked the pseudonym's length first.
        customer.map(Some).ok_or(Rejection::CustomerRequired)
    }

    fn verify_short(
        &self,
        d: &Decoded,
        header: u16,
        tag: u64,
        today: Date,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        let h = ShortHeader::unpack(header);
        let candidates = self.candidates(h.slot)?;
        let (_, expires) =
            short_campaign(&self.campaigns, h.campaign).ok_or(Rejection::UnknownCampaign {
                campaign: h.campaign,
            })?;
        let customer = Self::customer(h.personal, customer)?;
        // Every key holds a state for each campaign with an expiry, as checked above.
        let signer = Self::signer(candidates, tag, |k| {
            let state = k.campaigns.get(usize::from(h.campaign))?.as_ref()?;
            Some(short_tag(state, header, customer))
        });
        let voucher = Voucher {
            campaign: h.campaign,
            voucher_type: h.voucher_type,
            expires,
            serial: None,
            customer: customer.map(str::to_owned),
        };
        Self::finish(d, signer, voucher, today)
    }

    fn verify_bulk(
        &self,
        d: &Decoded,
        header: u32,
        tag: u64,
        today: Date,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        let h = BulkHeader::unpack(header);
        let candidates = self.candidates(h.slot)?;
        let (_, expires) =
            short_campaign(&self.campaigns, h.campaign).ok_or(Rejection::UnknownCampaign {
                campaign: h.campaign,
            })?;
        let customer = Self::customer(h.personal, customer)?;
        // Every key holds a state for each campaign with an expiry, as checked above.
        let signer = Self::signer(candidates, tag, |k| {
            let state = k.bulk.get(usize::from(h.campaign))?.as_ref()?;
            Some(bulk_tag(state, header, customer))
        });
        let voucher = Voucher {
            campaign: h.campaign,
            voucher_type: h.voucher_type,
            expires,
            serial: Some(h.serial),
            customer: customer.map(str::to_owned),
        };
        Self::finish(d, signer, voucher, today)
    }

    fn verify_serial(
        &self,
        d: &Decoded,
        header: u32,
        tag: u64,
        today: Date,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        let header = header.to_be_bytes();
        let h = Header::unpack(header);
        let candidates = self.candidates(h.slot)?;
        let customer = Self::customer(h.personal, customer)?;
        let signer = Self::signer(candidates, tag, |k| {
            Some(serial_tag(&k.serial, &header, customer))
        });
        let voucher = Voucher {
            campaign: h.campaign,
            voucher_type: h.voucher_type,
            expires: h.expires(),
            serial: Some(h.serial),
            customer: customer.map(str::to_owned),
        };
        Self::finish(d, signer, voucher, today)
    }

    fn finish(
        d: &Decoded,
        signer: Option<&PreparedKey>,
        voucher: Voucher,
        today: Date,
    ) -> Result<Verified, Rejection> {
        let signer = signer.ok_or(Rejection::BadSignature)?;
        if today > voucher.expires {
            return Err(Rejection::Expired {
                expired: voucher.expires,
                voucher,
            });
        }
        Ok(Verified {
            code: d.canonical(),
            format: d.format,
            key_id: signer.id.clone(),
            voucher,
        })
    }
}
