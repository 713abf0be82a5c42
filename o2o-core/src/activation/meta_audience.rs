//! Meta custom audience from a customer list: one `POST /{custom-audience-id}/users` request
//! body per line, `{"payload": {"schema": [...], "data": [[...], ...]}}` with at most 10,000
//! rows.
//!
//! Format: <https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences>
//! (multi-key schema `EMAIL`, `PHONE`, `FN`, `LN`, `CT`, `ST`, `ZIP`, `COUNTRY`, `EXTERN_ID`,
//! each the SHA-256 of the value normalised by Meta's customer-information rules; an empty
//! string where a member has no value). Schema: `docs/schemas/meta-audience.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{
    ActivationError, AudienceMember, Batches, ExportOptions, ExportSummary, Platform, admit,
};
use std::io::Write;

/// The multi-key schema, in column order, and the field of each key.
pub(super) const SCHEMA: [(&str, Field); 9] = [
    ("EMAIL", Field::Email),
    ("PHONE", Field::Phone),
    ("FN", Field::FirstName),
    ("LN", Field::LastName),
    ("CT", Field::City),
    ("ST", Field::State),
    ("ZIP", Field::Zip),
    ("COUNTRY", Field::Country),
    ("EXTERN_ID", Field::ExternalId),
];

pub(super) fn write<W: Write>(
    members: &[AudienceMember],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::MetaAudience;
    let mut hasher = UserHasher::new(platform, opts.default_country.clone());
    let mut user = UserData::default();
    let keys: Vec<&str> = SCHEMA.iter().map(|(k, _)| *k).collect();
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
        let row: Vec<&str> = SCHEMA.iter().map(|(_, f)| user.first(*f)).collect();
        serde_json::to_writer(batches.next()?, &row)?;
        summary.exported += 1;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
