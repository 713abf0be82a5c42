//! What each o2o [`Operation`] needs: TCF purposes (consent, or legitimate interest where the
//! TCF allows it), special features, o2o's vendor id, and Google Consent Mode signals.
//!
//! A retailer configures it in JSON (see `docs/privacy.md` for the defaults and why):
//!
//! ```json
//! {
//!   "vendor_id": null,
//!   "operations": {
//!     "measure":         {"tcf_purposes": [1, 7, 9], "tcf_legitimate_interest": true,
//!                         "consent_mode": ["analytics_storage"]},
//!     "link_identity":   {"tcf_purposes": [1, 7, 9], "consent_mode": ["ad_user_data"]},
//!     "hash_for_upload": {"tcf_purposes": [1, 7],    "consent_mode": ["ad_user_data"]},
//!     "personalise":     {"tcf_purposes": [1, 3, 4],
//!                         "consent_mode": ["ad_user_data", "ad_personalization"]}
//!   }
//! }
//! ```

use super::consent_mode::ConsentSignal;
use super::gate::Operation;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// TCF v2.2 purposes that may never rest on legitimate interest: 1 (store/access information
/// on a device) and 3–6 (profiles for personalised ads or content, and their use).
pub const CONSENT_ONLY_PURPOSES: [u8; 5] = [1, 3, 4, 5, 6];

/// Why a policy is unusable.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Not valid policy JSON; `path` says where (e.g. `operations.measure.tcf_purposes[2]`).
    #[error("consent policy: at `{path}`: {message}")]
    Json {
        /// Where in the document.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A purpose id outside 1–24 or a special feature outside 1–12.
    #[error("consent policy: {operation}: {what} {id} is out of range")]
    OutOfRange {
        /// The operation.
        operation: Operation,
        /// `purpose` or `special feature`.
        what: &'static str,
        /// The id.
        id: u8,
    },
    /// An operation whose requirement names nothing: it would be allowed by any signal.
    #[error("consent policy: {operation} requires nothing; list purposes or signals, or remove it")]
    Empty {
        /// The operation.
        operation: Operation,
    },
}

/// What one operation needs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// TCF purposes that must all be allowed (consent; or legitimate interest where permitted).
    /// Empty means a TC string alone can never allow this operation.
    #[serde(default)]
    pub tcf_purposes: Vec<u8>,
    /// Whether legitimate interest may stand in for consent on purposes where the TCF allows it
    /// (never 1, 3, 4, 5, 6).
    #[serde(default)]
    pub tcf_legitimate_interest: bool,
    /// TCF special features that must be opted in (1 precise geolocation, 2 device scanning).
    #[serde(default)]
    pub tcf_special_features: Vec<u8>,
    /// Consent Mode signals that must all be granted. Empty means Consent Mode alone can never
    /// allow this operation.
    #[serde(default)]
    pub consent_mode: Vec<ConsentSignal>,
}

impl Requirement {
    /// Whether legitimate interest may establish `purpose` under this requirement.
    #[must_use]
    pub fn li_allowed(&self, purpose: u8) -> bool {
        self.tcf_legitimate_interest && !CONSENT_ONLY_PURPOSES.contains(&purpose)
    }

    /// Whether a TC string can satisfy this requirement at all.
    #[must_use]
    pub fn has_tcf(&self) -> bool {
        !self.tcf_purposes.is_empty() || !self.tcf_special_features.is_empty()
    }
}

/// Maps each [`Operation`] to its [`Requirement`]; an operation not listed is never allowed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPolicy {
    /// o2o's IAB Global Vendor List id, when the deployment is registered as a TCF vendor:
    /// vendor consent / legitimate interest bits and publisher restrictions for this id are
    /// checked in the core segment. `None` (the default) means o2o runs as the publisher's own
    /// processing: the publisher TC segment's purpose signals are checked instead.
    #[serde(default)]
    pub vendor_id: Option<u16>,
    /// The requirement per operation.
    pub operations: BTreeMap<Operation, Requirement>,
}

impl Default for ConsentPolicy {
    /// The defaults documented in `docs/privacy.md`.
    fn default() -> Self {
        let req = |p: &[u8], li: bool, cm: &[ConsentSignal]| Requirement {
            tcf_purposes: p.to_vec(),
            tcf_legitimate_interest: li,
            tcf_special_features: Vec::new(),
            consent_mode: cm.to_vec(),
        };
        use ConsentSignal::*;
        let operations = BTreeMap::from([
            (
                Operation::Measure,
                req(&[1, 7, 9], true, &[AnalyticsStorage]),
            ),
            (
                Operation::LinkIdentity,
                req(&[1, 7, 9], false, &[AdUserData]),
            ),
            (Operation::HashForUpload, req(&[1, 7], false, &[AdUserData])),
            (
                Operation::Personalise,
                req(&[1, 3, 4], false, &[AdUserData, AdPersonalization]),
            ),
        ]);
        ConsentPolicy {
            vendor_id: None,
            operations,
        }
    }
}

impl ConsentPolicy {
    /// Read and validate a policy from JSON.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentPolicy, Operation};
    /// let p = ConsentPolicy::from_json(r#"{"vendor_id": 1234, "operations": {
    ///     "measure": {"tcf_purposes": [1, 7], "consent_mode": ["analytics_storage"]}}}"#).unwrap();
    /// assert_eq!(p.vendor_id, Some(1234));
    /// assert!(p.operations.contains_key(&Operation::Measure));
    /// assert!(ConsentPolicy::from_json(r#"{"operations": {"measure": {}}}"#).is_err());
    /// ```
    pub fn from_json(text: &str) -> Result<ConsentPolicy, PolicyError> {
        let de = &mut serde_json::Deserializer::from_str(text);
        let p: ConsentPolicy =
            serde_path_to_error::deserialize(de).map_err(|e| PolicyError::Json {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        p.validate()?;
        Ok(p)
    }

    /// Check ids are in range and no operation requires nothing.
    pub fn validate(&self) -> Result<(), PolicyError> {
        for (&operation, r) in &self.operations {
            if !r.has_tcf() && r.consent_mode.is_empty() {
                return Err(PolicyError::Empty { operation });
            }
            if let Some(&id) = r.tcf_purposes.iter().find(|p| !(1..=24).contains(*p)) {
                return Err(PolicyError::OutOfRange {
                    operation,
                    what: "purpose",
                    id,
                });
            }
            if let Some(&id) = r
                .tcf_special_features
                .iter()
                .find(|p| !(1..=12).contains(*p))
            {
                return Err(PolicyError::OutOfRange {
                    operation,
                    what: "special feature",
                    id,
                });
            }
        }
        Ok(())
    }

    /// The requirement for `operation`, if the policy allows it at all.
    #[must_use]
    pub fn requirement(&self, operation: Operation) -> Option<&Requirement> {
        self.operations.get(&operation)
    }
}
