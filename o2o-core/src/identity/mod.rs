//! The identity graph: which identifiers (a loyalty card at the POS, a cookie that clicked an ad,
//! a phone that joined the store Wi-Fi) belong to one person.
//!
//! Every event is an *observation* of identifiers seen together. [`IdentityGraph`] interns the
//! normalised identifiers, records the observations (after the consent gate), and resolves them
//! into [`Profiles`] ([`IdentityGraph::profiles`]) under [`ResolutionRules`]: kind priority,
//! per-profile limits, blocked junk values, a hub guard for shared identifiers, and time windows
//! for IPs and MACs. Resolution is deterministic and order-free: the same observations in any
//! order give the same profiles with the same ids.
//!
//! Around it: [`IdentityGraph::explain`] (why two identifiers are or are not one person),
//! [`IdentityGraph::forget`] (erasure with a receipt), snapshots to bytes, and [`evaluate`]
//! against the simulator's truth. A graph resolved again and again can keep its working memory
//! in a [`Scratch`] it owns ([`IdentityGraph::profiles_with`]). See `docs/identity.md`; how the
//! resolver is laid out, and how a change to it is judged, is in
//! `docs/dev/identity-resolver.md`.
//!
//! ```
//! use o2o_core::event::{Event, IdKind, Identifier};
//! use o2o_core::identity::{Explanation, IdentityGraph, ResolutionRules};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Two events with Consent Mode granted: a POS sale and a Zalo message from the same phone.
//! let consent = r#""consent": {"gcm": {"ad_user_data": "granted"}}"#;
//! let events: Vec<Event> = [
//!     format!(r#"{{"type": "checkin", "method": "pos_purchase", "store": "S1", "timestamp": 1772359200, "identifiers": [{{"kind": "loyalty_card", "value": "LC1"}}, {{"kind": "phone", "value": "0912 345 678"}}], {consent}}}"#),
//!     format!(r#"{{"type": "touchpoint", "action": "click", "channel": "zalo", "timestamp": 1772445600, "identifiers": [{{"kind": "phone", "value": "+84912345678"}}], {consent}}}"#),
//! ]
//! .iter()
//! .map(|line| serde_json::from_str(line))
//! .collect::<Result<_, _>>()?;
//! let g = IdentityGraph::from_events(ResolutionRules::default(), &events)?;
//! let profiles = g.profiles();
//! assert_eq!(profiles.len(), 1);
//! let card = Identifier::new(IdKind::LoyaltyCard, "LC1");
//! let phone = Identifier::new(IdKind::Phone, "(+84) 91-234-5678");
//! assert_eq!(g.profile_id_of_event(&events[1]), profiles.of(&card).map(|p| p.id));
//! assert!(matches!(g.explain(&card, &phone), Explanation::Linked { .. }));
//! # Ok(())
//! # }
//! ```

mod components;
mod error;
#[cfg(feature = "sim")]
mod evaluate;
mod explain;
mod forget;
mod frozen;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
mod graph;
mod intern;
mod junk;
// The only module allowed `unsafe` code (huge pages, kept blocks, prefetch).
#[allow(unsafe_code)]
mod memory;
mod normalize;
mod observations;
mod profiles;
#[cfg(test)]
mod reference;
mod resolution;
mod resolve;
pub(crate) mod rules;
mod scored;
mod snapshot;

pub use error::IdentityError;
#[cfg(feature = "sim")]
pub use evaluate::{Metrics, Scores, evaluate, evaluate_with_events};

pub use components::connected_components;
pub use explain::{Explanation, Link, NotLinked, parse_identifier};
pub use forget::{ErasureMatcher, ErasureReceipt, Forget};
pub use frozen::FrozenGraph;
pub use graph::{GraphStats, IdentityGraph, ObserveOutcome};
pub use memory::Scratch;
pub use profiles::{Iter, MergeAudit, Profile, ProfileId, Profiles, SharedIdentifier};
pub use rules::{DAY, HOUR, KindLimit, MAX_HUB_THRESHOLD, PhoneCheck, ResolutionRules};
pub use scored::{FieldWeight, Waterfall};

#[cfg(test)]
mod tests;
