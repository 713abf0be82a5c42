//! Reading JS objects into the core's types field by field (`Reflect.get`), with the same
//! rules as the core's serde derives: optional fields may be absent or `null`, unknown fields
//! are ignored (except in option objects, where a misspelt option is an error), enum values are
//! the core's snake_case names and timestamps go through the core's `parse_timestamp`.
//!
//! Why not `JSON.stringify` + serde_json here: serde_json's deserializer (with float parsing and
//! its error formatting) is a third of the tag's size, and the tag must stay under 100 KB
//! gzipped. The `full` build reads larger inputs (counts, samples) with serde.

use crate::error::WasmError;
use o2o_core::consent::{ConsentMode, ConsentSignals, ConsentState};
use o2o_core::event::{IdKind, Identifier, TouchAction, Touchpoint, Tracking, parse_timestamp};
use wasm_bindgen::{JsCast, JsValue};

/// `obj[key]`, or `None` when absent, `undefined` or `null`.
pub fn field(obj: &JsValue, key: &str) -> Option<JsValue> {
    let v = js_sys::Reflect::get(obj, &JsValue::from_str(key)).ok()?;
    if v.is_undefined() || v.is_null() {
        None
    } else {
        Some(v)
    }
}

/// Fails unless `v` is a (non-null) object.
pub fn object(v: &JsValue, what: &str) -> Result<(), WasmError> {
    if v.is_object() && !v.is_null() {
        Ok(())
    } else {
        Err(WasmError::input(format!("{what}: expected an object")))
    }
}

/// An optional string field.
pub fn opt_string(obj: &JsValue, key: &str, what: &str) -> Result<Option<String>, WasmError> {
    match field(obj, key) {
        None => Ok(None),
        Some(v) => v
            .as_string()
            .map(Some)
            .ok_or_else(|| WasmError::input(format!("{what}.{key}: expected a string"))),
    }
}

/// A required string field.
pub fn string(obj: &JsValue, key: &str, what: &str) -> Result<String, WasmError> {
    opt_string(obj, key, what)?
        .ok_or_else(|| WasmError::input(format!("{what}: missing field `{key}`")))
}

/// An optional number field.
pub fn opt_f64(obj: &JsValue, key: &str, what: &str) -> Result<Option<f64>, WasmError> {
    match field(obj, key) {
        None => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| WasmError::input(format!("{what}.{key}: expected a number"))),
    }
}

/// An optional boolean field.
pub fn opt_bool(obj: &JsValue, key: &str, what: &str) -> Result<Option<bool>, WasmError> {
    match field(obj, key) {
        None => Ok(None),
        Some(v) => v
            .as_bool()
            .map(Some)
            .ok_or_else(|| WasmError::input(format!("{what}.{key}: expected true or false"))),
    }
}

/// The own enumerable keys of `obj`.
pub fn keys(obj: &JsValue) -> Vec<String> {
    match obj.dyn_ref::<js_sys::Object>() {
        Some(o) => js_sys::Object::keys(o)
            .iter()
            .filter_map(|k| k.as_string())
            .collect(),
        None => Vec::new(),
    }
}

fn state(obj: &JsValue, key: &str) -> Result<ConsentState, WasmError> {
    match opt_string(obj, key, "consent mode")?.as_deref() {
        None | Some("unknown") => Ok(ConsentState::Unknown),
        Some("granted") => Ok(ConsentState::Granted),
        Some("denied") => Ok(ConsentState::Denied),
        Some(other) => Err(WasmError::input(format!(
            "consent mode.{key}: `{other}` is not granted, denied or unknown"
        ))),
    }
}

/// Consent Mode v2 signals (`gtag('consent', …)` shape; other keys ignored).
pub fn consent_mode(v: &JsValue) -> Result<ConsentMode, WasmError> {
    object(v, "consent mode signals")?;
    Ok(ConsentMode {
        ad_storage: state(v, "ad_storage")?,
        analytics_storage: state(v, "analytics_storage")?,
        ad_user_data: state(v, "ad_user_data")?,
        ad_personalization: state(v, "ad_personalization")?,
    })
}

/// `{tcf?, gcm?}`; an object with a `toJSON` method (a `Consent`) is read through it, as
/// `JSON.stringify` would. `null` (or `toJSON()` giving `null`) means no signals.
pub fn consent_signals(v: &JsValue) -> Result<Option<ConsentSignals>, WasmError> {
    let v = match field(v, "toJSON").and_then(|f| f.dyn_into::<js_sys::Function>().ok()) {
        Some(to_json) => to_json
            .call0(v)
            .map_err(|_| WasmError::input("consent: toJSON() failed"))?,
        None => v.clone(),
    };
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    object(&v, "consent")?;
    Ok(Some(ConsentSignals {
        tcf: opt_string(&v, "tcf", "consent")?,
        gcm: field(&v, "gcm").map(|g| consent_mode(&g)).transpose()?,
    }))
}

fn timestamp(obj: &JsValue) -> Result<i64, WasmError> {
    let v = field(obj, "timestamp")
        .ok_or_else(|| WasmError::input("touchpoint: missing field `timestamp`"))?;
    if let Some(s) = v.as_string() {
        return parse_timestamp(&s)
            .map_err(|e| WasmError::input(format!("touchpoint.timestamp: {e}")));
    }
    match v.as_f64() {
        // The core's rule for numeric timestamps: whole seconds, |t| < 2^53 (exact in f64).
        // Proof of exactness of the cast: integral and below 9e15 < 2^53.
        Some(t) if t.is_finite() && t.fract() == 0.0 && t.abs() < 9.0e15 => Ok(t as i64),
        Some(_) => Err(WasmError::input(
            "touchpoint.timestamp: timestamp must be whole seconds",
        )),
        None => Err(WasmError::input(
            "touchpoint.timestamp: expected Unix seconds or an RFC 3339 string",
        )),
    }
}

fn identifiers(obj: &JsValue) -> Result<Vec<Identifier>, WasmError> {
    let Some(list) = field(obj, "identifiers") else {
        return Ok(Vec::new());
    };
    let arr = list
        .dyn_into::<js_sys::Array>()
        .map_err(|_| WasmError::input("touchpoint.identifiers: expected an array"))?;
    arr.iter()
        .enumerate()
        .map(|(i, id)| {
            let what = format!("touchpoint.identifiers[{i}]");
            object(&id, &what)?;
            let kind = string(&id, "kind", &what)?
                .parse::<IdKind>()
                .map_err(|e| WasmError::input(format!("{what}.kind: {e}")))?;
            Ok(Identifier::new(kind, string(&id, "value", &what)?))
        })
        .collect()
}

/// A touchpoint in the core's JSON shape.
pub fn touchpoint(v: &JsValue) -> Result<Touchpoint, WasmError> {
    object(v, "touchpoint")?;
    let action_name = string(v, "action", "touchpoint")?;
    let action = TouchAction::ALL
        .into_iter()
        .find(|a| a.as_str() == action_name)
        .ok_or_else(|| {
            WasmError::input(format!(
                "touchpoint.action: unknown action `{action_name}` (expected impression, click, visit, open, voucher_claim or purchase)"
            ))
        })?;
    Ok(Touchpoint {
        id: opt_string(v, "id", "touchpoint")?,
        action,
        channel: string(v, "channel", "touchpoint")?,
        campaign: opt_string(v, "campaign", "touchpoint")?,
        timestamp: timestamp(v)?,
        cost: opt_f64(v, "cost", "touchpoint")?,
        value: opt_f64(v, "value", "touchpoint")?,
        identifiers: identifiers(v)?,
        consent: match field(v, "consent") {
            None => None,
            Some(c) => consent_signals(&c)?,
        },
        currency: opt_string(v, "currency", "touchpoint")?,
        tracking: tracking(v)?.map(Box::new),
        order: None,
        exposure: Default::default(),
    })
}

/// The touchpoint's UTM parameters and click ids: those of `landingUrl` (the page's
/// `location.href`), overridden by the ones `tracking` names. An unknown `tracking` key is an
/// error naming it (a misspelt `utm_campain` must not vanish).
fn tracking(v: &JsValue) -> Result<Option<Tracking>, WasmError> {
    let mut t = match opt_string(v, "landingUrl", "touchpoint")? {
        Some(url) => Tracking::from_url(&url),
        None => Tracking::default(),
    };
    if let Some(obj) = field(v, "tracking").filter(|o| !o.is_undefined() && !o.is_null()) {
        object(&obj, "touchpoint.tracking")?;
        for key in keys(&obj) {
            let value = opt_string(&obj, &key, "touchpoint.tracking")?;
            let slot = t.field_mut(&key).ok_or_else(|| {
                // Pushed one by one: `join` costs the tag a kilobyte.
                let mut names = String::new();
                for name in Tracking::field_names() {
                    if !names.is_empty() {
                        names.push_str(", ");
                    }
                    names.push_str(name);
                }
                WasmError::input(format!(
                    "touchpoint.tracking.{key}: unknown parameter (expected a UTM parameter or a click id: {names})"
                ))
            })?;
            if let Some(value) = value.filter(|s| !s.trim().is_empty()) {
                *slot = Some(value);
            }
        }
    }
    Ok((!t.is_empty()).then_some(t))
}
