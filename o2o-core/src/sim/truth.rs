//! The ground truth the simulator writes beside the events: who is behind every identifier and
//! what every channel really caused. Every later module is judged against it.

use crate::event::Identifier;
use serde::{Deserialize, Serialize};

/// Everything the simulator knows and the events do not say.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Truth {
    /// Seed of the run.
    pub seed: u64,
    /// Customers simulated.
    pub customers: usize,
    /// Campaign start, Unix seconds.
    pub start: i64,
    /// Campaign end (exclusive), Unix seconds.
    pub end: i64,
    /// Expected revenue of one store visitor during the campaign:
    /// `(1 + repeat_visits) × purchase_share × mean_order_value`.
    pub revenue_per_visitor: f64,
    /// Expected check-ins of one visitor during the campaign: `1 + repeat_visits`.
    pub checkins_per_visitor: f64,
    /// Per-channel truth, in config order.
    pub channels: Vec<ChannelTruth>,
    /// Campaign totals.
    pub totals: Totals,
    /// Each person and every raw identifier value they used.
    pub persons: Vec<PersonTruth>,
    /// Identifier values used by more than one person or by nobody in particular.
    pub shared: Vec<SharedIdentifier>,
}

/// What one channel truly did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChannelTruth {
    /// Channel name.
    pub channel: String,
    /// Campaign name.
    pub campaign: String,
    /// True additive lift of the visit probability per exposed customer.
    pub lift: f64,
    /// Customers exposed.
    pub exposed: u64,
    /// Touchpoints generated.
    pub touchpoints: u64,
    /// Spend.
    pub spend: f64,
    /// Expected incremental visitors: `lift × exposed`.
    pub incremental_visitors: f64,
    /// Expected incremental check-ins: `incremental_visitors × checkins_per_visitor`.
    pub incremental_checkins: f64,
    /// Expected incremental revenue: `incremental_visitors × revenue_per_visitor`.
    pub incremental_revenue: f64,
}

/// Campaign totals.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    /// Customers in the holdout.
    pub holdout: u64,
    /// Customers who visited a store during the campaign.
    pub visitors: u64,
    /// Check-ins during the campaign.
    pub checkins: u64,
    /// In-store revenue during the campaign.
    pub revenue: f64,
    /// Touchpoints.
    pub touchpoints: u64,
    /// Spend over all channels.
    pub spend: f64,
    /// Events written (pre-period included).
    pub events: u64,
}

/// One true person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonTruth {
    /// Index of the person (also the `person` column of `audience.csv`).
    pub person: u64,
    /// Whether the person allows advertising use of their data.
    pub consent: bool,
    /// Household id, when the person shares a household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<u64>,
    /// Every raw identifying value (email, phone, card, device, MAC, own IP…) this person used
    /// in the events, in first-use order. Unique to the person.
    pub identifiers: Vec<Identifier>,
    /// Descriptive values (names, birth date, gender, city, country) captured for the person;
    /// others may share them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Identifier>,
}

/// Why an identifier value is not one person's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SharedReason {
    /// The public IP of a store's Wi-Fi: everyone in the store.
    StoreIp,
    /// A mobile carrier's NAT address: many strangers.
    CarrierIp,
    /// A household's tablet or home IP.
    Household,
    /// A junk value typed by staff (`test@test.com`).
    Junk,
}

/// An identifier value that belongs to no single person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedIdentifier {
    /// The identifier.
    #[serde(flatten)]
    pub identifier: Identifier,
    /// Why it is shared.
    pub reason: SharedReason,
    /// Persons who used it (empty for store and carrier IPs and junk).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<u64>,
}
