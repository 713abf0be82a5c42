//! Touchpoint events built in the page, as NDJSON lines the rest of o2o reads unchanged.
//!
//! The input is read with the core's own `Touchpoint` type (so the core validates it: action,
//! timestamp as Unix seconds or RFC 3339, identifier kinds) and written with the core's
//! `touchpoint_line` (the bytes of `write_ndjson`, with the serde code of touchpoints only).

use crate::convert::from_json;
use crate::error::WasmError;
use o2o_core::event::{
    Event, LineError, ReadSummary, Touchpoint, read_ndjson_str, touchpoint_line as core_line,
};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// A touchpoint, in the core's JSON shape without `type`.
    #[wasm_bindgen(typescript_type = "TouchpointInput")]
    pub type TouchpointInput;
    /// An o2o event as a plain object.
    #[wasm_bindgen(typescript_type = "ReadResult")]
    pub type ReadResultJs;
}

/// The NDJSON line (ending in `\n`) of the touchpoint described by `json` (core serde shape).
pub fn touchpoint_line(json: &str) -> Result<String, WasmError> {
    touchpoint_line_of(from_json(json, "touchpoint")?)
}

/// The NDJSON line (ending in `\n`) of `tp`, written by the core.
pub fn touchpoint_line_of(tp: Touchpoint) -> Result<String, WasmError> {
    core_line(&tp).map_err(|e| WasmError::input(format!("touchpoint: {e}")))
}

/// What reading NDJSON produced, in the shape JS gets: the good events, one error per bad
/// line (the core keeps the good records around a bad one), and the counts.
#[derive(Debug, Serialize)]
pub struct ReadResult {
    /// The events that parsed, in input order.
    pub events: Vec<Event>,
    /// One `{line, field, message}` per rejected line.
    pub errors: Vec<LineError>,
    /// `{read, rejected}`.
    pub summary: ReadSummary,
}

/// Read an NDJSON text with the core reader.
pub fn read_events(ndjson: &str) -> ReadResult {
    let o = read_ndjson_str(ndjson);
    ReadResult {
        events: o.events,
        errors: o.errors,
        summary: o.summary,
    }
}

/// Build a touchpoint event and return it as one NDJSON line (ending in `"\n"`), exactly as
/// `o2o` commands read it. `input` is the core's touchpoint shape:
/// `{action, channel, timestamp, campaign?, id?, cost?, value?, identifiers?, consent?}`;
/// `timestamp` is Unix seconds or an RFC 3339 string; `consent` may be a `Consent` object.
/// Identifiers are written as given: pass hashes from `hash()` so raw values never leave the page.
/// Throws `E_INVALID_INPUT` naming the bad field.
#[wasm_bindgen(js_name = touchpointEvent)]
pub fn touchpoint_event(input: TouchpointInput) -> Result<String, JsValue> {
    Ok(touchpoint_line_of(crate::read::touchpoint(&input)?)?)
}

/// (`full` build only: a page only writes events.)
/// Read NDJSON text (as written by `touchpointEvent` or any o2o command) with the core reader:
/// `{events, errors: [{line, field, message}], summary: {read, rejected}}`. A bad line is
/// reported and skipped; the good lines around it are kept.
#[cfg(feature = "full")]
#[wasm_bindgen(js_name = readNdjson)]
pub fn read_ndjson_js(ndjson: crate::args::StrArg) -> Result<ReadResultJs, JsValue> {
    let text = crate::args::string(&ndjson, "text")?;
    Ok(crate::convert::to_js(&read_events(&text))?.unchecked_into())
}
