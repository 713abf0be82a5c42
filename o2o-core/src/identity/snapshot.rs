//! Snapshots: the graph to bytes and back, so a POS or CRM can persist it between runs.
//!
//! The format is JSON (`{"version":1,"rules":…,"identifiers":[[kind,value]…],"sources":[…],
//! "observations":[[ts,source,[ids…]]…]}`) in a **canonical** order: identifiers and sources
//! sorted, observations sorted by content. Two graphs holding the same observations give the same
//! bytes, whatever order they were observed in. Fingerprints of identifiers refused by the consent
//! gate are never written: a snapshot holds only data its owners allowed to link.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::rules::ResolutionRules;
use crate::consent::ConsentGate;
use crate::event::IdKind;
use serde::{Deserialize, Serialize};

const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
struct Snapshot {
    version: u32,
    rules: ResolutionRules,
    identifiers: Vec<(IdKind, String)>,
    sources: Vec<String>,
    observations: Vec<(i64, u32, Vec<u32>)>,
}

impl IdentityGraph {
    /// The graph as canonical JSON bytes.
    ///
    /// ```
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// let g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let bytes = g.snapshot();
    /// let back = IdentityGraph::restore(&bytes).unwrap();
    /// assert_eq!(back.snapshot(), bytes);
    /// ```
    pub fn snapshot(&self) -> Vec<u8> {
        let n = self.ids.len();
        let mut by_value: Vec<u32> = (0..n as u32).collect();
        by_value.sort_by(|&a, &b| {
            (self.ids.kind(a), self.ids.value(a)).cmp(&(self.ids.kind(b), self.ids.value(b)))
        });
        let mut new_id = vec![0u32; n];
        for (new, &old) in by_value.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let mut src_order: Vec<u32> = (0..self.sources.len() as u32).collect();
        src_order.sort_by(|&a, &b| self.sources[a as usize].cmp(&self.sources[b as usize]));
        let mut new_src = vec![0u32; self.sources.len()];
        for (new, &old) in src_order.iter().enumerate() {
            new_src[old as usize] = new as u32;
        }
        let mut observations: Vec<(i64, u32, Vec<u32>)> = (0..self.obs.len())
            .map(|o| {
                let mut ids: Vec<u32> = self
                    .obs
                    .ids_of(o)
                    .iter()
                    .map(|&i| new_id[i as usize])
                    .collect();
                ids.sort_unstable();
                (self.obs.ts[o], new_src[self.obs.src[o] as usize], ids)
            })
            .collect();
        observations.sort_unstable();
        let snap = Snapshot {
            version: VERSION,
            rules: self.rules.clone(),
            identifiers: by_value
                .iter()
                .map(|&i| (self.ids.kind(i), self.ids.value(i).to_owned()))
                .collect(),
            sources: src_order
                .iter()
                .map(|&s| self.sources[s as usize].clone())
                .collect(),
            observations,
        };
        // Serialising plain strings, numbers and enums to memory cannot fail.
        serde_json::to_vec(&snap).unwrap_or_default()
    }

    /// Rebuild a graph from [`IdentityGraph::snapshot`] bytes, with the default consent gate.
    pub fn restore(bytes: &[u8]) -> Result<Self, IdentityError> {
        Self::restore_with_gate(bytes, ConsentGate::default())
    }

    /// Rebuild a graph from snapshot bytes, asking `gate` about future events.
    pub fn restore_with_gate(bytes: &[u8], gate: ConsentGate) -> Result<Self, IdentityError> {
        let snap: Snapshot = serde_json::from_slice(bytes).map_err(|e| {
            IdentityError::Snapshot(format!("line {}, column {}: {e}", e.line(), e.column()))
        })?;
        if snap.version != VERSION {
            return Err(IdentityError::Snapshot(format!(
                "version {} is not supported (expected {VERSION})",
                snap.version
            )));
        }
        let mut g = IdentityGraph::with_gate(snap.rules, gate)?;
        let mut values: Vec<(IdKind, &str)> = Vec::new();
        for (o, (ts, src, ids)) in snap.observations.iter().enumerate() {
            let source = snap.sources.get(*src as usize).ok_or_else(|| {
                IdentityError::Snapshot(format!("observations[{o}]: source {src} out of range"))
            })?;
            values.clear();
            for (j, &i) in ids.iter().enumerate() {
                let (k, v) = snap.identifiers.get(i as usize).ok_or_else(|| {
                    IdentityError::Snapshot(format!(
                        "observations[{o}][{j}]: identifier {i} out of range"
                    ))
                })?;
                values.push((*k, v.as_str()));
            }
            g.push_values(*ts, source, &values)?;
        }
        Ok(g)
    }
}
