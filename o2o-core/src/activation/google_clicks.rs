//! Google Ads offline conversion import by click id, as a CSV file: one row per visit that a
//! Google Ads click (`gclid`, or `gbraid` / `wbraid` from iOS) led to.
//!
//! Format: <https://support.google.com/google-ads/answer/7014069> (the "conversions from clicks"
//! template: `Google Click ID`, `Conversion Name`, `Conversion Time`, `Conversion Value`,
//! `Conversion Currency`), with the iOS click ids in `GBRAID` and `WBRAID` columns as the
//! Google Ads API's `ClickConversion` takes them
//! (<https://developers.google.com/google-ads/api/reference/rpc/latest/ClickConversion>: exactly
//! one of `gclid`, `gbraid`, `wbraid`). Times carry their UTC offset,
//! `yyyy-mm-dd hh:mm:ss+hh:mm`. Schema: `docs/schemas/google-ads-clicks.schema.json`.
//!
//! No identifier is hashed here; the click id is personal data all the same, so each row still
//! needs its record's `hash_for_upload` permit.

use super::{ActivationError, Conversion, ExportOptions, ExportSummary, Platform, admit};
use crate::event::ClickIdKind;
use std::io::Write;

/// The header row.
pub(super) const HEADER: [&str; 7] = [
    "Google Click ID",
    "GBRAID",
    "WBRAID",
    "Conversion Name",
    "Conversion Time",
    "Conversion Value",
    "Conversion Currency",
];

pub(super) fn write<W: Write>(
    conversions: &[Conversion],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::GoogleAdsClicks;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    for c in conversions {
        if admit(&opts.gate, c.consent.as_ref(), false, summary).is_none() {
            continue;
        }
        // Exactly one click id per row, the most specific first.
        let click = [ClickIdKind::Gclid, ClickIdKind::Gbraid, ClickIdKind::Wbraid]
            .into_iter()
            .find_map(|k| c.click(k).map(|v| (k, v)));
        let Some((kind, id)) = click else {
            summary.no_identifier += 1;
            continue;
        };
        let (value, currency) = match c.value {
            None => (String::new(), String::new()),
            Some(v) => {
                let Some(cur) = c.currency.as_deref().or(opts.currency.as_deref()) else {
                    summary.no_currency += 1;
                    continue;
                };
                (v.to_string(), cur.to_owned())
            }
        };
        let cell = |k: ClickIdKind| if k == kind { id } else { "" };
        w.write_record([
            cell(ClickIdKind::Gclid),
            cell(ClickIdKind::Gbraid),
            cell(ClickIdKind::Wbraid),
            super::event_name(platform, opts, c.is_purchase()),
            &super::google_time(c.timestamp, opts.timezone.as_ref()),
            &value,
            &currency,
        ])?;
        summary.exported += 1;
    }
    w.flush()?;
    Ok(())
}
