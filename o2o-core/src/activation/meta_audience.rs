//! Meta custom audience from a customer list: one `POST /{custom-audience-id}/users` request
//! body per line, `{"payload": {"schema": [...], "data": [[...], ...]}}` with at most 10,000
//! rows.
//!
//! Format: <https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences>
//! (multi-key schema `EMAIL`, `PHONE`, `FN`, `LN`, `CT`, `ST`, `ZIP`, `COUNTRY`, `EXTERN_ID`,
//! each the SHA-256 of the value normalised by Meta's customer-information rules; an empty
//! string where a member has no value). A person may have several emails and phones, and Meta's
//! customer files take up to three of each
//! (<https://www.facebook.com/business/help/2082575038703844>, "How to format a customer
//! list"). The API's reference (<https://developers.facebook.com/docs/marketing-api/reference/custom-audience/users>)
//! documents a schema of distinct keys only, so a person's second and third distinct email and
//! phone go in further rows of the same schema, each row carrying the person's other keys too
//! (every row matches on its own; Meta counts a matched person once). Schema:
//! `docs/schemas/meta-audience.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{
    ActivationError, AudienceMember, Batches, ExportOptions, ExportSummary, Platform, admit,
};
use std::io::Write;

/// Distinct emails, and phones, written per person (Meta's customer-file limit): the k-th of
/// each goes in the person's k-th row.
pub(super) const PER_KEY: usize = 3;

/// The multi-key schema, in column order, with the field each key takes.
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

/// How many rows a person takes: one per distinct email or phone, up to [`PER_KEY`], at least one.
fn rows_of(user: &UserData) -> usize {
    let n = |f: Field| user.get(f).len();
    n(Field::Email).max(n(Field::Phone)).clamp(1, PER_KEY)
}

/// The k-th value of a field in row `k`: emails and phones take their k-th value, the other
/// keys their only one.
fn cell(user: &UserData, f: Field, k: usize) -> &str {
    let i = if matches!(f, Field::Email | Field::Phone) {
        k
    } else {
        0
    };
    user.get(f).get(i).map_or("", String::as_str)
}

pub(super) fn write<W: Write>(
    members: &[AudienceMember],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let platform = Platform::MetaAudience;
    let mut hasher = UserHasher::for_export(platform, opts)?;
    let mut user = UserData::default();
    let keys: Vec<&str> = SCHEMA.iter().map(|(k, _)| *k).collect();
    let mut open = b"{\"payload\":{\"schema\":".to_vec();
    serde_json::to_writer(&mut open, &keys)?;
    open.extend_from_slice(b",\"data\":[");
    // People in the sorted order of their rows, not in profile order: profile ids are hashes
    // (of pseudonyms in a keyed store), so the same people give the same file whichever way the
    // store keeps identifiers. A person's rows stay together.
    let mut people: Vec<Vec<Vec<String>>> = Vec::new();
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
        people.push(
            (0..rows_of(&user))
                .map(|k| {
                    SCHEMA
                        .iter()
                        .map(|&(_, f)| cell(&user, f, k).to_owned())
                        .collect()
                })
                .collect(),
        );
        summary.exported += 1;
    }
    people.sort_unstable();
    let mut batches = Batches::new(out, platform.batch_size(), &open, b"]}}\n");
    for row in people.iter().flatten() {
        serde_json::to_writer(batches.next()?, row)?;
    }
    summary.batches = batches.finish()?;
    Ok(())
}
