//! Foundation benchmarks: simulating customers and parsing NDJSON events.
//!
//! Targets (issue "Foundation"): the simulator must make 1,000,000 customers "in seconds", so
//! ≥ 200,000 customers/s on one core; NDJSON parsing should keep up with a POS export, so
//! ≥ 1,000,000 events/s. `cargo bench -p o2o-benches --bench foundation` prints both as
//! throughput (elements/s).

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::event::{read_ndjson, write_ndjson};
use o2o_core::sim::{SimConfig, simulate};
use std::hint::black_box;

fn bench_simulate(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    let customers = 50_000;
    g.throughput(Throughput::Elements(customers as u64));
    let cfg = SimConfig {
        customers,
        seed: 7,
        ..SimConfig::default()
    };
    g.bench_function("customers", |b| {
        b.iter(|| black_box(simulate(black_box(&cfg)).map(|c| c.events.len())))
    });
    g.finish();
}

fn bench_parse(c: &mut Criterion) {
    let cfg = SimConfig {
        customers: 5_000,
        seed: 7,
        ..SimConfig::default()
    };
    let Ok(campaign) = simulate(&cfg) else {
        return;
    };
    let mut text = Vec::new();
    if write_ndjson(&campaign.events, &mut text).is_err() {
        return;
    }
    let mut g = c.benchmark_group("ndjson");
    g.throughput(Throughput::Elements(campaign.events.len() as u64));
    g.bench_function("parse_events", |b| {
        b.iter(|| black_box(read_ndjson(black_box(&text[..])).map(|o| o.events.len())))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default();
    targets = bench_simulate, bench_parse
}
criterion_main!(benches);
