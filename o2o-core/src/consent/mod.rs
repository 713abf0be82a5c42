//! Consent: what the owner of an identifier allowed, and a gate that every use of personal data
//! must pass. Unknown means denied: o2o fails closed.
//!
//! Events carry [`ConsentSignals`] (an IAB TCF v2.2 TC string, Google Consent Mode v2 signals);
//! a [`ConsentGate`] turns them into a [`Permit`] per [`Operation`] under a [`ConsentPolicy`], or
//! a [`Denied`] with the reason. [`tcf`] decodes TC strings; [`ConsentMode::parse`] reads Consent
//! Mode signals from JSON, `gcs` or `gcd`. `docs/privacy.md` explains the defaults.

mod consent_mode;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod gate;
mod policy;
mod signals;
pub mod tcf;
#[cfg(test)]
mod tests;

pub use consent_mode::{ConsentModeError, ConsentSignal};
pub use gate::{ConsentGate, Decision, DecodedSignals, Denied, Operation, Permit};
pub use policy::{CONSENT_ONLY_PURPOSES, ConsentPolicy, PolicyError, Requirement};
pub use signals::{ConsentMode, ConsentSignals, ConsentState};
