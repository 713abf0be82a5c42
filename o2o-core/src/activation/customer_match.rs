//! Google Ads Customer Match, a hashed customer-list CSV: `Email` ×3, `Phone` ×3, `First Name`,
//! `Last Name`, `Country`, `Zip`, one row per member.
//!
//! Format: <https://support.google.com/google-ads/answer/7659867> ("Format your customer data
//! file": English headers; email, phone, first and last name SHA-256 of the normalised value,
//! phones in E.164 with `+`; `Country` (ISO 3166-1 alpha-2) and `Zip` in clear). Google's
//! Customer Match file template (<https://g.co/wudy8r>, linked from that page) says "multiple
//! email, phone, and postal columns are allowed": a person with several emails or phones is one
//! row with the header repeated. The template states no number of columns; the Google Ads API
//! takes at most 20 identifiers per person
//! (<https://developers.google.com/google-ads/api/reference/rpc/latest/UserDataErrorEnum.UserDataError>,
//! `TOO_MANY_USER_IDENTIFIERS`). We write three of each (the limit Meta documents for its files,
//! so one audience gives both platforms the same identifiers): 3 + 3 + one address is well
//! within 20. Schema: `docs/schemas/customer-match.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{ActivationError, AudienceMember, ExportOptions, ExportSummary, Platform, admit};
use std::io::Write;

/// Email columns per row: a person's first three distinct normalised emails (hash order).
pub(super) const EMAILS: usize = 3;
/// Phone columns per row, likewise.
pub(super) const PHONES: usize = 3;

/// The header row: repeated `Email` and `Phone` columns, as Google's template has them.
pub(super) const HEADER: [&str; 10] = [
    "Email",
    "Email",
    "Email",
    "Phone",
    "Phone",
    "Phone",
    "First Name",
    "Last Name",
    "Country",
    "Zip",
];

pub(super) fn write<W: Write>(
    members: &[AudienceMember],
    opts: &ExportOptions,
    out: W,
    summary: &mut ExportSummary,
) -> Result<(), ActivationError> {
    let mut hasher = UserHasher::for_export(Platform::CustomerMatch, opts)?;
    let mut user = UserData::default();
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    // Rows in their own sorted order, not profile order: profile ids are hashes (of pseudonyms
    // in a keyed store), so the same people give the same file whichever way the store keeps
    // identifiers.
    let mut rows: Vec<Vec<String>> = Vec::new();
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
        let address = [
            Field::FirstName,
            Field::LastName,
            Field::Country,
            Field::Zip,
        ]
        .map(|f| user.first(f));
        // Google matches on an email, a phone, or the full mailing address.
        let has_address = address.iter().all(|v| !v.is_empty());
        if user.get(Field::Email).is_empty() && user.get(Field::Phone).is_empty() && !has_address {
            summary.no_identifier += 1;
            continue;
        }
        let row = user
            .cells(Field::Email, EMAILS)
            .chain(user.cells(Field::Phone, PHONES))
            .chain(address)
            .map(str::to_owned)
            .collect();
        rows.push(row);
        summary.exported += 1;
    }
    rows.sort_unstable();
    for row in &rows {
        w.write_record(row)?;
    }
    w.flush()?;
    Ok(())
}
