//! The consent signals an event can carry, as captured at the source.

use serde::{Deserialize, Serialize};

/// A Google Consent Mode signal value. Anything not explicitly granted is treated as denied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// The user granted it.
    Granted,
    /// The user denied it.
    Denied,
    /// No signal was captured. Treated as denied (fail closed).
    #[default]
    Unknown,
}

/// Google Consent Mode v2 signals.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConsentMode {
    /// Storage (cookies) for advertising.
    #[serde(default)]
    pub ad_storage: ConsentState,
    /// Storage for analytics.
    #[serde(default)]
    pub analytics_storage: ConsentState,
    /// Sending user data to Google for advertising.
    #[serde(default)]
    pub ad_user_data: ConsentState,
    /// Personalised advertising.
    #[serde(default)]
    pub ad_personalization: ConsentState,
}

/// Consent captured with an event or for a person: an IAB TCF v2.2 TC string and/or Google
/// Consent Mode v2 signals. An event with no signals has no consent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentSignals {
    /// The raw IAB TCF v2.2 TC string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tcf: Option<String>,
    /// Google Consent Mode v2 signals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gcm: Option<ConsentMode>,
}
