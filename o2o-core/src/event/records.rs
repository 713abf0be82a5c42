//! The records beside events: consent given over time, spend per day, holdout assignments and
//! CRM customers. Exports of these come from other systems than the events (a CRM, an ad
//! account, an experiment tool), and every analysis joins them through a person's identifiers.

use super::{Event, Identifier};
use crate::consent::ConsentSignals;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a record came from: the source map's name, the file and the line (1-based; for a CSV
/// row with a quoted newline, the line where the row starts).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Provenance {
    /// The `[source] name` of the map that read it.
    pub source: String,
    /// The file, as given to the reader.
    pub file: String,
    /// The line in that file.
    pub line: u64,
}

/// Consent a person gave or refused at a time, for the identifiers listed (a CRM opt-in table,
/// a consent-management platform's log). It applies to every event of those identifiers at or
/// after its time, until a later record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// When it was recorded (Unix seconds).
    pub timestamp: i64,
    /// Whose consent it is.
    pub identifiers: Vec<Identifier>,
    /// What was granted or denied.
    pub consent: ConsentSignals,
}

/// Money spent on one channel (and campaign) on one day.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpendRecord {
    /// The day, `YYYY-MM-DD`, in the source's time zone.
    pub day: String,
    /// The start of that day (Unix seconds).
    pub timestamp: i64,
    /// The channel (`facebook`, `search`, …).
    pub channel: String,
    /// The campaign, when the spend is per campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The amount.
    pub value: f64,
    /// ISO 4217 currency of `value`.
    pub currency: String,
}

/// Which arm of an experiment a person was assigned to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssignmentGroup {
    /// Kept out of the campaign: the control.
    Holdout,
    /// Eligible for the campaign.
    Target,
}

impl AssignmentGroup {
    /// The snake_case name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            AssignmentGroup::Holdout => "holdout",
            AssignmentGroup::Target => "target",
        }
    }
}

impl fmt::Display for AssignmentGroup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AssignmentGroup {
    type Err = super::UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "holdout" | "control" => Ok(AssignmentGroup::Holdout),
            "target" | "treatment" | "test" => Ok(AssignmentGroup::Target),
            other => Err(super::UnknownName::new("group", other, "holdout or target")),
        }
    }
}

/// A person's assignment to the holdout or the target group of one campaign, or of every
/// campaign (a global holdout). Assignment is random by definition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    /// When the person was assigned (Unix seconds).
    pub timestamp: i64,
    /// Who was assigned.
    pub identifiers: Vec<Identifier>,
    /// The campaign; `None` for every campaign (a global holdout).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The arm.
    pub group: AssignmentGroup,
}

/// A CRM master row: a known customer, their identifiers and descriptive attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// Sign-up time (Unix seconds), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<i64>,
    /// The customer's identifiers.
    pub identifiers: Vec<Identifier>,
    /// Home store, when the CRM keeps one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<String>,
    /// Region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// Consent recorded with the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentSignals>,
}

/// What one source row produces.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Record {
    /// A touchpoint or a check-in (an online order is a `purchase` touchpoint).
    Event(Event),
    /// A consent record.
    Consent(ConsentRecord),
    /// A day's spend.
    Spend(SpendRecord),
    /// A holdout or target assignment.
    Assignment(Assignment),
    /// A CRM customer.
    Customer(Customer),
}

/// The kind of a [`Record`], which is also the table of the event store it lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecordKind {
    /// Touchpoints, check-ins and orders.
    Event,
    /// Consent records.
    Consent,
    /// Spend.
    Spend,
    /// Assignments.
    Assignment,
    /// Customers.
    Customer,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 5] = [
        RecordKind::Event,
        RecordKind::Consent,
        RecordKind::Spend,
        RecordKind::Assignment,
        RecordKind::Customer,
    ];

    /// The snake_case name (also the store's table name, pluralised by the store).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            RecordKind::Event => "event",
            RecordKind::Consent => "consent",
            RecordKind::Spend => "spend",
            RecordKind::Assignment => "assignment",
            RecordKind::Customer => "customer",
        }
    }
}

impl Record {
    /// Its kind.
    #[must_use]
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Event(_) => RecordKind::Event,
            Record::Consent(_) => RecordKind::Consent,
            Record::Spend(_) => RecordKind::Spend,
            Record::Assignment(_) => RecordKind::Assignment,
            Record::Customer(_) => RecordKind::Customer,
        }
    }

    /// The identifiers seen together in it (none for spend): every record is an observation for
    /// the identity graph.
    #[must_use]
    pub fn identifiers(&self) -> &[Identifier] {
        match self {
            Record::Event(e) => e.identifiers(),
            Record::Consent(c) => &c.identifiers,
            Record::Spend(_) => &[],
            Record::Assignment(a) => &a.identifiers,
            Record::Customer(c) => &c.identifiers,
        }
    }

    /// When it happened, when it has a time.
    #[must_use]
    pub fn timestamp(&self) -> Option<i64> {
        match self {
            Record::Event(e) => Some(e.timestamp()),
            Record::Consent(c) => Some(c.timestamp),
            Record::Spend(s) => Some(s.timestamp),
            Record::Assignment(a) => Some(a.timestamp),
            Record::Customer(c) => c.timestamp,
        }
    }
}
