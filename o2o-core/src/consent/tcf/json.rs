//! The decoded model as JSON in @iabtcf/core's TCModel field names: the contract of
//! `o2o consent decode`, and the shape of the reference fixtures.

use super::TcString;
use serde::{Deserialize, Serialize};

/// A publisher restriction in JSON: `{"purpose":2,"restrictionType":1,"vendors":[4,9]}`.
/// `restrictionType` is 0 not allowed, 1 require consent, 2 require legitimate interest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestrictionJson {
    /// Purpose id.
    pub purpose: u8,
    /// Restriction type (0, 1, 2 or 3).
    pub restriction_type: u8,
    /// Restricted vendor ids, ascending.
    pub vendors: Vec<u16>,
}

/// A decoded TC string as @iabtcf/core names it. Vectors are ascending arrays of the ids set;
/// dates are Unix seconds (and deciseconds, the string's own resolution); restrictions are
/// sorted by purpose then type. Absent optional segments give empty arrays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TcModelJson {
    /// Encoding version (2).
    pub version: u8,
    /// Created, Unix seconds.
    pub created: u64,
    /// Last updated, Unix seconds.
    pub last_updated: u64,
    /// Created, deciseconds since the epoch.
    pub created_deciseconds: u64,
    /// Last updated, deciseconds since the epoch.
    pub last_updated_deciseconds: u64,
    /// CMP id.
    pub cmp_id: u16,
    /// CMP version.
    pub cmp_version: u16,
    /// Consent screen.
    pub consent_screen: u8,
    /// Consent language, two uppercase letters.
    pub consent_language: String,
    /// Global Vendor List version.
    pub vendor_list_version: u16,
    /// TCF policy version.
    pub policy_version: u8,
    /// Service-specific string.
    pub is_service_specific: bool,
    /// Non-standard texts used.
    pub use_non_standard_texts: bool,
    /// Purpose one treatment.
    pub purpose_one_treatment: bool,
    /// Publisher country code.
    pub publisher_country_code: String,
    /// Special features opted in.
    pub special_feature_optins: Vec<u8>,
    /// Purposes consented.
    pub purpose_consents: Vec<u8>,
    /// Purposes with legitimate interest established (transparency given, no objection).
    pub purpose_legitimate_interests: Vec<u8>,
    /// Vendors consented.
    pub vendor_consents: Vec<u16>,
    /// Vendors with legitimate interest established.
    pub vendor_legitimate_interests: Vec<u16>,
    /// Publisher restrictions.
    pub publisher_restrictions: Vec<RestrictionJson>,
    /// Disclosed vendors segment.
    pub vendors_disclosed: Vec<u16>,
    /// Allowed vendors segment.
    pub vendors_allowed: Vec<u16>,
    /// Publisher TC: purposes consented to the publisher.
    pub publisher_consents: Vec<u8>,
    /// Publisher TC: purposes under the publisher's legitimate interest.
    pub publisher_legitimate_interests: Vec<u8>,
    /// Publisher TC: number of custom purposes.
    pub num_custom_purposes: u8,
    /// Publisher TC: custom purposes consented.
    pub publisher_custom_consents: Vec<u8>,
    /// Publisher TC: custom purposes under legitimate interest.
    pub publisher_custom_legitimate_interests: Vec<u8>,
}

impl From<&TcString> for TcModelJson {
    fn from(tc: &TcString) -> Self {
        let c = &tc.core;
        let mut restrictions: Vec<RestrictionJson> = c
            .publisher_restrictions
            .iter()
            .map(|p| RestrictionJson {
                purpose: p.purpose,
                restriction_type: p.restriction_type.as_u8(),
                vendors: p.vendors.iter().collect(),
            })
            .collect();
        restrictions.sort_by_key(|r| (r.purpose, r.restriction_type));
        let vendors =
            |v: Option<&super::VendorVector>| v.map(|v| v.ids.iter().collect()).unwrap_or_default();
        let p = tc.publisher_tc.clone().unwrap_or_default();
        let n = usize::from(p.num_custom_purposes);
        TcModelJson {
            version: c.version,
            created: c.created_unix(),
            last_updated: c.last_updated_unix(),
            created_deciseconds: c.created,
            last_updated_deciseconds: c.last_updated,
            cmp_id: c.cmp_id,
            cmp_version: c.cmp_version,
            consent_screen: c.consent_screen,
            consent_language: c.consent_language.clone(),
            vendor_list_version: c.vendor_list_version,
            policy_version: c.policy_version,
            is_service_specific: c.is_service_specific,
            use_non_standard_texts: c.use_non_standard_texts,
            purpose_one_treatment: c.purpose_one_treatment,
            publisher_country_code: c.publisher_country_code.clone(),
            special_feature_optins: c.special_feature_optins.truncate(12).ids(),
            purpose_consents: c.purpose_consents.truncate(24).ids(),
            purpose_legitimate_interests: c.purpose_legitimate_interests.truncate(24).ids(),
            vendor_consents: c.vendor_consents.ids.iter().collect(),
            vendor_legitimate_interests: c.vendor_legitimate_interests.ids.iter().collect(),
            publisher_restrictions: restrictions,
            vendors_disclosed: vendors(tc.disclosed_vendors.as_ref()),
            vendors_allowed: vendors(tc.allowed_vendors.as_ref()),
            publisher_consents: p.purpose_consents.truncate(24).ids(),
            publisher_legitimate_interests: p.purpose_legitimate_interests.truncate(24).ids(),
            num_custom_purposes: p.num_custom_purposes,
            publisher_custom_consents: p.custom_purpose_consents.truncate(n).ids(),
            publisher_custom_legitimate_interests: p
                .custom_purpose_legitimate_interests
                .truncate(n)
                .ids(),
        }
    }
}
