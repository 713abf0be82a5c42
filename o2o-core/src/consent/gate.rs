//! The consent gate: every use of personal data asks it first, and gets a [`Permit`] only when
//! the owner allowed that use. Unknown means denied (fail closed).
//!
//! A [`Permit`] can only be made here, so an API that takes `&Permit` (hashing for upload,
//! identity linking) cannot be reached without consent.

use super::policy::{ConsentPolicy, Requirement};
use super::signals::{ConsentMode, ConsentSignals, ConsentState};
use super::tcf::{RestrictionType, TcString, TcfError};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::fmt::Write as _;

/// What o2o wants to do with a person's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
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
    #[must_use]
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
    #[must_use]
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

/// Consent signals with the TC string decoded once, for checking several operations (or many
/// events of one person) without decoding again. The gate's hot path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DecodedSignals {
    /// The TC string, decoded or the reason it could not be (an undecodable string denies).
    pub tcf: Option<Result<TcString, TcfError>>,
    /// Consent Mode signals.
    pub gcm: Option<ConsentMode>,
}

impl DecodedSignals {
    /// Decode `signals` (absent signals stay absent, and deny).
    pub fn new(signals: Option<&ConsentSignals>) -> Self {
        match signals {
            None => DecodedSignals::default(),
            Some(s) => DecodedSignals {
                tcf: s.tcf.as_deref().map(TcString::decode),
                gcm: s.gcm,
            },
        }
    }

    /// Only a TC string.
    #[must_use]
    pub fn from_tc_string(tc_string: &str) -> Self {
        DecodedSignals {
            tcf: Some(TcString::decode(tc_string)),
            gcm: None,
        }
    }

    /// Only Consent Mode signals.
    #[must_use]
    pub fn from_consent_mode(gcm: ConsentMode) -> Self {
        DecodedSignals {
            tcf: None,
            gcm: Some(gcm),
        }
    }
}

/// Answers "may o2o do this with this person's data?" under a [`ConsentPolicy`].
///
/// Rules (fail closed): no signals → denied; an operation the policy does not list → denied;
/// every signal source present (TCF, Consent Mode) must allow, and a source can only allow an
/// operation for which the policy lists a requirement of that source; an undecodable TC string
/// denies whatever Consent Mode says; unknown Consent Mode states are denied.
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
    #[must_use]
    pub fn new(policy: ConsentPolicy) -> Self {
        ConsentGate { policy }
    }

    /// The policy in force.
    #[must_use]
    pub fn policy(&self) -> &ConsentPolicy {
        &self.policy
    }

    /// Decide, with the reason. Decodes the TC string on every call: for repeated checks use
    /// [`ConsentGate::check_decoded`] with [`DecodedSignals`].
    #[must_use]
    pub fn check(&self, operation: Operation, signals: Option<&ConsentSignals>) -> Decision {
        self.check_decoded(operation, &DecodedSignals::new(signals))
    }

    /// Decide on already decoded signals, with the reason.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, DecodedSignals, Operation};
    /// let gate = ConsentGate::default();
    /// let d = gate.check_decoded(Operation::Measure, &DecodedSignals::from_tc_string("not a TC string"));
    /// assert!(!d.allowed);
    /// ```
    #[must_use]
    pub fn check_decoded(&self, operation: Operation, signals: &DecodedSignals) -> Decision {
        let mut why = String::new();
        match self.evaluate(operation, signals, Some(&mut why)) {
            Ok(()) => Decision {
                operation,
                allowed: true,
                reason: why,
            },
            Err(reason) => Decision {
                operation,
                allowed: false,
                reason,
            },
        }
    }

    /// Allow (`Ok`) or deny with the reason (`Err`). The reason for an allowance is written to
    /// `why` only when asked for, so that [`ConsentGate::permit_decoded`] allocates nothing
    /// on the allow path.
    fn evaluate(
        &self,
        operation: Operation,
        signals: &DecodedSignals,
        mut why: Option<&mut String>,
    ) -> Result<(), String> {
        if signals.tcf.is_none() && signals.gcm.is_none() {
            return Err("no consent signals".to_owned());
        }
        let Some(req) = self.policy.requirement(operation) else {
            return Err(format!("the policy does not allow {operation}"));
        };
        if let Some(tcf) = &signals.tcf {
            let tc = tcf
                .as_ref()
                .map_err(|e| format!("TC string undecodable ({e})"))?;
            self.check_tcf(operation, req, tc, why.as_deref_mut())?;
        }
        if let Some(gcm) = &signals.gcm {
            if let Some(w) = why.as_deref_mut()
                && !w.is_empty()
            {
                w.push_str("; ");
            }
            check_consent_mode(operation, req, gcm, why)?;
        }
        Ok(())
    }

    fn check_tcf(
        &self,
        operation: Operation,
        req: &Requirement,
        tc: &TcString,
        mut why: Option<&mut String>,
    ) -> Result<(), String> {
        if !req.has_tcf() {
            return Err(format!("the policy lists no TCF purpose for {operation}"));
        }
        let core = &tc.core;
        note(&mut why, format_args!("TCF"));
        match self.policy.vendor_id {
            Some(v) => {
                for &p in &req.tcf_purposes {
                    let mut consent =
                        core.purpose_consents.has(p) && core.vendor_consents.contains(v);
                    let mut li = req.li_allowed(p)
                        && core.purpose_legitimate_interests.has(p)
                        && core.vendor_legitimate_interests.contains(v);
                    for r in core
                        .publisher_restrictions
                        .iter()
                        .filter(|r| r.purpose == p && r.vendors.contains(v))
                    {
                        match r.restriction_type {
                            RestrictionType::NotAllowed | RestrictionType::Undefined => {
                                return Err(format!(
                                    "TCF purpose {p}: the publisher does not allow vendor {v}"
                                ));
                            }
                            RestrictionType::RequireConsent => li = false,
                            RestrictionType::RequireLegitimateInterest => consent = false,
                        }
                    }
                    if consent {
                        note(&mut why, format_args!(" purpose {p} consent,"));
                    } else if li {
                        note(&mut why, format_args!(" purpose {p} legitimate interest,"));
                    } else if !core.purpose_consents.has(p) {
                        return Err(format!("TCF purpose {p}: no consent"));
                    } else {
                        return Err(format!("TCF purpose {p}: vendor {v} has no consent"));
                    }
                }
                if !req.tcf_special_features.is_empty() && !core.vendor_consents.contains(v) {
                    return Err(format!("TCF special features: vendor {v} has no consent"));
                }
                note(&mut why, format_args!(" vendor {v}"));
            }
            None => {
                let Some(publisher) = tc.publisher_tc.as_ref() else {
                    return Err(
                        "TCF: no publisher TC segment (o2o runs as the publisher)".to_owned()
                    );
                };
                for &p in &req.tcf_purposes {
                    if publisher.purpose_consents.has(p) {
                        note(&mut why, format_args!(" publisher purpose {p} consent,"));
                    } else if req.li_allowed(p) && publisher.purpose_legitimate_interests.has(p) {
                        note(
                            &mut why,
                            format_args!(" publisher purpose {p} legitimate interest,"),
                        );
                    } else {
                        return Err(format!("TCF publisher purpose {p}: no consent"));
                    }
                }
                if let Some(w) = why.as_deref_mut()
                    && w.ends_with(',')
                {
                    w.pop();
                }
            }
        }
        for &f in &req.tcf_special_features {
            if !core.special_feature_optins.has(f) {
                return Err(format!("TCF special feature {f}: not opted in"));
            }
            note(&mut why, format_args!(", special feature {f}"));
        }
        Ok(())
    }

    /// A [`Permit`] for `operation`, or why not.
    pub fn permit(
        &self,
        operation: Operation,
        signals: Option<&ConsentSignals>,
    ) -> Result<Permit, Denied> {
        self.permit_decoded(operation, &DecodedSignals::new(signals))
    }

    /// A [`Permit`] for `operation` on already decoded signals, or why not.
    pub fn permit_decoded(
        &self,
        operation: Operation,
        signals: &DecodedSignals,
    ) -> Result<Permit, Denied> {
        match self.evaluate(operation, signals, None) {
            Ok(()) => Ok(Permit { operation }),
            Err(reason) => Err(Denied { operation, reason }),
        }
    }
}

fn check_consent_mode(
    operation: Operation,
    req: &Requirement,
    gcm: &ConsentMode,
    why: Option<&mut String>,
) -> Result<(), String> {
    if req.consent_mode.is_empty() {
        return Err(format!(
            "the policy lists no Consent Mode signal for {operation}"
        ));
    }
    for s in &req.consent_mode {
        match s.state(gcm) {
            ConsentState::Granted => {}
            ConsentState::Denied => return Err(format!("{s} denied")),
            ConsentState::Unknown => return Err(format!("{s} unknown (treated as denied)")),
        }
    }
    if let Some(w) = why {
        for (i, s) in req.consent_mode.iter().enumerate() {
            w.push_str(if i == 0 { "" } else { ", " });
            w.push_str(s.as_str());
        }
        w.push_str(" granted");
    }
    Ok(())
}

/// Append to the allowance reason when one is being written.
fn note(why: &mut Option<&mut String>, args: fmt::Arguments<'_>) {
    if let Some(w) = why.as_deref_mut() {
        let _ = w.write_fmt(args);
    }
}
