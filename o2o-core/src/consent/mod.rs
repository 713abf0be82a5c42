//! Consent: what the owner of an identifier allowed, and a gate that every use of personal data
//! must pass. Unknown means denied: o2o fails closed.
//!
//! Events carry [`ConsentSignals`] (a TCF string, Consent Mode signals); a [`ConsentGate`] turns
//! them into a [`Permit`] per [`Operation`] under a [`ConsentPolicy`], or a [`Denied`] with the
//! reason. [`tcf`] decodes IAB TCF v2.2 TC strings.

mod gate;
mod signals;
pub mod tcf;

pub use gate::{ConsentGate, ConsentPolicy, Decision, Denied, Operation, Permit};
pub use signals::{ConsentMode, ConsentSignals, ConsentState};
