//! Attribution benchmarks: 1,000,000 journeys → path table → Markov order 1 and 2.
//!
//! Target (issue "Attribution models"): o2o's exact Markov attribution at least 5× faster than
//! ChannelAttribution's `markov_model` with its default settings on the same path table.
//! `scripts/bench/attribution_vs_channelattribution.py` exports the table (set
//! `O2O_EXPORT_PATHS=FILE` and this bench writes it), runs ChannelAttribution on it, and prints
//! the ratio against the criterion estimates below.

#![allow(missing_docs)] // criterion_group! generates undocumented functions.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use o2o_core::attribution::markov::markov;
use o2o_core::attribution::{Journey, PathTable, Touch};
use o2o_core::event::TouchAction;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::hint::black_box;

const CHANNELS: [&str; 12] = [
    "facebook",
    "youtube",
    "tiktok",
    "search",
    "email",
    "zalo",
    "banner",
    "direct",
    "instagram",
    "telegram",
    "viber",
    "display",
];

/// One million synthetic journeys: 1–12 touches (mean ≈ 2.9), skewed channel popularity,
/// a 30% chance of repeating the previous channel, a per-channel conversion propensity.
fn journeys(n: usize, seed: u64) -> Vec<Journey<u64>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let lift: [f64; 12] = [
        0.02, 0.015, 0.005, 0.04, 0.02, 0.05, 0.0, 0.01, 0.01, 0.02, 0.005, 0.0,
    ];
    (0..n as u64)
        .map(|profile| {
            let mut touches = Vec::new();
            let mut p: f64 = 0.03;
            let mut prev: Option<usize> = None;
            loop {
                let c = match prev {
                    Some(c) if rng.random_bool(0.3) => c,
                    _ => {
                        // Skewed popularity: min of two uniforms favours low indexes.
                        let a = rng.random_range(0..CHANNELS.len());
                        let b = rng.random_range(0..CHANNELS.len());
                        a.min(b)
                    }
                };
                p += lift[c];
                touches.push(Touch {
                    channel: CHANNELS[c].to_owned(),
                    action: TouchAction::Click,
                    timestamp: touches.len() as i64 * 3_600,
                });
                prev = Some(c);
                if touches.len() >= 12 || rng.random_bool(0.35) {
                    break;
                }
            }
            let converted = rng.random_bool(p.min(0.9));
            let value = if converted {
                (rng.random_range(1_000..10_000) as f64) / 100.0
            } else {
                0.0
            };
            Journey {
                profile,
                end: touches.len() as i64 * 3_600,
                touches,
                converted,
                value,
            }
        })
        .collect()
}

fn bench_attribution(c: &mut Criterion) {
    let js = journeys(1_000_000, 42);
    let table = PathTable::from_journeys(&js);
    if let Ok(path) = std::env::var("O2O_EXPORT_PATHS")
        && let Err(e) = std::fs::write(&path, table.to_csv(">"))
    {
        eprintln!("could not write {path}: {e}");
    }
    eprintln!(
        "1,000,000 journeys → {} distinct paths, {} conversions",
        table.rows().len(),
        table.total_conversions()
    );
    let mut g = c.benchmark_group("attribution");
    g.sample_size(10);
    g.throughput(Throughput::Elements(js.len() as u64));
    g.bench_function("path_table_1M_journeys", |b| {
        b.iter(|| black_box(PathTable::from_journeys(black_box(&js))))
    });
    g.throughput(Throughput::Elements(table.rows().len() as u64));
    g.bench_function("markov_order1", |b| {
        b.iter(|| black_box(markov(black_box(&table), 1)))
    });
    g.bench_function("markov_order2", |b| {
        b.iter(|| black_box(markov(black_box(&table), 2)))
    });
    g.throughput(Throughput::Elements(js.len() as u64));
    g.bench_function("journeys_to_markov1_1M", |b| {
        b.iter(|| black_box(markov(&PathTable::from_journeys(black_box(&js)), 1)))
    });
    g.finish();
}

/// Many channels: 40,000 one-touch journeys, each its own channel. Target (issue "Hardening
/// from outside use"): Markov removal effects near-linear in the number of channels, where one
/// full re-solve per channel took 83 s on this table; under a second now.
fn bench_many_channels(c: &mut Criterion) {
    let mut b = PathTable::builder();
    for i in 0..40_000u32 {
        b.add(
            &[format!("ch{i}")],
            f64::from(i % 4),
            0.0,
            f64::from(1 + i % 5),
        );
    }
    let table = b.finish();
    let mut g = c.benchmark_group("attribution");
    g.sample_size(10);
    g.throughput(Throughput::Elements(table.channels().len() as u64));
    g.bench_function("markov_order1_40k_channels", |bn| {
        bn.iter(|| black_box(markov(black_box(&table), 1)))
    });
    g.finish();
}

criterion_group!(benches, bench_attribution, bench_many_channels);
criterion_main!(benches);
