//! Google Ads Customer Match, a hashed customer-list CSV: `Email`, `Phone`, `First Name`,
//! `Last Name`, `Country`, `Zip`, one row per member.
//!
//! Format: <https://support.google.com/google-ads/answer/7659867> ("Format your customer data
//! file": English headers; email, phone, first and last name SHA-256 of the normalised value,
//! phones in E.164 with `+`; `Country` (ISO 3166-1 alpha-2) and `Zip` in clear). Schema:
//! `docs/schemas/customer-match.schema.json`.

use super::user::{Field, UserData, UserHasher};
use super::{ActivationError, AudienceMember, ExportOptions, ExportSummary, Platform, admit};
use std::io::Write;

/// The header row.
pub(super) const HEADER: [&str; 6] = [
    "Email",
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
    let mut hasher = UserHasher::new(Platform::CustomerMatch, opts.default_country.clone());
    let mut user = UserData::default();
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
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
        let row = [
            Field::Email,
            Field::Phone,
            Field::FirstName,
            Field::LastName,
            Field::Country,
            Field::Zip,
        ]
        .map(|f| user.first(f));
        // Google matches on an email, a phone, or the full mailing address.
        let address = row[2..].iter().all(|v| !v.is_empty());
        if row[0].is_empty() && row[1].is_empty() && !address {
            summary.no_identifier += 1;
            continue;
        }
        w.write_record(row)?;
        summary.exported += 1;
    }
    w.flush()?;
    Ok(())
}
