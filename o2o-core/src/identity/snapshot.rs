//! Snapshots: the graph to bytes and back, so a POS or CRM can persist it between runs.
//!
//! The format is JSON (`{"version":3,"rules":…,"identifiers":[[kind,value]…],"sources":[…],
//! "observations":[[ts,source,[ids…]]…],"scored":[[a,b,waterfall]…]}`) in a **canonical** order:
//! identifiers and sources sorted, observations sorted by content, scored links sorted by their
//! two identifiers. Two graphs holding the same observations give the same bytes, whatever order
//! they were observed in. Fingerprints of identifiers refused by the consent gate are never
//! written: a snapshot holds only data its owners allowed to link.
//!
//! `scored` keeps the [`Waterfall`] of each scored link (probabilistic matching), so that
//! `explain` after a restore shows the weights it showed before. Its `a` and `b` are indexes into
//! `identifiers` (`a < b`), as observations name identifiers: in a pseudonymised snapshot they
//! name pseudonyms. A waterfall holds the settings' field names and level labels, the level's
//! `m` and `u` and the weights; never a compared value (a name, a date of birth), so it is kept
//! whole in a pseudonymised snapshot too. The list is left out when the graph has no scored link.

use super::error::IdentityError;
use super::graph::IdentityGraph;
use super::normalize::normalize_in;
use super::rules::ResolutionRules;
use super::scored::Waterfall;
use crate::consent::ConsentGate;
use crate::event::{IdKind, Identifier};
use crate::hashing::{NormalizeOptions, Platform, Pseudonymizer};
use crate::keys::KeyRing;
use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// What each version holds:
/// - 3: version 2, and `scored`, the waterfalls of scored links (absent when there are none);
/// - 2: rules read as a rules file reads them (each setting over the defaults; written so that
///   they read back the same), the identifiers, sources and observations; no waterfalls (a
///   restored graph keeps the scored links, which are observations, without their weights);
/// - 1: version 2 with complete rule settings, each replacing the default.
///
/// Every version restores.
const VERSION: u32 = 3;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Snapshot {
    version: u32,
    /// The id of the key whose pseudonyms the identifiers are, when they are pseudonyms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pseudonyms: Option<String>,
    rules: ResolutionRules,
    identifiers: Vec<(IdKind, String)>,
    sources: Vec<String>,
    observations: Vec<(i64, u32, Vec<u32>)>,
    /// Scored links' waterfalls: `(a, b, waterfall)`, `a < b` indexes into `identifiers`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    scored: Vec<(u32, u32, Waterfall)>,
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
        let mut scored: Vec<(u32, u32, Waterfall)> = self
            .scored
            .iter()
            .map(|(&(x, y), w)| {
                let (a, b) = (new_id[x as usize], new_id[y as usize]);
                (a.min(b), a.max(b), w.clone())
            })
            .collect();
        scored.sort_unstable_by_key(|&(a, b, _)| (a, b));
        let snap = Snapshot {
            version: VERSION,
            pseudonyms: self.pseudonym_key.clone(),
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
            scored,
        };
        // Serialising plain strings, numbers and enums to memory cannot fail.
        serde_json::to_vec(&snap).unwrap_or_default()
    }

    /// The graph as canonical JSON bytes with every identifier replaced by its keyed pseudonym
    /// (`KEY_ID:HEX`, HMAC-SHA256 of `kind:normalised value`): a snapshot to keep at rest. The
    /// same person gives the same pseudonyms, so the restored graph resolves into the same
    /// profiles; it names the key, and holds no value.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::hashing::{NormalizeOptions, PhoneCheck, Pseudonymizer};
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// use o2o_core::keys::SecretKey;
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// g.observe(&permit, 1, "pos", &[Identifier::new(IdKind::LoyaltyCard, "LC1"), Identifier::new(IdKind::Phone, "0912 345 678")]).unwrap();
    /// let key = SecretKey::new("k1", (1u8..=32).collect()).unwrap();
    /// let opts = NormalizeOptions { default_country: Some("VN".into()), phone: PhoneCheck::Possible, ..Default::default() };
    /// let bytes = g.snapshot_pseudonymized(&mut Pseudonymizer::new(&key, opts)).unwrap();
    /// assert!(!String::from_utf8_lossy(&bytes).contains("LC1"));
    /// let back = IdentityGraph::restore(&bytes).unwrap();
    /// assert_eq!(back.profiles().len(), 1);
    /// assert_eq!(back.pseudonym_key(), Some("k1"));
    /// ```
    pub fn snapshot_pseudonymized(&self, pz: &mut Pseudonymizer) -> Result<Vec<u8>, IdentityError> {
        // A graph of pseudonyms (a keyed store's) keeps its own: under another key they
        // could never join the ones it holds.
        if let Some(k) = self.pseudonym_key.as_deref() {
            if k != pz.key_id() {
                return Err(IdentityError::snapshot(
                    "pseudonyms",
                    format!(
                        "the graph holds pseudonyms under key `{k}`, not `{}`",
                        pz.key_id()
                    ),
                ));
            }
            return Ok(self.snapshot());
        }
        let mut out = self.empty_like();
        let mut names: Vec<String> = Vec::with_capacity(self.ids.len());
        for i in 0..self.ids.len() as u32 {
            let mut s = String::new();
            pz.text_into(self.ids.kind(i), self.ids.value(i), &mut s)
                .map_err(|source| IdentityError::Pseudonym { source })?;
            names.push(s);
        }
        let mut values: Vec<(IdKind, &str)> = Vec::new();
        for o in 0..self.obs.len() {
            values.clear();
            values.extend(
                self.obs
                    .ids_of(o)
                    .iter()
                    .map(|&i| (self.ids.kind(i), names[i as usize].as_str())),
            );
            out.push_values(
                self.obs.ts[o],
                &self.sources[self.obs.src[o] as usize],
                &values,
            )?;
        }
        self.carry_scored(&mut out, |i| names[i as usize].as_str(), |_| true);
        out.pseudonym_key = Some(pz.key_id().to_owned());
        Ok(out.snapshot())
    }

    /// `id`, as a user types it (raw), in the form the graph holds it: in a graph of keyed
    /// pseudonyms (restored from [`IdentityGraph::snapshot_pseudonymized`]), the pseudonym
    /// that snapshot gave it, made with `ring`'s key of the graph's key id; unchanged in a graph
    /// of values, for a kind kept as given, or for a value that is a pseudonym already. A
    /// `ring` without that key is an error naming the key id, never a value; so is a value
    /// that does not normalise.
    ///
    /// ```
    /// use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
    /// use o2o_core::event::{IdKind, Identifier};
    /// use o2o_core::hashing::{NormalizeOptions, Pseudonymizer};
    /// use o2o_core::identity::{IdentityGraph, ResolutionRules};
    /// use o2o_core::keys::{KeyRing, SecretKey};
    /// let mut g = IdentityGraph::new(ResolutionRules::default()).unwrap();
    /// let yes = ConsentSignals { gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..Default::default() }), ..Default::default() };
    /// let permit = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)).unwrap();
    /// let (card, email) = (Identifier::new(IdKind::LoyaltyCard, "LC1"), Identifier::new(IdKind::Email, "Ann@Example.com"));
    /// g.observe(&permit, 1, "pos", &[card.clone(), email.clone()]).unwrap();
    /// let key = SecretKey::new("k1", (1u8..=32).collect()).unwrap();
    /// let bytes = g.snapshot_pseudonymized(&mut Pseudonymizer::new(&key, NormalizeOptions::default())).unwrap();
    /// let back = IdentityGraph::restore(&bytes).unwrap();
    /// let ring = KeyRing::single(key);
    /// let (a, b) = (back.stored_form(&card, Some(&ring)).unwrap(), back.stored_form(&email, Some(&ring)).unwrap());
    /// assert!(a.value.starts_with("k1:") && back.explain(&a, &b).is_linked());
    /// assert!(back.stored_form(&card, None).unwrap_err().to_string().contains("`k1`"));
    /// ```
    pub fn stored_form(
        &self,
        id: &Identifier,
        ring: Option<&KeyRing>,
    ) -> Result<Identifier, IdentityError> {
        let Some(k) = self.pseudonym_key.as_deref() else {
            return Ok(id.clone());
        };
        if !id.kind.pseudonymised_at_rest() || super::normalize::is_pseudonym_of(k, &id.value) {
            return Ok(id.clone());
        }
        let key = ring
            .and_then(|r| r.get(k))
            .ok_or_else(|| IdentityError::KeyNeeded {
                key_id: k.to_owned(),
            })?;
        let invalid = |message: String| IdentityError::Snapshot {
            field: format!("identifier of kind {}", id.kind),
            reason: message,
        };
        // As `snapshot_pseudonymized` made them: the value normalised under the rules, then
        // its keyed pseudonym.
        let mut value = normalize_in(id.kind, &id.value, &self.rules, None).map_err(invalid)?;
        let opts = NormalizeOptions {
            profile: Platform::Meta,
            default_country: self.rules.default_country.clone(),
            phone: self.rules.phone,
            ..NormalizeOptions::default()
        };
        let mut out = String::new();
        let done = Pseudonymizer::new(key, opts).text_into(id.kind, &value, &mut out);
        value.zeroize();
        done.map_err(|source| IdentityError::Pseudonym { source })?;
        Ok(Identifier::new(id.kind, out))
    }

    /// Rebuild a graph from [`IdentityGraph::snapshot`] bytes, with the default consent gate.
    pub fn restore(bytes: &[u8]) -> Result<Self, IdentityError> {
        Self::restore_with_gate(bytes, ConsentGate::default())
    }

    /// Rebuild a graph from snapshot bytes, asking `gate` about future events.
    pub fn restore_with_gate(bytes: &[u8], gate: ConsentGate) -> Result<Self, IdentityError> {
        let mut value: serde_json::Value = serde_json::from_slice(bytes)?;
        if value.get("version").and_then(serde_json::Value::as_u64) == Some(1) {
            version_1_rules(&mut value);
        }
        let snap: Snapshot = serde_json::from_value(value)?;
        if !(1..=VERSION).contains(&snap.version) {
            return Err(IdentityError::snapshot(
                "version",
                format!("{} is not supported (1 to {VERSION} are)", snap.version),
            ));
        }
        let mut g = IdentityGraph::with_gate(snap.rules, gate)?;
        g.pseudonym_key = snap.pseudonyms;
        let mut values: Vec<(IdKind, &str)> = Vec::new();
        for (o, (ts, src, ids)) in snap.observations.iter().enumerate() {
            let source = snap.sources.get(*src as usize).ok_or_else(|| {
                IdentityError::snapshot(
                    format!("observations[{o}]"),
                    format!("source {src} out of range"),
                )
            })?;
            values.clear();
            for (j, &i) in ids.iter().enumerate() {
                let (k, v) = snap.identifiers.get(i as usize).ok_or_else(|| {
                    IdentityError::snapshot(
                        format!("observations[{o}][{j}]"),
                        format!("identifier {i} out of range"),
                    )
                })?;
                values.push((*k, v.as_str()));
            }
            g.push_values(*ts, source, &values)?;
        }
        for (n, (a, b, w)) in snap.scored.into_iter().enumerate() {
            let bad = |message: String| IdentityError::snapshot(format!("scored[{n}]"), message);
            let end = |i: u32| {
                let (k, v) = snap
                    .identifiers
                    .get(i as usize)
                    .ok_or_else(|| bad(format!("identifier {i} out of range")))?;
                g.ids
                    .get(*k, v)
                    .ok_or_else(|| bad(format!("identifier {i} is in no observation")))
            };
            let (x, y) = (end(a)?, end(b)?);
            if x == y {
                return Err(bad("a link from an identifier to itself".to_owned()));
            }
            g.scored.insert((x.min(y), x.max(y)), w);
        }
        Ok(g)
    }
}

/// Version 1 snapshots hold complete rule settings: each one present replaces the default, as
/// rules files did then. Marked `replace` so today's reading gives the same rules.
fn version_1_rules(snap: &mut serde_json::Value) {
    use serde_json::{Map, Value};
    let Some(rules) = snap.get_mut("rules").and_then(Value::as_object_mut) else {
        return;
    };
    for field in ["limits", "hub_threshold", "time_bounded"] {
        let Some(v) = rules.get_mut(field) else {
            continue;
        };
        let mut m = Map::new();
        m.insert("replace".to_owned(), Value::Bool(true));
        match v {
            Value::Object(o) => m.extend(std::mem::take(o)),
            Value::Array(pairs) => {
                for p in std::mem::take(pairs) {
                    if let Value::Array(kv) = p
                        && let [Value::String(k), setting] = kv.as_slice()
                    {
                        m.insert(k.clone(), setting.clone());
                    }
                }
            }
            _ => continue,
        }
        *v = Value::Object(m);
    }
    for field in ["blocked_values", "blocked_patterns"] {
        if let Some(v) = rules.get_mut(field)
            && v.is_array()
        {
            let values = std::mem::take(v);
            let mut m = Map::new();
            m.insert("replace".to_owned(), Value::Bool(true));
            m.insert("values".to_owned(), values);
            *v = Value::Object(m);
        }
    }
}
