//! The invariants the `identity_observe` fuzz target checks, shared with the test that replays
//! saved fuzz inputs (`o2o-core/tests/fuzz_identity.rs`), so both check exactly the same things.

use super::{IdentityGraph, Profile, ResolutionRules};
use crate::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use crate::event::{IdKind, Identifier};

/// Decode a fuzz input into observations: per observation 1 byte (identifier count − 1, mod 5),
/// 2 bytes of time (× 600 s), then per identifier 1 byte of kind and 1 byte of value. Values are
/// drawn from 16 per kind so that observations collide and link; a value byte above 250 takes
/// the rest of the input as a raw (possibly junk) value.
#[must_use]
pub fn observations(data: &[u8]) -> Vec<(i64, Vec<Identifier>)> {
    let mut out = Vec::new();
    let mut rest = data;
    while let [count, t0, t1, tail @ ..] = rest {
        let k = usize::from(count % 5) + 1;
        let ts = i64::from(u16::from_le_bytes([*t0, *t1])) * 600;
        rest = tail;
        let mut ids = Vec::new();
        for _ in 0..k {
            let [kind, n, tail @ ..] = rest else { break };
            let kind = IdKind::ALL
                .get(usize::from(*kind) % IdKind::ALL.len())
                .copied()
                .unwrap_or(IdKind::Email);
            let value = match kind {
                IdKind::Email => format!("u{}@x.com", n % 16),
                IdKind::Phone => format!("+8491234{:04}", n % 16),
                IdKind::Mac => format!("aa:bb:cc:dd:ee:{:02x}", n % 16),
                IdKind::Ip => format!("10.0.0.{}", n % 16),
                _ if *n > 250 => String::from_utf8_lossy(tail).into_owned(),
                _ => format!("v{}", n % 16),
            };
            ids.push(Identifier::new(kind, value));
            rest = tail;
        }
        out.push((ts, ids));
    }
    out
}

fn build(obs: &[(i64, Vec<Identifier>)]) -> Result<IdentityGraph, String> {
    let yes = ConsentSignals {
        gcm: Some(ConsentMode {
            ad_user_data: ConsentState::Granted,
            ..ConsentMode::default()
        }),
        ..ConsentSignals::default()
    };
    let permit = ConsentGate::default()
        .permit(Operation::LinkIdentity, Some(&yes))
        .map_err(|e| format!("granted consent must give a permit: {e}"))?;
    let mut g = IdentityGraph::new(ResolutionRules::default())
        .map_err(|e| format!("default rules must compile: {e}"))?;
    for (ts, ids) in obs {
        // Rejected observations (junk values) are part of what is fuzzed.
        let _ = g.observe(&permit, *ts, "fuzz", ids);
    }
    Ok(g)
}

fn profiles(g: &IdentityGraph) -> Vec<Profile> {
    g.profiles().iter().collect()
}

/// Observe the decoded input, then check: no panic; the same observations in reverse order give
/// the same profiles and ids; no profile breaks an "ever" limit of the default rules; a snapshot
/// restores to a graph with the same profiles.
///
/// ```
/// assert!(o2o_core::identity::fuzzing::check(b"\x01\x00\x00\x02\x01\x03\x02").is_ok());
/// ```
pub fn check(data: &[u8]) -> Result<(), String> {
    let obs = observations(data);
    let g = build(&obs)?;
    let mut rev = obs.clone();
    rev.reverse();
    let r = build(&rev)?;
    let ps = profiles(&g);
    if ps != profiles(&r) {
        return Err("the order of observations changed the profiles".into());
    }
    for p in &ps {
        for (kind, limit) in &ResolutionRules::default().limits {
            if limit.window_secs.is_none() {
                let n = p.identifiers.iter().filter(|i| i.kind == *kind).count();
                if n > limit.max as usize {
                    return Err(format!("the limit of {kind} is broken in profile {}", p.id));
                }
            }
        }
    }
    let back = IdentityGraph::restore(&g.snapshot())
        .map_err(|e| format!("a snapshot must restore: {e}"))?;
    if profiles(&back) != ps {
        return Err("the restored snapshot resolves differently".into());
    }
    Ok(())
}

/// Any bytes as an identity snapshot: restoring never panics; a snapshot that restores writes
/// back a snapshot that restores to the same profiles.
pub fn check_snapshot(data: &[u8]) -> Result<(), String> {
    let Ok(g) = IdentityGraph::restore(data) else {
        return Ok(());
    };
    let ps = profiles(&g);
    let back = IdentityGraph::restore(&g.snapshot())
        .map_err(|e| format!("a written snapshot must restore: {e}"))?;
    if profiles(&back) != ps {
        return Err("the snapshot does not round-trip".into());
    }
    Ok(())
}

/// Any bytes as resolution rules (JSON, as `o2o resolve --rules` reads them): no panic; rules
/// that parse either build a graph or are refused with a message; a graph built from them
/// observes a few identifiers without a panic.
pub fn check_rules(data: &[u8]) -> Result<(), String> {
    let Ok(rules) = serde_json::from_slice::<ResolutionRules>(data) else {
        return Ok(());
    };
    let mut g = match IdentityGraph::new(rules) {
        Ok(g) => g,
        Err(e) if e.to_string().is_empty() => return Err("an empty rules error".into()),
        Err(_) => return Ok(()),
    };
    let yes = ConsentSignals {
        gcm: Some(ConsentMode {
            ad_user_data: ConsentState::Granted,
            ..ConsentMode::default()
        }),
        ..ConsentSignals::default()
    };
    let permit = ConsentGate::default()
        .permit(Operation::LinkIdentity, Some(&yes))
        .map_err(|e| format!("granted consent must give a permit: {e}"))?;
    for (ts, seed) in [(0, 1u8), (600, 2), (1200, 1)] {
        let ids: Vec<Identifier> = IdKind::ALL
            .iter()
            .map(|k| Identifier::new(*k, format!("v{seed}@x.com")))
            .collect();
        let _ = g.observe(&permit, ts, "fuzz", &ids);
    }
    let _ = profiles(&g);
    Ok(())
}
