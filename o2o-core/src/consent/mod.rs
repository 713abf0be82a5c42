//! Consent: what the owner of an identifier allowed, and a gate that every use of personal data
//! must pass. Unknown means denied: o2o fails closed.
//!
//! This module grows with the consent issue (IAB TCF v2.2 decoding, Google Consent Mode v2,
//! `ConsentPolicy` and `ConsentGate`). The signal types below are what events carry.

mod signals;

pub use signals::{ConsentMode, ConsentSignals, ConsentState};
