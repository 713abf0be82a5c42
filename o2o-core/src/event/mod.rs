//! The O2O event model: what happened online (a [`Touchpoint`]), what happened in a store
//! (a [`CheckIn`]) and which product a person looked at online (a [`ProductView`]), each
//! carrying the [`Identifier`]s seen with it and the owner's consent signals.
//!
//! Every other module reads these types: the identity graph links the identifiers of one event,
//! attribution orders touchpoints before check-ins, uplift counts check-ins per group. They are
//! serde types so that the NDJSON files written by `o2o simulate` and read by every command are
//! exactly this model, field for field (see `docs/data-model.md`).
//!
//! Timestamps are Unix seconds (UTC). On input a timestamp may also be an RFC 3339 string
//! (`"2026-03-01T10:15:00Z"`), because that is what POS exports and web tags usually produce.

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod read;
mod records;
pub(crate) mod timestamp;
mod tracking;
mod write;

#[cfg(feature = "csv")]
pub use read::{CsvReader, read_pos_csv};
pub use read::{
    LineError, MAX_RECORD_BYTES, NdjsonReader, ReadError, ReadOutcome, ReadSummary, read_ndjson,
    read_ndjson_str,
};
pub use records::{
    Assignment, AssignmentGroup, ConsentRecord, Customer, Provenance, Record, RecordKind,
    SpendRecord,
};
pub use timestamp::{MAX_TIMESTAMP, MIN_TIMESTAMP, TimestampError, parse_timestamp};
pub use tracking::{ClickIdKind, Exposure, Fulfilment, Order, Tracking};
pub use write::{touchpoint_line, write_ndjson};

use crate::consent::ConsentSignals;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The kind of a personal identifier.
///
/// Ordered roughly from the strongest (a CRM/POS customer id) to the weakest (an IP address);
/// the identity module uses its own configurable priority, this order only makes output stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum IdKind {
    /// A CRM or POS customer id.
    ExternalId,
    /// A loyalty card number.
    LoyaltyCard,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A cookie id, mobile advertising id or app install id.
    DeviceId,
    /// A MAC address seen by the store Wi-Fi.
    Mac,
    /// An IP address.
    Ip,
    /// Given name.
    FirstName,
    /// Family name.
    LastName,
    /// Date of birth.
    DateOfBirth,
    /// Gender.
    Gender,
    /// City of residence.
    City,
    /// State or province.
    State,
    /// Postal code.
    Zip,
    /// Country.
    Country,
    /// The SHA-256 (64 hex digits) of an email normalised by an ad platform, as platforms
    /// export exposure. Linked to the raw email whose hash it is, under any platform's rules.
    EmailSha256,
    /// The SHA-256 (64 hex digits) of a phone number normalised by an ad platform.
    PhoneSha256,
    /// A voucher code a campaign issued to a person (a messaging app's claim log, a personal
    /// code) and a till recorded on redemption. It ties a redemption to the holder it was issued
    /// to, but only for people the campaign reached: see [`IdKind::is_instrument`]. The identity
    /// graph never links on it; measurement follows the issuance itself.
    VoucherCode,
}

impl IdKind {
    /// Every kind, in declaration order.
    pub const ALL: [IdKind; 18] = [
        IdKind::ExternalId,
        IdKind::LoyaltyCard,
        IdKind::Email,
        IdKind::Phone,
        IdKind::DeviceId,
        IdKind::Mac,
        IdKind::Ip,
        IdKind::FirstName,
        IdKind::LastName,
        IdKind::DateOfBirth,
        IdKind::Gender,
        IdKind::City,
        IdKind::State,
        IdKind::Zip,
        IdKind::Country,
        IdKind::EmailSha256,
        IdKind::PhoneSha256,
        IdKind::VoucherCode,
    ];

    /// Whether the kind only *describes* a person (name, birth date, gender, address, country)
    /// rather than identifying one. Many people share a city or a first name, so these kinds are
    /// used for ad-platform matching (hashed, together) but never to link profiles on their own.
    #[must_use]
    pub const fn is_attribute(self) -> bool {
        matches!(
            self,
            IdKind::FirstName
                | IdKind::LastName
                | IdKind::DateOfBirth
                | IdKind::Gender
                | IdKind::City
                | IdKind::State
                | IdKind::Zip
                | IdKind::Country
        )
    }

    /// Whether the identifier exists only because a campaign handed it out (a voucher code):
    /// it identifies the people the campaign reached and no one else, so a visit known only
    /// through it must not count in the campaign's own comparison (the unexposed have no such
    /// identifier, and their same visit would go unseen).
    #[must_use]
    pub const fn is_instrument(self) -> bool {
        matches!(self, IdKind::VoucherCode)
    }

    /// Whether the value is a SHA-256 of the kind it stands for (`email_sha256` of `email`), as
    /// ad platforms export it: it can be matched, never read back.
    #[must_use]
    pub const fn is_hashed(self) -> bool {
        matches!(self, IdKind::EmailSha256 | IdKind::PhoneSha256)
    }

    /// Whether a store or snapshot written with a key keeps the kind as a keyed pseudonym: every
    /// kind that links profiles. Attributes stay as given (probabilistic matching compares them
    /// by similarity), hashed kinds are already one-way, and voucher codes are checked by their
    /// signature (`docs/privacy.md`, "At rest").
    #[must_use]
    pub const fn pseudonymised_at_rest(self) -> bool {
        matches!(
            self,
            IdKind::ExternalId
                | IdKind::LoyaltyCard
                | IdKind::Email
                | IdKind::Phone
                | IdKind::DeviceId
                | IdKind::Mac
                | IdKind::Ip
        )
    }

    /// The raw kind a hashed kind is the SHA-256 of (`email_sha256` → `email`); itself otherwise.
    #[must_use]
    pub const fn unhashed(self) -> IdKind {
        match self {
            IdKind::EmailSha256 => IdKind::Email,
            IdKind::PhoneSha256 => IdKind::Phone,
            k => k,
        }
    }

    /// The snake_case name used in JSON, CSV headers and on the command line.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            IdKind::ExternalId => "external_id",
            IdKind::LoyaltyCard => "loyalty_card",
            IdKind::Email => "email",
            IdKind::Phone => "phone",
            IdKind::DeviceId => "device_id",
            IdKind::Mac => "mac",
            IdKind::Ip => "ip",
            IdKind::FirstName => "first_name",
            IdKind::LastName => "last_name",
            IdKind::DateOfBirth => "date_of_birth",
            IdKind::Gender => "gender",
            IdKind::City => "city",
            IdKind::State => "state",
            IdKind::Zip => "zip",
            IdKind::Country => "country",
            IdKind::EmailSha256 => "email_sha256",
            IdKind::PhoneSha256 => "phone_sha256",
            IdKind::VoucherCode => "voucher_code",
        }
    }
}

impl fmt::Display for IdKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An identifier kind name that o2o does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown identifier kind `{0}` (expected one of: external_id, loyalty_card, email, phone, device_id, mac, ip, first_name, last_name, date_of_birth, gender, city, state, zip, country, email_sha256, phone_sha256, voucher_code)"
)]
pub struct UnknownKind(pub String);

impl FromStr for IdKind {
    type Err = UnknownKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        IdKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownKind(s.to_owned()))
    }
}

/// A name of a closed list (check-in method, touchpoint action, fulfilment, exposure, group)
/// that o2o does not know. The name is a label of the schema, never a personal value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{input}` (expected {expected})")]
pub struct UnknownName {
    /// What the name should have named (`check-in method`, `touchpoint action`).
    pub what: &'static str,
    /// The name given.
    pub input: String,
    /// The names accepted.
    pub expected: &'static str,
}

impl UnknownName {
    pub(crate) fn new(what: &'static str, input: &str, expected: &'static str) -> Self {
        UnknownName {
            what,
            input: input.to_owned(),
            expected,
        }
    }
}

/// One identifier as observed: its kind and its raw value (not yet normalised or hashed).
///
/// ```
/// use o2o_core::event::{IdKind, Identifier};
/// let id = Identifier::new(IdKind::Email, " Ann@Example.com");
/// assert_eq!(id.kind, IdKind::Email);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Identifier {
    /// What the value is.
    pub kind: IdKind,
    /// The value as it was captured.
    pub value: String,
}

impl Identifier {
    /// An identifier of `kind` with `value`.
    pub fn new(kind: IdKind, value: impl Into<String>) -> Self {
        Identifier {
            kind,
            value: value.into(),
        }
    }
}

/// An identifier written as `kind:value` that could not be read. The message names at most the
/// kind part, never the value: the value is somebody's email, phone or card.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseIdentifierError {
    /// No `:` between a kind and a value.
    #[error("identifier: expected kind:value (for example email:… or phone:…)")]
    NoKind,
    /// The kind is not one o2o knows.
    #[error("identifier: {0}")]
    Kind(#[from] UnknownKind),
}

/// `kind:value`, as identifiers are given on a command line (`email:ann@example.com`): the kind
/// trimmed, the value kept as written (normalisation comes later, per kind).
///
/// ```
/// use o2o_core::event::{IdKind, Identifier, ParseIdentifierError};
/// let id: Identifier = "phone:+84 912 345 678".parse().unwrap();
/// assert_eq!((id.kind, id.value.as_str()), (IdKind::Phone, "+84 912 345 678"));
/// assert_eq!("ann@example.com".parse::<Identifier>(), Err(ParseIdentifierError::NoKind));
/// ```
impl FromStr for Identifier {
    type Err = ParseIdentifierError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (k, v) = s.split_once(':').ok_or(ParseIdentifierError::NoKind)?;
        Ok(Identifier::new(k.trim().parse::<IdKind>()?, v))
    }
}

/// What the person did online.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TouchAction {
    /// An ad was shown.
    Impression,
    /// An ad was clicked.
    Click,
    /// A site or landing-page visit.
    Visit,
    /// An email or messaging-app (Zalo, Telegram, Viber…) message was opened.
    Open,
    /// A voucher was claimed online (to be redeemed in store).
    VoucherClaim,
    /// An online purchase (needed for showrooming in the ROPO report).
    Purchase,
    /// An account sign-up or loyalty enrolment: the moment a retailer records several of a
    /// person's identifiers together. Not an ad touch, so attribution ignores it by default.
    SignUp,
}

impl TouchAction {
    /// Every action, in declaration order.
    pub const ALL: [TouchAction; 7] = [
        TouchAction::Impression,
        TouchAction::Click,
        TouchAction::Visit,
        TouchAction::Open,
        TouchAction::VoucherClaim,
        TouchAction::Purchase,
        TouchAction::SignUp,
    ];

    /// The snake_case name used in JSON.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            TouchAction::Impression => "impression",
            TouchAction::Click => "click",
            TouchAction::Visit => "visit",
            TouchAction::Open => "open",
            TouchAction::VoucherClaim => "voucher_claim",
            TouchAction::Purchase => "purchase",
            TouchAction::SignUp => "sign_up",
        }
    }
}

impl FromStr for TouchAction {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TouchAction::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| {
                UnknownName::new(
                    "touchpoint action",
                    s,
                    "impression, click, visit, open, voucher_claim, purchase or sign_up",
                )
            })
    }
}

/// An online touchpoint: an ad impression or click, a site visit, a message open, a voucher claim.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Touchpoint {
    /// Optional event id from the source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// What happened.
    pub action: TouchAction,
    /// The channel as a free string: `youtube`, `facebook`, `tiktok`, `search`, `email`, `zalo`…
    pub channel: String,
    /// The campaign, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Unix seconds, UTC.
    #[serde(with = "timestamp::serde_ts")]
    pub timestamp: i64,
    /// What this touchpoint cost, in the account currency, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// Order value of an online purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// ISO 4217 currency of `value` and `cost`, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The identifiers seen with this touchpoint.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Consent signals captured with the event (TCF string, Consent Mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentSignals>,
    /// UTM parameters and ad click ids, when the source carries them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Box<Tracking>>,
    /// For an online order (`action = purchase`): how it is fulfilled and its items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<Box<Order>>,
    /// Whether the platform assigned exposure at random (a lift study) or not.
    #[serde(default, skip_serializing_if = "Exposure::is_observational")]
    pub exposure: Exposure,
}

/// How a customer was recognised in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckInMethod {
    /// Scanned a QR code at the store entrance or till.
    QrScan,
    /// Joined the store Wi-Fi.
    WifiJoin,
    /// Recognised at the POS with a purchase.
    PosPurchase,
    /// A CRM visit or consultation.
    CrmVisit,
    /// Scanned a product QR code.
    ProductQr,
    /// Redeemed a voucher.
    VoucherRedemption,
    /// Collected an online order in the store (click-and-collect, or an online reservation).
    Pickup,
}

impl CheckInMethod {
    /// Every method, in declaration order.
    pub const ALL: [CheckInMethod; 7] = [
        CheckInMethod::QrScan,
        CheckInMethod::WifiJoin,
        CheckInMethod::PosPurchase,
        CheckInMethod::CrmVisit,
        CheckInMethod::ProductQr,
        CheckInMethod::VoucherRedemption,
        CheckInMethod::Pickup,
    ];

    /// The snake_case name used in JSON and CSV.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            CheckInMethod::QrScan => "qr_scan",
            CheckInMethod::WifiJoin => "wifi_join",
            CheckInMethod::PosPurchase => "pos_purchase",
            CheckInMethod::CrmVisit => "crm_visit",
            CheckInMethod::ProductQr => "product_qr",
            CheckInMethod::VoucherRedemption => "voucher_redemption",
            CheckInMethod::Pickup => "pickup",
        }
    }
}

impl FromStr for CheckInMethod {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckInMethod::ALL
            .into_iter()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| {
                UnknownName::new(
                    "check-in method",
                    s,
                    "qr_scan, wifi_join, pos_purchase, crm_visit, product_qr, voucher_redemption or pickup",
                )
            })
    }
}

/// One line of a purchase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Item {
    /// Stock-keeping unit.
    pub sku: String,
    /// Units bought.
    #[serde(default = "one")]
    pub quantity: u32,
    /// Unit price.
    pub price: f64,
}

fn one() -> u32 {
    1
}

/// An offline check-in: the customer showed up in a store and was recognised.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    /// Optional event id from the source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// How the customer was recognised.
    pub method: CheckInMethod,
    /// Store id.
    pub store: String,
    /// Region of the store.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Unix seconds, UTC.
    #[serde(with = "timestamp::serde_ts")]
    pub timestamp: i64,
    /// Purchase value, when the check-in is a purchase.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
    /// ISO 4217 currency of `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// Purchase lines.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<Item>,
    /// Campaign carried by the check-in (a redeemed voucher names its campaign).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The voucher code redeemed, for `voucher_redemption`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voucher: Option<String>,
    /// The online channel the check-in names, when its source says (a campaign's QR code
    /// carrying `utm_source`, a pickup of an order placed through a channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// UTM parameters and click ids the check-in carries (a scanned QR code's URL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Box<Tracking>>,
    /// The identifiers seen with this check-in.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Consent signals captured with the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentSignals>,
}

/// A product page (or product card) seen online: who looked at which product, when, and where.
///
/// Views are not touchpoints: a retailer records dozens per session, and they are no ad touch,
/// so attribution, visits and reports never see them. They feed the identity graph (the
/// identifiers seen together) and the "viewed online, not bought" list
/// (`o2o audience --viewed-not-bought`, `activation::ViewedOptions`).
///
/// ```
/// use o2o_core::event::Event;
/// let line = r#"{"type":"product_view","sku":"PHONE-1","channel":"web","timestamp":"2026-03-01T10:00:00Z",
///               "price":7990000,"currency":"VND","identifiers":[{"kind":"device_id","value":"123.456"}]}"#;
/// let Event::ProductView(v) = serde_json::from_str(line).unwrap() else { unreachable!() };
/// assert_eq!((v.sku.as_str(), v.price), ("PHONE-1", Some(7_990_000.0)));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductView {
    /// Optional event id from the source system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The product's id or SKU, as the catalog and the receipts name it.
    pub sku: String,
    /// The product's name, when the source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where it was viewed: the traffic source or the surface (`web`, `app`, `facebook`, …).
    pub channel: String,
    /// The campaign that brought the visit, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Unix seconds, UTC.
    #[serde(with = "timestamp::serde_ts")]
    pub timestamp: i64,
    /// The unit price shown, when the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// ISO 4217 currency of `price`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// UTM parameters and click ids of the visit, when the source carries them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracking: Option<Box<Tracking>>,
    /// The identifiers seen with the view.
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Consent signals captured with the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentSignals>,
}

/// One O2O event: a line of an NDJSON file, tagged by `"type"`.
///
/// ```
/// use o2o_core::event::Event;
/// let line = r#"{"type":"checkin","method":"qr_scan","store":"S1","timestamp":"2026-03-01T10:00:00Z",
///               "identifiers":[{"kind":"phone","value":"0912 345 678"}]}"#;
/// let ev: Event = serde_json::from_str(line).unwrap();
/// assert_eq!(ev.timestamp(), 1772359200);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Event {
    /// Something that happened online.
    Touchpoint(Touchpoint),
    /// Something that happened in a store.
    #[serde(rename = "checkin")]
    CheckIn(CheckIn),
    /// A product viewed online.
    ProductView(ProductView),
}

impl Event {
    /// When it happened (Unix seconds).
    #[must_use]
    pub fn timestamp(&self) -> i64 {
        match self {
            Event::Touchpoint(t) => t.timestamp,
            Event::CheckIn(c) => c.timestamp,
            Event::ProductView(v) => v.timestamp,
        }
    }

    /// The identifiers seen with it.
    #[must_use]
    pub fn identifiers(&self) -> &[Identifier] {
        match self {
            Event::Touchpoint(t) => &t.identifiers,
            Event::CheckIn(c) => &c.identifiers,
            Event::ProductView(v) => &v.identifiers,
        }
    }

    /// The source system's event id, if it gave one.
    #[must_use]
    pub fn id(&self) -> Option<&str> {
        match self {
            Event::Touchpoint(t) => t.id.as_deref(),
            Event::CheckIn(c) => c.id.as_deref(),
            Event::ProductView(v) => v.id.as_deref(),
        }
    }

    /// The UTM parameters and click ids it carries, if any.
    #[must_use]
    pub fn tracking(&self) -> Option<&Tracking> {
        match self {
            Event::Touchpoint(t) => t.tracking.as_deref(),
            Event::CheckIn(c) => c.tracking.as_deref(),
            Event::ProductView(v) => v.tracking.as_deref(),
        }
    }

    /// Its identifiers and consent signals, to edit together (identity resolution replaces
    /// both, erasure removes identifiers).
    pub fn identity_mut(&mut self) -> (&mut Vec<Identifier>, &mut Option<ConsentSignals>) {
        match self {
            Event::Touchpoint(t) => (&mut t.identifiers, &mut t.consent),
            Event::CheckIn(c) => (&mut c.identifiers, &mut c.consent),
            Event::ProductView(v) => (&mut v.identifiers, &mut v.consent),
        }
    }

    /// Which of the three types it is (for keys that must not mix them).
    fn type_tag(&self) -> u8 {
        match self {
            Event::Touchpoint(_) => 0,
            Event::CheckIn(_) => 1,
            Event::ProductView(_) => 2,
        }
    }

    /// The consent signals captured with it, if any.
    #[must_use]
    pub fn consent(&self) -> Option<&ConsentSignals> {
        match self {
            Event::Touchpoint(t) => t.consent.as_ref(),
            Event::CheckIn(c) => c.consent.as_ref(),
            Event::ProductView(v) => v.consent.as_ref(),
        }
    }

    /// A short name of the source, used as evidence by the identity graph:
    /// `online:<channel>` (touchpoints and product views) or `store:<method>`.
    #[must_use]
    pub fn source(&self) -> String {
        match self {
            Event::Touchpoint(t) => format!("online:{}", t.channel),
            Event::ProductView(v) => format!("online:{}", v.channel),
            Event::CheckIn(c) => format!("store:{}", c.method.as_str()),
        }
    }
}

#[cfg(test)]
mod tests;

/// Drop every event whose source id an earlier event of the same type already had, keeping
/// the first, and return how many were dropped. An export re-sent or appended twice must not
/// count one purchase three times; events without an id are all kept (nothing says they are
/// the same). The event store does the same on ingest, with its record keys.
///
/// ```
/// use o2o_core::event::{dedupe_by_id, read_ndjson_str};
/// let line = r#"{"type":"checkin","id":"r1","method":"pos_purchase","store":"S1","timestamp":1,"value":9}"#;
/// let mut events = read_ndjson_str(&format!("{line}\n{line}\n{line}\n")).events;
/// assert_eq!(dedupe_by_id(&mut events), 2);
/// assert_eq!(events.len(), 1);
/// ```
pub fn dedupe_by_id(events: &mut Vec<Event>) -> u64 {
    let mut seen: std::collections::HashSet<(u8, String)> = std::collections::HashSet::new();
    let before = events.len();
    events.retain(|e| match e.id() {
        Some(id) => seen.insert((e.type_tag(), id.to_owned())),
        None => true,
    });
    (before - events.len()) as u64
}
