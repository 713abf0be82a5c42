//! Acting on O2O data with the ad platforms: the files their documented imports take, written
//! from store visits (offline conversions) and from audiences (customer lists), consent-gated
//! per record.
//!
//! o2o measures which ads brought people into stores; the platforms optimise for store visits
//! only when they are told about them, and target or exclude customers only from a list. Each
//! [`Platform`] has one writer in its own file, following the platform's documentation (linked
//! in the writer and in its schema under `docs/schemas/`):
//!
//! | platform | file | records |
//! |---|---|---|
//! | `meta-capi` | NDJSON, one Conversions API request body (`{"data": [...]}`, ≤ 1,000 events) per line | visits |
//! | `google-ads-clicks` | CSV, Google Ads offline conversion import by click id | visits with a Google click id |
//! | `google-ads-enhanced` | NDJSON, one `UploadClickConversions` request body (≤ 2,000) per line | visits |
//! | `tiktok-events` | NDJSON, one Events API 2.0 offline request body (≤ 1,000) per line | visits |
//! | `customer-match` | CSV, Google Ads Customer Match (hashed) | audience members |
//! | `meta-audience` | NDJSON, one custom-audience `users` request body (≤ 10,000 rows) per line | audience members |
//!
//! **Consent, per record.** A record is written only when the consent gate issues a
//! [`Permit`] for [`Operation::HashForUpload`] on its signals (audiences also need
//! [`Operation::Personalise`]: a customer list is targeting). A record without it is counted in
//! [`ExportSummary::no_consent`] and left out before any of its values is normalised or hashed:
//! the only function that hashes ([`UserHasher::hash`]) takes the permit. A visit is the union of
//! its check-ins; the identifiers of a check-in without the permit never join the visit's
//! ([`conversions`]).
//!
//! **Normalisation** is the platform's own ([`Platform::profile`]: Meta, Google or TikTok rules
//! of [`crate::hashing`]); values that do not normalise are counted, never hashed. IP and MAC
//! addresses and device ids are never written.

mod audience;
mod conversions;
mod customer_match;
mod google_clicks;
mod google_enhanced;
mod meta_audience;
mod meta_capi;
mod stored;
#[cfg(test)]
mod tests;
mod tiktok;
mod user;
mod viewed;

pub use audience::{AudienceMember, AudienceOptions, AudienceStats, Suppression, audience_members};
pub use conversions::{Conversion, DEFAULT_CLICK_LOOKBACK_SECS, conversions};
pub use stored::StoredHashes;
pub use user::{Field, UserData, UserHasher};
pub use viewed::{DEFAULT_VIEWED_WITHIN_DAYS, ViewedOptions, ViewedProduct};

use crate::consent::{ConsentGate, ConsentSignals, Operation, Permit};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::str::FromStr;

/// An ad platform's import that o2o writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    /// Meta Conversions API, offline events (`action_source = physical_store`).
    MetaCapi,
    /// Google Ads offline conversion import by click id (`gclid`, `gbraid`, `wbraid`), CSV.
    GoogleAdsClicks,
    /// Google Ads enhanced conversions for leads / store sales: hashed email and phone.
    GoogleAdsEnhanced,
    /// TikTok Events API 2.0, offline events.
    TiktokEvents,
    /// Google Ads Customer Match list (hashed), CSV.
    CustomerMatch,
    /// Meta custom audience from a customer list.
    MetaAudience,
}

impl Platform {
    /// Every platform.
    pub const ALL: [Platform; 6] = [
        Platform::MetaCapi,
        Platform::GoogleAdsClicks,
        Platform::GoogleAdsEnhanced,
        Platform::TiktokEvents,
        Platform::CustomerMatch,
        Platform::MetaAudience,
    ];

    /// The name on the command line (`--to meta-capi`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Platform::MetaCapi => "meta-capi",
            Platform::GoogleAdsClicks => "google-ads-clicks",
            Platform::GoogleAdsEnhanced => "google-ads-enhanced",
            Platform::TiktokEvents => "tiktok-events",
            Platform::CustomerMatch => "customer-match",
            Platform::MetaAudience => "meta-audience",
        }
    }

    /// Whose normalisation rules its hashes follow.
    #[must_use]
    pub const fn profile(self) -> crate::hashing::Platform {
        use crate::hashing::Platform as Rules;
        match self {
            Platform::MetaCapi | Platform::MetaAudience => Rules::Meta,
            Platform::GoogleAdsClicks | Platform::GoogleAdsEnhanced | Platform::CustomerMatch => {
                Rules::Google
            }
            Platform::TiktokEvents => Rules::Tiktok,
        }
    }

    /// Whether it takes an audience (customer list) rather than conversions.
    #[must_use]
    pub const fn is_audience(self) -> bool {
        matches!(self, Platform::CustomerMatch | Platform::MetaAudience)
    }

    /// Records per request body (0: the file is one table, not batches).
    #[must_use]
    pub const fn batch_size(self) -> usize {
        match self {
            Platform::MetaCapi | Platform::TiktokEvents => 1_000,
            Platform::GoogleAdsEnhanced => 2_000,
            Platform::MetaAudience => 10_000,
            Platform::GoogleAdsClicks | Platform::CustomerMatch => 0,
        }
    }

    /// The event (or conversion) name written when `--event-name` is not given: the
    /// platform's standard purchase event for a visit with a purchase, a store-visit name
    /// otherwise.
    #[must_use]
    pub const fn default_event_name(self, purchase: bool) -> &'static str {
        match (self, purchase) {
            (Platform::MetaCapi, true) => "Purchase",
            (Platform::MetaCapi, false) => "StoreVisit",
            (Platform::TiktokEvents, true) => "CompletePayment",
            (Platform::TiktokEvents, false) => "StoreVisit",
            (_, true) => "Store purchase",
            (_, false) => "Store visit",
        }
    }

    /// The platform's documentation of the format.
    #[must_use]
    pub const fn documentation(self) -> &'static str {
        match self {
            Platform::MetaCapi => {
                "https://developers.facebook.com/docs/marketing-api/conversions-api/offline-events"
            }
            Platform::GoogleAdsClicks => "https://support.google.com/google-ads/answer/7014069",
            Platform::GoogleAdsEnhanced => {
                "https://developers.google.com/google-ads/api/docs/conversions/enhanced-conversions/leads"
            }
            Platform::TiktokEvents => "https://ads.tiktok.com/help/article/events-api",
            Platform::CustomerMatch => "https://support.google.com/google-ads/answer/7659867",
            Platform::MetaAudience => {
                "https://developers.facebook.com/docs/marketing-api/audiences/guides/custom-audiences"
            }
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Platform {
    type Err = ActivationError;
    /// ```
    /// use o2o_core::activation::Platform;
    /// assert_eq!("meta-capi".parse::<Platform>().unwrap(), Platform::MetaCapi);
    /// assert!("myspace".parse::<Platform>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Platform::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| ActivationError::UnknownPlatform(s.to_owned()))
    }
}

/// Why an export could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ActivationError {
    /// A platform name that is not one of [`Platform::ALL`].
    #[error(
        "unknown platform `{0}` (expected meta-capi, google-ads-clicks, google-ads-enhanced, tiktok-events, customer-match or meta-audience)"
    )]
    UnknownPlatform(String),
    /// Conversions given to an audience platform, or an audience to a conversions platform.
    #[error("{platform} takes {expected}, not {given}")]
    WrongInput {
        /// The platform.
        platform: Platform,
        /// What it takes.
        expected: &'static str,
        /// What it was given.
        given: &'static str,
    },
    /// An option is unusable (a bad default country or currency).
    #[error("{option}: {message}")]
    Option {
        /// The option.
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("writing the export: {0}")]
    Io(#[from] std::io::Error),
    /// Serialising a record failed.
    #[error("writing the export: {0}")]
    Json(#[from] serde_json::Error),
    /// Writing a CSV row failed.
    #[error("writing the export: {0}")]
    Csv(#[from] csv::Error),
}

/// How to write an export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// The event name (Meta, TikTok) or conversion name / action (Google) of every record;
    /// default [`Platform::default_event_name`].
    pub event_name: Option<String>,
    /// ISO 4217 currency of purchases whose record names none.
    pub currency: Option<String>,
    /// Country (ISO 3166-1 alpha-2) of phone numbers written without a country code.
    pub default_country: Option<String>,
    /// TikTok's offline event set id (`event_source_id`), written into every request body.
    pub event_source_id: Option<String>,
    /// The consent policy (default: `docs/privacy.md`).
    pub gate: ConsentGate,
    /// The time zone whose UTC offset Google's conversion times carry (the store's; default
    /// UTC).
    pub timezone: Option<jiff::tz::TimeZone>,
    /// The records come from a keyed store: their emails, phones, CRM ids, loyalty cards and
    /// device ids are keyed pseudonyms. Emails and phones are sent as these stored platform
    /// hashes (the ones their raw values give); the other pseudonymised kinds are left out and
    /// counted in [`ExportSummary::pseudonyms_not_sent`]. `None`: identifiers are values.
    pub stored_hashes: Option<std::sync::Arc<StoredHashes>>,
    /// Identity rules whose junk lists (`blocked_values`, `blocked_patterns`) name the
    /// placeholders typed where a customer gave nothing (`noemail@…`, `0987654321`): they are
    /// not a person, so they are never uploaded (counted in [`ExportSummary::junk_values`]), as
    /// a keyed store never keeps them. Default: the default lists.
    pub rules: crate::identity::ResolutionRules,
}

/// What an export wrote and what it left out, and why.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ExportSummary {
    /// The platform.
    pub platform: String,
    /// Records considered (visits of the period, or audience members).
    pub records: u64,
    /// Records written.
    pub exported: u64,
    /// Left out, never hashed: no `hash_for_upload` permission.
    pub no_consent: u64,
    /// Audiences: left out, never hashed: upload allowed but no `personalise` permission.
    pub no_personalise: u64,
    /// Permitted, but nothing the platform matches on (no valid identifier; for
    /// `google-ads-clicks`, no Google click id).
    pub no_identifier: u64,
    /// Purchases without a currency (give one with `ExportOptions::currency`).
    pub no_currency: u64,
    /// Identifier values that did not normalise under the platform's rules (not hashed).
    pub invalid_values: u64,
    /// Emails, phones, CRM ids and loyalty cards the junk lists block (placeholders, not a
    /// person): not hashed.
    pub junk_values: u64,
    /// Check-ins without permission whose identifiers were kept out of their visit.
    pub checkins_without_consent: u64,
    /// Request bodies (lines) written; 0 for a CSV table.
    pub batches: u64,
    /// From a keyed store: identifiers the platform takes (a CRM id or loyalty card as its
    /// external id) that the store keeps only as keyed pseudonyms, with no platform hash, per
    /// kind. They are left out: a pseudonym is not the platform's hash, and no hash of them is
    /// kept at rest.
    pub pseudonyms_not_sent: BTreeMap<String, u64>,
}

impl ExportSummary {
    fn new(platform: Platform) -> Self {
        ExportSummary {
            platform: platform.as_str().to_owned(),
            ..ExportSummary::default()
        }
    }

    /// One line for people.
    #[must_use]
    pub fn line(&self) -> String {
        let mut line = format!(
            "{}: {} of {} records exported; left out: {} without upload consent (not hashed), {} without personalisation consent, {} with no identifier the platform matches, {} purchases without currency; {} invalid values not hashed; {} check-ins without consent kept out of their visits",
            self.platform,
            self.exported,
            self.records,
            self.no_consent,
            self.no_personalise,
            self.no_identifier,
            self.no_currency,
            self.invalid_values,
            self.checkins_without_consent
        );
        if self.junk_values > 0 {
            line.push_str(&format!(
                "; {} placeholder values the junk lists block not hashed",
                self.junk_values
            ));
        }
        if !self.pseudonyms_not_sent.is_empty() {
            let kinds: Vec<String> = self
                .pseudonyms_not_sent
                .iter()
                .map(|(k, n)| format!("{n} {k}"))
                .collect();
            line.push_str(&format!(
                "; not sent, kept only as keyed pseudonyms with no platform hash: {}",
                kinds.join(", ")
            ));
        }
        line
    }
}

/// The gate for one record: a permit for `hash_for_upload` (and, for audiences, for
/// `personalise`), or the record is counted and left out.
pub(crate) fn admit(
    gate: &ConsentGate,
    consent: Option<&ConsentSignals>,
    audience: bool,
    summary: &mut ExportSummary,
) -> Option<Permit> {
    let Ok(permit) = gate.permit(Operation::HashForUpload, consent) else {
        summary.no_consent += 1;
        return None;
    };
    if audience && gate.permit(Operation::Personalise, consent).is_err() {
        summary.no_personalise += 1;
        return None;
    }
    Some(permit)
}

/// Request bodies of at most `size` records, one per line: `open` starts a body, records are
/// separated by commas, `close` ends it.
pub(crate) struct Batches<'a, W: Write> {
    out: W,
    size: usize,
    open: &'a [u8],
    close: &'a [u8],
    in_batch: usize,
    batches: u64,
}

impl<'a, W: Write> Batches<'a, W> {
    pub(crate) fn new(out: W, size: usize, open: &'a [u8], close: &'a [u8]) -> Self {
        Batches {
            out,
            size: size.max(1),
            open,
            close,
            in_batch: 0,
            batches: 0,
        }
    }

    /// The writer for the next record (after the opening or a comma).
    pub(crate) fn next(&mut self) -> std::io::Result<&mut W> {
        if self.in_batch == self.size {
            self.out.write_all(self.close)?;
            self.in_batch = 0;
        }
        if self.in_batch == 0 {
            self.out.write_all(self.open)?;
            self.batches += 1;
        } else {
            self.out.write_all(b",")?;
        }
        self.in_batch += 1;
        Ok(&mut self.out)
    }

    /// Close the last body; the number of bodies written.
    pub(crate) fn finish(mut self) -> std::io::Result<u64> {
        if self.in_batch > 0 {
            self.out.write_all(self.close)?;
        }
        self.out.flush()?;
        Ok(self.batches)
    }
}

/// The event name of a record under `opts`.
/// Serde's `skip_serializing_if` for a list of hashed values: the platforms want an absent key,
/// not an empty list.
pub(crate) fn no_values(v: &[String]) -> bool {
    v.is_empty()
}

pub(crate) fn event_name(platform: Platform, opts: &ExportOptions, purchase: bool) -> &str {
    opts.event_name
        .as_deref()
        .unwrap_or(platform.default_event_name(purchase))
}

/// `yyyy-mm-dd hh:mm:ss+hh:mm` in `tz`, the conversion time format of Google Ads imports.
pub(crate) fn google_time(ts: i64, tz: Option<&jiff::tz::TimeZone>) -> String {
    let tz = tz.cloned().unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::from_second(ts)
        .map(|t| {
            t.to_zoned_datetime(tz)
                .strftime("%Y-%m-%d %H:%M:%S%:z")
                .to_string()
        })
        .unwrap_or_default()
}

fn check_options(opts: &ExportOptions) -> Result<(), ActivationError> {
    let n = crate::hashing::NormalizeOptions {
        default_country: opts.default_country.clone(),
        ..Default::default()
    };
    n.validate().map_err(|e| ActivationError::Option {
        option: "default country",
        message: e.to_string(),
    })?;
    crate::identity::rules::CompiledRules::new(&opts.rules).map_err(|e| {
        ActivationError::Option {
            option: "rules",
            message: e.to_string(),
        }
    })?;
    if let (Some(stored), Some(given)) = (&opts.stored_hashes, &opts.default_country)
        && !stored
            .default_country()
            .is_some_and(|c| c.eq_ignore_ascii_case(given))
    {
        return Err(ActivationError::Option {
            option: "default country",
            message: format!(
                "`{given}`: the keyed store read phones without a country code as numbers of {} \
                 and keeps only their hashes; an upload from it cannot read them otherwise",
                stored
                    .default_country()
                    .unwrap_or("no country (such phones were not kept)")
            ),
        });
    }
    if let Some(c) = &opts.currency
        && !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
    {
        return Err(ActivationError::Option {
            option: "currency",
            message: format!("`{c}` is not an ISO 4217 code (three capital letters)"),
        });
    }
    Ok(())
}

/// Write `conversions` (store visits, see [`conversions`]) in `platform`'s format to `out`.
///
/// Every record passes the consent gate first (see the [module documentation](self)); the
/// summary counts what was written and why the rest was left out.
///
/// ```
/// use o2o_core::activation::{Conversion, ExportOptions, Platform, export_conversions};
/// use o2o_core::consent::{ConsentMode, ConsentSignals, ConsentState};
/// use o2o_core::event::{IdKind, Identifier};
/// let granted = ConsentSignals { tcf: None, gcm: Some(ConsentMode {
///     ad_user_data: ConsentState::Granted, ..Default::default() }) };
/// let visit = Conversion {
///     event_id: "r-1001".into(), timestamp: 1_772_359_200, store: "S1".into(),
///     value: Some(25.0), currency: Some("USD".into()), items: vec![],
///     identifiers: vec![Identifier::new(IdKind::Email, " Ann@Example.com")],
///     consent: Some(granted), clicks: vec![],
/// };
/// let mut denied = visit.clone();
/// denied.consent = None;
/// let mut out = Vec::new();
/// let s = export_conversions(Platform::MetaCapi, &[visit, denied], &ExportOptions::default(), &mut out).unwrap();
/// assert_eq!((s.exported, s.no_consent), (1, 1));
/// let body: serde_json::Value = serde_json::from_slice(&out).unwrap();
/// assert_eq!(body["data"][0]["user_data"]["em"][0],
///            o2o_core::hashing::sha256_hex("ann@example.com"));
/// ```
pub fn export_conversions<W: Write>(
    platform: Platform,
    conversions: &[Conversion],
    opts: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ActivationError> {
    check_options(opts)?;
    let mut summary = ExportSummary::new(platform);
    summary.records = conversions.len() as u64;
    match platform {
        Platform::MetaCapi => meta_capi::write(conversions, opts, out, &mut summary)?,
        Platform::GoogleAdsClicks => google_clicks::write(conversions, opts, out, &mut summary)?,
        Platform::GoogleAdsEnhanced => {
            google_enhanced::write(conversions, opts, out, &mut summary)?
        }
        Platform::TiktokEvents => tiktok::write(conversions, opts, out, &mut summary)?,
        Platform::CustomerMatch | Platform::MetaAudience => {
            return Err(ActivationError::WrongInput {
                platform,
                expected: "an audience",
                given: "conversions",
            });
        }
    }
    Ok(summary)
}

/// Write `members` (an audience, see [`audience_members`]) in `platform`'s format to `out`.
/// Each member needs permits for `hash_for_upload` and `personalise`.
pub fn export_audience<W: Write>(
    platform: Platform,
    members: &[AudienceMember],
    opts: &ExportOptions,
    out: W,
) -> Result<ExportSummary, ActivationError> {
    check_options(opts)?;
    let mut summary = ExportSummary::new(platform);
    summary.records = members.len() as u64;
    match platform {
        Platform::CustomerMatch => customer_match::write(members, opts, out, &mut summary)?,
        Platform::MetaAudience => meta_audience::write(members, opts, out, &mut summary)?,
        _ => {
            return Err(ActivationError::WrongInput {
                platform,
                expected: "conversions (store visits)",
                given: "an audience",
            });
        }
    }
    Ok(summary)
}
