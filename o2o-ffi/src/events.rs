//! Reading event files from C: a batch job hands over an NDJSON file or a POS CSV export and
//! gets back the good events as canonical NDJSON and a report of every rejected line (line,
//! field, reason). The good records around a bad line are kept, as in every o2o reader.

use crate::args::{out_arg, str_arg};
use crate::boundary::boundary;
use crate::buffers::o2o_string;
use crate::status::{Failure, o2o_status};
use o2o_core::event::{
    LineError, ReadOutcome, ReadSummary, read_ndjson_str, read_pos_csv, write_ndjson,
};
use serde::Serialize;
use std::ffi::c_char;

/// The input format of `o2o_events_read`.
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum o2o_event_format {
    /// One JSON event per line (what `o2o simulate` writes and every command reads).
    Ndjson = 0,
    /// A POS export: CSV with a header, one check-in per row (see docs/data-model.md).
    PosCsv = 1,
}

#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    summary: ReadSummary,
    errors: &'a [LineError],
}

/// Read events, keeping the good ones and reporting the bad lines.
///
/// \param format an `o2o_event_format` value.
/// \param text the file contents, `text_len` bytes of UTF-8.
/// \param text_len its length in bytes.
/// \param[out] events receives the good events as NDJSON, one per line, in input order
///        (empty when none); `{NULL, 0}` on failure.
/// \param[out] report receives `{"read": N, "rejected": M, "errors": [{"line": L, "field": F,
///        "message": "…"}, …]}`; `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` even when lines were rejected (read the report);
///         `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown format; `O2O_STATUS_INVALID_INPUT` when
///         the whole input is unusable (a CSV header without a required column).
/// \warning the caller owns `*events` and `*report` and frees each with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_events_read(
    format: u32,
    text: *const c_char,
    text_len: usize,
    events: *mut o2o_string,
    report: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: outputs are NULL or writable.
        let events = unsafe { out_arg(events, "events", o2o_string::EMPTY) }?;
        // SAFETY: as above.
        let report = unsafe { out_arg(report, "report", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: `(text, text_len)` is readable.
        let text = unsafe { str_arg(text, text_len, "text") }?;
        let outcome: ReadOutcome = match format {
            f if f == o2o_event_format::Ndjson as u32 => read_ndjson_str(text),
            f if f == o2o_event_format::PosCsv as u32 => {
                read_pos_csv(text.as_bytes()).map_err(Failure::input)?
            }
            _ => {
                return Err(Failure::arg(
                    "format",
                    format!("{format} is not an o2o_event_format"),
                ));
            }
        };
        let mut buf = Vec::new();
        write_ndjson(&outcome.events, &mut buf)
            .map_err(|e| Failure::new(o2o_status::Internal, e))?;
        let ndjson = String::from_utf8(buf).map_err(|e| Failure::new(o2o_status::Internal, e))?;
        let json = serde_json::to_string(&Report {
            summary: outcome.summary,
            errors: &outcome.errors,
        })
        .map_err(|e| Failure::new(o2o_status::Internal, e))?;
        *events = o2o_string::from_string(ndjson);
        *report = o2o_string::from_string(json);
        Ok(())
    })
}
