//! A person's identifiers as a platform matches them: normalised by the platform's rules and
//! SHA-256-hashed, per field, behind a consent permit.

use super::{ActivationError, ExportOptions, ExportSummary, Platform, StoredHashes};
use crate::consent::{Operation, Permit};
use crate::event::{IdKind, Identifier};
use crate::hashing::{HashError, Hasher, NormalizeOptions, PhoneCheck, normalize_into};
use crate::identity::rules::CompiledRules;
use std::sync::Arc;

/// A field of customer information the platforms match on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Field {
    /// Email address (`em`, `EMAIL`, `hashedEmail`).
    Email,
    /// Phone number (`ph`, `PHONE`, `hashedPhoneNumber`).
    Phone,
    /// The advertiser's customer id or loyalty card number (`external_id`, `EXTERN_ID`).
    ExternalId,
    /// Given name (`fn`).
    FirstName,
    /// Family name (`ln`).
    LastName,
    /// City (`ct`).
    City,
    /// State or province (`st`).
    State,
    /// Postal code (`zp`).
    Zip,
    /// Country (`country`).
    Country,
    /// Date of birth (`db`).
    DateOfBirth,
    /// Gender (`ge`).
    Gender,
}

impl Field {
    /// Every field, in the order of [`UserData`].
    pub const ALL: [Field; 11] = [
        Field::Email,
        Field::Phone,
        Field::ExternalId,
        Field::FirstName,
        Field::LastName,
        Field::City,
        Field::State,
        Field::Zip,
        Field::Country,
        Field::DateOfBirth,
        Field::Gender,
    ];

    /// The field an identifier fills; `None` for identifiers never sent to a platform (device
    /// ids, IP and MAC addresses).
    #[must_use]
    pub const fn of(kind: IdKind) -> Option<Field> {
        Some(match kind {
            IdKind::Email | IdKind::EmailSha256 => Field::Email,
            IdKind::Phone | IdKind::PhoneSha256 => Field::Phone,
            IdKind::ExternalId | IdKind::LoyaltyCard => Field::ExternalId,
            IdKind::FirstName => Field::FirstName,
            IdKind::LastName => Field::LastName,
            IdKind::City => Field::City,
            IdKind::State => Field::State,
            IdKind::Zip => Field::Zip,
            IdKind::Country => Field::Country,
            IdKind::DateOfBirth => Field::DateOfBirth,
            IdKind::Gender => Field::Gender,
            IdKind::DeviceId | IdKind::Mac | IdKind::Ip | IdKind::VoucherCode => return None,
        })
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// The values of one person, per [`Field`]: lowercase hex SHA-256 of the normalised value, or
/// the normalised value itself for the few fields a platform takes in clear (Google Customer
/// Match's `Country` and `Zip`). Each field's values are sorted and distinct.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UserData {
    values: [Vec<String>; 11],
}

impl UserData {
    /// The values of `field`.
    #[must_use]
    pub fn get(&self, field: Field) -> &[String] {
        &self.values[field.index()]
    }

    /// The first value of `field`, or `""`.
    pub fn first(&self, field: Field) -> &str {
        self.get(field).first().map_or("", String::as_str)
    }

    /// Exactly `n` cells for `field`: its first `n` values (sorted and distinct, so the same
    /// person always gives the same cells), then `""` for the cells it has no value for. For
    /// the platforms that take several values of a field per person, up to a limit.
    pub fn cells(&self, field: Field, n: usize) -> impl Iterator<Item = &str> {
        let values = self.get(field);
        (0..n).map(move |i| values.get(i).map_or("", String::as_str))
    }

    /// Whether no field has a value.
    pub fn is_empty(&self) -> bool {
        self.values.iter().all(Vec::is_empty)
    }

    fn clear(&mut self) {
        for v in &mut self.values {
            v.clear();
        }
    }
}

/// Normalises and hashes a person's identifiers under a platform's rules. The only way in is
/// [`UserHasher::hash`], which takes the record's consent [`Permit`].
#[derive(Clone, Debug)]
pub struct UserHasher {
    hasher: Hasher,
    opts: NormalizeOptions,
    plain: &'static [Field],
    buf: String,
    card: String,
    stored: Option<Arc<StoredHashes>>,
    junk: Option<(CompiledRules, NormalizeOptions)>,
}

impl UserHasher {
    /// A hasher for `platform`, reading phones without a country code as numbers of
    /// `default_country`.
    #[must_use]
    pub fn new(platform: Platform, default_country: Option<String>) -> Self {
        let opts = NormalizeOptions {
            profile: platform.profile(),
            default_country,
            ..NormalizeOptions::default()
        };
        UserHasher {
            hasher: Hasher::new(opts.clone()),
            opts,
            plain: match platform {
                // Customer Match takes country and zip in clear (its hashed-file guidelines).
                Platform::CustomerMatch => &[Field::Country, Field::Zip],
                _ => &[],
            },
            buf: String::with_capacity(128),
            card: String::with_capacity(32),
            stored: None,
            junk: None,
        }
    }

    /// A hasher for `platform` under `opts`: its default country, the junk lists of its
    /// rules, and, from a keyed store, its stored platform hashes
    /// ([`ExportOptions::stored_hashes`]). An error when the rules do not compile.
    pub fn for_export(platform: Platform, opts: &ExportOptions) -> Result<Self, ActivationError> {
        let mut h = UserHasher::new(platform, opts.default_country.clone());
        h.stored = opts.stored_hashes.clone();
        let rules = CompiledRules::new(&opts.rules).map_err(|e| ActivationError::Option {
            option: "rules",
            message: e.to_string(),
        })?;
        // Judged on the form a keyed store judges them on (Meta's normalisation, possible
        // phones), so a plain and a keyed store leave out the same values.
        let form = NormalizeOptions {
            profile: crate::hashing::Platform::Meta,
            default_country: opts.default_country.clone(),
            ip_truncate: false,
            phone: PhoneCheck::Possible,
        };
        h.junk = Some((rules, form));
        Ok(h)
    }

    /// Fill `user` (cleared first) from `ids` under `permit`, which must be for
    /// [`Operation::HashForUpload`]. Values that do not normalise are counted in
    /// `summary.invalid_values` and left out. With stored hashes (a keyed store), an email or
    /// phone pseudonym gives its stored hashes for the platform (none: counted as an invalid
    /// value, as its raw value would have been), and a CRM id or loyalty card pseudonym is
    /// counted in `summary.pseudonyms_not_sent` and left out.
    pub fn hash(
        &mut self,
        permit: &Permit,
        ids: &[Identifier],
        user: &mut UserData,
        summary: &mut ExportSummary,
    ) -> Result<(), HashError> {
        if permit.operation() != Operation::HashForUpload {
            return Err(HashError::WrongPermit {
                given: permit.operation(),
            });
        }
        user.clear();
        for id in ids {
            let Some(field) = Field::of(id.kind) else {
                continue;
            };
            if let Some(stored) = &self.stored
                && id.kind.pseudonymised_at_rest()
            {
                if matches!(id.kind, IdKind::Email | IdKind::Phone) {
                    let before = user.values[field.index()].len();
                    user.values[field.index()].extend(
                        stored
                            .hashes(self.opts.profile, &id.value)
                            .map(str::to_owned),
                    );
                    if user.values[field.index()].len() == before {
                        summary.invalid_values += 1;
                    }
                } else {
                    *summary
                        .pseudonyms_not_sent
                        .entry(id.kind.as_str().to_owned())
                        .or_default() += 1;
                }
                continue;
            }
            if let Some((rules, form)) = &self.junk
                && id.kind.pseudonymised_at_rest()
                && normalize_into(id.kind, &id.value, form, &mut self.buf).is_ok()
                && rules
                    .blocked_identifier(id.kind, &id.value, &self.buf)
                    .is_some()
            {
                summary.junk_values += 1;
                continue;
            }
            // A loyalty card is sent as the external id, in its canonical spelling.
            let (kind, value) = if id.kind == IdKind::LoyaltyCard {
                if normalize_into(IdKind::LoyaltyCard, &id.value, &self.opts, &mut self.card)
                    .is_err()
                {
                    summary.invalid_values += 1;
                    continue;
                }
                (IdKind::ExternalId, self.card.as_str())
            } else {
                (id.kind, id.value.as_str())
            };
            let mut out = String::with_capacity(64);
            let ok = if self.plain.contains(&field) {
                normalize_into(kind, value, &self.opts, &mut self.buf)
                    .map(|()| out.push_str(&self.buf))
                    .is_ok()
            } else {
                self.hasher.hex_into(kind, value, &mut out).is_ok()
            };
            if ok {
                user.values[field.index()].push(out);
            } else {
                summary.invalid_values += 1;
            }
        }
        for v in &mut user.values {
            if v.len() > 1 {
                v.sort_unstable();
                v.dedup();
            }
        }
        Ok(())
    }
}
