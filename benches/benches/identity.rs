//! Identity-graph benchmarks.
//!
//! Target: 10,000,000 observations resolved at ≥ 5,000,000 observations/s on one core
//! (`resolve/10M`, throughput in elements/s). It times `resolve_fresh` on a graph that has
//! already observed the 10M synthetic observations (hub guard, sessions, limits, profiles,
//! per-profile totals: everything but interning), with one `Scratch` kept across resolves:
//! criterion resolves during its warm-up first, so each timed resolve finds the working memory
//! the previous one left, as a graph resolved again and again in use does. The first resolve of
//! a new process, on fresh memory, is printed by the `identity_memory` example.
//! Interning is measured apart, as the incremental cost paid as events arrive: `observe/1M`
//! generates 1M synthetic observations (formatting their strings) and observes them, and
//! `observe_resolve/1M` adds the resolution (the end-to-end number).
//! Memory (≤ 200 bytes per distinct identifier, peak RSS) and the 10M end-to-end times are
//! printed by `/usr/bin/time -v cargo run --release -p o2o-benches --example identity_memory`.
//! Current figures: docs/performance.md.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_benches::identity::build;
use o2o_core::identity::Scratch;
use std::hint::black_box;

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs each bench once without it,
/// and must stay fast, so the full sizes are used only under `cargo bench`.
fn full_size() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn bench_resolve(c: &mut Criterion) {
    let n = if full_size() { 10_000_000 } else { 10_000 };
    let Ok(g) = build(n, 7) else {
        return;
    };
    let mut group = c.benchmark_group("resolve");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    let mut scratch = Scratch::new();
    group.bench_function(if full_size() { "10M" } else { "10k" }, |b| {
        b.iter(|| black_box(g.resolve_fresh(&mut scratch).len()))
    });
    group.finish();
}

fn bench_observe(c: &mut Criterion) {
    let n = if full_size() { 1_000_000 } else { 10_000 };
    let mut group = c.benchmark_group("observe");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(if full_size() { "1M" } else { "10k" }, |b| {
        b.iter(|| black_box(build(n, 7).map(|g| g.identifiers())))
    });
    group.finish();
}

fn bench_observe_resolve(c: &mut Criterion) {
    let n = if full_size() { 1_000_000 } else { 10_000 };
    let mut group = c.benchmark_group("observe_resolve");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function(if full_size() { "1M" } else { "10k" }, |b| {
        b.iter(|| black_box(build(n, 7).map(|g| g.profiles().len())))
    });
    group.finish();
}

/// Target: an observation of 200,000 identifiers resolves in ≤ 5 s, whatever their kinds
/// (`hostile/*`: the observation's interning and the resolution of the whole graph). Under
/// `cargo test` (no `--bench`) 20,000.
fn bench_hostile(c: &mut Criterion) {
    use o2o_benches::identity::{Hostile, hostile};
    let n = if full_size() { 200_000 } else { 20_000 };
    let mut group = c.benchmark_group("hostile");
    group.sample_size(10);
    for (name, shape) in [
        ("bridging", Hostile::Bridging),
        ("one_kind", Hostile::OneKind),
    ] {
        let id = format!("{name}_{}k", n / 1_000);
        group.bench_function(id, |b| {
            b.iter(|| black_box(hostile(n, shape).map(|g| g.profiles().len())))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    bench_resolve,
    bench_observe,
    bench_observe_resolve,
    bench_hostile
);
criterion_main!(benches);
