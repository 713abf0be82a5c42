//! Consent in the page: Google Consent Mode v2 signals and IAB TCF v2.2 TC strings (decoded and
//! validated by the core) wrapped in a `Consent` object that the hashing calls take.
//!
//! The decision is the core's [`ConsentGate`]: this file only converts names and shapes.

use crate::args::{StrArg, string};
use crate::convert::to_js;
use crate::error::{WasmError, code};
use o2o_core::consent::tcf::{TcModelJson, TcString, TcfError};
use o2o_core::consent::{
    ConsentGate, ConsentMode, ConsentSignals, Decision, DecodedSignals, Operation, Permit,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// Consent Mode v2 signals as `gtag('consent', …)` takes them.
    #[wasm_bindgen(typescript_type = "ConsentModeInput")]
    pub type ConsentModeInput;
    /// Consent signals in the core's JSON shape (`{tcf?, gcm?}`).
    #[wasm_bindgen(typescript_type = "ConsentSignals")]
    pub type ConsentSignalsJs;
    /// An operation name.
    #[wasm_bindgen(typescript_type = "Operation")]
    pub type OperationJs;
    /// The gate's decision.
    #[wasm_bindgen(typescript_type = "Decision")]
    pub type DecisionJs;
    /// A decoded TC string.
    #[wasm_bindgen(typescript_type = "TcModel")]
    pub type TcModelJs;
    /// The signals `toJSON()` gives.
    #[wasm_bindgen(typescript_type = "ConsentSignals | null")]
    pub type ConsentSignalsOrNull;
}

/// What the visitor allowed, as captured in the page. Every o2o call that uses personal data
/// takes one; with no signals everything is denied (fail closed).
#[wasm_bindgen]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consent {
    signals: Option<ConsentSignals>,
    /// The same signals with the TC string decoded once (the gate's hot path).
    decoded: DecodedSignals,
}

impl Consent {
    /// Consent from Consent Mode signals (core JSON names).
    pub fn with_consent_mode(gcm: ConsentMode) -> Consent {
        Consent::with_signals(ConsentSignals {
            tcf: None,
            gcm: Some(gcm),
        })
    }

    /// Consent from captured signals.
    pub fn with_signals(signals: ConsentSignals) -> Consent {
        Consent {
            decoded: DecodedSignals::new(Some(&signals)),
            signals: Some(signals),
        }
    }

    /// The signals, if any were captured.
    pub fn signals(&self) -> Option<&ConsentSignals> {
        self.signals.as_ref()
    }

    /// The core gate's decision for `operation`.
    pub fn decision(&self, operation: Operation) -> Decision {
        ConsentGate::default().check_decoded(operation, &self.decoded)
    }

    /// A core [`Permit`] for `operation`, or [`crate::error::code::CONSENT_DENIED`].
    pub fn permit(&self, operation: Operation) -> Result<Permit, WasmError> {
        Ok(ConsentGate::default().permit_decoded(operation, &self.decoded)?)
    }
}

impl From<TcfError> for WasmError {
    fn from(e: TcfError) -> Self {
        WasmError::new(code::TC_STRING, format!("TC string: {e}"))
    }
}

/// Signals from captured JSON, with a TC string in them decoded by the core first (a malformed
/// one is an error, not a silently unusable signal).
pub fn signals_checked(signals: ConsentSignals) -> Result<ConsentSignals, WasmError> {
    if let Some(tc) = &signals.tcf {
        TcString::decode(tc)?;
    }
    Ok(signals)
}

/// The core's decoding of a TC string, in @iabtcf/core's TCModel names.
pub fn decode_tc(tc: &str) -> Result<TcModelJson, WasmError> {
    Ok(TcString::decode(tc)?.to_json())
}

/// An operation by its snake_case name (`measure`, `link_identity`, `hash_for_upload`,
/// `personalise`).
pub fn parse_operation(name: &str) -> Result<Operation, WasmError> {
    Operation::ALL
        .into_iter()
        .find(|op| op.as_str() == name)
        .ok_or_else(|| {
            WasmError::input(format!(
                "unknown operation `{name}` (expected measure, link_identity, hash_for_upload or personalise)"
            ))
        })
}

fn operation_from_js(op: &JsValue) -> Result<Operation, WasmError> {
    parse_operation(&string(op, "operation")?)
}

#[wasm_bindgen]
impl Consent {
    /// No consent captured: every operation is denied.
    #[wasm_bindgen(js_name = none)]
    pub fn none_js() -> Consent {
        Consent::default()
    }

    /// Consent from Google Consent Mode v2 signals, in the shape `gtag('consent', 'update', …)`
    /// takes: `{ad_storage, analytics_storage, ad_user_data, ad_personalization}` each
    /// `"granted"`, `"denied"` or `"unknown"`. Missing (or unknown) signals are denied; other
    /// keys are ignored. Throws `E_INVALID_INPUT` for any other value.
    #[wasm_bindgen(js_name = fromConsentMode)]
    pub fn from_consent_mode_js(signals: ConsentModeInput) -> Result<Consent, JsValue> {
        Ok(Consent::with_consent_mode(crate::read::consent_mode(
            &signals,
        )?))
    }

    /// Consent from signals in the core's JSON shape: `{tcf?: string, gcm?: {...}}` (what an
    /// event's `consent` field holds). Throws `E_TC_STRING` when `tcf` does not decode.
    #[wasm_bindgen(js_name = fromSignals)]
    pub fn from_signals_js(signals: ConsentSignalsJs) -> Result<Consent, JsValue> {
        match crate::read::consent_signals(&signals)? {
            Some(s) => Ok(Consent::with_signals(signals_checked(s)?)),
            None => Ok(Consent::default()),
        }
    }

    /// Consent from an IAB TCF v2.2 TC string (from the CMP, e.g. `__tcfapi('addEventListener')`
    /// → `tcData.tcString`). The core decodes it; a malformed string throws `E_TC_STRING` saying
    /// what and at which bit. What the TC string allows is decided by the core gate's policy.
    #[wasm_bindgen(js_name = fromTcString)]
    pub fn from_tc_string_js(tc: StrArg) -> Result<Consent, JsValue> {
        let s = signals_checked(ConsentSignals {
            tcf: Some(string(&tc, "tc")?),
            gcm: None,
        })?;
        Ok(Consent::with_signals(s))
    }

    /// Add Consent Mode v2 signals to this consent (e.g. a TC string plus `gtag` signals).
    #[wasm_bindgen(js_name = withConsentMode)]
    pub fn with_consent_mode_js(&self, signals: ConsentModeInput) -> Result<Consent, JsValue> {
        let gcm = crate::read::consent_mode(&signals)?;
        let mut s = self.signals.clone().unwrap_or_default();
        s.gcm = Some(gcm);
        Ok(Consent::with_signals(s))
    }

    /// The core gate's decision for `operation`, with its reason:
    /// `{operation, allowed, reason}`.
    pub fn check(&self, operation: OperationJs) -> Result<DecisionJs, JsValue> {
        let op = operation_from_js(&operation)?;
        Ok(to_js(&self.decision(op))?.unchecked_into())
    }

    /// Whether the gate allows `operation`.
    pub fn allows(&self, operation: OperationJs) -> Result<bool, JsValue> {
        Ok(self.decision(operation_from_js(&operation)?).allowed)
    }

    /// The captured signals in the core's JSON shape (what an event's `consent` field holds), or
    /// `null` when none were captured. `JSON.stringify` calls it, so a `Consent` can be put
    /// directly in a touchpoint's `consent` field.
    #[wasm_bindgen(js_name = toJSON)]
    pub fn to_json_js(&self) -> Result<ConsentSignalsOrNull, JsValue> {
        match &self.signals {
            Some(s) => Ok(to_js(s)?.unchecked_into()),
            None => Ok(JsValue::NULL.unchecked_into()),
        }
    }
}

/// Decode an IAB TCF v2.2 TC string with the core decoder: an object in @iabtcf/core's TCModel
/// names (`cmpId`, `purposeConsents`, `vendorConsents`… vectors as ascending id arrays, dates as
/// Unix seconds). Throws `E_TC_STRING` naming what is wrong and at which bit. `full` build only
/// (a page needs the consent, not the model: keeps the tag small).
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = decodeTcString)]
pub fn decode_tc_string_js(tc: StrArg) -> Result<TcModelJs, JsValue> {
    Ok(to_js(&decode_tc(&string(&tc, "tc")?)?)?.unchecked_into())
}
