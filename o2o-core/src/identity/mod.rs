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
//! against the simulator's truth. See `docs/identity.md`.

mod components;
mod error;
#[cfg(feature = "sim")]
mod evaluate;
mod explain;
mod forget;
pub mod fuzzing;
mod graph;
mod intern;
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
mod rules;
mod snapshot;

pub use error::IdentityError;
#[cfg(feature = "sim")]
pub use evaluate::{Metrics, Scores, evaluate, evaluate_with_events};

pub use components::connected_components;
pub use explain::{Explanation, Link, NotLinked, parse_identifier};
pub use forget::{ErasureReceipt, Forget};
pub use graph::{GraphStats, IdentityGraph, ObserveOutcome};
pub use memory::Scratch;
pub use profiles::{Iter, MergeAudit, Profile, ProfileId, Profiles, SharedIdentifier};
pub use rules::{DAY, HOUR, KindLimit, MAX_HUB_THRESHOLD, ResolutionRules};

#[cfg(test)]
mod tests;
