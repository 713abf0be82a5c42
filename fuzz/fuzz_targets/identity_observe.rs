//! The identity graph on arbitrary observation sequences: never panics, resolution is the same
//! whatever the order, the "ever" limits hold in every profile, and a snapshot round-trips.
#![no_main]

use libfuzzer_sys::fuzz_target;
use o2o_core::consent::{ConsentGate, ConsentMode, ConsentSignals, ConsentState, Operation};
use o2o_core::event::{IdKind, Identifier};
use o2o_core::identity::{IdentityGraph, Profile, ResolutionRules};

fn observations(data: &[u8]) -> Vec<(i64, Vec<Identifier>)> {
    // Each observation: 1 byte count, 2 bytes time, then per identifier 1 byte kind + 1 byte value.
    let mut out = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        let k = usize::from(data[i] % 5) + 1;
        let ts = i64::from(u16::from_le_bytes([data[i + 1], data[i + 2]])) * 600;
        i += 3;
        let mut ids = Vec::new();
        for _ in 0..k {
            if i + 2 > data.len() {
                break;
            }
            let kind = IdKind::ALL[usize::from(data[i]) % IdKind::ALL.len()];
            let n = data[i + 1];
            let value = match kind {
                IdKind::Email => format!("u{}@x.com", n % 16),
                IdKind::Phone => format!("+8491234{:04}", n % 16),
                IdKind::Mac => format!("aa:bb:cc:dd:ee:{:02x}", n % 16),
                IdKind::Ip => format!("10.0.0.{}", n % 16),
                _ if n > 250 => String::from_utf8_lossy(&data[i..]).into_owned(),
                _ => format!("v{}", n % 16),
            };
            ids.push(Identifier::new(kind, value));
            i += 2;
        }
        out.push((ts, ids));
    }
    out
}

fn build(obs: &[(i64, Vec<Identifier>)]) -> IdentityGraph {
    let yes = ConsentSignals {
        gcm: Some(ConsentMode { ad_user_data: ConsentState::Granted, ..ConsentMode::default() }),
        ..ConsentSignals::default()
    };
    let Ok(permit) = ConsentGate::default().permit(Operation::LinkIdentity, Some(&yes)) else {
        panic!("granted consent must give a permit");
    };
    let Ok(mut g) = IdentityGraph::new(ResolutionRules::default()) else {
        panic!("default rules must compile");
    };
    for (ts, ids) in obs {
        let _ = g.observe(&permit, *ts, "fuzz", ids);
    }
    g
}

fn profiles(g: &IdentityGraph) -> Vec<Profile> {
    g.resolve().all_profiles(g).collect()
}

fuzz_target!(|data: &[u8]| {
    let obs = observations(data);
    let g = build(&obs);
    let mut rev = obs.clone();
    rev.reverse();
    let r = build(&rev);
    assert_eq!(profiles(&g), profiles(&r), "order changed the profiles");
    for p in profiles(&g) {
        for (kind, limit) in &ResolutionRules::default().limits {
            if limit.window_secs.is_none() {
                let n = p.identifiers.iter().filter(|i| i.kind == *kind).count();
                assert!(n as u32 <= limit.max, "limit of {kind} broken in {}", p.id);
            }
        }
    }
    let Ok(back) = IdentityGraph::restore(&g.snapshot()) else {
        panic!("a snapshot must restore");
    };
    assert_eq!(profiles(&back), profiles(&g));
});
