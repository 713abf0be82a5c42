//! The consent gate: every use of personal data asks it first, and gets a [`Permit`] only when
//! the owner allowed that use. Unknown means denied (fail closed).
//!
//! A [`Permit`] can only be made here, so an API that takes `&Permit` (hashing for upload,
//! identity linking) cannot be reached without consent.

use super::signals::{ConsentSignals, ConsentState};
use serde::{Deserialize, Serialize};
use std::fmt;

/// What o2o wants to do with a person's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// Count the event in aggregate measurement (attribution, uplift, reports).
    Measure,
    /// Link the event's identifiers into a profile (identity graph).
    LinkIdentity,
    /// Hash identifiers and send them to an ad platform (Meta CAPI, Google EC, TikTok).
    HashForUpload,
    /// Use the profile to personalise offers (segments, vouchers).
    Personalise,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 4] = [
        Operation::Measure,
        Operation::LinkIdentity,
        Operation::HashForUpload,
        Operation::Personalise,
    ];

    /// The snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Operation::Measure => "measure",
            Operation::LinkIdentity => "link_identity",
            Operation::HashForUpload => "hash_for_upload",
            Operation::Personalise => "personalise",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Proof that the gate allowed `operation`. Only [`ConsentGate::permit`] makes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Permit {
    operation: Operation,
}

impl Permit {
    /// The operation this permit allows.
    pub fn operation(&self) -> Operation {
        self.operation
    }
}

/// Why the gate said no.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("consent denied for {operation}: {reason}")]
pub struct Denied {
    /// What was asked.
    pub operation: Operation,
    /// Why it was refused.
    pub reason: String,
}

/// The gate's answer, with its reason either way.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// What was asked.
    pub operation: Operation,
    /// Whether it is allowed.
    pub allowed: bool,
    /// Which signal decided.
    pub reason: String,
}

/// Which Google Consent Mode v2 signals each operation needs (all must be granted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentPolicy {
    /// Signals needed per operation, by name (`ad_storage`, `analytics_storage`, `ad_user_data`,
    /// `ad_personalization`).
    pub consent_mode: Vec<(Operation, Vec<String>)>,
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        ConsentPolicy {
            consent_mode: vec![
                (Operation::Measure, v(&["analytics_storage"])),
                (Operation::LinkIdentity, v(&["ad_user_data"])),
                (Operation::HashForUpload, v(&["ad_user_data"])),
                (
                    Operation::Personalise,
                    v(&["ad_user_data", "ad_personalization"]),
                ),
            ],
        }
    }
}

/// Answers "may o2o do this with this person's data?" under a [`ConsentPolicy`].
///
/// ```
/// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
/// let gate = ConsentGate::default();
/// let granted = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
/// assert!(gate.permit(Operation::HashForUpload, Some(&granted)).is_ok());
/// assert!(gate.permit(Operation::HashForUpload, None).is_err()); // no signal: denied
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConsentGate {
    policy: ConsentPolicy,
}

impl ConsentGate {
    /// A gate enforcing `policy`.
    pub fn new(policy: ConsentPolicy) -> Self {
        ConsentGate { policy }
    }

    /// The policy in force.
    pub fn policy(&self) -> &ConsentPolicy {
        &self.policy
    }

    /// Decide, with the reason.
    pub fn check(&self, operation: Operation, signals: Option<&ConsentSignals>) -> Decision {
        let deny = |reason: String| Decision {
            operation,
            allowed: false,
            reason,
        };
        let Some(signals) = signals else {
            return deny("no consent signals".to_owned());
        };
        let needed = self
            .policy
            .consent_mode
            .iter()
            .find(|(op, _)| *op == operation)
            .map(|(_, s)| s.as_slice());
        let Some(needed) = needed else {
            return deny(format!("the policy does not allow {operation}"));
        };
        let Some(gcm) = signals.gcm.as_ref() else {
            return deny("no Consent Mode signals".to_owned());
        };
        for name in needed {
            let state = match name.as_str() {
                "ad_storage" => gcm.ad_storage,
                "analytics_storage" => gcm.analytics_storage,
                "ad_user_data" => gcm.ad_user_data,
                "ad_personalization" => gcm.ad_personalization,
                other => return deny(format!("unknown Consent Mode signal `{other}` in policy")),
            };
            match state {
                ConsentState::Granted => {}
                ConsentState::Denied => return deny(format!("{name} denied")),
                ConsentState::Unknown => {
                    return deny(format!("{name} unknown (treated as denied)"));
                }
            }
        }
        Decision {
            operation,
            allowed: true,
            reason: format!("{} granted", needed.join(", ")),
        }
    }

    /// A [`Permit`] for `operation`, or why not.
    pub fn permit(
        &self,
        operation: Operation,
        signals: Option<&ConsentSignals>,
    ) -> Result<Permit, Denied> {
        let d = self.check(operation, signals);
        if d.allowed {
            Ok(Permit { operation })
        } else {
            Err(Denied {
                operation,
                reason: d.reason,
            })
        }
    }
}
