//! Ad-platform export throughput.
//!
//! Target (issue "Act on it"): `o2o export --to meta-capi` writes ≥ 500,000 events/s on one core
//! for 1,000,000 visits. The bench writes the Meta Conversions API file of 1,000,000 store
//! visits (each with an email, a phone and a loyalty card, a purchase with one item, consent
//! granted) to a discarding writer: per visit the consent gate, Meta's normalisation of three
//! identifiers, three SHA-256 and the JSON of the event, in batches of 1,000. Reading the store
//! and grouping visits are measured by their own benches (ingest, report).

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_benches::cpu;
use o2o_core::activation::{Conversion, ExportOptions, Platform, export_conversions};
use o2o_core::consent::{ConsentMode, ConsentSignals, ConsentState};
use o2o_core::event::{IdKind, Identifier, Item};
use std::hint::black_box;

const VISITS: usize = 1_000_000;

fn visits(n: usize) -> Vec<Conversion> {
    let consent = ConsentSignals {
        tcf: None,
        gcm: Some(ConsentMode {
            ad_storage: ConsentState::Granted,
            analytics_storage: ConsentState::Granted,
            ad_user_data: ConsentState::Granted,
            ad_personalization: ConsentState::Granted,
        }),
    };
    (0..n)
        .map(|i| Conversion {
            event_id: format!("R{i:09}"),
            timestamp: 1_772_323_200 + i as i64 * 7,
            store: format!("S{:03}", i % 200),
            value: Some(10.0 + (i % 1000) as f64 / 4.0),
            currency: Some("VND".into()),
            items: vec![Item {
                sku: format!("SKU{:04}", i % 5000),
                quantity: 1,
                price: 10.0,
            }],
            identifiers: vec![
                Identifier::new(IdKind::Email, format!("Customer.{i}@Example.com")),
                Identifier::new(IdKind::LoyaltyCard, format!("LC{i:010}")),
                Identifier::new(IdKind::Phone, format!("+8491{:07}", i % 10_000_000)),
            ],
            consent: Some(consent.clone()),
            clicks: Vec::new(),
        })
        .collect()
}

fn bench_export(c: &mut Criterion) {
    let convs = visits(VISITS);
    let opts = ExportOptions::default();
    let run = || {
        let s = export_conversions(Platform::MetaCapi, &convs, &opts, std::io::sink());
        assert!(
            s.as_ref().is_ok_and(|s| s.exported == VISITS as u64),
            "{s:?}"
        );
        black_box(s.ok());
    };
    cpu::rate("activation/meta_capi_1m_visits", "events", VISITS, 2, run);
    let mut g = c.benchmark_group("activation");
    g.sample_size(10);
    g.throughput(Throughput::Elements(VISITS as u64));
    g.bench_function("meta_capi_1m_visits", |b| b.iter(run));
    g.finish();
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
