//! Meta Conversions API, offline events: one request body per line, `{"data": [event, …]}` with
//! at most 1,000 events, for `POST /{dataset-id}/events`.
//!
//! Format: <https://developers.facebook.com/docs/marketing-api/conversions-api/offline-events>
//! (`action_source = "physical_store"`), parameters:
//! <https://developers.facebook.com/docs/marketing-api/conversions-api/parameters> and customer
//! information parameters (hashed `em`, `ph`, `external_id`, `fn`, `ln`, `ct`, `st`, `zp`,
//! `country`, `db`, `ge`; `fbc` in clear). Schema: `docs/schemas/meta-capi.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{
    ActivationError, Batches, Conversion, ExportOptions, ExportSummary, Platform, admit, event_name,
};
use crate::event::ClickIdKind;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Event<'a> {
    event_name: &'a str,
    event_time: i64,
    action_source: &'static str,
    event_id: &'a str,
    user_data: User<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    custom_data: Option<Custom<'a>>,
}

#[derive(Serialize)]
struct User<'a> {
    #[serde(skip_serializing_if = "super::no_values")]
    em: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    ph: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    external_id: &'a [String],
    #[serde(rename = "fn", skip_serializing_if = "super::no_values")]
    first_name: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    ln: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    ct: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    st: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    zp: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    country: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    db: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    ge: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    fbc: Option<String>,
}

#[derive(Serialize)]
struct Custom<'a> {
    value: f64,
    currency: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
}

#[derive(Serialize)]
struct Content<'a> {
    id: &'a str,
    quantity: u32,
    item_price: f64,
}

/// The `fbc` parameter: the `_fbc` value when recorded, else built from the `fbclid` as Meta
/// documents (`fb.1.<click time ms>.<fbclid>`; the visit's time stands for the click's).
fn fbc(c: &Conversion) -> Option<String> {
    if let Some(v) = c.click(ClickIdKind::Fbc) {
        return Some(v.to_owned());
    }
    c.click(ClickIdKind::Fbclid)
        .map(|id| format!("fb.1.{}.{id}", c.timestamp.saturating_mul(1000)))
}

pub(super) fn write<W: Write>(
    conversions: &[Conversion],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::MetaCapi;
    let mut hasher = UserHasher::for_export(platform, opts)?;
    let mut user = UserData::default();
    let mut batches = Batches::new(out, platform.batch_size(), b"{\"data\":[", b"]}\n");
    for c in conversions {
        let Some(permit) = admit(&opts.gate, c.consent.as_ref(), false, summary) else {
            continue;
        };
        // The permit is for hash_for_upload: `hash` cannot refuse it.
        if hasher
            .hash(&permit, &c.identifiers, &mut user, summary)
            .is_err()
        {
            summary.no_consent += 1;
            continue;
        }
        let fbc = fbc(c);
        if user.is_empty() && fbc.is_none() {
            summary.no_identifier += 1;
            continue;
        }
        let custom = match c.value {
            None => None,
            Some(value) => {
                let Some(currency) = c.currency.as_deref().or(opts.currency.as_deref()) else {
                    summary.no_currency += 1;
                    continue;
                };
                let contents: Vec<Content<'_>> = c
                    .items
                    .iter()
                    .map(|i| Content {
                        id: &i.sku,
                        quantity: i.quantity,
                        item_price: i.price,
                    })
                    .collect();
                Some(Custom {
                    value,
                    currency,
                    content_type: (!contents.is_empty()).then_some("product"),
                    contents,
                })
            }
        };
        let ev = Event {
            event_name: event_name(platform, opts, c.is_purchase()),
            event_time: c.timestamp,
            action_source: "physical_store",
            event_id: &c.event_id,
            user_data: User {
                em: user.get(Field::Email),
                ph: user.get(Field::Phone),
                external_id: user.get(Field::ExternalId),
                first_name: user.get(Field::FirstName),
                ln: user.get(Field::LastName),
                ct: user.get(Field::City),
                st: user.get(Field::State),
                zp: user.get(Field::Zip),
                country: user.get(Field::Country),
                db: user.get(Field::DateOfBirth),
                ge: user.get(Field::Gender),
                fbc,
            },
            custom_data: custom,
        };
        serde_json::to_writer(batches.next()?, &ev)?;
        summary.exported += 1;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
