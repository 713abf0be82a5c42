//! Consent in the page: Google Consent Mode v2 signals (and, once decoded by the core, a TCF
//! TC string) wrapped in a `Consent` object that the hashing calls take.
//!
//! The decision is the core's [`ConsentGate`]: this file only converts names and shapes.

use crate::convert::{from_js, to_js};
use crate::error::WasmError;
use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, Decision, Operation, Permit};
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
}

/// What the visitor allowed, as captured in the page. Every o2o call that uses personal data
/// takes one; with no signals everything is denied (fail closed).
#[wasm_bindgen]
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Consent {
    signals: Option<ConsentSignals>,
}

impl Consent {
    /// Consent from Consent Mode signals (core JSON names).
    pub fn with_consent_mode(gcm: ConsentMode) -> Consent {
        Consent {
            signals: Some(ConsentSignals {
                tcf: None,
                gcm: Some(gcm),
            }),
        }
    }

    /// Consent from captured signals.
    pub fn with_signals(signals: ConsentSignals) -> Consent {
        Consent {
            signals: Some(signals),
        }
    }

    /// The signals, if any were captured.
    pub fn signals(&self) -> Option<&ConsentSignals> {
        self.signals.as_ref()
    }

    /// The core gate's decision for `operation`.
    pub fn decision(&self, operation: Operation) -> Decision {
        ConsentGate::default().check(operation, self.signals.as_ref())
    }

    /// A core [`Permit`] for `operation`, or [`crate::error::code::CONSENT_DENIED`].
    pub fn permit(&self, operation: Operation) -> Result<Permit, WasmError> {
        Ok(ConsentGate::default().permit(operation, self.signals.as_ref())?)
    }
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
    let name = op
        .as_string()
        .ok_or_else(|| WasmError::input("operation: expected a string"))?;
    parse_operation(&name)
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
    /// `"granted"` or `"denied"`. Missing signals are unknown, i.e. denied; other keys are ignored.
    /// Throws `E_INVALID_INPUT` for a value other than granted/denied/unknown.
    #[wasm_bindgen(js_name = fromConsentMode)]
    pub fn from_consent_mode_js(signals: ConsentModeInput) -> Result<Consent, JsValue> {
        let gcm: ConsentMode = from_js(&signals, "consent mode signals")?;
        Ok(Consent::with_consent_mode(gcm))
    }

    /// Consent from signals in the core's JSON shape: `{tcf?: string, gcm?: {...}}` (what an
    /// event's `consent` field holds).
    #[wasm_bindgen(js_name = fromSignals)]
    pub fn from_signals_js(signals: ConsentSignalsJs) -> Result<Consent, JsValue> {
        Ok(Consent::with_signals(from_js(&signals, "consent signals")?))
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
    pub fn to_json_js(&self) -> Result<JsValue, JsValue> {
        match &self.signals {
            Some(s) => Ok(to_js(s)?),
            None => Ok(JsValue::NULL),
        }
    }
}
