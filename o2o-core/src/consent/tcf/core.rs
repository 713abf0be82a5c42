//! The core segment: metadata, purposes, special features, vendor consents and legitimate
//! interests, publisher restrictions.

use super::bits::{BitReader, BitWriter};
use super::restrictions::{self, PublisherRestriction};
use super::segments::{decode_vendor_vector, encode_vendor_vector};
use super::{Flags, TcfError, VendorVector};

/// Every field of the TCF v2.2 core segment, in string order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoreSegment {
    /// `Version` (6 bits): 2 for TCF v2.x.
    pub version: u8,
    /// `Created` (36 bits): deciseconds since the Unix epoch.
    pub created: u64,
    /// `LastUpdated` (36 bits): deciseconds since the Unix epoch.
    pub last_updated: u64,
    /// `CmpId` (12 bits).
    pub cmp_id: u16,
    /// `CmpVersion` (12 bits).
    pub cmp_version: u16,
    /// `ConsentScreen` (6 bits).
    pub consent_screen: u8,
    /// `ConsentLanguage` (2 × 6 bits): two uppercase letters, e.g. `EN`.
    pub consent_language: String,
    /// `VendorListVersion` (12 bits).
    pub vendor_list_version: u16,
    /// `TcfPolicyVersion` (6 bits): one of [`POLICY_VERSIONS`](super::POLICY_VERSIONS), 4 for
    /// TCF v2.2 and 5 for TCF v2.3; others are refused.
    pub policy_version: u8,
    /// `IsServiceSpecific` (1 bit).
    pub is_service_specific: bool,
    /// `UseNonStandardTexts` (1 bit).
    pub use_non_standard_texts: bool,
    /// `SpecialFeatureOptIns` (12 bits): special features 1–12.
    pub special_feature_optins: Flags,
    /// `PurposesConsent` (24 bits): purposes 1–24.
    pub purpose_consents: Flags,
    /// `PurposesLITransparency` (24 bits): purposes 1–24.
    pub purpose_legitimate_interests: Flags,
    /// `PurposeOneTreatment` (1 bit).
    pub purpose_one_treatment: bool,
    /// `PublisherCC` (2 × 6 bits): ISO 3166-1 alpha-2, e.g. `FR` (`AA` when unknown).
    pub publisher_country_code: String,
    /// Vendor consent section.
    pub vendor_consents: VendorVector,
    /// Vendor legitimate interest section.
    pub vendor_legitimate_interests: VendorVector,
    /// Publisher restrictions, one entry per (purpose, restriction type) in first-seen order;
    /// entries repeated in the string are merged.
    pub publisher_restrictions: Vec<PublisherRestriction>,
}

impl Default for CoreSegment {
    fn default() -> Self {
        CoreSegment {
            version: 2,
            created: 0,
            last_updated: 0,
            cmp_id: 0,
            cmp_version: 0,
            consent_screen: 0,
            consent_language: "EN".to_owned(),
            vendor_list_version: 0,
            policy_version: 4,
            is_service_specific: false,
            use_non_standard_texts: false,
            special_feature_optins: Flags::default(),
            purpose_consents: Flags::default(),
            purpose_legitimate_interests: Flags::default(),
            purpose_one_treatment: false,
            publisher_country_code: "AA".to_owned(),
            vendor_consents: VendorVector::default(),
            vendor_legitimate_interests: VendorVector::default(),
            publisher_restrictions: Vec::new(),
        }
    }
}

/// Read an `n`-bit vector where the first bit is id 1.
pub(crate) fn read_flags(
    r: &mut BitReader<'_>,
    n: usize,
    field: &'static str,
) -> Result<Flags, TcfError> {
    if n == 0 {
        return Ok(Flags(0));
    }
    let v = r.read(n, field)?;
    Ok(Flags(v.reverse_bits() >> (64 - n)))
}

/// Write the first `n` ids of `f`, id 1 first.
pub(crate) fn write_flags(w: &mut BitWriter, n: usize, f: Flags) {
    if n == 0 {
        return;
    }
    w.write(n, f.truncate(n).0.reverse_bits() >> (64 - n));
}

fn read_letters(r: &mut BitReader<'_>, field: &'static str) -> Result<String, TcfError> {
    let mut s = String::with_capacity(2);
    for _ in 0..2 {
        let bit = r.pos();
        let v = r.u8(6, field)?;
        if v > 25 {
            return Err(TcfError::BadLetter {
                segment: r.segment(),
                field,
                bit,
                value: v,
            });
        }
        s.push(char::from(b'A' + v));
    }
    Ok(s)
}

fn write_letters(w: &mut BitWriter, s: &str) {
    let mut b = s
        .bytes()
        .map(|c| u64::from(c.to_ascii_uppercase().saturating_sub(b'A')).min(63));
    w.write(6, b.next().unwrap_or(0));
    w.write(6, b.next().unwrap_or(0));
}

impl CoreSegment {
    /// Created, in whole Unix seconds (floor of the deciseconds).
    #[must_use]
    pub fn created_unix(&self) -> u64 {
        self.created / 10
    }

    /// LastUpdated, in whole Unix seconds.
    #[must_use]
    pub fn last_updated_unix(&self) -> u64 {
        self.last_updated / 10
    }

    pub(crate) fn decode(r: &mut BitReader<'_>) -> Result<CoreSegment, TcfError> {
        let version = r.u8(6, "Version")?;
        if version >> 3 != 0 {
            // The first three bits are a segment type in every other segment; 0 means core.
            return Err(TcfError::BadSegmentType {
                segment: 0,
                found: version >> 3,
            });
        }
        if version != 2 {
            return Err(TcfError::BadVersion { found: version });
        }
        let created = r.read(36, "Created")?;
        let last_updated = r.read(36, "LastUpdated")?;
        let cmp_id = r.u16(12, "CmpId")?;
        let cmp_version = r.u16(12, "CmpVersion")?;
        let consent_screen = r.u8(6, "ConsentScreen")?;
        let consent_language = read_letters(r, "ConsentLanguage")?;
        let vendor_list_version = r.u16(12, "VendorListVersion")?;
        let policy_version = r.u8(6, "TcfPolicyVersion")?;
        if !super::POLICY_VERSIONS.contains(&policy_version) {
            return Err(TcfError::BadPolicyVersion {
                found: policy_version,
            });
        }
        Ok(CoreSegment {
            version,
            created,
            last_updated,
            cmp_id,
            cmp_version,
            consent_screen,
            consent_language,
            vendor_list_version,
            policy_version,
            is_service_specific: r.bool("IsServiceSpecific")?,
            use_non_standard_texts: r.bool("UseNonStandardTexts")?,
            special_feature_optins: read_flags(r, 12, "SpecialFeatureOptIns")?,
            purpose_consents: read_flags(r, 24, "PurposesConsent")?,
            purpose_legitimate_interests: read_flags(r, 24, "PurposesLITransparency")?,
            purpose_one_treatment: r.bool("PurposeOneTreatment")?,
            publisher_country_code: read_letters(r, "PublisherCC")?,
            vendor_consents: decode_vendor_vector(r, "VendorConsents")?,
            vendor_legitimate_interests: decode_vendor_vector(r, "VendorLegitimateInterests")?,
            publisher_restrictions: restrictions::decode(r)?,
        })
    }

    pub(crate) fn encode(&self) -> String {
        let mut w = BitWriter::default();
        w.write(6, u64::from(self.version));
        w.write(36, self.created);
        w.write(36, self.last_updated);
        w.write(12, u64::from(self.cmp_id));
        w.write(12, u64::from(self.cmp_version));
        w.write(6, u64::from(self.consent_screen));
        write_letters(&mut w, &self.consent_language);
        w.write(12, u64::from(self.vendor_list_version));
        w.write(6, u64::from(self.policy_version));
        w.bool(self.is_service_specific);
        w.bool(self.use_non_standard_texts);
        write_flags(&mut w, 12, self.special_feature_optins);
        write_flags(&mut w, 24, self.purpose_consents);
        write_flags(&mut w, 24, self.purpose_legitimate_interests);
        w.bool(self.purpose_one_treatment);
        write_letters(&mut w, &self.publisher_country_code);
        encode_vendor_vector(&mut w, &self.vendor_consents);
        encode_vendor_vector(&mut w, &self.vendor_legitimate_interests);
        restrictions::encode(&mut w, &self.publisher_restrictions);
        w.finish()
    }
}
