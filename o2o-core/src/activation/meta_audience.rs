//! Meta custom audience from a customer list: one `POST /{custom-audience-id}/users` request
//! body per line, `{"payload": {"schema": [...], "data": [[...], ...]}}` with at most 10,000
//! rows.
//!
//! Format: <https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences>
//! (multi-key schema `EMAIL`, `PHONE`, `FN`, `LN`, `CT`, `ST`, `ZIP`, `COUNTRY`, `EXTERN_ID`,
//! each the SHA-256 of the value normalised by Meta's customer-information rules; an empty
//! string where a member has no value). A person may have several emails and phones: Meta takes
//! "email addresses in up to three separate columns" and "up to three phone numbers as separate
//! columns" (<https://www.facebook.com/business/help/2082575038703844>, "How to format a
//! customer list"), so the schema repeats `EMAIL` and `PHONE` three times, one value per
//! column, and a person's first three distinct normalised values of each (hash order) fill
//! them. Schema: `docs/schemas/meta-audience.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{
    ActivationError, AudienceMember, Batches, ExportOptions, ExportSummary, Platform, admit,
};
use std::io::Write;

/// Values of a person's emails, and of their phones, per row (Meta's limit).
pub(super) const PER_KEY: usize = 3;

/// The multi-key schema, in column order: each key, its field and which of the field's values
/// the column takes (`EMAIL` and `PHONE` repeated [`PER_KEY`] times, taking values 0, 1, 2).
pub(super) const SCHEMA: [(&str, Field, usize); 13] = [
    ("EMAIL", Field::Email, 0),
    ("EMAIL", Field::Email, 1),
    ("EMAIL", Field::Email, 2),
    ("PHONE", Field::Phone, 0),
    ("PHONE", Field::Phone, 1),
    ("PHONE", Field::Phone, 2),
    ("FN", Field::FirstName, 0),
    ("LN", Field::LastName, 0),
    ("CT", Field::City, 0),
    ("ST", Field::State, 0),
    ("ZIP", Field::Zip, 0),
    ("COUNTRY", Field::Country, 0),
    ("EXTERN_ID", Field::ExternalId, 0),
];
const _: () = assert!(
    PER_KEY == 3,
    "SCHEMA lists three EMAIL and three PHONE columns"
);

pub(super) fn write<W: Write>(
    members: &[AudienceMember],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::MetaAudience;
    let mut hasher = UserHasher::new(platform, opts.default_country.clone());
    let mut user = UserData::default();
    let keys: Vec<&str> = SCHEMA.iter().map(|(k, _, _)| *k).collect();
    let mut open = b"{\"payload\":{\"schema\":".to_vec();
    serde_json::to_writer(&mut open, &keys)?;
    open.extend_from_slice(b",\"data\":[");
    let mut batches = Batches::new(out, platform.batch_size(), &open, b"]}}\n");
    for m in members {
        let Some(permit) = admit(&opts.gate, m.consent.as_ref(), true, summary) else {
            continue;
        };
        if hasher
            .hash(&permit, &m.identifiers, &mut user, summary)
            .is_err()
        {
            summary.no_consent += 1;
            continue;
        }
        if user.first(Field::Email).is_empty()
            && user.first(Field::Phone).is_empty()
            && user.first(Field::ExternalId).is_empty()
        {
            summary.no_identifier += 1;
            continue;
        }
        let row: Vec<&str> = SCHEMA
            .iter()
            .map(|&(_, f, k)| user.get(f).get(k).map_or("", String::as_str))
            .collect();
        serde_json::to_writer(batches.next()?, &row)?;
        summary.exported += 1;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
