//! The answer to "is this code good?" in the one JSON shape every front end gives: `o2o voucher
//! verify` prints it, `o2o_voucher_verify` returns it, so a till written against one reads the
//! other.

use super::{CampaignTable, Rejection, Verified};
use serde::{Serialize, Serializer};

/// The verdict on one code: accepted (with what it says and its campaign's name) or refused
/// (with the stable reason and a message).
///
/// JSON, keys sorted: accepted
/// `{"campaign_name", "code", "format", "key_id", "valid": true, "voucher"}` (`campaign_name` is
/// null when the table does not name the campaign); refused
/// `{"message", "reason", "valid": false, …}` plus the rejection's own fields (`position`,
/// `slot`, `campaign`, `expired` and `voucher`, `len`).
///
/// ```
/// use o2o_core::keys::{KeyRing, SecretKey};
/// use o2o_core::voucher::{CampaignTable, Issuer, Verdict, Verifier};
/// use time::macros::date;
/// let ring = KeyRing::single(SecretKey::new("k1", (1..=32).collect()).unwrap());
/// let mut table = CampaignTable::default();
/// let n = table.register_until("tet-2026", date!(2026 - 02 - 28)).unwrap();
/// let code = Issuer::new(&ring, &table).issue_short(n, 1, None).unwrap().code;
/// let verifier = Verifier::new(&ring, &table);
/// let ok = verifier.verdict(&code, date!(2026 - 02 - 01), None);
/// assert!(ok.valid());
/// let json = serde_json::to_string(&ok).unwrap();
/// assert!(json.starts_with(r#"{"campaign_name":"tet-2026","code":""#), "{json}");
/// let late = verifier.verdict(&code, date!(2026 - 03 - 01), None);
/// assert_eq!(late.reason(), "expired");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The verification's outcome.
    pub result: Result<Verified, Rejection>,
    /// The campaign's name in the verifier's table (accepted codes).
    pub campaign_name: Option<String>,
}

impl Verdict {
    /// The verdict on `result`, naming the campaign from `table`.
    pub fn new(result: Result<Verified, Rejection>, table: &CampaignTable) -> Self {
        let campaign_name = result
            .as_ref()
            .ok()
            .and_then(|v| table.name(v.voucher.campaign))
            .map(str::to_owned);
        Verdict {
            result,
            campaign_name,
        }
    }

    /// Whether the code is genuine and unexpired.
    #[must_use]
    pub fn valid(&self) -> bool {
        self.result.is_ok()
    }

    /// `"valid"`, or the rejection's stable reason (`expired`, `bad_signature`, …).
    #[must_use]
    pub fn reason(&self) -> &'static str {
        match &self.result {
            Ok(_) => "valid",
            Err(r) => r.reason(),
        }
    }

    /// The verdict as a JSON value (keys sorted).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::{Map, Value};
        let mut m = Map::new();
        match &self.result {
            Ok(v) => {
                m.insert("valid".into(), true.into());
                m.insert("code".into(), v.code.clone().into());
                m.insert("format".into(), to_value(&v.format));
                m.insert("key_id".into(), v.key_id.clone().into());
                m.insert("voucher".into(), to_value(&v.voucher));
                m.insert(
                    "campaign_name".into(),
                    self.campaign_name.clone().map_or(Value::Null, Value::from),
                );
            }
            Err(r) => {
                if let Value::Object(fields) = to_value(r) {
                    m.extend(fields);
                }
                m.insert("valid".into(), false.into());
                m.insert("message".into(), r.to_string().into());
            }
        }
        Value::Object(m)
    }
}

/// A value of o2o's own serde types as JSON; they always serialise (plain data, string keys).
fn to_value<T: Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl Serialize for Verdict {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}
