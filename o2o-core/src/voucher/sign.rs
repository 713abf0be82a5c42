//! Signing and verifying: HMAC-SHA256 over the header (and the bound customer), truncated to
//! 64 bits, with the keyed state prepared once per key so a till verifies in about a microsecond.

use super::code::{self, BYTES, Header, TAG_BYTES};
use super::{Rejection, Voucher, VoucherError};
use crate::keys::{KeyRing, SecretKey};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::Date;

type HmacSha256 = Hmac<Sha256>;

/// Domain separation: a tag made for vouchers can never be replayed as a pseudonym.
const DOMAIN: &[u8] = b"o2o-voucher-v1\0";

/// The 2-bit slot a key id occupies in codes: the first byte of SHA-256(id), mod 4.
///
/// Rotation: give the new key an id whose slot differs from the keys still accepted (the CLI
/// and [`Verifier`] try every key sharing a slot, so a clash costs time, never correctness).
pub fn key_slot(id: &str) -> u8 {
    Sha256::digest(id.as_bytes())[0] & 3
}

/// The keyed HMAC state with the domain already absorbed.
fn prepared(key: &SecretKey) -> HmacSha256 {
    // HMAC accepts keys of any length, so this never fails; fall back to an empty key only to
    // satisfy the type (a ring key is at least 16 bytes).
    let mut mac = HmacSha256::new_from_slice(key.secret())
        .unwrap_or_else(|_| <HmacSha256 as Mac>::new(&Default::default()));
    mac.update(DOMAIN);
    mac
}

fn tag(state: &HmacSha256, header: &[u8; 4], customer: Option<&str>) -> [u8; TAG_BYTES] {
    let mut mac = state.clone();
    mac.update(header);
    if let Some(c) = customer {
        // Length-prefixed (≤ 64 bytes) so no two (header, customer) pairs share an input.
        mac.update(&[c.len() as u8]);
        mac.update(c.as_bytes());
    }
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_BYTES];
    out.copy_from_slice(&full[..TAG_BYTES]);
    out
}

/// Issues codes with the current (first) key of a ring.
#[derive(Clone)]
pub struct Issuer {
    slot: u8,
    state: HmacSha256,
}

impl Issuer {
    /// An issuer signing with `ring.current()`.
    pub fn new(ring: &KeyRing) -> Self {
        let key = ring.current();
        Issuer {
            slot: key_slot(key.id()),
            state: prepared(key),
        }
    }

    /// The code for `v`.
    pub fn issue(&self, v: &Voucher) -> Result<String, VoucherError> {
        if v.campaign > super::MAX_CAMPAIGN {
            return Err(VoucherError::Campaign(v.campaign.into()));
        }
        if v.voucher_type > super::MAX_TYPE {
            return Err(VoucherError::Type(v.voucher_type.into()));
        }
        if v.serial > super::MAX_SERIAL {
            return Err(VoucherError::Serial(v.serial.into()));
        }
        let expiry_days = Header::expiry_days(v.expires).ok_or(VoucherError::Expiry(v.expires))?;
        if let Some(c) = &v.customer {
            if c.is_empty() || c.len() > 64 {
                return Err(VoucherError::Customer);
            }
        }
        let header = Header {
            personal: v.customer.is_some(),
            slot: self.slot,
            voucher_type: v.voucher_type,
            campaign: v.campaign,
            expiry_days,
            serial: v.serial,
        }
        .pack();
        let t = tag(&self.state, &header, v.customer.as_deref());
        let mut bytes = [0u8; BYTES];
        bytes[..4].copy_from_slice(&header);
        bytes[4..].copy_from_slice(&t);
        Ok(code::encode(&bytes))
    }
}

/// A code that verified: the voucher, the key that signed it, the canonical code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// The canonical code (upper case, no separators).
    pub code: String,
    /// Id of the key that signed it.
    pub key_id: String,
    /// What the code says.
    pub voucher: Voucher,
}

struct PreparedKey {
    slot: u8,
    id: String,
    state: HmacSha256,
}

/// Verifies codes offline against every key of a ring.
pub struct Verifier {
    keys: Vec<PreparedKey>,
}

impl Verifier {
    /// Prepare the keyed HMAC state of every key in `ring`.
    pub fn new(ring: &KeyRing) -> Self {
        Verifier {
            keys: ring
                .keys()
                .iter()
                .map(|k| PreparedKey {
                    slot: key_slot(k.id()),
                    id: k.id().to_owned(),
                    state: prepared(k),
                })
                .collect(),
        }
    }

    /// Verify `code` on day `today`. A personal code needs the `customer` pseudonym it was
    /// issued to. Checks, in order: form, check character, key slot, customer, tag (constant
    /// time), expiry.
    pub fn verify(
        &self,
        code: &str,
        today: Date,
        customer: Option<&str>,
    ) -> Result<Verified, Rejection> {
        let (bytes, norm) = code::decode(code)?;
        let mut header = [0u8; 4];
        header.copy_from_slice(&bytes[..4]);
        let h = Header::unpack(header);
        let mut candidates = self.keys.iter().filter(|k| k.slot == h.slot).peekable();
        if candidates.peek().is_none() {
            return Err(Rejection::UnknownKey { slot: h.slot });
        }
        let customer = if h.personal {
            Some(customer.ok_or(Rejection::CustomerRequired)?)
        } else {
            None
        };
        if customer.is_some_and(|c| c.is_empty() || c.len() > 64) {
            // No code is ever issued to such a pseudonym.
            return Err(Rejection::BadSignature);
        }
        let mut signer = None;
        for k in candidates {
            let t = tag(&k.state, &header, customer);
            if bool::from(t.ct_eq(&bytes[4..])) {
                signer = Some(k);
            }
        }
        let signer = signer.ok_or(Rejection::BadSignature)?;
        let voucher = Voucher {
            campaign: h.campaign,
            voucher_type: h.voucher_type,
            expires: h.expires(),
            serial: h.serial,
            customer: customer.map(str::to_owned),
        };
        if today > voucher.expires {
            return Err(Rejection::Expired {
                expired: voucher.expires,
                voucher,
            });
        }
        Ok(Verified {
            code: norm.iter().map(|&b| b as char).collect(),
            key_id: signer.id.clone(),
            voucher,
        })
    }
}
