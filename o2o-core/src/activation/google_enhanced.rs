//! Google Ads enhanced conversions for leads / store sales: one
//! `ConversionUploadService.UploadClickConversions` request body per line, at most 2,000
//! conversions, each with up to five hashed user identifiers (email and phone, Google's
//! normalisation: Gmail dots removed, phones in E.164 with `+`).
//!
//! Format: <https://developers.google.com/google-ads/api/docs/conversions/enhanced-conversions/leads>
//! and `ClickConversion`
//! (<https://developers.google.com/google-ads/api/reference/rpc/latest/ClickConversion>), in the
//! REST API's JSON (camelCase) names. `conversionAction` is the event name: give the conversion
//! action's resource name (`customers/…/conversionActions/…`) with `--event-name`. Schema:
//! `docs/schemas/google-ads-enhanced.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{ActivationError, Batches, Conversion, ExportOptions, ExportSummary, Platform, admit};
use crate::consent::Operation;
use crate::event::ClickIdKind;
use serde::Serialize;
use std::io::Write;

/// Google takes at most five identifiers per conversion.
const MAX_IDENTIFIERS: usize = 5;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ClickConversion<'a> {
    conversion_action: &'a str,
    conversion_date_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    currency_code: Option<&'a str>,
    order_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    gclid: Option<&'a str>,
    user_identifiers: Vec<UserIdentifier<'a>>,
    consent: Consent,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UserIdentifier<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hashed_email: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hashed_phone_number: Option<&'a str>,
    user_identifier_source: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Consent {
    ad_user_data: &'static str,
    ad_personalization: &'static str,
}

pub(super) fn write<W: Write>(
    conversions: &[Conversion],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::GoogleAdsEnhanced;
    let mut hasher = UserHasher::for_export(platform, opts)?;
    let mut user = UserData::default();
    let mut batches = Batches::new(
        out,
        platform.batch_size(),
        b"{\"conversions\":[",
        b"],\"partialFailure\":true}\n",
    );
    for c in conversions {
        let Some(permit) = admit(&opts.gate, c.consent.as_ref(), false, summary) else {
            continue;
        };
        if hasher
            .hash(&permit, &c.identifiers, &mut user, summary)
            .is_err()
        {
            summary.no_consent += 1;
            continue;
        }
        let mut ids: Vec<UserIdentifier<'_>> = Vec::new();
        for h in user.get(Field::Email) {
            ids.push(UserIdentifier {
                hashed_email: Some(h),
                hashed_phone_number: None,
                user_identifier_source: "FIRST_PARTY",
            });
        }
        for h in user.get(Field::Phone) {
            ids.push(UserIdentifier {
                hashed_email: None,
                hashed_phone_number: Some(h),
                user_identifier_source: "FIRST_PARTY",
            });
        }
        ids.truncate(MAX_IDENTIFIERS);
        if ids.is_empty() {
            summary.no_identifier += 1;
            continue;
        }
        let currency = match c.value {
            None => None,
            Some(_) => match c.currency.as_deref().or(opts.currency.as_deref()) {
                Some(cur) => Some(cur),
                None => {
                    summary.no_currency += 1;
                    continue;
                }
            },
        };
        // Upload is allowed (the permit); personalisation as the record's signals say.
        let personalise = opts
            .gate
            .check(Operation::Personalise, c.consent.as_ref())
            .allowed;
        let conv = ClickConversion {
            conversion_action: super::event_name(platform, opts, c.is_purchase()),
            conversion_date_time: super::google_time(c.timestamp, opts.timezone.as_ref()),
            conversion_value: c.value,
            currency_code: currency,
            order_id: &c.event_id,
            gclid: c.click(ClickIdKind::Gclid),
            user_identifiers: ids,
            consent: Consent {
                ad_user_data: "GRANTED",
                ad_personalization: if personalise { "GRANTED" } else { "DENIED" },
            },
        };
        serde_json::to_writer(batches.next()?, &conv)?;
        summary.exported += 1;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
