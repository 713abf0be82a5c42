//! Attribution from C: run a model over a path table (ChannelAttribution's format), the whole
//! of `o2o attribute --paths` as one call.

use crate::args::{out_arg, str_arg};
use crate::boundary::boundary;
use crate::buffers::o2o_string;
use crate::status::{Failure, o2o_status};
use o2o_core::attribution::{AttributionError, Model, attribute_path_table};
use std::ffi::c_char;

fn failure(e: AttributionError) -> Failure {
    match e {
        AttributionError::Order(_) | AttributionError::Config { .. } => {
            Failure::new(o2o_status::InvalidArgument, e)
        }
        _ => Failure::input(e),
    }
}

/// Attribute conversions (and their value) to channels over a path table.
///
/// \param paths the table: a header `path;total_conversions;total_conversion_value;total_null`
///        (`;` or `,` delimited, detected; value and null columns optional), then rows like
///        `facebook > email > youtube;12;3400.5;80`; `paths_len` bytes of UTF-8.
/// \param paths_len its length in bytes.
/// \param sep the separator between channels in a path, e.g. `">"`, `sep_len` bytes.
/// \param sep_len its length in bytes.
/// \param model `"first"`, `"last"`, `"last-non-direct"`, `"linear"`, `"position"`,
///        `"markov"` or `"shapley"`, `model_len` bytes.
/// \param model_len its length in bytes.
/// \param order the Markov order, 1 to 4 (ignored by the other models).
/// \param[out] credit receives `{"model": M, "order": K, "channels": [{"channel", "conversions",
///        "value"}, …]}`, and for Markov `"removal_effects"` and `"p_conversion"`, exactly as
///        `o2o attribute` prints; `{NULL, 0}` on failure.
/// \param[out] rejected receives the rows that were skipped, as JSON
///        `[{"line": L, "field": F, "message": "…"}, …]` (`[]` when none); `{NULL, 0}` on failure.
/// \return `O2O_STATUS_OK` (the good rows were used, read `*rejected`);
///         `O2O_STATUS_NULL_ARGUMENT`; `O2O_STATUS_INVALID_UTF8`;
///         `O2O_STATUS_INVALID_ARGUMENT` for an unknown model or an order outside 1–4;
///         `O2O_STATUS_INVALID_INPUT` when the header is unusable, nothing can be attributed, or
///         a channel's credit is not a finite number (counts summing past about 1.8e308; the
///         message names the channel).
/// \warning the caller owns `*credit` and `*rejected` and frees each with `o2o_string_free`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn o2o_attribute_paths(
    paths: *const c_char,
    paths_len: usize,
    sep: *const c_char,
    sep_len: usize,
    model: *const c_char,
    model_len: usize,
    order: u32,
    credit: *mut o2o_string,
    rejected: *mut o2o_string,
) -> o2o_status {
    boundary(|| {
        // SAFETY: the caller's contract: outputs are NULL or writable.
        let credit = unsafe { out_arg(credit, "credit", o2o_string::EMPTY) }?;
        // SAFETY: as above.
        let rejected = unsafe { out_arg(rejected, "rejected", o2o_string::EMPTY) }?;
        // SAFETY: the caller's contract: readable (ptr, len) pairs.
        let paths = unsafe { str_arg(paths, paths_len, "paths") }?;
        // SAFETY: as above.
        let sep = unsafe { str_arg(sep, sep_len, "sep") }?;
        // SAFETY: as above.
        let model_name = unsafe { str_arg(model, model_len, "model") }?;
        let mut model: Model = model_name.parse().map_err(failure)?;
        if let Model::Markov { order: o, .. } = &mut model {
            *o = order as usize;
        }
        let (result, errors) = attribute_path_table(paths, sep, &model).map_err(failure)?;
        let internal = |e: serde_json::Error| Failure::new(o2o_status::Internal, e);
        let credit_json = serde_json::to_string(&result).map_err(internal)?;
        let rejected_json = serde_json::to_string(&errors).map_err(internal)?;
        *credit = o2o_string::from_string(credit_json);
        *rejected = o2o_string::from_string(rejected_json);
        Ok(())
    })
}
