//! The records of an event store as a [`Side`]: assignments and customers resolved to the
//! profiles of the identity graph, spend as recorded.

use super::{MeasureError, ProfileAssignment, Side};
use crate::event::{IdKind, Identifier, RecordKind};
use crate::identity::IdentityGraph;
use crate::store::{Store, StoreError, StoredRecord};

/// The profile of the first identifier (strongest kind first) that the graph links.
fn profile(graph: &IdentityGraph, ids: &[Identifier]) -> Option<String> {
    let mut ids: Vec<&Identifier> = ids.iter().filter(|i| !i.kind.is_attribute()).collect();
    ids.sort_by_key(|i| i.kind);
    ids.into_iter()
        .find_map(|i| graph.profile_of(i))
        .map(|p| p.id.to_string())
}

fn store_err(e: StoreError) -> MeasureError {
    MeasureError::Flag {
        flag: "store",
        message: e.to_string(),
    }
}

/// Assignments, customers and spend of `store`, keyed by the profiles of `graph` (built by
/// `o2o_core::store::resolve_people` over the same store). An assignment or customer whose
/// identifiers no profile holds (no consent to link them) is left out and counted in the
/// second value.
pub fn side_from_store(store: &Store, graph: &IdentityGraph) -> Result<(Side, u64), MeasureError> {
    let mut side = Side::default();
    let mut unlinked = 0u64;
    for (r, _) in store.records(RecordKind::Assignment).map_err(store_err)? {
        if let StoredRecord::Assignment(a) = r {
            match profile(graph, &a.identifiers) {
                Some(p) => side.assignments.push(ProfileAssignment {
                    profile: p,
                    campaign: a.campaign,
                    group: a.group,
                }),
                None => unlinked += 1,
            }
        }
    }
    for (r, _) in store.records(RecordKind::Customer).map_err(store_err)? {
        if let StoredRecord::Customer(c) = r {
            let has_customer_id = c
                .identifiers
                .iter()
                .any(|i| matches!(i.kind, IdKind::ExternalId | IdKind::LoyaltyCard));
            match profile(graph, &c.identifiers) {
                Some(p) if has_customer_id || !c.identifiers.is_empty() => {
                    side.customers.insert(p);
                }
                _ => unlinked += 1,
            }
        }
    }
    for (r, _) in store.records(RecordKind::Spend).map_err(store_err)? {
        if let StoredRecord::Spend(s) = r {
            side.spend.push(s);
        }
    }
    side.assignments.sort();
    Ok((side, unlinked))
}
