//! TikTok Events API 2.0, offline events: one request body per line,
//! `{"event_source": "offline", "event_source_id": …, "data": [event, …]}` with at most 1,000
//! events, for `POST /open_api/v1.3/event/track/`.
//!
//! Format: <https://ads.tiktok.com/help/article/events-api> and the offline events guide
//! <https://ads.tiktok.com/help/article/about-events-api-for-offline> (email or phone based
//! matching; `user.email`, `user.phone`, `user.external_id` SHA-256 of the normalised value,
//! phones in E.164 with `+`; `properties.value`, `currency`, `contents`). Schema:
//! `docs/schemas/tiktok-events.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{
    ActivationError, Batches, Conversion, ExportOptions, ExportSummary, Platform, admit, event_name,
};
use crate::event::ClickIdKind;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct Event<'a> {
    event: &'a str,
    event_time: i64,
    event_id: &'a str,
    user: User<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<Properties<'a>>,
}

#[derive(Serialize)]
struct User<'a> {
    #[serde(skip_serializing_if = "super::no_values")]
    email: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    phone: &'a [String],
    #[serde(skip_serializing_if = "super::no_values")]
    external_id: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    ttclid: Option<&'a str>,
}

#[derive(Serialize)]
struct Properties<'a> {
    value: f64,
    currency: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    contents: Vec<Content<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    content_type: Option<&'static str>,
}

#[derive(Serialize)]
struct Content<'a> {
    content_id: &'a str,
    quantity: u32,
    price: f64,
}

pub(super) fn write<W: Write>(
    conversions: &[Conversion],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::TiktokEvents;
    let mut hasher = UserHasher::for_export(platform, opts)?;
    let mut user = UserData::default();
    let mut open = b"{\"event_source\":\"offline\",".to_vec();
    if let Some(id) = &opts.event_source_id {
        open.extend_from_slice(b"\"event_source_id\":");
        serde_json::to_writer(&mut open, id)?;
        open.push(b',');
    }
    open.extend_from_slice(b"\"data\":[");
    let mut batches = Batches::new(out, platform.batch_size(), &open, b"]}\n");
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
        let (email, phone, external_id) = (
            user.get(Field::Email),
            user.get(Field::Phone),
            user.get(Field::ExternalId),
        );
        // TikTok matches offline events by email or phone.
        if email.is_empty() && phone.is_empty() {
            summary.no_identifier += 1;
            continue;
        }
        let properties = match c.value {
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
                        content_id: &i.sku,
                        quantity: i.quantity,
                        price: i.price,
                    })
                    .collect();
                Some(Properties {
                    value,
                    currency,
                    content_type: (!contents.is_empty()).then_some("product"),
                    contents,
                })
            }
        };
        let ev = Event {
            event: event_name(platform, opts, c.is_purchase()),
            event_time: c.timestamp,
            event_id: &c.event_id,
            user: User {
                email,
                phone,
                external_id,
                ttclid: c.click(ClickIdKind::Ttclid),
            },
            properties,
        };
        serde_json::to_writer(batches.next()?, &ev)?;
        summary.exported += 1;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
