//! Consent benchmarks: TC string decoding and gate decisions, both on the per-event hot path.
//!
//! Targets (issue "Consent-aware hashing"): the gate must not be the bottleneck of the hashing
//! pipeline (≥ 5,000,000 values/s), so a decision on decoded signals should cost well under
//! 200 ns, and decoding a typical TC string (a few hundred characters) should run at
//! ≥ 1,000,000 strings/s so that decoding once per event is affordable.
//! `cargo bench -p o2o-benches --bench consent` prints each as throughput (elements/s).

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::consent::tcf::{CoreSegment, Flags, PublisherTc, TcString, VendorVector};
use o2o_core::consent::{
    ConsentGate, ConsentMode, ConsentPolicy, ConsentSignals, ConsentState, DecodedSignals,
    Operation,
};
use std::hint::black_box;

fn fixture_strings() -> Vec<String> {
    let text = include_str!("../../o2o-core/tests/fixtures/tcf/strings.json");
    let v: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    v["strings"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|s| s.get("error").is_none() && s["model"]["version"] == 2)
                .filter_map(|s| s["tcString"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn bench_decode(c: &mut Criterion) {
    let strings = fixture_strings();
    let total: usize = strings.iter().map(String::len).sum();
    let mut g = c.benchmark_group("tcf_decode");
    g.throughput(Throughput::Elements(strings.len() as u64));
    g.bench_function(
        format!(
            "fixtures ({} strings, mean {} chars)",
            strings.len(),
            total / strings.len().max(1)
        ),
        |b| {
            b.iter(|| {
                for s in &strings {
                    let _ = black_box(TcString::decode(black_box(s)));
                }
            })
        },
    );
    g.finish();
}

fn bench_gate(c: &mut Criterion) {
    // A realistic allowing string: purposes 1-11 consented in the core and the publisher TC
    // segment, about 600 of 1,000 vendors consented (bitfield), vendor 755 among them.
    let tc = TcString {
        core: CoreSegment {
            purpose_consents: Flags::from_ids(1..=11),
            purpose_legitimate_interests: Flags::from_ids(2..=11),
            vendor_consents: VendorVector::from_ids((1..=1000).filter(|v| v % 5 != 1)),
            vendor_legitimate_interests: VendorVector::from_ids((1..=1000).filter(|v| v % 3 == 0)),
            ..CoreSegment::default()
        },
        publisher_tc: Some(PublisherTc {
            purpose_consents: Flags::from_ids(1..=11),
            ..PublisherTc::default()
        }),
        ..TcString::default()
    }
    .encode();
    let granted = ConsentMode {
        ad_storage: ConsentState::Granted,
        analytics_storage: ConsentState::Granted,
        ad_user_data: ConsentState::Granted,
        ad_personalization: ConsentState::Granted,
    };
    let signals = ConsentSignals {
        tcf: Some(tc.clone()),
        gcm: Some(granted),
    };
    let mut g = c.benchmark_group("gate");
    g.throughput(Throughput::Elements(1));
    let gate = ConsentGate::default();
    let gcm_only = DecodedSignals::from_consent_mode(granted);
    g.bench_function("check_decoded (Consent Mode only)", |b| {
        b.iter(|| black_box(gate.check_decoded(Operation::HashForUpload, black_box(&gcm_only))))
    });
    let decoded = DecodedSignals::new(Some(&signals));
    assert!(gate.check_decoded(Operation::Personalise, &decoded).allowed);
    g.bench_function(
        format!("decode the gate's TC string ({} chars)", tc.len()),
        |b| b.iter(|| black_box(TcString::decode(black_box(&tc)).is_ok())),
    );
    g.bench_function("check_decoded (TCF + Consent Mode, publisher)", |b| {
        b.iter(|| black_box(gate.check_decoded(Operation::Personalise, black_box(&decoded))))
    });
    g.bench_function("permit_decoded (TCF + Consent Mode, publisher)", |b| {
        b.iter(|| {
            black_box(
                gate.permit_decoded(Operation::Measure, black_box(&decoded))
                    .is_ok(),
            )
        })
    });
    let vendor_gate = ConsentGate::new(ConsentPolicy {
        vendor_id: Some(755),
        ..ConsentPolicy::default()
    });
    g.bench_function("check_decoded (TCF + Consent Mode, vendor)", |b| {
        b.iter(|| black_box(vendor_gate.check_decoded(Operation::Personalise, black_box(&decoded))))
    });
    g.bench_function("check (decodes the TC string each call)", |b| {
        b.iter(|| black_box(gate.check(Operation::Personalise, black_box(Some(&signals)))))
    });
    g.finish();
}

criterion_group!(benches, bench_decode, bench_gate);
criterion_main!(benches);
