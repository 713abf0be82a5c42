//! Google Consent Mode v2 signals: parse them from the forms they are captured in.
//!
//! Supported forms (see `docs/privacy.md`):
//! - JSON, as passed to `gtag('consent', 'update', {...})`:
//!   `{"ad_storage":"granted","analytics_storage":"denied",...}`. Values `granted` / `denied`
//!   (any case) or `true` / `false`; `null` or a missing key is unknown. Other keys
//!   (`functionality_storage`, `wait_for_update`, `region`, ...) are ignored. A key given twice
//!   is refused: JSON leaves its meaning open (most readers keep the last value, so
//!   `ad_user_data` denied then granted would read as granted), and o2o fails closed.
//! - `gcs` (the hit parameter Google tags send): `G1` + ad_storage + analytics_storage, each
//!   `1` granted, `0` denied, `-` unknown, e.g. `G101`. It has no v2 signals, so ad_user_data
//!   and ad_personalization are unknown.
//! - `gcd` (Google's undocumented v2 hit parameter, as publicly reverse-engineered): `1`, a
//!   digit, then for ad_storage, analytics_storage, ad_user_data, ad_personalization in turn a
//!   letter and a digit, e.g. `11t1t1t1t5`. Letters meaning granted in the end: `t` (default
//!   granted), `r` (updated to granted), `n` (update granted, no default), `v` (granted by
//!   default and update); denied: `p`, `q`, `m`, `u`; unknown: `l`. Any other letter is an error.
//!
//! Unknown means denied everywhere in o2o (fail closed).

use super::signals::{ConsentMode, ConsentState};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One Consent Mode v2 signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSignal {
    /// Advertising storage (cookies, device ids).
    AdStorage,
    /// Analytics storage.
    AnalyticsStorage,
    /// Sending user data to Google (and, by extension, ad platforms) for advertising.
    AdUserData,
    /// Personalised advertising (remarketing, audiences).
    AdPersonalization,
}

impl ConsentSignal {
    /// All four signals.
    pub const ALL: [ConsentSignal; 4] = [
        ConsentSignal::AdStorage,
        ConsentSignal::AnalyticsStorage,
        ConsentSignal::AdUserData,
        ConsentSignal::AdPersonalization,
    ];

    /// Its snake_case name, as Google spells it.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ConsentSignal::AdStorage => "ad_storage",
            ConsentSignal::AnalyticsStorage => "analytics_storage",
            ConsentSignal::AdUserData => "ad_user_data",
            ConsentSignal::AdPersonalization => "ad_personalization",
        }
    }

    /// The state of this signal in `mode`.
    #[must_use]
    pub fn state(self, mode: &ConsentMode) -> ConsentState {
        match self {
            ConsentSignal::AdStorage => mode.ad_storage,
            ConsentSignal::AnalyticsStorage => mode.analytics_storage,
            ConsentSignal::AdUserData => mode.ad_user_data,
            ConsentSignal::AdPersonalization => mode.ad_personalization,
        }
    }
}

impl fmt::Display for ConsentSignal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a Consent Mode signal string could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConsentModeError {
    /// Not a JSON object.
    #[error("Consent Mode JSON: {0}")]
    Json(String),
    /// A key appears twice in the JSON object.
    #[error("Consent Mode JSON: key `{0}` appears twice")]
    DuplicateKey(String),
    /// A signal has a value other than granted / denied / true / false / null.
    #[error("Consent Mode: `{key}` is `{value}`, expected \"granted\" or \"denied\"")]
    BadValue {
        /// The signal.
        key: &'static str,
        /// The value found.
        value: String,
    },
    /// A `gcs` / `gcd` string with an unexpected character.
    #[error("{form}: unexpected `{character}` at character {position}")]
    BadChar {
        /// `gcs` or `gcd`.
        form: &'static str,
        /// 0-based character position.
        position: usize,
        /// The character (or `∅` when the string ended).
        character: char,
    },
    /// None of the supported forms.
    #[error("not a Consent Mode signal (expected JSON, gcs like G111, or gcd like 11t1t1t1t5)")]
    Unrecognised,
}

fn state_of_json(
    key: &'static str,
    v: &serde_json::Value,
) -> Result<ConsentState, ConsentModeError> {
    use serde_json::Value;
    match v {
        Value::Null => Ok(ConsentState::Unknown),
        Value::Bool(true) => Ok(ConsentState::Granted),
        Value::Bool(false) => Ok(ConsentState::Denied),
        Value::String(s) if s.eq_ignore_ascii_case("granted") => Ok(ConsentState::Granted),
        Value::String(s) if s.eq_ignore_ascii_case("denied") => Ok(ConsentState::Denied),
        other => Err(ConsentModeError::BadValue {
            key,
            value: match other {
                Value::String(s) => s.clone(),
                v => v.to_string(),
            },
        }),
    }
}

/// The prefix of the serde error [`UniqueKeys`] raises, followed by the key and a backquote.
const DUPLICATE: &str = "duplicate key `";

/// A JSON object read as its entries in order, refusing a key given twice (serde_json's `Value`
/// keeps the last one silently).
struct UniqueKeys(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Entries;
        impl<'de> serde::de::Visitor<'de> for Entries {
            type Value = UniqueKeys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object of Consent Mode signals")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<UniqueKeys, A::Error> {
                let mut out: Vec<(String, serde_json::Value)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, serde_json::Value>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!("{DUPLICATE}{k}`")));
                    }
                    out.push((k, v));
                }
                Ok(UniqueKeys(out))
            }
        }
        d.deserialize_map(Entries)
    }
}

impl ConsentMode {
    /// Parse any supported form (JSON object, `gcs`, `gcd`), chosen by its first characters.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentMode, ConsentState};
    /// let m = ConsentMode::parse(r#"{"ad_storage":"granted","ad_user_data":"denied"}"#).unwrap();
    /// assert_eq!(m.ad_storage, ConsentState::Granted);
    /// assert_eq!(m.ad_user_data, ConsentState::Denied);
    /// assert_eq!(m.ad_personalization, ConsentState::Unknown);
    /// assert_eq!(ConsentMode::parse("G110").unwrap().analytics_storage, ConsentState::Denied);
    /// assert_eq!(ConsentMode::parse("11t1t1r1p5").unwrap().ad_personalization, ConsentState::Denied);
    /// ```
    pub fn parse(text: &str) -> Result<ConsentMode, ConsentModeError> {
        let t = text.trim();
        if t.starts_with('{') {
            ConsentMode::from_json(t)
        } else if t.starts_with("G1") {
            ConsentMode::from_gcs(t)
        } else if t.starts_with('1') {
            ConsentMode::from_gcd(t)
        } else {
            Err(ConsentModeError::Unrecognised)
        }
    }

    /// Parse a JSON object of signals. A key given twice is refused
    /// ([`ConsentModeError::DuplicateKey`]).
    pub fn from_json(text: &str) -> Result<ConsentMode, ConsentModeError> {
        let obj: UniqueKeys = serde_json::from_str(text).map_err(|e| {
            let msg = e.to_string();
            match msg.strip_prefix(DUPLICATE) {
                Some(rest) => ConsentModeError::DuplicateKey(
                    rest.split('`').next().unwrap_or_default().to_owned(),
                ),
                None => ConsentModeError::Json(msg),
            }
        })?;
        let get = |key: &str| obj.0.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let mut m = ConsentMode::default();
        for s in ConsentSignal::ALL {
            let state = match get(s.as_str()) {
                Some(v) => state_of_json(s.as_str(), v)?,
                None => ConsentState::Unknown,
            };
            match s {
                ConsentSignal::AdStorage => m.ad_storage = state,
                ConsentSignal::AnalyticsStorage => m.analytics_storage = state,
                ConsentSignal::AdUserData => m.ad_user_data = state,
                ConsentSignal::AdPersonalization => m.ad_personalization = state,
            }
        }
        Ok(m)
    }

    /// Parse a `gcs` value (`G1` + ad_storage + analytics_storage).
    pub fn from_gcs(text: &str) -> Result<ConsentMode, ConsentModeError> {
        let b: Vec<char> = text.chars().collect();
        let bad = |position: usize| ConsentModeError::BadChar {
            form: "gcs",
            position,
            character: b.get(position).copied().unwrap_or('∅'),
        };
        if b.first() != Some(&'G') {
            return Err(bad(0));
        }
        if b.get(1) != Some(&'1') {
            return Err(bad(1));
        }
        if b.len() > 4 {
            return Err(bad(4));
        }
        let state = |i: usize| match b.get(i) {
            Some('1') => Ok(ConsentState::Granted),
            Some('0') => Ok(ConsentState::Denied),
            Some('-') => Ok(ConsentState::Unknown),
            _ => Err(bad(i)),
        };
        Ok(ConsentMode {
            ad_storage: state(2)?,
            analytics_storage: state(3)?,
            ..ConsentMode::default()
        })
    }

    /// Parse a `gcd` value (see the module documentation for the letters).
    pub fn from_gcd(text: &str) -> Result<ConsentMode, ConsentModeError> {
        let b: Vec<char> = text.chars().collect();
        let bad = |position: usize| ConsentModeError::BadChar {
            form: "gcd",
            position,
            character: b.get(position).copied().unwrap_or('∅'),
        };
        if b.first() != Some(&'1') {
            return Err(bad(0));
        }
        for i in [1, 3, 5, 7, 9] {
            if !b.get(i).is_some_and(char::is_ascii_digit) {
                return Err(bad(i));
            }
        }
        if b.len() > 10 {
            return Err(bad(10));
        }
        let state = |i: usize| match b.get(i) {
            Some('t' | 'r' | 'n' | 'v') => Ok(ConsentState::Granted),
            Some('p' | 'q' | 'm' | 'u') => Ok(ConsentState::Denied),
            Some('l') => Ok(ConsentState::Unknown),
            _ => Err(bad(i)),
        };
        Ok(ConsentMode {
            ad_storage: state(2)?,
            analytics_storage: state(4)?,
            ad_user_data: state(6)?,
            ad_personalization: state(8)?,
        })
    }
}
